"""An upstream's sampling/createMessage reaches the client's sampling callback and the answer goes back."""

import anyio
import mcp_types as types
import pytest
from proxy_harness import SAMPLING_REPLY, ProxyConnection, deadline, text_of

pytestmark = pytest.mark.anyio


async def test_sampling_round_trip(proxy: ProxyConnection) -> None:
    with deadline('call_tool("alpha__sample")'):
        result = await proxy.session.call_tool("alpha__sample", {"prompt": "ping"})
    assert not result.is_error, text_of(result)
    assert text_of(result) == f"sampled: {SAMPLING_REPLY}"
    assert len(proxy.record.sampling_requests) == 1
    request = proxy.record.sampling_requests[0]
    assert request.max_tokens == 100
    assert len(request.messages) == 1
    message = request.messages[0]
    assert message.role == "user"
    content = message.content[0] if isinstance(message.content, list) else message.content
    assert isinstance(content, types.TextContent)
    assert content.text == "ping"


async def test_two_sampling_calls_at_once(proxy: ProxyConnection) -> None:
    """Server-to-client requests from concurrent calls each get their own answer back."""
    texts: list[str] = []

    async def sample(prompt: str) -> None:
        texts.append(text_of(await proxy.session.call_tool("alpha__sample", {"prompt": prompt})))

    with deadline("the concurrent calls"):
        async with anyio.create_task_group() as group:
            group.start_soon(sample, "first")
            group.start_soon(sample, "second")
    assert texts == [f"sampled: {SAMPLING_REPLY}"] * 2
    prompts = sorted(
        (m.content.text if isinstance(m.content, types.TextContent) else "?")
        for r in proxy.record.sampling_requests
        for m in r.messages
    )
    assert prompts == ["first", "second"]
