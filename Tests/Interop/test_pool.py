"""Shared upstream sessions (pool issue #9), seen from outside: `mcp-proxy serve`, SDK clients
over Streamable HTTP, and example-server upstreams that count their `initialize` requests
(`--count-initialize`) and say which process and session served a call (`whoami`).

- isolation: two clients on one shared upstream session call sample, elicit, roots and progress
  at the same time; each gets only its own server requests and progress, over a stdio upstream
  and over a Streamable HTTP upstream;
- counts: MCP_POOL_CLIENTS (64) clients start one child and one upstream session; health checks
  (every 0.5 s for MCP_POOL_HEALTH_SECONDS, default 5; the issue's 60 s is
  `MCP_POOL_HEALTH_SECONDS=60`) ping that session and open no new one;
- `pool: { mode: perSession }` still gives each client session a child of its own;
- resource subscriptions: both subscribers get `notifications/resources/updated`, a third client
  that did not subscribe does not, and an unsubscribe ends it for that client only.

Against a proxy without shared sessions these fail: on the new configuration keys (`pool`,
`health`), or on counts (one child per client session).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from conftest import STDERR_KEY
from fault_fixtures import (
    Client, ExampleHTTP, children, example_stdio, http_client, initialize_count, initialize_lines,
)
from network_fixtures import NetworkGateway, stop

pytestmark = pytest.mark.anyio

CLIENTS = int(os.environ.get("MCP_POOL_CLIENTS", "64"))
HEALTH_SECONDS = float(os.environ.get("MCP_POOL_HEALTH_SECONDS", "5"))
HEALTH_INTERVAL = 0.5
# One upstream session for everyone: server requests are served by leasing it, one call at a time.
ONE_SHARED_SESSION = {"mode": "shared", "size": 1, "max": 1, "serverRequests": "lease"}
COUNTER = "example://counter"


@asynccontextmanager
async def gateway(request: pytest.FixtureRequest, directory: Path, upstreams: dict[str, dict[str, Any]],
                  proxy: dict[str, Any] | None = None) -> AsyncIterator[NetworkGateway]:
    started = NetworkGateway.start(directory, upstreams, proxy)
    request.node.stash[STDERR_KEY] = started.log
    try:
        yield started
    finally:
        stop(started.process)


def alpha_children(proxy_pid: int) -> list[int]:
    return [c.pid for c in children(proxy_pid) if "--name alpha" in c.command and c.state != "Z"]


def uri_of(notification: types.ResourceUpdatedNotification) -> str:
    return str(notification.params.uri).rstrip("/")


def updates(client: Client) -> int:
    return sum(1 for n in client.log.notifications
               if isinstance(n, types.ResourceUpdatedNotification) and uri_of(n) == COUNTER)


async def wait_until(predicate: Any, what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await anyio.sleep(0.05)


# MARK: isolation


@pytest.mark.parametrize("upstream", ["stdio", "http"])
async def test_server_requests_and_progress_stay_with_their_client(request: pytest.FixtureRequest, tmp_path: Path, upstream: str) -> None:
    http_upstream = ExampleHTTP.start(tmp_path, "alpha") if upstream == "http" else None
    try:
        entry = {"url": http_upstream.url} if http_upstream else example_stdio("alpha", tmp_path)
        entry["pool"] = ONE_SHARED_SESSION
        async with gateway(request, tmp_path, {"alpha": entry}) as proxy:
            async with http_client(proxy, "A") as a, http_client(proxy, "B") as b:
                for client in (a, b):
                    await client.wait_for_tools({"alpha__sample", "alpha__elicit", "alpha__roots", "alpha__progress", "alpha__whoami"})
                served_by = {client.label: json.loads(await client.text("alpha__whoami")) for client in (a, b)}
                assert served_by["A"] == served_by["B"], f"the clients are not on one shared upstream session: {served_by}"

                steps = {"A": 3, "B": 5}
                results: dict[tuple[str, str], str] = {}
                progress: dict[str, list[tuple[float, float | None]]] = {"A": [], "B": []}

                async def calls(client: Client) -> None:
                    label = client.label

                    async def on_progress(value: float, total: float | None, message: str | None) -> None:
                        progress[label].append((value, total))

                    async def one(key: str, tool: str, arguments: dict[str, Any], **kwargs: Any) -> None:
                        results[(label, key)] = await client.text(tool, arguments, timeout=20, **kwargs)

                    async with anyio.create_task_group() as group:
                        group.start_soon(one, "sample", "alpha__sample", {"prompt": f"prompt-{label}"})
                        group.start_soon(one, "elicit", "alpha__elicit", {"message": f"who is {label}?"})
                        group.start_soon(one, "roots", "alpha__roots", {})
                        group.start_soon(partial(one, "progress", "alpha__progress", {"steps": steps[label], "delay_ms": 30}, progress=on_progress))

                with anyio.fail_after(40):
                    async with anyio.create_task_group() as group:
                        group.start_soon(calls, a)
                        group.start_soon(calls, b)

                for client in (a, b):
                    label, log = client.label, client.log
                    assert results[(label, "sample")] == f"sampled: {log.model_reply}", results
                    assert results[(label, "elicit")] == f"action=accept name={log.user_name}", results
                    assert results[(label, "roots")] == log.root, results
                    assert results[(label, "progress")] == "done", results
                    assert log.sampling_prompts == [f"prompt-{label}"], f"client {label} was asked to sample {log.sampling_prompts}"
                    assert log.elicitation_messages == [f"who is {label}?"], f"client {label} was asked {log.elicitation_messages}"
                    assert log.roots_requests >= 1
                    await wait_until(lambda: len(progress[label]) >= steps[label], f"{label}'s progress")
                    assert progress[label] == [(float(i), float(steps[label])) for i in range(1, steps[label] + 1)], progress
                    foreign = [n for n in log.notifications if isinstance(n, types.ProgressNotification)
                               and n.params.total != float(steps[label])]
                    assert not foreign, f"client {label} received another client's progress: {foreign}"
                assert initialize_count(tmp_path, "alpha") == 1, initialize_lines(tmp_path, "alpha")
    finally:
        if http_upstream:
            http_upstream.stop()


# MARK: counts


async def test_many_clients_start_one_child(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """CLIENTS clients at once in front of one stdio server (default pool settings: shared)."""
    async with gateway(request, tmp_path, {"alpha": example_stdio("alpha", tmp_path)}) as proxy:
        served_by: set[tuple[int, int]] = set()
        connected = 0
        all_connected = anyio.Event()
        release = anyio.Event()

        async def one(index: int) -> None:
            nonlocal connected
            async with http_client(proxy, f"c{index}", server_requests=False) as client:
                who = json.loads(await client.text("alpha__whoami", timeout=60))
                served_by.add((who["pid"], who["session"]))
                connected += 1
                if connected == CLIENTS:
                    all_connected.set()
                await release.wait()

        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                for index in range(CLIENTS):
                    group.start_soon(one, index)
                await all_connected.wait()
                live = alpha_children(proxy.process.pid)
                release.set()
        assert len(live) == 1, f"{CLIENTS} clients started {len(live)} children of alpha"
        assert len(served_by) == 1, f"{CLIENTS} clients were served by {len(served_by)} upstream sessions: {sorted(served_by)[:8]}..."
        lines = initialize_lines(tmp_path, "alpha")
        assert len(lines) == 1, f"alpha saw {len(lines)} initialize requests: {lines[:8]}"


async def test_health_checks_open_no_new_session(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Health pings every 0.5 s for HEALTH_SECONDS go to the existing upstream session."""
    pings = tmp_path / "requests-alpha.txt"
    entry = example_stdio("alpha", tmp_path, "--count-requests", str(pings), extra={
        "pool": {"mode": "shared", "size": 1},
        "health": {"intervalSeconds": HEALTH_INTERVAL, "timeoutSeconds": HEALTH_INTERVAL * 0.8},
    })
    async with gateway(request, tmp_path, {"alpha": entry}) as proxy:
        async with http_client(proxy, "A") as a:
            before = json.loads(await a.text("alpha__whoami"))
            await anyio.sleep(HEALTH_SECONDS)
            after = json.loads(await a.text("alpha__whoami"))
        assert before == after, f"the upstream session changed during the health checks: {before} then {after}"
        ping_count = sum(1 for line in pings.read_text().splitlines() if line.endswith(" ping"))
        assert ping_count >= HEALTH_SECONDS / HEALTH_INTERVAL / 2, f"only {ping_count} health pings in {HEALTH_SECONDS}s"
        assert initialize_count(tmp_path, "alpha") == 1, initialize_lines(tmp_path, "alpha")
        assert len(alpha_children(proxy.process.pid)) == 1


async def test_per_session_mode_gives_each_client_its_own_child(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    entry = example_stdio("alpha", tmp_path, extra={"pool": {"mode": "perSession"}})
    async with gateway(request, tmp_path, {"alpha": entry}) as proxy:
        async with AsyncExitStack() as stack:
            clients = [await stack.enter_async_context(http_client(proxy, label)) for label in ("A", "B", "C")]
            who = [json.loads(await client.text("alpha__whoami")) for client in clients]
            assert len({w["pid"] for w in who}) == 3, f"per-session clients share processes: {who}"
            assert len(alpha_children(proxy.process.pid)) == 3, children(proxy.process.pid)
            assert initialize_count(tmp_path, "alpha") >= 3
        # The clients left: their children go with them.
        await wait_until(lambda: not alpha_children(proxy.process.pid), "per-session children to exit after their clients left")


# MARK: subscriptions


async def test_resource_updates_reach_subscribers_only(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    entry = example_stdio("alpha", tmp_path, extra={"pool": {"mode": "shared", "size": 1}})
    async with gateway(request, tmp_path, {"alpha": entry}) as proxy:
        async with http_client(proxy, "A") as a, http_client(proxy, "B") as b, http_client(proxy, "C") as c:
            for client in (a, b, c):
                await client.wait_for_tools({"alpha__touch"})
            await a.session.subscribe_resource(COUNTER)
            await b.session.subscribe_resource(COUNTER)

            # C did not subscribe, but its call reaches the shared session that A and B subscribed.
            assert await c.text("alpha__touch", {"uri": COUNTER}) == f"touched {COUNTER}", "C's call went to a session nobody subscribed"
            await wait_until(lambda: updates(a) == 1 and updates(b) == 1, f"both subscribers' updates (A {updates(a)}, B {updates(b)})")
            await anyio.sleep(0.5)
            assert (updates(a), updates(b), updates(c)) == (1, 1, 0), "an update reached a client that did not subscribe, or twice"

            await a.session.unsubscribe_resource(COUNTER)
            await c.text("alpha__touch", {"uri": COUNTER})
            await wait_until(lambda: updates(b) == 2, "B's second update")
            await anyio.sleep(0.5)
            assert (updates(a), updates(b), updates(c)) == (1, 2, 0), "A still got updates after unsubscribing"

            await b.session.unsubscribe_resource(COUNTER)
            await c.text("alpha__touch", {"uri": COUNTER})
            await anyio.sleep(0.5)
            assert (updates(a), updates(b), updates(c)) == (1, 2, 0), "updates after everyone unsubscribed"
