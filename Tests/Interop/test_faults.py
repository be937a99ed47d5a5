"""Fault injection over real processes and sockets: one test per fault of an upstream.

Every test runs a proxy with two upstreams, `faulty` (example-server --faults, or a fault flag)
and `healthy` (example-server), with `proxy.upstreams.restart: true` and a short request timeout
(fault_fixtures.REQUEST_TIMEOUT), and checks for its fault:

- every request gets exactly one response (an error is fine for the faulty call; the SDK would
  drop a second one, and ResponseAudit catches that), within a bound;
- requests to the other upstream are unaffected (client A's own, and client B's: answered, and
  in time) while the fault happens; for faults of one request (garbage, huge lines, drip, hang,
  HTTP status, reset), so is a call to the faulty upstream that is in flight beside it (B's, or
  A's own over the stdio front);
- the upstream comes back: a later `faulty__echo` succeeds within RECOVERY_SECONDS, for every client;
- nothing leaks: the proxy's children return to the baseline taken before the fault, no zombie
  is left, its descriptors (other than its clients' connections) do not grow, and no upstream
  process outlives the proxy.

Fronts: `http` is `mcp-proxy serve` with two SDK clients (A and B) over Streamable HTTP; `stdio`
is `mcp-proxy --config` under the SDK's stdio client (one client, A). The clients declare no
sampling, elicitation or roots, so their calls share the upstream sessions (no `lease`). Faults of
Streamable HTTP upstreams (HTTP 500/503, connection reset, session expiry) use
`example-server --http --faults`.

The faulty server has `breaker: { openSeconds: 1 }` (pool issue #9; the default 10 s would outlast
RECOVERY_SECONDS once a fault and the recovery polls opened it); the frozen-upstream test adds a
fast per-server `health` check.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import STDERR_KEY
from fault_fixtures import (
    RECOVERY_SECONDS, REQUEST_TIMEOUT, Client, ExampleHTTP, ResponseAudit, Usage, children, describe, example_stdio,
    http_client, initialize_count, merge, no_orphans, proxy_pid_with, settled, stdio_client_of, text_of, usage,
    write_config,
)
from mcp import MCPError
from network_fixtures import NetworkGateway, stop

pytestmark = pytest.mark.anyio

FRONTS = ["http", "stdio"]
# The proxy settings every fault test starts from.
BASE_PROXY: dict[str, Any] = {
    "upstreams": {"restart": True, "shutdownGraceSeconds": 1},
    "limits": {"requestTimeoutSeconds": REQUEST_TIMEOUT},
}
# Longest a call to the healthy upstream may take while the other upstream misbehaves.
HEALTHY_CALL_SECONDS = 2.0
# A per-server health check that notices a hung upstream quickly.
FAST_HEALTH = {"intervalSeconds": 0.5, "timeoutSeconds": 0.4}
# The faulty server's circuit breaker: opened by the failures a fault causes (and the recovery
# polls), it must let a trial request through within RECOVERY_SECONDS (the default is 10 s open).
QUICK_BREAKER = {"failureThreshold": 5, "openSeconds": 1}


def faulty_stdio(directory: Path, *args: str, **extra: Any) -> dict[str, Any]:
    """The faulty stdio upstream: example-server --faults ARGS, with a quickly closing breaker."""
    return example_stdio("faulty", directory, *args, extra={"breaker": QUICK_BREAKER, **extra})


@dataclass
class Bed:
    """A running proxy with its clients, and what it held before the fault."""

    directory: Path
    front: str
    pid: int
    front_port: int | None
    clients: list[Client]
    audit: ResponseAudit
    baseline: Usage | None = None

    @property
    def a(self) -> Client:
        return self.clients[0]

    @property
    def others(self) -> list[Client]:
        return self.clients[1:]

    def usage(self) -> Usage:
        return usage(self.pid, self.front_port)


@asynccontextmanager
async def fault_bed(
    request: pytest.FixtureRequest, directory: Path, front: str, faulty: dict[str, Any],
    proxy: dict[str, Any] | None = None, warm_faulty: bool = True,
) -> AsyncIterator[Bed]:
    """Starts the proxy (`front`) with `faulty` and `healthy`, connects its clients, warms them up
    and records the baseline; afterwards checks that no upstream process outlived the proxy."""
    upstreams = {"faulty": faulty, "healthy": example_stdio("healthy", directory)}
    settings = merge(BASE_PROXY, proxy)
    with ResponseAudit.watching() as audit:
        async with AsyncExitStack() as stack:
            if front == "http":
                gateway = NetworkGateway.start(directory, upstreams, settings)
                stack.callback(stop, gateway.process)
                request.node.stash[STDERR_KEY] = gateway.log
                clients = [await stack.enter_async_context(http_client(gateway, label, server_requests=False)) for label in ("A", "B")]
                bed = Bed(directory, front, gateway.process.pid, gateway.port, clients, audit)
            else:
                config = write_config(directory, upstreams, settings)
                stderr = directory / "mcp-proxy.stderr.log"
                stderr.touch()
                request.node.stash[STDERR_KEY] = stderr
                client = await stack.enter_async_context(stdio_client_of(config, stderr, "A", server_requests=False))
                bed = Bed(directory, front, proxy_pid_with(config), None, [client], audit)
            await warm_up(bed, warm_faulty)
            bed.baseline = bed.usage()
            yield bed
            bed.audit.assert_single_responses()
        # The proxy is gone: none of its upstreams may be left running.
        await no_orphans(str(directory), except_parent=None)


async def warm_up(bed: Bed, faulty: bool) -> None:
    """A few calls from every client at once, so connection pools and lazy state exist before the baseline."""
    for client in bed.clients:
        await client.wait_for_tools({"healthy__echo", "faulty__echo"} if faulty else {"healthy__echo"})
    async with anyio.create_task_group() as group:
        for client in bed.clients:
            for index in range(2):
                group.start_soon(client.text, "healthy__echo", {"text": f"warm {index}"})
                if faulty:
                    group.start_soon(client.text, "faulty__echo", {"text": f"warm {index}"})
    await anyio.sleep(0.2)


async def healthy_traffic(bed: Bed, during: float = 0.0) -> None:
    """Calls to the healthy upstream from every client (A once, the others repeatedly for `during`
    seconds): each must be answered correctly within HEALTHY_CALL_SECONDS."""

    async def one(client: Client, text: str) -> None:
        started = time.monotonic()
        assert await client.text("healthy__echo", {"text": text}) == text
        elapsed = time.monotonic() - started
        assert elapsed < HEALTHY_CALL_SECONDS, f"client {client.label}: healthy__echo took {elapsed:.1f}s during the fault"

    async def repeatedly(client: Client) -> None:
        until = time.monotonic() + during
        index = 0
        while True:
            await one(client, f"{client.label} {index}")
            index += 1
            if time.monotonic() >= until:
                return
            await anyio.sleep(0.1)

    async with anyio.create_task_group() as group:
        await anyio.sleep(0.05)  # let the faulty call go first
        group.start_soon(one, bed.a, "A during the fault")
        for client in bed.others:
            group.start_soon(repeatedly, client)


async def neighbour_call(bed: Bed) -> None:
    """A call to the faulty upstream that is in flight when the fault happens, from every other
    client (from A itself over the stdio front): a fault of one request must not cost it its answer."""

    async def one(client: Client) -> None:
        assert await client.text("faulty__slow", {"seconds": 1}) == "slept 1.0s", f"client {client.label}'s call beside the fault"

    async with anyio.create_task_group() as group:
        for client in bed.others or [bed.a]:
            group.start_soon(one, client)


async def during_fault(bed: Bed, fault: Callable[[], Awaitable[Any]], healthy_for: float = 1.0, neighbour: bool = False) -> Any:
    """Runs `fault()` and the healthy traffic at the same time (and, with `neighbour`, a call to the
    faulty upstream already in flight); returns what `fault()` returned."""
    outcome: list[Any] = []

    async def run_fault() -> None:
        outcome.append(await fault())

    async with anyio.create_task_group() as group:
        if neighbour:
            group.start_soon(neighbour_call, bed)
            await anyio.sleep(0.2)
        group.start_soon(run_fault)
        group.start_soon(healthy_traffic, bed, healthy_for)
    return outcome[0]


async def recovered_and_clean(bed: Bed, what: str, baseline: Usage | None = None) -> None:
    """The faulty upstream answers every client again, and the proxy holds no more than before."""
    for client in bed.clients:
        await client.recovered("faulty__echo")
    assert baseline or bed.baseline
    await settled(bed.pid, baseline or bed.baseline, bed.front_port, what)  # type: ignore[arg-type]


async def timed(coroutine: Awaitable[Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = await coroutine
    return result, time.monotonic() - started


def is_error(outcome: Any) -> bool:
    return isinstance(outcome, MCPError) or bool(getattr(outcome, "is_error", False))


# MARK: stdio upstream faults


@pytest.mark.parametrize("front", FRONTS)
async def test_crash_mid_call(request: pytest.FixtureRequest, tmp_path: Path, front: str) -> None:
    """The upstream exits while a call of A's is in flight: both the in-flight call and the
    crashing one get one answer (not after the request timeout), then the upstream is restarted."""
    async with fault_bed(request, tmp_path, front, faulty_stdio(tmp_path)) as bed:

        async def fault() -> tuple[Any, Any, float, float]:
            results: dict[str, tuple[Any, float]] = {}

            async def in_flight() -> None:
                results["slow"] = await timed(bed.a.call("faulty__slow", {"seconds": 2}))

            async def crash() -> None:
                await anyio.sleep(0.3)
                results["crash"] = await timed(bed.a.call("faulty__crash"))

            async with anyio.create_task_group() as group:
                group.start_soon(in_flight)
                group.start_soon(crash)
            return results["slow"][0], results["crash"][0], results["slow"][1], results["crash"][1]

        slow, crash, slow_seconds, crash_seconds = await during_fault(bed, fault)
        assert is_error(crash), f"the crashing call should fail: {describe(crash)}"
        assert crash_seconds < REQUEST_TIMEOUT, f"the crashing call took {crash_seconds:.1f}s (a timeout, not the exit)"
        # The in-flight call fails with the crash, or (retried on the restarted upstream) succeeds.
        assert slow_seconds < REQUEST_TIMEOUT + 1, f"the in-flight call took {slow_seconds:.1f}s: {describe(slow)}"
        await recovered_and_clean(bed, "the crash")


@pytest.mark.parametrize("front", FRONTS)
async def test_hung_call_times_out(request: pytest.FixtureRequest, tmp_path: Path, front: str) -> None:
    """A call the upstream never answers gets a timeout error; the upstream keeps answering others meanwhile."""
    async with fault_bed(request, tmp_path, front, faulty_stdio(tmp_path)) as bed:

        async def fault() -> tuple[Any, float]:
            async with anyio.create_task_group() as group:
                result: list[tuple[Any, float]] = []

                async def hang() -> None:
                    result.append(await timed(bed.a.call("faulty__hang")))

                group.start_soon(hang)
                await anyio.sleep(0.3)
                # The same upstream still answers other calls, from every client.
                for client in bed.clients:
                    assert await client.text("faulty__echo", {"text": "meanwhile"}) == "meanwhile"
            return result[0]

        outcome, seconds = await during_fault(bed, fault)
        assert is_error(outcome), f"a call that is never answered should fail: {describe(outcome)}"
        assert REQUEST_TIMEOUT - 0.5 <= seconds < REQUEST_TIMEOUT + 2, f"the hung call was answered after {seconds:.1f}s"
        await recovered_and_clean(bed, "the hung call")


async def test_frozen_upstream_is_restarted_by_health_checks(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """An upstream that stops answering everything (pings included) is found by the health check
    and replaced; its in-flight call gets one error. Needs per-server `health` (pool issue #9)."""
    faulty = faulty_stdio(tmp_path, health=FAST_HEALTH)
    async with fault_bed(request, tmp_path, "http", faulty) as bed:
        outcome, seconds = await during_fault(bed, lambda: timed(bed.a.call("faulty__freeze")), healthy_for=2.0)
        assert is_error(outcome), f"the call to a frozen upstream should fail: {describe(outcome)}"
        assert seconds < REQUEST_TIMEOUT + 2, f"the frozen call was answered after {seconds:.1f}s"
        await recovered_and_clean(bed, "the freeze")
        frozen = [c for c in children(bed.pid) if "--name faulty" in c.command]
        assert initialize_count(tmp_path, "faulty") > len(frozen), "no new upstream session replaced the frozen one"


@pytest.mark.parametrize("front", FRONTS)
async def test_garbage_line(request: pytest.FixtureRequest, tmp_path: Path, front: str) -> None:
    """Non-JSON bytes (NUL, invalid UTF-8, brackets) on the upstream's stdout: the call gets one
    answer and the upstream keeps serving (or is restarted)."""
    async with fault_bed(request, tmp_path, front, faulty_stdio(tmp_path)) as bed:
        outcome, seconds = await during_fault(bed, lambda: timed(bed.a.call("faulty__garbage", {"bytes": 300})), neighbour=True)
        assert seconds < REQUEST_TIMEOUT + 1, f"the call took {seconds:.1f}s: {describe(outcome)}"
        if not is_error(outcome):
            assert text_of(outcome) == "garbage sent"
        await recovered_and_clean(bed, "the garbage line")


@pytest.mark.parametrize("front", FRONTS)
async def test_huge_line_within_limit(request: pytest.FixtureRequest, tmp_path: Path, front: str) -> None:
    """A 10 MiB answer (one line, under the default 16 MiB line limit) arrives whole."""
    async with fault_bed(request, tmp_path, front, faulty_stdio(tmp_path)) as bed:
        size = 10 << 20
        outcome = await during_fault(bed, lambda: bed.a.call("faulty__huge_line", {"bytes": size}, timeout=30), neighbour=True)
        text = text_of(outcome)
        assert len(text) == size and text.strip("x") == "", f"got {len(text)} bytes"
        await recovered_and_clean(bed, "the 10 MiB line")


@pytest.mark.parametrize("front", FRONTS)
async def test_huge_line_over_limit(request: pytest.FixtureRequest, tmp_path: Path, front: str) -> None:
    """A 10 MiB line over a 1 MiB `limits.maxLineBytes`: the call gets one error (no later than the
    request timeout), the line is dropped and the upstream keeps serving."""
    proxy = {"limits": {"maxLineBytes": 1 << 20}}
    async with fault_bed(request, tmp_path, front, faulty_stdio(tmp_path), proxy) as bed:
        outcome, seconds = await during_fault(bed, lambda: timed(bed.a.call("faulty__huge_line", {"bytes": 10 << 20})), neighbour=True)
        assert is_error(outcome), f"an answer over the line limit cannot arrive: {describe(outcome)}"
        assert seconds < REQUEST_TIMEOUT + 2, f"the call was answered after {seconds:.1f}s"
        await recovered_and_clean(bed, "the oversized line")


@pytest.mark.parametrize("front", FRONTS)
async def test_slow_drip(request: pytest.FixtureRequest, tmp_path: Path, front: str) -> None:
    """An answer written 8 bytes at a time over 2 s arrives whole; the other upstream is not held
    up, and a call beside it on the same upstream (whose answer waits behind the drip on the pipe)
    is answered too."""
    proxy = {"limits": {"requestTimeoutSeconds": REQUEST_TIMEOUT + 2}}
    async with fault_bed(request, tmp_path, front, faulty_stdio(tmp_path), proxy) as bed:
        outcome, seconds = await during_fault(bed, lambda: timed(bed.a.call("faulty__drip", {"seconds": 2})), healthy_for=2.0, neighbour=True)
        assert text_of(outcome) == "dripped over 2.0s"
        assert 1.5 <= seconds < REQUEST_TIMEOUT + 3, f"the dripped answer took {seconds:.1f}s"
        await recovered_and_clean(bed, "the drip")


@pytest.mark.parametrize("front", FRONTS)
async def test_exit_at_start(request: pytest.FixtureRequest, tmp_path: Path, front: str) -> None:
    """An upstream that exits (status 3) before reading anything: clients still connect, calls to
    it get one error each, the proxy's retries leak nothing, and once the upstream starts cleanly
    it is back."""
    flag = tmp_path / "fail-at-start"
    flag.touch()
    faulty = faulty_stdio(tmp_path, "--exit-at-start-while", str(flag))
    async with fault_bed(request, tmp_path, front, faulty, warm_faulty=False) as bed:
        outcome, seconds = await during_fault(bed, lambda: timed(bed.a.call("faulty__echo", {"text": "anyone?"})))
        assert is_error(outcome), f"a call to an upstream that cannot start should fail: {describe(outcome)}"
        assert seconds < REQUEST_TIMEOUT + 1, f"the call was answered after {seconds:.1f}s"
        # While it keeps failing, the restarts leave no zombie and no descriptor behind.
        await anyio.sleep(1.5)
        assert bed.baseline is not None
        failing = bed.usage()
        assert failing.zombies == 0, failing.describe()
        assert failing.own_fds <= bed.baseline.own_fds + 4, f"descriptors grew while the upstream kept failing:\n{bed.baseline.describe()}\n{failing.describe()}"
        flag.unlink()
        for client in bed.clients:
            await client.recovered("faulty__echo")
        after = bed.usage()
        await anyio.sleep(0.5)
        await settled(bed.pid, after, bed.front_port, "recovery from exit-at-start")
        assert after.zombies == 0, after.describe()


# MARK: Streamable HTTP upstream faults


@asynccontextmanager
async def http_upstream_bed(request: pytest.FixtureRequest, tmp_path: Path, proxy: dict[str, Any] | None = None) -> AsyncIterator[tuple[Bed, ExampleHTTP]]:
    upstream = ExampleHTTP.start(tmp_path, "faulty")
    try:
        async with fault_bed(request, tmp_path, "http", {"url": upstream.url, "breaker": QUICK_BREAKER}, proxy) as bed:
            yield bed, upstream
    finally:
        upstream.stop()


@pytest.mark.parametrize("status", [500, 503])
async def test_http_error_status(request: pytest.FixtureRequest, tmp_path: Path, status: int) -> None:
    """The upstream answers the call's POST with HTTP 500 or 503: one error, quickly; the upstream
    keeps serving."""
    async with http_upstream_bed(request, tmp_path) as (bed, _):
        outcome, seconds = await during_fault(bed, lambda: timed(bed.a.call("faulty__http_status", {"status": status})), neighbour=True)
        assert is_error(outcome), f"HTTP {status} should fail the call: {describe(outcome)}"
        assert seconds < REQUEST_TIMEOUT, f"HTTP {status} took {seconds:.1f}s to surface (a timeout?)"
        await recovered_and_clean(bed, f"HTTP {status}")


async def test_connection_reset(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """The TCP connection carrying the call is reset before any answer: one error, quickly; the
    next call opens a new connection."""
    async with http_upstream_bed(request, tmp_path) as (bed, _):
        outcome, seconds = await during_fault(bed, lambda: timed(bed.a.call("faulty__reset")), neighbour=True)
        assert is_error(outcome), f"a reset connection should fail the call: {describe(outcome)}"
        assert seconds < REQUEST_TIMEOUT, f"the reset took {seconds:.1f}s to surface (a timeout?)"
        await recovered_and_clean(bed, "the connection reset")


async def test_session_expiry(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """The upstream forgets its session: the next call (404 at the upstream) is re-initialized and
    retried transparently, the first time, with exactly one new upstream session."""
    async with http_upstream_bed(request, tmp_path) as (bed, _):
        before = json.loads(await bed.a.text("faulty__whoami"))
        sessions_before = initialize_count(tmp_path, "faulty")
        outcome = await during_fault(bed, lambda: bed.a.call("faulty__expire_session"))
        assert text_of(outcome).endswith("expired")
        # No retry loop: the very next call works.
        after = json.loads(await bed.a.text("faulty__whoami"))
        assert after["session"] != before["session"], f"the call was served by the expired session: {before} then {after}"
        for client in bed.others:
            await client.text("faulty__echo", {"text": "still there"})
        assert initialize_count(tmp_path, "faulty") == sessions_before + 1, (
            f"expected exactly one re-initialization, the upstream saw {initialize_count(tmp_path, 'faulty') - sessions_before}")
        await recovered_and_clean(bed, "the session expiry")
