"""Server-to-client traffic across replicas (#16, section 2): three `mcp-proxy serve` replicas
sharing one real `redis-server`.

- a sampling or elicitation request that an upstream sends during a call on replica A reaches
  the client on A's response stream, and the client's answer, POSTed to replica B, is routed
  back to A, which finishes the call;
- a `notifications/resources/updated` that arises on replica A reaches the client's GET
  stream on replica B; after B is killed with `kill -9`, the client reconnects to replica C
  with `Last-Event-ID` and gets every later event exactly once, including those that arose
  while it held no stream;
- the official SDK client, through nginx balancing round robin, gets sampling and elicitation
  round trips whose answers land on other replicas.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import anyio
import mcp_types as types
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from network_fixtures import NetworkGateway, binary, stop
from test_cluster_sessions import KEY, nginx_round_robin, post, redis_server

API_KEY = "alice-key-0123456789abcdef"
CAPABLE_INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"protocolVersion": "2025-11-25",
                           "capabilities": {"sampling": {}, "elicitation": {"form": {}}},
                           "clientInfo": {"name": "relay-test", "version": "1"}}}


@pytest.fixture
def replicas(tmp_path: Path):
    redis, redis_port = redis_server(tmp_path)
    upstreams = {"alpha": {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")), "args": ["--name", "alpha"]}}
    proxy = {
        "cluster": {"sessionKeys": [KEY], "redis": {"url": f"redis://127.0.0.1:{redis_port}/0"}},
        "auth": {"resource": "http://127.0.0.1/mcp", "required": True, "apiKeys": [{"name": "alice", "key": API_KEY}]},
    }
    started = []
    try:
        for name in ("a", "b", "c"):
            directory = tmp_path / name
            directory.mkdir()
            started.append(NetworkGateway.start(directory, upstreams, proxy))
        yield started
    finally:
        for replica in started:
            stop(replica.process)
        stop(redis)


class EventStream:
    """An SSE response read on a thread: its events as (id, parsed data)."""

    def __init__(self, base: str, method: str, session: str, body: dict | None = None, last_event_id: str | None = None) -> None:
        url = urllib.parse.urlsplit(base)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        headers = {"accept": "application/json, text/event-stream" if body else "text/event-stream",
                   "content-type": "application/json", "x-api-key": API_KEY, "mcp-session-id": session}
        if last_event_id:
            headers["last-event-id"] = last_event_id
        self.connection.request(method, "/mcp", body=json.dumps(body) if body else None, headers=headers)
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.events: list[tuple[str | None, dict]] = []
        self.lock = threading.Lock()
        self.ended = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        if self.status == 200 and "text/event-stream" in (self.response.getheader("content-type") or ""):
            self.thread.start()
        else:
            self.body = self.response.read().decode(errors="replace")
            self.ended.set()

    def _read(self) -> None:
        event_id, data = None, []
        try:
            while True:
                line = self.response.readline()
                if not line:
                    break
                text = line.decode().rstrip("\r\n")
                if text.startswith("id:"):
                    event_id = text[3:].strip()
                elif text.startswith("data:"):
                    data.append(text[5:].strip())
                elif text == "" and data:
                    with self.lock:
                        self.events.append((event_id, json.loads("\n".join(data))))
                    event_id, data = None, []
        except (OSError, ValueError, AttributeError, http.client.HTTPException):  # AttributeError: closed under the reader
            pass
        finally:
            self.ended.set()

    def wait_for(self, predicate, timeout: float = 10.0) -> list[tuple[str | None, dict]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [event for event in self.events if predicate(event[1])]
            if found:
                return found
            time.sleep(0.02)
        with self.lock:
            raise AssertionError(f"no matching event within {timeout}s; got {self.events}")

    def snapshot(self) -> list[tuple[str | None, dict]]:
        with self.lock:
            return list(self.events)

    def close(self) -> None:
        # Shut the socket first: the reader thread holds the response's buffer while it waits.
        if self.connection.sock is not None:
            try:
                self.connection.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.ended.wait(timeout=5)
        self.connection.close()


def open_session(replica: NetworkGateway) -> str:
    opened = post(replica.base, CAPABLE_INIT)
    assert opened.status_code == 200, opened.text
    session = opened.headers["mcp-session-id"]
    assert post(replica.base, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session).status_code == 202
    return session


@pytest.mark.parametrize("tool, method, answer, expected", [
    ("alpha__sample", "sampling/createMessage",
     {"role": "assistant", "content": {"type": "text", "text": "from the client"}, "model": "test"}, "sampled: from the client"),
    ("alpha__elicit", "elicitation/create", {"action": "accept", "content": {"name": "Ada"}}, "action=accept name=Ada"),
])
def test_an_answer_posted_to_another_replica_reaches_the_replica_that_asked(replicas, tool, method, answer, expected) -> None:
    a, b, _ = replicas
    session = open_session(a)
    call = EventStream(a.base, "POST", session, {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                                                 "params": {"name": tool, "arguments": {"prompt": "hi"}}})
    try:
        assert call.status == 200, call.__dict__.get("body")
        (_, request), = call.wait_for(lambda message: message.get("method") == method)
        forwarded = post(b.base, {"jsonrpc": "2.0", "id": request["id"], "result": answer}, session)
        assert forwarded.status_code == 202, forwarded.text
        (_, result), = call.wait_for(lambda message: message.get("id") == 7)
        assert expected in json.dumps(result), result
    finally:
        call.close()
    assert "session restored" in b.log.read_text(errors="replace"), "the answer went to a replica that had never seen the session"


def test_a_resumed_get_stream_after_its_replica_is_killed_gets_every_later_event_once(replicas) -> None:
    a, b, c = replicas
    session = open_session(a)
    listed = post(a.base, {"jsonrpc": "2.0", "id": 2, "method": "resources/list"}, session)
    uri = next(resource["uri"] for resource in json.loads(listed.text)["result"]["resources"] if resource["uri"].endswith("example://counter"))
    assert post(a.base, {"jsonrpc": "2.0", "id": 3, "method": "resources/subscribe", "params": {"uri": uri}}, session).status_code == 200

    def touch(request_id: int) -> None:
        answer = post(a.base, {"jsonrpc": "2.0", "id": request_id, "method": "tools/call",
                               "params": {"name": "alpha__bump", "arguments": {}}}, session)
        assert answer.status_code == 200, answer.text

    stream = EventStream(b.base, "GET", session)
    assert stream.status == 200
    time.sleep(0.3)  # B subscribed to the session's channel
    touch(4)
    seen = stream.wait_for(lambda message: message.get("method") == "notifications/resources/updated")
    assert len(seen) == 1
    last_id = seen[0][0]
    assert last_id and last_id.startswith("r"), f"GET stream events carry the shared log's ids, got {last_id}"

    os.kill(b.process.pid, signal.SIGKILL)
    b.process.wait(timeout=10)
    stream.close()
    for request_id in (5, 6):  # while the client holds no stream
        touch(request_id)

    resumed = EventStream(c.base, "GET", session, last_event_id=last_id)
    try:
        assert resumed.status == 200, resumed.__dict__.get("body")
        updates = resumed.wait_for(lambda message: message.get("method") == "notifications/resources/updated")
        deadline = time.monotonic() + 2
        while len(updates) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            updates = [event for event in resumed.snapshot() if event[1].get("method") == "notifications/resources/updated"]
        touch(7)
        time.sleep(0.5)
        updates = [event for event in resumed.snapshot() if event[1].get("method") == "notifications/resources/updated"]
        ids = [event_id for event_id, _ in updates]
        assert len(updates) == 3, f"the two missed events and one live one, each once: {updates}"
        assert last_id not in ids and len(set(ids)) == 3
    finally:
        resumed.close()


def test_a_response_stream_of_another_replica_cannot_be_resumed_and_says_so(replicas) -> None:
    a, b, _ = replicas
    session = open_session(a)
    call = EventStream(a.base, "POST", session, {"jsonrpc": "2.0", "id": 8, "method": "tools/call",
                                                 "params": {"name": "alpha__sample", "arguments": {"prompt": "x"}}})
    try:
        ((event_id, request),) = call.wait_for(lambda message: message.get("method") == "sampling/createMessage")
        assert event_id and not event_id.startswith("r")
        elsewhere = EventStream(b.base, "GET", session, last_event_id=event_id)
        assert elsewhere.status == 410, (elsewhere.status, elsewhere.__dict__.get("body"))
        assert "another replica" in elsewhere.body
        # On the replica that holds it, the call goes on.
        answer = {"role": "assistant", "content": {"type": "text", "text": "still here"}, "model": "test"}
        assert post(a.base, {"jsonrpc": "2.0", "id": request["id"], "result": answer}, session).status_code == 202
        (_, result), = call.wait_for(lambda message: message.get("id") == 8)
        assert "sampled: still here" in json.dumps(result)
    finally:
        call.close()


def test_the_sdk_client_gets_sampling_and_elicitation_round_trips_through_a_round_robin_balancer(replicas, tmp_path: Path) -> None:
    balancer, port = nginx_round_robin(tmp_path, replicas)
    asked: list[str] = []
    try:
        async def sampling(context, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
            asked.append("sampling")
            return types.CreateMessageResult(role="assistant", content=types.TextContent(type="text", text="balanced"), model="test")

        async def elicitation(context, params) -> types.ElicitResult:
            asked.append("elicitation")
            return types.ElicitResult(action="accept", content={"name": "Grace"})

        async def run() -> None:
            http = create_mcp_http_client(headers={"x-api-key": API_KEY})
            async with streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http) as (read, write):
                async with ClientSession(read, write, sampling_callback=sampling, elicitation_callback=elicitation) as session:
                    with anyio.fail_after(60):
                        await session.initialize()
                        for index in range(6):
                            sampled = await session.call_tool("alpha__sample", {"prompt": f"p{index}"})
                            assert not sampled.is_error and "sampled: balanced" in sampled.content[0].text, sampled
                            elicited = await session.call_tool("alpha__elicit", {})
                            assert not elicited.is_error and "name=Grace" in elicited.content[0].text, elicited
        anyio.run(run)
        assert asked.count("sampling") == 6 and asked.count("elicitation") == 6
    finally:
        stop(balancer)
