"""Errors come back as JSON-RPC errors, and the session keeps working after them."""

import pytest
from mcp import MCPError
from proxy_harness import ProxyConnection, deadline, text_of

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("name", ["nosuch__tool", "alpha__no_such_tool", "no_prefix_at_all"])
async def test_unknown_tool_is_a_jsonrpc_error(proxy: ProxyConnection, name: str) -> None:
    with deadline(f"call_tool({name!r}) then alpha__echo"):
        with pytest.raises(MCPError) as raised:
            await proxy.session.call_tool(name, {})
        assert raised.value.code in (-32602, -32601), raised.value.error
        echoed = await proxy.session.call_tool("alpha__echo", {"text": "still here"})
    assert text_of(echoed) == "still here"


async def test_unknown_resource_is_a_jsonrpc_error(proxy: ProxyConnection) -> None:
    with deadline('read_resource("nowhere://at/all")'):
        with pytest.raises(MCPError):
            await proxy.session.read_resource("nowhere://at/all")
        result = await proxy.session.read_resource("example://static/hello")
    assert text_of(result) == "Hello from alpha"
