"""Named-server endpoints: with proxy.listen.namedServers each upstream is also served alone under
/servers/<name>/, with its original (un-prefixed) names, through the official SDK clients."""
from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from network_fixtures import NetworkGateway, binary, open_client, stop
from proxy_harness import deadline, text_of

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkGateway]:
    directory = tmp_path_factory.mktemp("named-servers")
    upstreams = {
        "alpha": {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")), "args": ["--name", "alpha"]},
        "time": {"command": sys.executable, "args": ["-m", "mcp_server_time", "--local-timezone", "UTC"]},
    }
    gateway = NetworkGateway.start(directory, upstreams, proxy={"listen": {"namedServers": True}})
    try:
        yield gateway
    finally:
        stop(gateway.process)


@pytest.mark.parametrize("front", ["streamable-http", "sse"])
async def test_named_endpoint_serves_one_upstream_with_original_names(gateway: NetworkGateway, front: str) -> None:
    async with open_client(gateway, front, prefix="/servers/alpha") as connection:
        with deadline(f"list_tools on /servers/alpha over {front}"):
            tools = await connection.session.list_tools()
        names = {tool.name for tool in tools.tools}
        assert "echo" in names and "progress" in names, sorted(names)
        assert not any(name.startswith("time") or "__" in name for name in names), sorted(names)
        with deadline(f"echo on /servers/alpha over {front}"):
            echoed = await connection.session.call_tool("echo", {"text": "alone"})
        assert text_of(echoed) == "alone"


async def test_aggregated_endpoint_still_namespaces(gateway: NetworkGateway) -> None:
    async with open_client(gateway, "streamable-http") as connection:
        with deadline("list_tools on /mcp"):
            tools = await connection.session.list_tools()
        names = {tool.name for tool in tools.tools}
        assert {"alpha__echo", "time__get_current_time"} <= names, sorted(names)
        assert "echo" not in names
