"""Cancelling a call in the client sends notifications/cancelled; the proxy stays usable."""

import logging
import time

import anyio
import mcp_types as types
import pytest
from mcp import MCPError
from proxy_harness import ProxyConnection, deadline, text_of

pytestmark = pytest.mark.anyio

# The SDK logs (at DEBUG) every response whose request id it no longer waits for.
SDK_DISPATCHER_LOGGER = "mcp.shared.jsonrpc_dispatcher"
LATE_RESPONSE_LOG = "dropping response for unknown/late request id"


async def run_and_cancel(proxy: ProxyConnection, seconds: float, cancel_after: float = 0.5) -> None:
    """Start alpha__slow in a task, then cancel that task's scope once the request is upstream."""
    outcome: list[str] = []
    holder: list[anyio.CancelScope] = []

    async def slow_call() -> None:
        with anyio.CancelScope() as scope:
            holder.append(scope)
            await proxy.session.call_tool("alpha__slow", {"seconds": seconds})
            outcome.append("returned")  # must not happen: the call is cancelled first
        if scope.cancelled_caught:
            outcome.append("cancelled")

    async with anyio.create_task_group() as group:
        group.start_soon(slow_call)
        # Let the request travel through the proxy to alpha before cancelling it.
        await anyio.sleep(cancel_after)
        assert holder, "the slow call never started"
        # Cancelling the caller makes the SDK send notifications/cancelled for the request.
        holder[0].cancel()
    assert outcome == ["cancelled"]


async def test_cancel_slow_call_then_keep_working(proxy: ProxyConnection) -> None:
    started = time.monotonic()
    with deadline("cancelling alpha__slow, then alpha__echo"):
        await run_and_cancel(proxy, seconds=30)
        echoed = await proxy.session.call_tool("alpha__echo", {"text": "after cancel"})
    assert text_of(echoed) == "after cancel"
    assert time.monotonic() - started < 5, "cancellation plus a follow-up call took too long"
    assert not proxy.record.transport_errors, proxy.record.transport_errors


async def test_cancelled_call_gets_no_late_response(proxy: ProxyConnection, caplog: pytest.LogCaptureFixture) -> None:
    """The cancel reaches alpha, which then never answers: no late response arrives for the old id.

    Without the cancel, alpha would finish its 1.5 s sleep and answer; the proxy would pass that
    answer on, and the SDK would log that it dropped a response for a request it no longer awaits.
    """
    caplog.set_level(logging.DEBUG, logger=SDK_DISPATCHER_LOGGER)
    with deadline("cancelling alpha__slow and waiting out its sleep"):
        await run_and_cancel(proxy, seconds=1.5)
        await anyio.sleep(2.0)
        echoed = await proxy.session.call_tool("alpha__echo", {"text": "still fine"})
    assert text_of(echoed) == "still fine"
    late = [r.getMessage() for r in caplog.records if LATE_RESPONSE_LOG in r.getMessage()]
    assert not late, f"a response arrived for the cancelled request: {late}"


async def test_request_timeout_cancels_upstream_and_session_survives(proxy: ProxyConnection) -> None:
    """The SDK's per-request timeout also sends notifications/cancelled (reason 'timed out')."""
    with deadline("a timed-out alpha__slow, then alpha__add"):
        with pytest.raises(MCPError) as raised:
            await proxy.session.call_tool("alpha__slow", {"seconds": 30}, read_timeout_seconds=0.5)
        assert raised.value.code == types.REQUEST_TIMEOUT
        added = await proxy.session.call_tool("alpha__add", {"a": 20, "b": 22})
    assert text_of(added) == "42"
