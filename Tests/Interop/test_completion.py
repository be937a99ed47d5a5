"""completion/complete for a namespaced prompt reaches alpha with the original prompt name."""

import mcp_types as types
import pytest
from proxy_harness import ProxyConnection, deadline

pytestmark = pytest.mark.anyio


@pytest.fixture
def proxy(shared_proxy: ProxyConnection) -> ProxyConnection:
    """Read-only tests: the whole module shares one proxy process."""
    return shared_proxy


async def test_completion_capability_is_advertised(proxy: ProxyConnection) -> None:
    assert proxy.initialize_result.capabilities.completions is not None


async def test_complete_prompt_argument(proxy: ProxyConnection) -> None:
    reference = types.PromptReference(name="alpha__greet")
    with deadline("completion/complete for alpha__greet"):
        both = await proxy.session.complete(reference, {"name": "name", "value": "A"})
        one = await proxy.session.complete(reference, {"name": "name", "value": "Ad"})
    assert sorted(both.completion.values) == ["Ada", "Alan"]
    assert one.completion.values == ["Ada"]
