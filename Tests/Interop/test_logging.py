"""logging/setLevel is accepted, and an upstream's notifications/message reaches the client."""

import mcp_types as types
import pytest
from proxy_harness import ProxyConnection, deadline

pytestmark = pytest.mark.anyio


async def test_set_level_is_accepted(proxy: ProxyConnection) -> None:
    with deadline('set_logging_level("debug")'):
        result = await proxy.session.set_logging_level("debug")
    assert isinstance(result, types.EmptyResult)


async def test_upstream_log_message_reaches_client(proxy: ProxyConnection) -> None:
    with deadline('set_logging_level("debug")'):
        await proxy.session.set_logging_level("debug")
        await proxy.session.call_tool("alpha__log", {"level": "warning", "message": "interop log line"})

    def logged() -> bool:
        return any("interop log line" in str(m.data) for m in proxy.record.log_messages)

    await proxy.record.wait_for(logged, "notifications/message with 'interop log line'")
    message = next(m for m in proxy.record.log_messages if "interop log line" in str(m.data))
    assert message.level == "warning"
