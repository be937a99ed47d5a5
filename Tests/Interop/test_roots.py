"""An upstream's roots/list reaches the client's roots callback and the answer goes back."""

import pytest
from proxy_harness import CLIENT_ROOT, ProxyConnection, deadline, text_of

pytestmark = pytest.mark.anyio


async def test_roots_round_trip(proxy: ProxyConnection) -> None:
    with deadline('call_tool("alpha__roots")'):
        result = await proxy.session.call_tool("alpha__roots", {})
    assert not result.is_error, text_of(result)
    assert text_of(result).split("\n") == [CLIENT_ROOT]
    assert proxy.record.roots_requests >= 1
