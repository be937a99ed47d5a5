"""mcp-proxy serve driven by the official MCP Python SDK over Streamable HTTP and legacy SSE.

Upstreams: `alpha` (example-server, stdio), `time` (mcp-server-time, stdio) and `py` (a Python
SDK server reached over Streamable HTTP, see network_python_server.py).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from network_fixtures import NetworkGateway, PythonHTTPServer, binary, open_client, stop
from proxy_harness import deadline, text_of

pytestmark = pytest.mark.anyio

FRONTS = ["streamable-http", "sse"]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkGateway]:
    directory = tmp_path_factory.mktemp("network-gateway")
    python_server = PythonHTTPServer.start(directory)
    try:
        upstreams = {
            "alpha": {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")), "args": ["--name", "alpha"]},
            "time": {"command": sys.executable, "args": ["-m", "mcp_server_time", "--local-timezone", "UTC"]},
            "py": {"url": python_server.url},
        }
        gateway = NetworkGateway.start(directory, upstreams)
        try:
            yield gateway
        finally:
            stop(gateway.process)
    finally:
        stop(python_server.process)


@pytest.mark.parametrize("front", FRONTS)
async def test_initialize_and_list_tools(gateway: NetworkGateway, front: str) -> None:
    async with open_client(gateway, front) as connection:
        assert connection.initialize_result.capabilities.tools is not None
        with deadline(f"list_tools over {front}"):
            tools = await connection.session.list_tools()
        names = {tool.name for tool in tools.tools}
        for expected in ("alpha__echo", "alpha__progress", "alpha__sample", "time__get_current_time", "py__shout"):
            assert expected in names, f"{expected} missing over {front}: {sorted(names)}"


@pytest.mark.parametrize("front", FRONTS)
async def test_calls_reach_stdio_upstreams(gateway: NetworkGateway, front: str) -> None:
    async with open_client(gateway, front) as connection:
        with deadline(f"alpha__echo over {front}"):
            echoed = await connection.session.call_tool("alpha__echo", {"text": f"hi over {front} ✓"})
        assert text_of(echoed) == f"hi over {front} ✓"
        with deadline(f"time__get_current_time over {front}"):
            now = await connection.session.call_tool("time__get_current_time", {"timezone": "UTC"})
        assert not now.is_error, now
        assert json.loads(text_of(now))["timezone"] == "UTC"


@pytest.mark.parametrize("front", FRONTS)
async def test_sampling_round_trip(gateway: NetworkGateway, front: str) -> None:
    async with open_client(gateway, front) as connection:
        with deadline(f"alpha__sample over {front}"):
            result = await connection.session.call_tool("alpha__sample", {"prompt": "ping"})
        assert text_of(result) == "sampled: pong"
        assert len(connection.record.sampling_requests) == 1
        content = connection.record.sampling_requests[0].messages[0].content
        assert getattr(content, "text", None) == "ping", content


@pytest.mark.parametrize("front", FRONTS)
async def test_progress_callback(gateway: NetworkGateway, front: str) -> None:
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    async with open_client(gateway, front) as connection:
        with deadline(f"alpha__progress over {front}"):
            result = await connection.session.call_tool(
                "alpha__progress", {"steps": 4, "delay_ms": 20}, progress_callback=on_progress
            )
        assert text_of(result) == "done"
        with anyio.fail_after(5):
            while len(seen) < 4:
                await anyio.sleep(0.02)
    assert seen == [1.0, 2.0, 3.0, 4.0]


async def test_python_sdk_server_behind_http(gateway: NetworkGateway) -> None:
    """A real Python SDK server as a `url` upstream, called through the proxy's Streamable HTTP front."""
    async with open_client(gateway, "streamable-http") as connection:
        with deadline("py__shout"):
            result = await connection.session.call_tool("py__shout", {"text": "quiet please"})
        assert not result.is_error, result
        assert text_of(result) == "QUIET PLEASE"
