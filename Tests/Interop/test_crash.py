"""An upstream that dies mid-call: the call fails fast with one error, the others keep serving,
and the upstream recovers (shared mode) or its tools go away (per-session mode without restart)."""

import json
import time

import mcp_types as types
import pytest
from mcp import MCPError

from proxy_harness import NOTIFY_TIMEOUT, ProxyConnection, ProxyLauncher, deadline, text_of

pytestmark = pytest.mark.anyio


async def _crash_alpha(proxy: ProxyConnection) -> None:
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


async def _others_still_work(proxy: ProxyConnection) -> set[str]:
    with deadline('call_tool("time__get_current_time")'):
        result = await proxy.session.call_tool("time__get_current_time", {"timezone": "UTC"})
        assert json.loads(text_of(result))["timezone"] == "UTC"
        return {tool.name for tool in (await proxy.session.list_tools()).tools}


async def test_shared_upstream_recovers_after_a_crash_mid_call(proxy: ProxyConnection) -> None:
    await _crash_alpha(proxy)
    tools_after = await _others_still_work(proxy)
    assert "git__git_status" in tools_after

    # The pool restarts alpha with backoff and tells the client its tools may have changed ...
    await proxy.record.wait_for(
        lambda: bool(proxy.record.notifications_of(types.ToolListChangedNotification)),
        "notifications/tools/list_changed after alpha came back",
        timeout=NOTIFY_TIMEOUT,
    )
    # ... and alpha serves again, from a fresh process.
    with deadline('call_tool("alpha__echo") after the restart'):
        result = await proxy.session.call_tool("alpha__echo", {"text": "back"})
    assert text_of(result) == "back"
    assert "alpha__echo" in {tool.name for tool in (await proxy.session.list_tools()).tools}


async def test_per_session_upstream_without_restart_leaves_the_lists(launcher: ProxyLauncher) -> None:
    text = launcher.config_path.read_text()
    launcher.config_path.write_text(
        text.replace('  alpha:\n', '  alpha:\n    pool: { mode: perSession }\n', 1)
        + "proxy:\n  upstreams:\n    restart: false\n"
    )
    async with launcher.connect() as proxy:
        await _crash_alpha(proxy)
        await proxy.record.wait_for(
            lambda: bool(proxy.record.notifications_of(types.ToolListChangedNotification)),
            "notifications/tools/list_changed after alpha crashed",
            timeout=NOTIFY_TIMEOUT,
        )
        tools_after = await _others_still_work(proxy)
        assert not {name for name in tools_after if name.startswith("alpha__")}, sorted(tools_after)
        assert "time__get_current_time" in tools_after
        assert "git__git_status" in tools_after
