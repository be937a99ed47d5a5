"""An upstream that dies mid-call: the call fails fast, the others keep serving, its tools go away."""

import json
import time

import mcp_types as types
import pytest
from mcp import MCPError
from proxy_harness import NOTIFY_TIMEOUT, ProxyConnection, deadline, text_of

pytestmark = pytest.mark.anyio


async def test_upstream_crash_mid_call(proxy: ProxyConnection) -> None:
    with deadline("list_tools"):
        tools_before = {tool.name for tool in (await proxy.session.list_tools()).tools}
    assert "alpha__echo" in tools_before

    started = time.monotonic()
    with deadline('call_tool("alpha__crash")'):
        with pytest.raises(MCPError) as raised:
            await proxy.session.call_tool("alpha__crash", {})
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"the crashed call took {elapsed:.1f}s to fail"
    assert raised.value.error.message, "the error response should say what happened"

    # The proxy tells the client its tool list changed ...
    await proxy.record.wait_for(
        lambda: bool(proxy.record.notifications_of(types.ToolListChangedNotification)),
        "notifications/tools/list_changed after alpha crashed",
        timeout=NOTIFY_TIMEOUT,
    )
    with deadline('call_tool("time__get_current_time")'):
        # ... the other upstreams still work ...
        result = await proxy.session.call_tool("time__get_current_time", {"timezone": "UTC"})
        assert json.loads(text_of(result))["timezone"] == "UTC"
        # ... and alpha's tools are gone while the others remain.
        tools_after = {tool.name for tool in (await proxy.session.list_tools()).tools}
    assert not {name for name in tools_after if name.startswith("alpha__")}, sorted(tools_after)
    assert "time__get_current_time" in tools_after
    assert "git__git_status" in tools_after
