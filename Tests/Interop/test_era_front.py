"""The proxy's front in both protocol eras (#11, items 1, 2 and 7): the official SDK `Client` in
`mode="legacy"`, `mode="auto"` and `mode="2026-07-28"` talks to `mcp-proxy` over stdio and over
Streamable HTTP, in front of handshake-era upstreams (`example-server`).

- a modern client needs no `initialize`: `server/discover` answers with the merged capabilities,
  every request carries its own envelope, every result has `resultType`, and lists and reads
  carry `ttlMs`/`cacheScope` (the SDK validates them strictly);
- `auto` finds the proxy modern and adopts 2026-07-28; `legacy` still initializes;
- bad envelopes, unsupported versions and header/body mismatches get the modern errors with
  their HTTP statuses.
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path

import anyio
import pytest
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError

from network_fixtures import NetworkGateway, binary, stop

MODERN = "2026-07-28"
ENVELOPE = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}


def upstreams() -> dict:
    return {
        "alpha": {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")), "args": ["--name", "alpha"]},
        "beta": {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")), "args": ["--name", "beta"]},
    }


@pytest.fixture
def stdio_proxy(tmp_path: Path) -> StdioServerParameters:
    config = tmp_path / "proxy.json"
    config.write_text(json.dumps({"mcpServers": upstreams()}))
    return StdioServerParameters(command=str(binary("MCP_PROXY_BIN", "mcp-proxy")), args=["--config", str(config)])


@pytest.fixture
def http_proxy(tmp_path: Path):
    gateway = NetworkGateway.start(tmp_path, upstreams())
    try:
        yield gateway
    finally:
        stop(gateway.process)


async def exercise(client: Client) -> dict:
    """What every mode must be able to do through the proxy."""
    seen = {}
    tools = await client.list_tools()
    names = [tool.name for tool in tools.tools]
    assert "alpha__echo" in names and "beta__echo" in names, names
    called = await client.call_tool("alpha__echo", {"text": "through the proxy"})
    assert not called.is_error and "through the proxy" in called.content[0].text, called
    resources = await client.list_resources()
    assert resources.resources, "the example servers list resources"
    read = await client.read_resource(resources.resources[0].uri)
    assert read.contents
    prompts = await client.list_prompts()
    if prompts.prompts:
        prompt = prompts.prompts[0]
        arguments = {argument.name: "x" for argument in (prompt.arguments or [])}
        got = await client.get_prompt(prompt.name, arguments)
        assert got.messages
    seen["tools"] = len(names)
    return seen


@pytest.mark.parametrize("mode", ["legacy", "auto", MODERN])
def test_every_client_mode_works_over_stdio(stdio_proxy, mode: str) -> None:
    async def run() -> None:
        with anyio.fail_after(30):
            async with Client(stdio_proxy, mode=mode) as client:
                assert client.protocol_version == ("2025-11-25" if mode == "legacy" else MODERN)
                await exercise(client)
    anyio.run(run)


@pytest.mark.parametrize("mode", ["legacy", "auto", MODERN])
def test_every_client_mode_works_over_streamable_http(http_proxy, mode: str) -> None:
    async def run() -> None:
        with anyio.fail_after(30):
            async with Client(f"{http_proxy.base}/mcp", mode=mode) as client:
                assert client.protocol_version == ("2025-11-25" if mode == "legacy" else MODERN)
                await exercise(client)
    anyio.run(run)


def post(base: str, body: dict, headers: dict[str, str]) -> tuple[int, dict]:
    connection = http.client.HTTPConnection(base.split("//")[1].split(":")[0], int(base.rsplit(":", 1)[1]), timeout=10)
    try:
        connection.request("POST", "/mcp", body=json.dumps(body), headers={
            "content-type": "application/json", "accept": "application/json, text/event-stream", **headers})
        response = connection.getresponse()
        text = response.read().decode()
        return response.status, (json.loads(text) if text else {})
    finally:
        connection.close()


def modern_headers(method: str, name: str | None = None, version: str = MODERN) -> dict[str, str]:
    headers = {"mcp-protocol-version": version, "mcp-method": method}
    if name is not None:
        headers["mcp-name"] = name
    return headers


def test_server_discover_answers_what_the_proxy_serves(http_proxy) -> None:
    status, answer = post(http_proxy.base, {"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": ENVELOPE}},
                          modern_headers("server/discover"))
    assert status == 200, answer
    result = answer["result"]
    assert MODERN in result["supportedVersions"] and "2025-11-25" in result["supportedVersions"]
    assert "tools" in result["capabilities"]
    assert result["resultType"] == "complete" and result["ttlMs"] == 0 and result["cacheScope"] == "private"
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"]


@pytest.mark.parametrize("body, headers, status, code", [
    # the envelope without clientCapabilities
    ({"jsonrpc": "2.0", "id": 2, "method": "tools/list",
      "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": MODERN}}}, modern_headers("tools/list"), 400, -32602),
    # a version the proxy does not speak
    ({"jsonrpc": "2.0", "id": 3, "method": "tools/list",
      "params": {"_meta": dict(ENVELOPE, **{"io.modelcontextprotocol/protocolVersion": "2099-01-01"})}},
     modern_headers("tools/list", version="2099-01-01"), 400, -32022),
    # the header names another method than the body
    ({"jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": {"_meta": ENVELOPE}}, modern_headers("prompts/list"), 400, -32020),
    # the header names another tool than the body
    ({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "alpha__echo", "arguments": {"text": "x"}, "_meta": ENVELOPE}},
     modern_headers("tools/call", name="beta__echo"), 400, -32020),
    # removed in 2026-07-28
    ({"jsonrpc": "2.0", "id": 6, "method": "ping", "params": {"_meta": ENVELOPE}}, modern_headers("ping"), 404, -32601),
])
def test_modern_errors_and_their_statuses(http_proxy, body, headers, status, code) -> None:
    got_status, answer = post(http_proxy.base, body, headers)
    assert got_status == status, answer
    assert answer["error"]["code"] == code, answer
    if code == -32022:
        assert answer["error"]["data"]["requested"] == "2099-01-01" and MODERN in answer["error"]["data"]["supported"]


def test_a_modern_request_needs_no_session_and_gets_a_complete_result(http_proxy) -> None:
    status, answer = post(http_proxy.base, {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                                            "params": {"name": "alpha__echo", "arguments": {"text": "stateless"}, "_meta": ENVELOPE}},
                          modern_headers("tools/call", name="alpha__echo"))
    assert status == 200, answer
    assert answer["result"]["resultType"] == "complete"
    assert "stateless" in answer["result"]["content"][0]["text"]
    status, listed = post(http_proxy.base, {"jsonrpc": "2.0", "id": 8, "method": "tools/list", "params": {"_meta": ENVELOPE}},
                          modern_headers("tools/list"))
    assert status == 200 and listed["result"]["ttlMs"] == 0 and listed["result"]["cacheScope"] == "private"


def test_get_and_delete_are_not_allowed_for_a_modern_client(http_proxy) -> None:
    for method in ("GET", "DELETE"):
        connection = http.client.HTTPConnection("127.0.0.1", http_proxy.port, timeout=10)
        try:
            connection.request(method, "/mcp", headers={"mcp-protocol-version": MODERN, "accept": "text/event-stream"})
            response = connection.getresponse()
            response.read()
            assert response.status == 405, method
            assert "POST" in (response.getheader("allow") or "")
        finally:
            connection.close()


def test_a_modern_client_without_callbacks_gets_a_clear_error_when_an_upstream_asks_it_something(stdio_proxy) -> None:
    # An upstream's sampling request during the call of a modern client that declared no
    # sampling: -32021 naming the capability (test_era_bridge_modern.py covers the bridge itself).
    async def run() -> None:
        with anyio.fail_after(30):
            async with Client(stdio_proxy, mode=MODERN) as client:
                with pytest.raises(MCPError) as raised:
                    await client.call_tool("alpha__sample", {"prompt": "hi"})
                assert raised.value.error.code == -32021, raised.value.error
                assert "sampling" in raised.value.error.message
    anyio.run(run)


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_a_modern_client_listens_for_list_changes(stdio_proxy, tmp_path: Path, transport: str) -> None:
    # subscriptions/listen: acknowledged, then the upstream's tools/list_changed arrives tagged.
    (tmp_path / "gw").mkdir()
    gateway = NetworkGateway.start(tmp_path / "gw", upstreams()) if transport == "http" else None
    target = f"{gateway.base}/mcp" if gateway else stdio_proxy

    async def run() -> None:
        with anyio.fail_after(30):
            async with Client(target, mode=MODERN) as client:
                await client.list_tools()
                async with client.listen(tools_list_changed=True) as subscription:
                    toggled = await client.call_tool("alpha__toggle_extra", {})
                    assert not toggled.is_error, toggled
                    async for event in subscription:
                        assert "ToolsListChanged" in type(event).__name__ or "tools" in repr(event).lower(), event
                        break
    try:
        anyio.run(run)
    finally:
        if gateway:
            stop(gateway.process)
