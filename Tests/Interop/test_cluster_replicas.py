"""Three replicas behind a plain round-robin balancer (#16, sections 4 and 5), over real processes:
`Scripts/cluster.sh up 3` starts redis-server, nginx (round robin, no stickiness) and three
`mcp-proxy serve` replicas with the same session key; the official SDK client and plain HTTP talk
to them.

- a session's calls through nginx all succeed and land on every replica (each replica's /metrics);
- DELETE through one replica ends the session on the two others within a second;
- a principal's rate limit (burst 100) holds across the three replicas, within 5%;
- Redis stopped and restarted mid-run: calls go on, nothing hangs, rate limits fall back to each
  replica's own buckets (failOpen: local) and back to Redis, the replicas reconnect and
  revocation works again;
- `kill -9` of a replica mid-run: every call in flight gets one answer or a clear error, and
  later calls through nginx succeed.

The tests share one cluster and run in file order: the kill test is last.
"""

from __future__ import annotations

import http.client
import json
import signal
import threading
import time
from pathlib import Path

import anyio
import mcp_types as types
import pytest
from mcp import ClientSession, MCPError
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from cluster_fixtures import Answer, LocalCluster, call, open_session, send
from network_fixtures import binary

BOB = "bob-key-0123456789abcdef00"        # no rate limit
CAROL = "carol-key-0123456789abcdef0"     # role `limited`: one bucket of BURST for the whole cluster
DAVE = "dave-key-0123456789abcdef000"     # role `small`: one bucket of SMALL_BURST
BURST = 100
SMALL_BURST = 10
RATE_LIMITED = -32029


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("cluster-replicas")
    base = directory / "base.json"
    base.write_text(json.dumps({
        "mcpServers": {"alpha": {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")), "args": ["--name", "alpha"],
                                 "pool": {"mode": "shared", "size": 1, "max": 4}}},
        "proxy": {
            "auth": {"resource": "http://127.0.0.1/mcp", "required": True,
                     "apiKeys": [{"name": "bob", "key": BOB}, {"name": "carol", "key": CAROL, "roles": ["limited"]},
                                 {"name": "dave", "key": DAVE, "roles": ["small"]}]},
            "rateLimits": [{"per": "principal", "rate": 0.01, "burst": BURST, "roles": ["limited"]},
                           {"per": "principal", "rate": 0.01, "burst": SMALL_BURST, "roles": ["small"]}],
        },
    }, indent=2))
    cluster = LocalCluster.up(directory / "state", 3, base)
    try:
        yield cluster
    finally:
        cluster.down()


def sdk_client(cluster: LocalCluster):
    return streamable_http_client(cluster.balancer + "/mcp", http_client=create_mcp_http_client(headers={"x-api-key": BOB}))


async def echo(session: ClientSession, text: str) -> None:
    with anyio.fail_after(5):
        result = await session.call_tool("alpha__echo", {"text": text})
    assert not result.is_error, result
    assert any(isinstance(part, types.TextContent) and part.text == text for part in result.content), result


def test_a_session_lands_on_every_replica_and_every_call_succeeds(cluster: LocalCluster) -> None:
    before = [cluster.tools_calls(i) for i in (1, 2, 3)]

    async def run() -> None:
        async with sdk_client(cluster) as (read, write), ClientSession(read, write) as session:
            with anyio.fail_after(20):
                await session.initialize()
            for index in range(30):
                await echo(session, f"call {index}")

    anyio.run(run)
    landed = [cluster.tools_calls(i) - before[i - 1] for i in (1, 2, 3)]
    assert sum(landed) == 30, f"tools/call per replica: {landed}"
    assert all(count > 0 for count in landed), f"round robin skipped a replica: tools/call per replica {landed}"


def test_b_delete_through_one_replica_is_404_on_the_two_others_within_a_second(cluster: LocalCluster) -> None:
    session = open_session(cluster.replica(1), BOB)
    for index in (2, 3):  # both hold a copy of the session now
        answer = call(cluster.replica(index), BOB, session, f"warm-{index}", "alpha__echo", {"text": "warm"})
        assert answer.status_code == 200 and "result" in answer.message(), answer.text
    deleted = send("DELETE", cluster.replica(1), BOB, session=session)
    assert deleted.status_code == 200, deleted.text
    started = time.monotonic()
    pending = {2, 3}
    while pending and time.monotonic() - started < 1.0:
        for index in sorted(pending):
            if call(cluster.replica(index), BOB, session, "after", "alpha__echo", {"text": "gone?"}).status_code == 404:
                pending.discard(index)
        time.sleep(0.02)
    assert not pending, f"replica(s) {sorted(pending)} still serve a session deleted through replica 1 after 1 s"
    assert call(cluster.replica(1), BOB, session, "again", "alpha__echo", {"text": "gone?"}).status_code == 404


def test_e_a_principals_rate_limit_holds_across_replicas(cluster: LocalCluster) -> None:
    session = open_session(cluster.replica(1), CAROL)
    allowed, refused, other = [0, 0, 0], [0, 0, 0], []
    for n in range(150):
        index = 1 + n % 3
        answer = call(cluster.replica(index), CAROL, session, n + 1000, "alpha__echo", {"text": f"n{n}"})
        message = answer.message() if answer.status_code == 200 else {"status": answer.status_code, "body": answer.text}
        if "result" in message:
            allowed[index - 1] += 1
        elif message.get("error", {}).get("code") == RATE_LIMITED:
            refused[index - 1] += 1
        else:
            other.append(message)
    assert not other, f"answers that are neither a result nor a rate-limit refusal: {other[:3]}"
    total = sum(allowed)
    assert abs(total - BURST) <= BURST * 0.05, (
        f"{total} of 150 calls allowed for a principal with burst {BURST} spread over 3 replicas "
        f"(allowed per replica {allowed}, refused {refused}); buckets per replica would allow up to {3 * BURST}")


def limited_calls(cluster: LocalCluster, session: str, count: int, tag: str) -> int:
    """`count` calls of DAVE (burst SMALL_BURST) round robin over the replicas; how many were allowed."""
    allowed = 0
    for n in range(count):
        answer = call(cluster.replica(1 + n % 3), DAVE, session, f"{tag}-{n}", "alpha__echo", {"text": tag}, timeout=5)
        assert answer.status_code == 200, f"{tag}-{n}: {answer.status_code} {answer.text}"
        message = answer.message()
        assert "result" in message or message["error"]["code"] == RATE_LIMITED, message
        allowed += "result" in message
    return allowed


def test_d_redis_stopped_and_restarted_mid_run(cluster: LocalCluster) -> None:
    dave = open_session(cluster.replica(1), DAVE)
    assert limited_calls(cluster, dave, SMALL_BURST + 2, "shared") == SMALL_BURST  # one bucket in Redis
    offsets: list[int] = []
    fallback_before = [cluster.metric(i, "mcp_proxy_rate_limit_checks_total", 'decided_by="fallback"') for i in (1, 2, 3)]

    async def run() -> None:
        async with sdk_client(cluster) as (read, write), ClientSession(read, write) as session:
            with anyio.fail_after(20):
                await session.initialize()
            for index in range(3):
                await echo(session, f"before {index}")
            cluster.kill("redis", signal.SIGTERM)
            status = await anyio.to_thread.run_sync(lambda: cluster.script("status"))
            assert status.returncode == 1 and "redis      not running" in status.stdout, status.stdout
            for index in range(15):  # sealed ids need no Redis
                await echo(session, f"without redis {index}")
            # failOpen: local: each replica limits with its own buckets (3 x the burst at most).
            allowed = await anyio.to_thread.run_sync(lambda: limited_calls(cluster, dave, 6, "local"))
            assert allowed == 6, f"{allowed} of 6 calls allowed while Redis was down (failOpen: local)"
            offsets.extend(cluster.log(i).stat().st_size for i in (1, 2, 3))
            restarted = await anyio.to_thread.run_sync(lambda: cluster.script("up", "3", "--config", str(cluster.base_config)))
            assert restarted.returncode == 0, restarted.stdout + restarted.stderr
            assert "redis-server on" in restarted.stdout and "replica-1 already running" in restarted.stdout, restarted.stdout
            for index in range(5):
                await echo(session, f"after restart {index}")

    anyio.run(run)
    fallback = [cluster.metric(i, "mcp_proxy_rate_limit_checks_total", 'decided_by="fallback"') - fallback_before[i - 1] for i in (1, 2, 3)]
    assert all(count > 0 for count in fallback), f"checks decided by the local fallback per replica: {fallback}"
    deadline = time.monotonic() + 10
    names = [f"name=mcp-proxy-replica-{i} " for i in (1, 2, 3)]
    while True:
        logs = [cluster.log(i).read_bytes()[offsets[i - 1]:].decode(errors="replace") for i in (1, 2, 3)]
        clients = cluster.redis_command("CLIENT", "LIST")
        links = [cluster.metric(i, "mcp_proxy_redis_up") for i in (1, 2, 3)]
        if all("reconnected to Redis" in log for log in logs) and all(name in clients for name in names) and links == [1, 1, 1]:
            break
        assert time.monotonic() < deadline, (
            f"replicas did not reconnect to the restarted Redis within 10 s: mcp_proxy_redis_up {links}\n"
            f"CLIENT LIST: {clients}\n" + "\n".join(f"replica-{i}: {log[-1500:]}" for i, log in enumerate(logs, 1)))
        time.sleep(0.1)
    # The restarted Redis is empty (no persistence): one fresh shared bucket again, not one per replica.
    assert limited_calls(cluster, dave, SMALL_BURST + 2, "shared-again") == SMALL_BURST
    # Revocation goes through Redis again: a DELETE on replica 1 reaches replicas 2 and 3.
    test_b_delete_through_one_replica_is_404_on_the_two_others_within_a_second(cluster)


def slow_call(cluster: LocalCluster, session: str, n: int, outcomes: list[tuple[str, object] | None]) -> None:
    try:
        outcomes[n] = ("answer", call(cluster.balancer, BOB, session, f"slow-{n}", "alpha__slow", {"seconds": 1.5}, timeout=15))
    except (OSError, http.client.HTTPException) as error:  # the connection was cut: a clear error
        outcomes[n] = ("cut", error)


def test_c_kill_9_of_a_replica_mid_run(cluster: LocalCluster) -> None:
    session = open_session(cluster.balancer, BOB)
    count = 24
    outcomes: list[tuple[str, object] | None] = [None] * count
    threads = [threading.Thread(target=slow_call, args=(cluster, session, n, outcomes), daemon=True) for n in range(count)]
    sdk_outcomes: dict[int, str] = {}

    async def sdk_slow_call(sdk: ClientSession, n: int) -> None:
        try:
            with anyio.fail_after(10):
                result = await sdk.call_tool("alpha__slow", {"seconds": 1.5})
            sdk_outcomes[n] = "answer: " + " ".join(p.text for p in result.content if isinstance(p, types.TextContent))
        except MCPError as error:
            sdk_outcomes[n] = f"error: {error.error.message}"
        except TimeoutError:
            sdk_outcomes[n] = "no answer within 10 s"

    async def run() -> None:
        async with sdk_client(cluster) as (read, write), ClientSession(read, write) as sdk:
            with anyio.fail_after(20):
                await sdk.initialize()
            async with anyio.create_task_group() as group:
                for thread in threads:
                    thread.start()
                for n in range(9):
                    group.start_soon(sdk_slow_call, sdk, n)
                await anyio.sleep(0.6)  # every call is in flight (each takes 1.5 s)
                cluster.kill("replica-3", signal.SIGKILL)

    anyio.run(run)
    for thread in threads:
        thread.join(timeout=20)
    assert not any(thread.is_alive() for thread in threads), "a call in flight got no answer within 20 s"

    answered, failed = 0, []
    for n, outcome in enumerate(outcomes):
        assert outcome is not None, f"call {n} ended without an outcome"
        kind, value = outcome
        if kind == "cut":
            failed.append(f"slow-{n}: {value!r}")
            continue
        assert isinstance(value, Answer)
        if value.status_code == 200:
            message = value.message()  # exactly one response
            assert message["id"] == f"slow-{n}", message
            assert "slept 1.5s" in json.dumps(message["result"]), message
            answered += 1
        else:
            assert value.status_code == 502, f"slow-{n}: {value.status_code} {value.text}"  # nginx: the replica died
            failed.append(f"slow-{n}: 502")
    # Round robin put about a third of the calls on replica 3; those, and only those, failed.
    assert 1 <= len(failed) <= count // 2, f"{answered} answered, failed: {failed}"
    assert answered + len(failed) == count
    # The SDK client: each call has its answer or an error, none hangs.
    assert sorted(sdk_outcomes) == list(range(9)), sdk_outcomes
    assert all(text == "answer: slept 1.5s" or text.startswith("error: ") for text in sdk_outcomes.values()), sdk_outcomes
    assert any(text.startswith("error: ") for text in sdk_outcomes.values()), f"no SDK call was on replica 3: {sdk_outcomes}"

    status = cluster.script("status")
    assert status.returncode == 1 and "replica-3  not running" in status.stdout, status.stdout

    # Later calls through nginx succeed: the old session (from its sealed id) and a new SDK session.
    for n in range(9):
        answer = call(cluster.balancer, BOB, session, f"later-{n}", "alpha__echo", {"text": f"later {n}"}, timeout=10)
        assert answer.status_code == 200 and "result" in answer.message(), f"later-{n}: {answer.status_code} {answer.text}"

    async def later() -> None:
        async with sdk_client(cluster) as (read, write), ClientSession(read, write) as sdk:
            with anyio.fail_after(20):
                await sdk.initialize()
            for index in range(12):
                await echo(sdk, f"after kill {index}")

    anyio.run(later)
