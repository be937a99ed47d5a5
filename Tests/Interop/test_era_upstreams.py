"""The protocol-era test upstreams, checked with the official SDK Client and no proxy (issue #11).

Before the proxy is put in front of them, the upstreams the era tests use must behave like the
spec and like the SDK's own servers. This runs the SDK `Client` in each mode (`legacy`, `auto`,
`2026-07-28`) over stdio and Streamable HTTP directly against
example-server --modern / --dual-era and the SDK's modern-only and dual-era servers, and asserts the outcome matrix of era-2026.md §8.1: a dual-era server serves every mode (legacy at
2025-11-25 with the elicitation as a server-to-client request, the others at 2026-07-28 with
MRTR and subscriptions/listen); a modern-only server serves `auto` and `2026-07-28`, and refuses
`legacy` (the initialize) with -32022 naming the supported versions (the SDK's modern HTTP entry
answers -32602 instead). test_era_upstreams_raw.py sends raw requests for the paths a Client never
takes. The upstreams and their fixtures are in era_fixtures.py.
"""

from __future__ import annotations

import anyio
import pytest
from era_fixtures import (EXAMPLE_MODERN, MODERN, SDK_MODERN, TIMEOUT, UPSTREAMS, Running, Upstream, http_servers, mcp_error,
                          on_elicit, target, text_of)
from mcp.client.client import Client
from mcp.client.subscriptions import ListenNotSupportedError
from mcp.shared.exceptions import MCPError

pytestmark = pytest.mark.anyio
__all__ = ["http_servers"]  # the fixture, imported so pytest finds it


@pytest.mark.parametrize("mode", ["legacy", "auto", MODERN])
@pytest.mark.parametrize("transport", ["stdio", "http"])
@pytest.mark.parametrize("upstream", UPSTREAMS, ids=lambda upstream: upstream.name)
async def test_client_mode_matrix(upstream: Upstream, transport: str, mode: str, http_servers: dict[str, Running]) -> None:
    server = target(upstream, transport, http_servers)
    if mode == "legacy" and upstream.era == "modern":
        # A modern-only server refuses the handshake and names the versions it serves.
        with anyio.fail_after(TIMEOUT), pytest.raises(BaseException) as raised:
            async with Client(server, mode="legacy", elicitation_callback=on_elicit):
                pass
        error = mcp_error(raised.value)
        assert error is not None, f"expected an MCPError, got {raised.value!r}"
        expected = -32022 if transport == "stdio" else upstream.http_legacy_code
        assert error.error.code == expected, error.error
        if expected == -32022:
            assert error.error.data == {"supported": [MODERN], "requested": "2025-11-25"}
        return

    with anyio.fail_after(TIMEOUT):
        async with Client(server, mode=mode, elicitation_callback=on_elicit) as client:
            expected_version = "2025-11-25" if mode == "legacy" else MODERN
            assert client.protocol_version == expected_version
            names = [tool.name for tool in (await client.list_tools()).tools]
            assert "echo" in names and upstream.mrtr_tool in names
            assert text_of(await client.call_tool("echo", {"text": "hi"})) == "hi"
            # 2026-07-28: MRTR (input_required, then a retry); legacy: an elicitation/create request.
            assert text_of(await client.call_tool(upstream.mrtr_tool, {})) == upstream.mrtr_text
            contents = (await client.read_resource(upstream.resource)).contents
            assert [getattr(item, "text", None) for item in contents] == [upstream.resource_text]
            if mode == "legacy":
                with pytest.raises(ListenNotSupportedError):
                    async with client.listen(tools_list_changed=True):
                        pass
                return
            # x-mcp-header: over HTTP the client mirrors `region` into Mcp-Param-Region (base64 for
            # a non-ASCII value), and the server checks it against the body.
            assert text_of(await client.call_tool("where", {"region": "Zürich", "query": "q"})) == "Zürich:q"
            async with client.listen(tools_list_changed=True) as subscription:
                await client.call_tool(upstream.trigger, {})
                async for event in subscription:
                    assert type(event).__name__ == "ToolsListChanged", event
                    break


@pytest.mark.parametrize("transport", ["stdio", "http"])
@pytest.mark.parametrize("upstream", [EXAMPLE_MODERN, SDK_MODERN], ids=lambda upstream: upstream.name)
async def test_mrtr_needs_the_declared_capability(upstream: Upstream, transport: str, http_servers: dict[str, Running]) -> None:
    """Without an elicitation callback the client declares no elicitation: -32021 names it."""
    with anyio.fail_after(TIMEOUT):
        async with Client(target(upstream, transport, http_servers), mode=MODERN) as client:
            with pytest.raises(MCPError) as raised:
                await client.call_tool(upstream.mrtr_tool, {})
    assert raised.value.error.code == -32021
    assert "elicitation" in raised.value.error.data["requiredCapabilities"]
