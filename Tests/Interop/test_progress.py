"""Progress notifications from an upstream reach the client under the client's own progress token."""

import anyio
import pytest
from proxy_harness import ProxyConnection, deadline, text_of

pytestmark = pytest.mark.anyio


async def test_progress_callback_sees_every_step(proxy: ProxyConnection) -> None:
    steps = 5
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    with deadline('call_tool("alpha__progress")'):
        result = await proxy.session.call_tool(
            "alpha__progress", {"steps": steps, "delay_ms": 20}, progress_callback=on_progress
        )
    assert text_of(result) == "done"
    # The SDK runs each progress callback in its own task; give the last ones a moment to land.
    await proxy.record.wait_for(lambda: len(seen) >= steps, f"{steps} progress callbacks (got {seen})")
    values = [progress for progress, _, _ in seen]
    assert values == [float(i) for i in range(1, steps + 1)], seen
    assert all(total == float(steps) for _, total, _ in seen), seen


async def test_concurrent_progress_streams_stay_apart(proxy: ProxyConnection) -> None:
    """Two calls with progress at once: each callback sees only its own call's steps."""
    seen: dict[str, list[float]] = {"three": [], "four": []}

    def recorder(key: str):
        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            seen[key].append(progress)
        return on_progress

    async def run(key: str, steps: int) -> None:
        result = await proxy.session.call_tool(
            "alpha__progress", {"steps": steps, "delay_ms": 30}, progress_callback=recorder(key)
        )
        assert text_of(result) == "done"

    with deadline("the concurrent calls"):
        async with anyio.create_task_group() as group:
            group.start_soon(run, "three", 3)
            group.start_soon(run, "four", 4)
    await proxy.record.wait_for(lambda: len(seen["three"]) >= 3 and len(seen["four"]) >= 4, f"progress {seen}")
    assert seen == {"three": [1.0, 2.0, 3.0], "four": [1.0, 2.0, 3.0, 4.0]}
