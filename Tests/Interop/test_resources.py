"""resources/read and resources/subscribe route by URI; updates come back to the subscriber."""

import mcp_types as types
import pytest
from proxy_harness import ProxyConnection, deadline, text_of

pytestmark = pytest.mark.anyio


async def test_read_static_resource(proxy: ProxyConnection) -> None:
    with deadline('read_resource("example://static/hello")'):
        result = await proxy.session.read_resource("example://static/hello")
    assert str(result.contents[0].uri) == "example://static/hello"
    assert text_of(result) == "Hello from alpha"


async def test_read_templated_resource(proxy: ProxyConnection) -> None:
    with deadline('read_resource("example://items/42")'):
        result = await proxy.session.read_resource("example://items/42")
    assert text_of(result) == "item 42"


async def test_subscription_delivers_resource_updated(proxy: ProxyConnection) -> None:
    capabilities = proxy.initialize_result.capabilities
    assert capabilities.resources is not None and capabilities.resources.subscribe, capabilities
    with deadline("subscribe, read and alpha__bump"):
        await proxy.session.subscribe_resource("example://counter")
        before = int(text_of(await proxy.session.read_resource("example://counter")))
        bumped = await proxy.session.call_tool("alpha__bump", {})
    assert int(text_of(bumped)) == before + 1

    def updated() -> bool:
        return any(
            str(n.params.uri) == "example://counter"
            for n in proxy.record.notifications_of(types.ResourceUpdatedNotification)
        )

    await proxy.record.wait_for(updated, "notifications/resources/updated for example://counter")
    with deadline('read_resource("example://counter")'):
        after = await proxy.session.read_resource("example://counter")
    assert int(text_of(after)) == before + 1
