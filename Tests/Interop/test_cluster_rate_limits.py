"""Rate limits across replicas (#16, section 2), over real processes: two `mcp-proxy serve`
replicas with the same `proxy.cluster` (session key and one real `redis-server`) and
`proxy.rateLimits` of burst 20 per principal. One session, its calls alternating between the
replicas (sealed session ids let either serve it), plain HTTP.

- a burst of 40 calls across both replicas: 20 (+-1) pass, the rest get -32029 with
  `retryAfterMs`, exactly as from one gateway; lists (answered by the proxy itself) count too;
- Redis stopped: `failOpen: local` lets each replica allow its own burst (20 each),
  `failOpen: deny` refuses every call;
- Redis restarted on the same port after 5 s down (the reconnect backoff at its 2 s cap): both
  replicas use it again within 10 s (`mcp_proxy_redis_up`
  on their /metrics), and the burst is shared again;
- the checks are counted by what decided them (`mcp_proxy_rate_limit_checks_total`).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest

from network_fixtures import NetworkGateway, binary, free_port, stop, wait_for_port

KEY = base64.b64encode(bytes(range(32))).decode()
ALICE = "alice-key-0123456789abcdef"
BURST = 20
RATE_LIMITED = -32029
HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "rate-limit-test", "version": "1"}}}


class Redis:
    """redis-server on a fixed port, stopped and started again on the same port."""

    def __init__(self, directory: Path) -> None:
        self.executable = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.path.exists(self.executable):
            raise AssertionError("redis-server is not installed: run Scripts/interop-setup.sh (it installs Debian's redis-server)")
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.directory / "redis.log"
        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory), "--logfile", str(log)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        log.touch()
        wait_for_port(self.port, self.process, "redis-server", log)

    def stop(self) -> None:
        if self.process:
            stop(self.process)
            self.process = None


@dataclass
class Replica:
    gateway: NetworkGateway
    admin_port: int

    @property
    def base(self) -> str:
        return self.gateway.base

    def metric(self, name: str, labels: str = "") -> float:
        connection = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=5)
        try:
            connection.request("GET", "/metrics")
            text = connection.getresponse().read().decode()
        finally:
            connection.close()
        pattern = re.compile(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", re.MULTILINE)
        match = pattern.search(text)
        return float(match.group(1)) if match else 0.0


def start_cluster(directory: Path, redis: Redis, fail_open: str) -> list[Replica]:
    upstreams = {"alpha": {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")), "args": ["--name", "alpha"]}}
    replicas = []
    for name in ("a", "b"):
        admin = free_port()
        proxy = {
            "cluster": {"sessionKeys": [KEY], "redis": {"url": f"redis://127.0.0.1:{redis.port}/0", "failOpen": fail_open}},
            "auth": {"resource": "http://127.0.0.1/mcp", "required": True, "apiKeys": [{"name": "alice", "key": ALICE}]},
            "rateLimits": [{"per": "principal", "rate": 0.01, "burst": BURST}],
            "admin": {"host": "127.0.0.1", "port": admin},
            "accessLog": {"format": "text", "destination": str(directory / f"access-{name}.log"), "include": "errors"},
        }
        replica_directory = directory / name
        replica_directory.mkdir()
        replicas.append(Replica(NetworkGateway.start(replica_directory, upstreams, proxy), admin))
    return replicas


def post(base: str, body: dict, session: str | None = None) -> tuple[int, dict[str, str], str]:
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    headers = dict(HEADERS, **{"x-api-key": ALICE})
    if session:
        headers["mcp-session-id"] = session
    try:
        connection.request("POST", "/mcp", body=json.dumps(body), headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode(errors="replace")
    finally:
        connection.close()


def answer_of(text: str) -> dict:
    """The JSON-RPC answer in a JSON body or in the data line of an SSE body."""
    for line in text.splitlines():
        if line.startswith("data:") and line[5:].strip():
            return json.loads(line[5:])
    return json.loads(text)


def open_session(replica: Replica) -> str:
    status, headers, text = post(replica.base, INIT)
    assert status == 200, text
    session = headers["mcp-session-id"]
    assert post(replica.base, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)[0] == 202
    return session


def burst(replicas: list[Replica], session: str, count: int, first_id: int) -> tuple[list[int], list[dict]]:
    """`count` calls alternating between the replicas: how many passed on each, and the refusals."""
    passed = [0] * len(replicas)
    refusals = []
    for index in range(count):
        replica = index % len(replicas)
        status, _, text = post(replicas[replica].base, {
            "jsonrpc": "2.0", "id": first_id + index, "method": "tools/call",
            "params": {"name": "alpha__echo", "arguments": {"text": f"call {index}"}}}, session)
        assert status == 200, f"{status}: {text}"
        answer = answer_of(text)
        if "result" in answer:
            passed[replica] += 1
        else:
            assert answer["error"]["code"] == RATE_LIMITED, answer
            refusals.append(answer["error"])
    return passed, refusals


def wait_for_redis(replicas: list[Replica], up: bool, within: float) -> float:
    """Seconds until every replica's mcp_proxy_redis_up is `up`; fails after `within`."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if all(replica.metric("mcp_proxy_redis_up") == (1.0 if up else 0.0) for replica in replicas):
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"mcp_proxy_redis_up did not become {int(up)} on both replicas within {within} s")


@pytest.fixture
def redis(tmp_path: Path):
    server = Redis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_a_burst_holds_across_replicas_and_local_fallback_allows_each_its_own(tmp_path: Path, redis: Redis) -> None:
    replicas = start_cluster(tmp_path, redis, "local")
    try:
        wait_for_redis(replicas, up=True, within=10)
        session = open_session(replicas[0])
        # Requests the proxy answers itself count too, as with in-memory limits: 5 lists on B.
        for index in range(5):
            status, _, text = post(replicas[1].base, {"jsonrpc": "2.0", "id": 900 + index, "method": "tools/list"}, session)
            assert status == 200 and "alpha__echo" in text, text
        passed, refusals = burst(replicas, session, 2 * BURST, 10)
        assert BURST - 6 <= sum(passed) <= BURST - 4, f"{passed} calls passed after 5 lists; the shared burst is {BURST}"
        assert all(count > 0 for count in passed), f"each replica should have served some calls: {passed}"
        refusal = refusals[0]
        assert refusal["data"]["reason"] == "rateLimited" and refusal["data"]["retryAfterMs"] > 0, refusal
        assert refusal["message"].startswith("Rate limit exceeded ("), refusal
        # Logged as the in-memory stage's refusals are: reason and code.
        deadline = time.monotonic() + 5
        logged = ""
        while "code=-32029 reason=rateLimited" not in logged and time.monotonic() < deadline:
            time.sleep(0.1)
            logged = "".join(path.read_text(errors="replace") for path in tmp_path.glob("access-*.log"))
        assert "outcome=refused code=-32029 reason=rateLimited" in logged, logged[-2000:]
        checked = sum(replica.metric("mcp_proxy_rate_limit_checks_total", '{decided_by="redis"}') for replica in replicas)
        assert checked == 2 * BURST + 5, f"{checked} checks decided by redis, expected {2 * BURST + 5}"

        redis.stop()
        down_since = time.monotonic()
        wait_for_redis(replicas, up=False, within=5)
        passed, _ = burst(replicas, session, 4 * BURST, 100)
        # Each replica's own buckets: up to N times the configured limit.
        assert passed == [BURST, BURST], f"{passed} passed per replica with Redis down; failOpen local gives each its own {BURST}"
        fallback = sum(replica.metric("mcp_proxy_rate_limit_checks_total", '{decided_by="fallback"}') for replica in replicas)
        assert fallback == 4 * BURST

        # Down long enough for the replicas' reconnect backoff to reach its cap (2 s).
        time.sleep(max(0.0, 5 - (time.monotonic() - down_since)))
        restarted = time.monotonic()
        redis.start()
        wait_for_redis(replicas, up=True, within=10)
        print(f"replicas used Redis again {time.monotonic() - restarted:.2f} s after it was started again")
        # The restarted Redis has no buckets: a fresh shared burst, held across both again.
        passed, _ = burst(replicas, session, 2 * BURST, 200)
        assert BURST - 1 <= sum(passed) <= BURST + 1, f"{passed} passed after Redis came back; the shared burst is {BURST}"
    finally:
        for replica in replicas:
            stop(replica.gateway.process)


def test_failopen_deny_refuses_while_redis_is_down_and_recovers(tmp_path: Path, redis: Redis) -> None:
    replicas = start_cluster(tmp_path, redis, "deny")
    try:
        wait_for_redis(replicas, up=True, within=10)
        session = open_session(replicas[1])
        passed, _ = burst(replicas, session, 4, 10)
        assert sum(passed) == 4

        redis.stop()
        wait_for_redis(replicas, up=False, within=5)
        started = time.monotonic()
        passed, refusals = burst(replicas, session, 10, 100)
        assert passed == [0, 0], f"{passed} passed with Redis down and failOpen deny"
        assert all("failOpen is deny" in refusal["message"] for refusal in refusals), refusals[0]
        assert time.monotonic() - started < 5, "refusals while Redis is down must be immediate, not wait for a timeout"
        # Sessions keep working: a list needs no rate-limit check in Redis.
        status, _, text = post(replicas[0].base, {"jsonrpc": "2.0", "id": 500, "method": "ping"}, session)
        assert status == 200 and "result" in answer_of(text), text

        redis.start()
        wait_for_redis(replicas, up=True, within=10)
        passed, _ = burst(replicas, session, 4, 200)
        assert sum(passed) == 4, f"{passed}: calls should pass again once Redis is back"
    finally:
        for replica in replicas:
            stop(replica.gateway.process)
