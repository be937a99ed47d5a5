"""Regressions of the pool issue (#9) found by trying the proxy as a hostile user, and failover:

- `initialize` with `"params": {}` gets -32602 and starts nothing that no session or pool owns;
- an upstream that never answers `initialize` does not hold up new client sessions;
- a server whose primary cannot start is served by its replica.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import STDERR_KEY
from fault_fixtures import children, example_server, example_stdio, http_client
from network_fixtures import NetworkGateway, stop

pytestmark = pytest.mark.anyio


def post(gateway: NetworkGateway, body: dict[str, Any], timeout: float = 10) -> tuple[int, dict[str, Any] | None, float]:
    """One raw POST to /mcp; returns the status, the JSON answer (from JSON or SSE) and the time taken."""
    request = urllib.request.Request(
        gateway.base + "/mcp", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    elapsed = time.monotonic() - started
    for line in text.splitlines():
        if line.startswith("data:"):
            text = line[5:].strip()
    try:
        return status, json.loads(text), elapsed
    except json.JSONDecodeError:
        return status, None, elapsed


def initialize_body(params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}


GOOD_PARAMS = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}


def live_children(pid: int, marker: str) -> list[int]:
    return [c.pid for c in children(pid) if marker in c.command and c.state != "Z"]


@pytest.mark.parametrize("mode", ["shared", "perSession"])
def test_invalid_initialize_starts_nothing_no_session_owns(request: pytest.FixtureRequest, tmp_path: Path, mode: str) -> None:
    entry = example_stdio("alpha", tmp_path, faults=False, extra={"pool": {"mode": mode}})
    gateway = NetworkGateway.start(tmp_path, {"alpha": entry})
    request.node.stash[STDERR_KEY] = gateway.log
    try:
        expected = 1 if mode == "shared" else 0  # the shared pool's own session; none per session
        for _ in range(10):
            status, answer, _ = post(gateway, initialize_body({}))
            assert answer is not None and answer.get("error", {}).get("code") == -32602, (status, answer)
        time.sleep(1.0)
        assert len(live_children(gateway.process.pid, "--name alpha")) == expected, children(gateway.process.pid)
        time.sleep(2.0)  # and none appears later
        assert len(live_children(gateway.process.pid, "--name alpha")) == expected, children(gateway.process.pid)
    finally:
        stop(gateway.process)


def test_an_upstream_that_never_answers_initialize_does_not_hold_up_new_sessions(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    upstreams = {
        "mute": example_stdio("mute", tmp_path, "--hang-after", "0", faults=False),
        "ok": example_stdio("ok", tmp_path, faults=False),
    }
    gateway = NetworkGateway.start(tmp_path, upstreams)
    request.node.stash[STDERR_KEY] = gateway.log
    try:
        # The first sessions may wait for upstreams still starting, at most warmupWait (5 s) after start.
        status, answer, elapsed = post(gateway, initialize_body(GOOD_PARAMS))
        assert status == 200 and answer and "result" in answer, (status, answer)
        assert elapsed < 7, f"the first initialize took {elapsed:.1f} s"
        # Later ones do not wait at all, though 'mute' has not answered (initializeTimeout is 30 s).
        for _ in range(3):
            status, answer, elapsed = post(gateway, initialize_body(GOOD_PARAMS))
            assert status == 200 and answer and "result" in answer, (status, answer)
            assert elapsed < 1.0, f"a new session waited {elapsed:.2f} s on the mute upstream"
    finally:
        stop(gateway.process)


async def test_a_replica_serves_when_the_primary_cannot_start(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    replica = {"command": example_server(), "args": ["--name", "alpha", "--faults"]}
    entry = example_stdio("alpha", tmp_path, "--exit-at-start", extra={
        "breaker": {"failureThreshold": 1, "openSeconds": 30},
        "replicas": [replica],
    })
    gateway = NetworkGateway.start(tmp_path, {"alpha": entry})
    request.node.stash[STDERR_KEY] = gateway.log
    try:
        async with http_client(gateway, "A", server_requests=False) as client:
            with anyio.fail_after(20):
                while True:
                    outcome = await client.call("alpha__whoami", timeout=10)
                    if not isinstance(outcome, Exception) and not outcome.is_error:
                        break
                    await anyio.sleep(0.2)
            who = json.loads(outcome.content[0].text)
            replica_pids = live_children(gateway.process.pid, "--name alpha --faults")
            assert who["pid"] in replica_pids, (who, children(gateway.process.pid))
            assert await client.text("alpha__echo", {"text": "via replica"}) == "via replica"
    finally:
        stop(gateway.process)
