"""The era matrix of #11: the official SDK `Client` in `mode="legacy"`, `"auto"` and
`"2026-07-28"`, over stdio and Streamable HTTP, in front of stdio upstreams of each era:

  handshake   example-server                        (handshake era only)
  ex-modern   example-server --modern               (2026-07-28 only)
  ex-dual     example-server --dual-era             (both)
  sdk-modern  era_servers.py stdio modern           (the SDK's modern-only path)
  sdk-dual    era_servers.py stdio dual             (the SDK's default server)
  time        mcp-server-time                       (a reference server; dual-era in 2026.10)
  time-hs     mcp-server-time, protocolEra handshake (the same server, spoken to with initialize)
  git         mcp-server-git on this repository     (a reference server; dual-era in 2026.10)
  git-hs      mcp-server-git, protocolEra handshake

Every cell lists the upstream's tools through the proxy and calls its echo (or get_current_time),
and checks the era each side negotiated: the client's with the proxy, and the proxy's with the
upstream (from the proxy's log).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio
import pytest
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters

from network_fixtures import NetworkGateway, binary, stop

MODERN = "2026-07-28"
ERA_SERVERS = Path(__file__).with_name("era_servers.py")
REPOSITORY = str(Path(__file__).resolve().parents[2])
TIME = [sys.executable, "-m", "mcp_server_time", "--local-timezone", "UTC"]
GIT = [sys.executable, "-m", "mcp_server_git", "--repository", REPOSITORY]

UPSTREAMS = {
    "handshake": ([str(binary("EXAMPLE_SERVER_BIN", "example-server"))], "echo", {"text": "hi"}, "hi", False),
    "ex-modern": ([str(binary("EXAMPLE_SERVER_BIN", "example-server")), "--modern"], "echo", {"text": "hi"}, "hi", True),
    "ex-dual": ([str(binary("EXAMPLE_SERVER_BIN", "example-server")), "--dual-era"], "echo", {"text": "hi"}, "hi", True),
    "sdk-modern": ([sys.executable, str(ERA_SERVERS), "stdio", "modern"], "echo", {"text": "hi"}, "hi", True),
    "sdk-dual": ([sys.executable, str(ERA_SERVERS), "stdio", "dual"], "echo", {"text": "hi"}, "hi", True),
    "time": (TIME, "get_current_time", {"timezone": "UTC"}, "UTC", True),
    "time-hs": (TIME, "get_current_time", {"timezone": "UTC"}, "UTC", False),
    "git": (GIT, "git_status", {"repo_path": REPOSITORY}, "Repository status", True),
    "git-hs": (GIT, "git_status", {"repo_path": REPOSITORY}, "Repository status", False),
}
# Upstreams pinned to the handshake era (protocolEra), so that a reference server that speaks both
# eras is also seen through initialize.
PINNED = {"time-hs": "handshake", "git-hs": "handshake"}


def config_for(upstream: str) -> dict:
    command, *_ = UPSTREAMS[upstream]
    entry = {"command": command[0], "args": command[1:]}
    if upstream in PINNED:
        entry["protocolEra"] = PINNED[upstream]
    return {"up": entry}


async def exercise(client: Client, upstream: str) -> None:
    _, tool, arguments, expected, _ = UPSTREAMS[upstream]
    tools = await client.list_tools()
    names = [t.name for t in tools.tools]
    assert f"up__{tool}" in names, names
    result = await client.call_tool(f"up__{tool}", arguments)
    assert not result.is_error, result
    assert expected in result.content[0].text, result


def expected_client_version(mode: str) -> str:
    return "2025-11-25" if mode == "legacy" else MODERN


def proxy_spoke_modern(log: Path) -> bool:
    return "upstream speaks 2026-07-28" in log.read_text(errors="replace")


@pytest.mark.parametrize("mode", ["legacy", "auto", MODERN])
@pytest.mark.parametrize("upstream", list(UPSTREAMS))
def test_stdio_front(tmp_path: Path, upstream: str, mode: str) -> None:
    config = tmp_path / "proxy.json"
    config.write_text(json.dumps({"mcpServers": config_for(upstream)}))
    log = tmp_path / "proxy.log"
    # The proxy's stderr goes to a file, to read which era it spoke upstream.
    parameters = StdioServerParameters(
        command="/bin/sh", args=["-c", 'exec "$0" --config "$1" 2>>"$2"', str(binary("MCP_PROXY_BIN", "mcp-proxy")), str(config), str(log)])

    async def run() -> None:
        with anyio.fail_after(40):
            async with Client(parameters, mode=mode) as client:
                assert client.protocol_version == expected_client_version(mode)
                await exercise(client, upstream)
    anyio.run(run)
    assert proxy_spoke_modern(log) == UPSTREAMS[upstream][4], log.read_text(errors="replace")[-3000:]


@pytest.mark.parametrize("mode", ["legacy", "auto", MODERN])
@pytest.mark.parametrize("upstream", list(UPSTREAMS))
def test_streamable_http_front(tmp_path: Path, upstream: str, mode: str) -> None:
    gateway = NetworkGateway.start(tmp_path, config_for(upstream))
    try:
        async def run() -> None:
            with anyio.fail_after(40):
                async with Client(f"{gateway.base}/mcp", mode=mode) as client:
                    assert client.protocol_version == expected_client_version(mode)
                    await exercise(client, upstream)
        anyio.run(run)
        assert proxy_spoke_modern(gateway.log) == UPSTREAMS[upstream][4], gateway.log_tail()
    finally:
        stop(gateway.process)
