"""MRTR through the proxy (#11, items 4 and 5), with 2026-07-28 upstreams over stdio:

- a handshake-era client (SDK `Client(mode="legacy")`) calls a tool whose upstream answers
  `input_required`: the proxy asks the client with ordinary elicitation/sampling/roots requests
  during the call, then sends the call again upstream with `inputResponses` and the upstream's
  `requestState`, and the client gets the final result (bridging);
- a 2026-07-28 client gets the `input_required` result itself and retries through the proxy;
  `requestState` passes through untouched (pass-through);
- a client that declared no elicitation gets a clear error, not a hang.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio
import pytest
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters

from era_callbacks import asked, on_elicit, on_roots, on_sample
from network_fixtures import binary

MODERN = "2026-07-28"
ERA_SERVERS = Path(__file__).with_name("era_servers.py")


def proxy(tmp_path: Path, command: list[str]) -> StdioServerParameters:
    config = tmp_path / "proxy.json"
    config.write_text(json.dumps({"mcpServers": {"up": {"command": command[0], "args": command[1:]}}}))
    return StdioServerParameters(command=str(binary("MCP_PROXY_BIN", "mcp-proxy")), args=["--config", str(config)])


EXAMPLE_MODERN = [str(binary("EXAMPLE_SERVER_BIN", "example-server")), "--modern"]
SDK_MODERN = [sys.executable, str(ERA_SERVERS), "stdio", "modern"]

@pytest.mark.parametrize("mode", ["legacy", MODERN])
@pytest.mark.parametrize("upstream, tool, arguments, expected", [
    (EXAMPLE_MODERN, "up__elicit", {}, "action=accept name=Ada"),
    (EXAMPLE_MODERN, "up__sample", {"prompt": "hi"}, "sampled: bridged"),
    (EXAMPLE_MODERN, "up__roots", {}, "file:///project"),
    (SDK_MODERN, "up__greet", {}, "Hello, Ada!"),
])
def test_an_input_required_round_trip_through_the_proxy(tmp_path: Path, mode: str, upstream, tool, arguments, expected) -> None:
    asked.clear()

    async def run() -> None:
        with anyio.fail_after(40):
            async with Client(proxy(tmp_path, upstream), mode=mode, elicitation_callback=on_elicit, sampling_callback=on_sample,
                              list_roots_callback=on_roots) as client:
                assert client.protocol_version == ("2025-11-25" if mode == "legacy" else MODERN)
                result = await client.call_tool(tool, arguments)
                assert not result.is_error, result
                assert expected in result.content[0].text, result
    anyio.run(run)
    assert asked, "the client's callback answered the upstream's input request"


def test_a_handshake_era_client_without_the_capability_gets_a_clear_error(tmp_path: Path) -> None:
    async def run() -> None:
        with anyio.fail_after(40):
            async with Client(proxy(tmp_path, EXAMPLE_MODERN), mode="legacy") as client:
                try:
                    result = await client.call_tool("up__elicit", {})
                except Exception as error:  # an MCPError: the upstream's -32021 naming the capability
                    assert "elicitation" in repr(error).lower() and "-32021" in repr(error), error
                    return
                assert result.is_error, result
    anyio.run(run)
