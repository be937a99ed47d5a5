#!/usr/bin/env bash
# Soak test: N clients for a while against `mcp-proxy serve` in front of a mix of healthy and
# faulty upstreams; fails when the proxy process grew (RSS, descriptors, children) beyond a
# tolerance, when a call to the healthy upstream failed, or when any request got no answer.
#
# Usage (from anywhere):
#   Scripts/soak.sh                      # 30 s, 8 clients: the CI run
#   Scripts/soak.sh --minutes 30 --clients 32
#   Scripts/soak.sh --no-build           # use the binaries as they are (MCP_PROXY_BIN, EXAMPLE_SERVER_BIN)
#
# Options:
#   --seconds N / --minutes N    how long the clients run (default 30 s)
#   --clients N                  clients at once (default 8); each opens a Streamable HTTP session,
#                                makes --calls-per-session random calls, closes it and starts over
#   --calls-per-session N        calls per client session (default 15)
#   --rss-tolerance-mb N         allowed RSS growth of the proxy from start to end (default 32 MiB; a
#                                leak-free proxy levels off after the warm-up, whatever the length)
#   --fd-tolerance N             allowed growth of the proxy's descriptors, its clients' connections
#                                not counted (default 8)
#   --seed N                     random seed (default: the time)
#   --no-build                   build nothing (default: swift build --product mcp-proxy, then example-server)
#   --keep                       keep the work directory (configs, logs) and print its path
#
# Upstreams: `ok` (example-server, stdio), `flaky` (example-server --faults, stdio: crash, garbage,
# drip, hang, huge lines), `stuck` (example-server --hang-after 40, stdio: stops answering after 40
# messages; with a proxy that knows per-server `health`, the health check replaces it) and `web`
# (example-server --http --faults: HTTP 503, connection resets, session expiry). Each server gets
# `pool: { mode: shared, size: 1, max: 4, idleTimeoutSeconds: 2 }` and `breaker: { openSeconds: 1 }`,
# `stuck` also `health: { intervalSeconds: 1, timeoutSeconds: 0.8 }`. When the proxy does not know
# these keys (`mcp-proxy validate` says so), the run goes on without them.
#
# The measurements are of the proxy process (/proc): RSS, descriptors by kind (its clients'
# connections apart), children (live and zombie). "start" is taken after a warm-up round in which
# every client connected, called each kind of tool once and disconnected; "end" after every client
# disconnected at the end. Both wait (up to 15 s) until sessions opened for a burst idled out, the
# proxy has its steady number of children with no client connected (one per stdio server in shared
# mode, none per session) and the numbers stop changing.
#
# Environment: MCP_PROXY_BIN, EXAMPLE_SERVER_BIN (default .build/debug/<name>), MCP_INTEROP_VENV.
set -euo pipefail

say() { printf 'soak: %s\n' "$*"; }
die() { printf 'soak: error: %s\n' "$*" >&2; exit 2; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=30
clients=8
calls_per_session=15
rss_tolerance_mb=32
fd_tolerance=8
seed=""
build=1
keep=0

while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=${2:?--seconds needs a number}; shift ;;
        --minutes) seconds=$(( ${2:?--minutes needs a number} * 60 )); shift ;;
        --clients) clients=${2:?--clients needs a number}; shift ;;
        --calls-per-session) calls_per_session=${2:?}; shift ;;
        --rss-tolerance-mb) rss_tolerance_mb=${2:?}; shift ;;
        --fd-tolerance) fd_tolerance=${2:?}; shift ;;
        --seed) seed=${2:?}; shift ;;
        --no-build) build=0 ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
    shift
done
for number in "$seconds" "$clients" "$calls_per_session" "$rss_tolerance_mb" "$fd_tolerance"; do
    [[ $number =~ ^[0-9]+$ ]] || die "'$number' is not a whole number"
done
[ "$clients" -ge 1 ] || die "--clients must be at least 1"
[ "$(uname -s)" = Linux ] || die "the measurements read /proc: Linux only"

export MCP_PROXY_BIN="${MCP_PROXY_BIN:-$repo_root/.build/debug/mcp-proxy}"
export EXAMPLE_SERVER_BIN="${EXAMPLE_SERVER_BIN:-$repo_root/.build/debug/example-server}"

if [ "$build" -eq 1 ]; then
    say "swift build --product mcp-proxy"
    (cd "$repo_root" && swift build --product mcp-proxy)
    say "swift build --product example-server"
    (cd "$repo_root" && swift build --product example-server)
fi
for binary in "$MCP_PROXY_BIN" "$EXAMPLE_SERVER_BIN"; do
    [ -x "$binary" ] || die "no executable at $binary (build it, or set MCP_PROXY_BIN / EXAMPLE_SERVER_BIN)"
done

"$repo_root/Scripts/interop-setup.sh" >/dev/null
venv="${MCP_INTEROP_VENV:-$repo_root/.venv-interop}"

work="$(mktemp -d "${TMPDIR:-/tmp}/mcp-soak.XXXXXX")"
cleanup() {
    if [ "$keep" -eq 1 ]; then say "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

cat > "$work/soak_driver.py" <<'PYTHON'
"""The soak's clients and measurements; see Scripts/soak.sh."""

from __future__ import annotations

import json
import logging
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
from fault_fixtures import ExampleHTTP, Usage, example_stdio, http_client, proxy_binary, usage
from mcp import MCPError
from network_fixtures import NetworkGateway, stop

# The SDK logs its own teardown races (an event for a session the client just closed) as errors;
# what matters here is counted below (no answer, failed healthy calls, broken sessions).
logging.getLogger("mcp").setLevel(logging.CRITICAL)

work = Path(sys.argv[1])
SECONDS, CLIENTS, CALLS, RSS_MB, FD_TOLERANCE, SEED = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
REQUEST_TIMEOUT = 2.0
# With the pool keys: sessions above `size` that a burst opened close after this long idle, so
# "start" and "end" are both taken after it.
IDLE_SECONDS = 2.0
NO_ANSWER = REQUEST_TIMEOUT + 8  # the proxy must have answered by then

# (weight, tool, arguments); tools of `ok` must always succeed.
MIX: list[tuple[int, str, dict[str, Any]]] = [
    (30, "ok__echo", {"text": "soak"}),
    (8, "ok__progress", {"steps": 3, "delay_ms": 5}),
    (8, "ok__sample", {"prompt": "soak"}),
    (10, "web__echo", {"text": "soak"}),
    (5, "stuck__echo", {"text": "soak"}),
    (5, "flaky__echo", {"text": "soak"}),
    (4, "flaky__garbage", {"bytes": 200}),
    (3, "flaky__drip", {"seconds": 0.3}),
    (3, "flaky__huge_line", {"bytes": 1 << 20}),
    (1, "flaky__crash", {}),
    (1, "flaky__hang", {}),
    (2, "web__http_status", {"status": 503}),
    (2, "web__reset", {}),
    (1, "web__expire_session", {}),
]
WARM_UP = [tool for _, tool, _ in MIX]


def config(web_url: str, pooled: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    # With the pool keys: the clients declare sampling, so each of their calls leases a session of
    # its own; `max` lets a few run at once. Breakers reopen quickly, and `stuck` is replaced by
    # its health check once it hangs.
    pool = {"pool": {"mode": "shared", "size": 1, "max": 4, "idleTimeoutSeconds": IDLE_SECONDS},
            "breaker": {"failureThreshold": 5, "openSeconds": 1}} if pooled else {}
    health = {"health": {"intervalSeconds": 1, "timeoutSeconds": 0.8}} if pooled else {}
    upstreams = {
        "ok": example_stdio("ok", work, extra=pool),
        "flaky": example_stdio("flaky", work, extra=pool),
        "stuck": example_stdio("stuck", work, "--hang-after", "40", faults=False, extra={**pool, **health}),
        "web": {"url": web_url, **pool},
    }
    proxy = {"upstreams": {"restart": True, "shutdownGraceSeconds": 1}, "limits": {"requestTimeoutSeconds": REQUEST_TIMEOUT}}
    return upstreams, proxy


def knows_pool_keys(web_url: str) -> bool:
    upstreams, proxy = config(web_url, pooled=True)
    path = work / "validate.json"
    path.write_text(json.dumps({"mcpServers": upstreams, "proxy": proxy}).replace("$", "$$"))
    result = subprocess.run([proxy_binary(), "validate", str(path)], capture_output=True, text=True)
    return result.returncode == 0


class Tally:
    def __init__(self) -> None:
        self.calls = self.ok = self.errors = self.sessions = 0
        self.no_answer: list[str] = []
        self.healthy_failures: list[str] = []
        self.session_errors: list[str] = []
        self.by_tool: dict[str, list[int]] = {}

    def record(self, tool: str, success: bool, detail: str = "") -> None:
        self.calls += 1
        entry = self.by_tool.setdefault(tool, [0, 0])
        if success:
            self.ok += 1
            entry[0] += 1
        else:
            self.errors += 1
            entry[1] += 1
            if tool.startswith("ok__"):
                stamp = time.strftime("%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z"
                self.healthy_failures.append(f"{stamp} {tool}: {detail}")


async def one_session(gateway: NetworkGateway, label: str, tools: list[tuple[str, dict[str, Any]]], tally: Tally) -> None:
    try:
        async with http_client(gateway, label) as client:
            tally.sessions += 1
            for tool, arguments in tools:
                try:
                    with anyio.fail_after(NO_ANSWER):
                        result = await client.session.call_tool(tool, arguments)
                    tally.record(tool, not result.is_error, str(result.content)[:120])
                except MCPError as error:
                    tally.record(tool, False, error.error.message)
                except TimeoutError:
                    tally.no_answer.append(f"{label}: {tool} got no answer within {NO_ANSWER}s")
                    return
    except Exception as error:  # a session that broke: the proxy dropped it or the transport failed
        tally.session_errors.append(f"{label}: {type(error).__name__}: {error}"[:300])


async def client_loop(gateway: NetworkGateway, index: int, until: float, tally: Tally) -> None:
    rng = random.Random(SEED * 1000 + index)
    weights = [w for w, _, _ in MIX]
    session = 0
    while time.monotonic() < until:
        picks = rng.choices(MIX, weights=weights, k=CALLS)
        await one_session(gateway, f"c{index}.{session}", [(tool, args) for _, tool, args in picks], tally)
        session += 1


def row(name: str, start: float, end: float, limit: str, unit: str = "") -> str:
    return f"  {name:<12}{start:>10.1f}{unit:<4}{end:>10.1f}{unit:<4}{end - start:>+10.1f}   {limit}"


async def stable_usage(pid: int, port: int, children: int) -> Usage:
    """The usage once the proxy has `children` children (a restart may be under way) and its
    children and descriptors stop changing (two equal samples 0.5 s apart); at most 15 s."""
    deadline = time.monotonic() + 15
    previous = usage(pid, port)
    while True:
        await anyio.sleep(0.5)
        now = usage(pid, port)
        same = (now.live_children, now.zombies, now.own_fds) == (previous.live_children, previous.zombies, previous.own_fds)
        if (same and now.live_children == children) or time.monotonic() > deadline:
            return now
        previous = now


async def main() -> int:
    web = ExampleHTTP.start(work, "web")
    try:
        pooled = knows_pool_keys(web.url)
        if not pooled:
            print("soak: this mcp-proxy does not know the per-server pool keys (pool issue #9): running without them", flush=True)
        upstreams, proxy = config(web.url, pooled)
        gateway = NetworkGateway.start(work, upstreams, proxy)
        try:
            return await soak(gateway, pooled)
        finally:
            stop(gateway.process)
            print(f"soak: proxy log: {gateway.log}", flush=True)
    finally:
        web.stop()


async def soak(gateway: NetworkGateway, pooled: bool) -> int:
    pid, port = gateway.process.pid, gateway.port
    tally = Tally()
    print(f"soak: {SECONDS:.0f} s, {CLIENTS} clients, {CALLS} calls per session, seed {SEED}; proxy pid {pid}", flush=True)
    # Warm-up: every client once through every tool, then disconnect.
    async with anyio.create_task_group() as group:
        for index in range(CLIENTS):
            group.start_soon(one_session, gateway, f"warm{index}", [(tool, args) for _, tool, args in MIX], tally)
    quiet = IDLE_SECONDS + 1.5 if pooled else 1.0
    # With no client connected: one child per stdio server in shared mode, none per session.
    steady = 3 if pooled else 0
    await anyio.sleep(quiet)
    start = await stable_usage(pid, port, steady)
    print(f"soak: start: {start.describe()}", flush=True)

    until = time.monotonic() + SECONDS
    last_report = time.monotonic()
    async with anyio.create_task_group() as group:
        for index in range(CLIENTS):
            group.start_soon(client_loop, gateway, index, until, tally)
        while time.monotonic() < until:
            await anyio.sleep(1)
            if time.monotonic() - last_report >= 10:
                last_report = time.monotonic()
                now = usage(pid, port)
                print(f"soak: {SECONDS - (until - time.monotonic()):.0f}s: {tally.calls} calls, {tally.sessions} sessions; "
                      f"rss {now.rss_kb / 1024:.1f} MiB, fds {now.own_fds} (+{now.fds.get('front', 0)} front), "
                      f"children {now.live_children} (+{now.zombies} zombie)", flush=True)
    await anyio.sleep(quiet)
    end = await stable_usage(pid, port, steady)
    print(f"soak: end: {end.describe()}", flush=True)

    print(f"  {'':<12}{'start':>14}{'end':>14}{'growth':>10}   limit")
    print(row("rss (MiB)", start.rss_kb / 1024, end.rss_kb / 1024, f"+{RSS_MB}"))
    print(row("fds", start.own_fds, end.own_fds, f"+{FD_TOLERANCE} (connections of clients not counted)"))
    print(row("children", start.live_children, end.live_children, f"{steady} with no client connected"))
    print(row("zombies", start.zombies, end.zombies, "0"))
    print(f"soak: {tally.calls} calls ({tally.ok} answered with a result, {tally.errors} with an error), {tally.sessions} sessions; "
          f"RSS growth per client session {(end.rss_kb - start.rss_kb) / max(tally.sessions, 1):.1f} kB")
    for tool, (good, bad) in sorted(tally.by_tool.items()):
        print(f"  {tool:<22} {good:>6} ok {bad:>6} error")

    problems = []
    if (end.rss_kb - start.rss_kb) / 1024 > RSS_MB:
        problems.append(f"RSS grew by {(end.rss_kb - start.rss_kb) / 1024:.1f} MiB (limit {RSS_MB})")
    if end.own_fds - start.own_fds > FD_TOLERANCE:
        problems.append(f"descriptors grew by {end.own_fds - start.own_fds} (limit {FD_TOLERANCE}): {start.fds} -> {end.fds}")
    if end.live_children > max(start.live_children, steady):
        problems.append(f"children grew from {start.live_children} to {end.live_children} (expected {steady} with no client connected)")
    if end.zombies:
        problems.append(f"{end.zombies} zombie children")
    if tally.no_answer:
        problems.append(f"{len(tally.no_answer)} requests got no answer: {tally.no_answer[:5]}")
    if tally.healthy_failures:
        problems.append(f"{len(tally.healthy_failures)} calls to the healthy upstream failed: {tally.healthy_failures[:5]}")
    if tally.session_errors:
        problems.append(f"{len(tally.session_errors)} client sessions broke: {tally.session_errors[:5]}")
    if gateway.process.poll() is not None:
        problems.append(f"the proxy exited with {gateway.process.returncode}")
    for problem in problems:
        print(f"soak: FAIL: {problem}")
    print("soak: PASS" if not problems else "soak: FAILED", flush=True)
    return 1 if problems else 0


sys.exit(anyio.run(main))
PYTHON

[ -n "$seed" ] || seed=$(date +%s)
say "binaries: $MCP_PROXY_BIN, $EXAMPLE_SERVER_BIN"
PYTHONPATH="$repo_root/Tests/Interop" "$venv/bin/python" "$work/soak_driver.py" \
    "$work" "$seconds" "$clients" "$calls_per_session" "$rss_tolerance_mb" "$fd_tolerance" "$seed"
