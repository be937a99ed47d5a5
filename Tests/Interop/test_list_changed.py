"""An upstream's notifications/tools/list_changed reaches the client and the merged list follows."""

import mcp_types as types
import pytest
from proxy_harness import ProxyConnection, deadline, text_of

pytestmark = pytest.mark.anyio


async def test_upstream_tool_list_change_is_forwarded(proxy: ProxyConnection) -> None:
    with deadline("tools/list"):
        before = {tool.name for tool in (await proxy.session.list_tools()).tools}
    assert "alpha__extra" not in before

    with deadline('call_tool("alpha__toggle_extra")'):
        toggled = await proxy.session.call_tool("alpha__toggle_extra", {})
    assert text_of(toggled) == "extra added"
    await proxy.record.wait_for(
        lambda: bool(proxy.record.notifications_of(types.ToolListChangedNotification)),
        "notifications/tools/list_changed after alpha added a tool",
    )

    with deadline("tools/list, then alpha__extra"):
        after = {tool.name for tool in (await proxy.session.list_tools()).tools}
        assert after == before | {"alpha__extra"}
        extra = await proxy.session.call_tool("alpha__extra", {})
    assert text_of(extra) == "extra from alpha"
