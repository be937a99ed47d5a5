"""prompts/get reaches alpha under the prompt's original name."""

import pytest
from mcp import MCPError
from proxy_harness import ProxyConnection, deadline, text_of

pytestmark = pytest.mark.anyio


@pytest.fixture
def proxy(shared_proxy: ProxyConnection) -> ProxyConnection:
    """Read-only tests: the whole module shares one proxy process."""
    return shared_proxy


async def test_get_alpha_greet(proxy: ProxyConnection) -> None:
    with deadline('get_prompt("alpha__greet")'):
        result = await proxy.session.get_prompt("alpha__greet", {"name": "Ada"})
    assert len(result.messages) == 1
    assert result.messages[0].role == "user"
    assert text_of(result) == "Hello, Ada!"


async def test_unknown_prompt_is_an_error(proxy: ProxyConnection) -> None:
    with deadline('get_prompt("alpha__no_such_prompt")'):
        with pytest.raises(MCPError):
            await proxy.session.get_prompt("alpha__no_such_prompt", {"name": "Ada"})
        # and the session still works
        result = await proxy.session.get_prompt("alpha__greet", {"name": "Alan"})
    assert text_of(result) == "Hello, Alan!"
