"""The protocol-era test upstreams, checked with the official SDK Client and no proxy (issue #11).

Before the proxy is put in front of them, the upstreams the era tests use must behave like the
spec and like the SDK's own servers. This runs the SDK `Client` in each mode (`legacy`, `auto`,
`2026-07-28`) over stdio and Streamable HTTP directly against:

  example-modern  example-server --modern            (ours, 2026-07-28 only)
  example-dual    example-server --dual-era          (ours, both eras)
  sdk-modern      era_servers.py {stdio|http} modern (the SDK's modern-only path)
  sdk-dual        era_servers.py {stdio|http} dual   (the SDK's default dual-era server)

and asserts the outcome matrix of era-2026.md §8.1: a dual-era server serves every mode (legacy at
2025-11-25 with the elicitation as a server-to-client request, the others at 2026-07-28 with
MRTR and subscriptions/listen); a modern-only server serves `auto` and `2026-07-28`, and refuses
`legacy` (the initialize) with -32022 naming the supported versions (the SDK's modern HTTP entry
answers -32602 instead). A second group sends raw requests to the modern-only servers for the
error paths a Client never takes (validation ladder, header mismatch, tampered requestState).
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import mcp_types as types
import pytest
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.subscriptions import ListenNotSupportedError
from mcp.shared.exceptions import MCPError
from network_fixtures import binary, free_port, stop, wait_for_port

pytestmark = pytest.mark.anyio

ERA_SERVERS = Path(__file__).with_name("era_servers.py")
MODERN = "2026-07-28"
ENVELOPE = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}}
TIMEOUT = 30


@dataclass(frozen=True)
class Upstream:
    """One test upstream and what it answers."""

    name: str
    era: str  # "modern" (2026-07-28 only) or "dual"
    mrtr_tool: str
    mrtr_text: str
    resource: str
    resource_text: str
    trigger: str  # a tool that sends notifications/tools/list_changed
    http_legacy_code: int  # the error a legacy initialize gets over HTTP (modern-only servers)

    def command(self, transport: str, port: int | None = None, events: Path | None = None) -> list[str]:
        if self.name.startswith("example"):
            flag = "--modern" if self.era == "modern" else "--dual-era"
            command = [str(binary("EXAMPLE_SERVER_BIN", "example-server")), flag]
            return command + (["--http", f"127.0.0.1:{port}"] if transport == "http" else [])
        command = [sys.executable, str(ERA_SERVERS), transport, self.era]
        command += ["--port", str(port)] if transport == "http" else []
        return command + (["--events", str(events)] if events else [])


EXAMPLE_MODERN = Upstream("example-modern", "modern", "elicit", "action=accept name=Ada", "example://static/hello",
                          "Hello from example", "toggle_extra", -32022)
EXAMPLE_DUAL = Upstream("example-dual", "dual", "elicit", "action=accept name=Ada", "example://static/hello",
                        "Hello from example", "toggle_extra", 0)
SDK_MODERN = Upstream("sdk-modern", "modern", "greet", "Hello, Ada!", "demo://readme", "read me", "touch", -32602)
SDK_DUAL = Upstream("sdk-dual", "dual", "greet", "Hello, Ada!", "demo://readme", "read me", "touch", 0)
UPSTREAMS = [EXAMPLE_MODERN, EXAMPLE_DUAL, SDK_MODERN, SDK_DUAL]


@dataclass(frozen=True)
class Running:
    """An upstream serving HTTP: its URL, its stdout+stderr, and (SDK servers) the `slow` events."""

    url: str
    log: Path
    events: Path


@pytest.fixture(scope="module")
def http_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Running]]:
    """Every upstream over HTTP, started once for the module, by name."""
    directory = tmp_path_factory.mktemp("era-upstreams")
    processes: list[subprocess.Popen[bytes]] = []
    running: dict[str, Running] = {}
    try:
        for upstream in UPSTREAMS:
            port = free_port()
            log = directory / f"{upstream.name}.log"
            events = directory / f"{upstream.name}.events"
            with log.open("wb") as sink:
                process = subprocess.Popen(upstream.command("http", port, events), stdin=subprocess.DEVNULL, stdout=sink, stderr=sink)
            processes.append(process)
            wait_for_port(port, process, upstream.name, log)
            running[upstream.name] = Running(f"http://127.0.0.1:{port}/mcp", log, events)
        yield running
    finally:
        for process in processes:
            stop(process)


def target(upstream: Upstream, transport: str, http_servers: dict[str, Running]) -> Any:
    if transport == "http":
        return http_servers[upstream.name].url
    command = upstream.command("stdio")
    return StdioServerParameters(command=command[0], args=command[1:])


async def on_elicit(context: Any, params: Any) -> types.ElicitResult:
    return types.ElicitResult(action="accept", content={"name": "Ada"})


def mcp_error(error: BaseException) -> MCPError | None:
    """The MCPError in `error` or in the exception groups around it."""
    if isinstance(error, MCPError):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = mcp_error(inner)
        if found is not None:
            return found
    cause = error.__cause__ or error.__context__
    return mcp_error(cause) if cause is not None else None


def text_of(result: Any) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


@pytest.mark.parametrize("mode", ["legacy", "auto", MODERN])
@pytest.mark.parametrize("transport", ["stdio", "http"])
@pytest.mark.parametrize("upstream", UPSTREAMS, ids=lambda upstream: upstream.name)
async def test_client_mode_matrix(upstream: Upstream, transport: str, mode: str, http_servers: dict[str, Running]) -> None:
    server = target(upstream, transport, http_servers)
    if mode == "legacy" and upstream.era == "modern":
        # A modern-only server refuses the handshake and names the versions it serves.
        with anyio.fail_after(TIMEOUT), pytest.raises(BaseException) as raised:
            async with Client(server, mode="legacy", elicitation_callback=on_elicit):
                pass
        error = mcp_error(raised.value)
        assert error is not None, f"expected an MCPError, got {raised.value!r}"
        expected = -32022 if transport == "stdio" else upstream.http_legacy_code
        assert error.error.code == expected, error.error
        if expected == -32022:
            assert error.error.data == {"supported": [MODERN], "requested": "2025-11-25"}
        return

    with anyio.fail_after(TIMEOUT):
        async with Client(server, mode=mode, elicitation_callback=on_elicit) as client:
            expected_version = "2025-11-25" if mode == "legacy" else MODERN
            assert client.protocol_version == expected_version
            names = [tool.name for tool in (await client.list_tools()).tools]
            assert "echo" in names and upstream.mrtr_tool in names
            assert text_of(await client.call_tool("echo", {"text": "hi"})) == "hi"
            # 2026-07-28: MRTR (input_required, then a retry); legacy: an elicitation/create request.
            assert text_of(await client.call_tool(upstream.mrtr_tool, {})) == upstream.mrtr_text
            contents = (await client.read_resource(upstream.resource)).contents
            assert [getattr(item, "text", None) for item in contents] == [upstream.resource_text]
            if mode == "legacy":
                with pytest.raises(ListenNotSupportedError):
                    async with client.listen(tools_list_changed=True):
                        pass
                return
            async with client.listen(tools_list_changed=True) as subscription:
                await client.call_tool(upstream.trigger, {})
                async for event in subscription:
                    assert type(event).__name__ == "ToolsListChanged", event
                    break


@pytest.mark.parametrize("transport", ["stdio", "http"])
@pytest.mark.parametrize("upstream", [EXAMPLE_MODERN, SDK_MODERN], ids=lambda upstream: upstream.name)
async def test_mrtr_needs_the_declared_capability(upstream: Upstream, transport: str, http_servers: dict[str, Running]) -> None:
    """Without an elicitation callback the client declares no elicitation: -32021 names it."""
    with anyio.fail_after(TIMEOUT):
        async with Client(target(upstream, transport, http_servers), mode=MODERN) as client:
            with pytest.raises(MCPError) as raised:
                await client.call_tool(upstream.mrtr_tool, {})
    assert raised.value.error.code == -32021
    assert "elicitation" in raised.value.error.data["requiredCapabilities"]


# Raw requests: the error paths of the modern-only upstreams.


def request(id: int, method: str, params: dict[str, Any] | None = None, meta: dict[str, Any] | None = ENVELOPE) -> dict[str, Any]:
    body = dict(params or {})
    if meta is not None:
        body["_meta"] = meta
    return {"jsonrpc": "2.0", "id": id, "method": method, "params": body}


class StdioPeer:
    """A modern-only upstream on stdio, one JSON line each way."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin
        self.process.stdin.write((json.dumps(message) + "\n").encode())
        self.process.stdin.flush()

    def read(self) -> dict[str, Any]:
        assert self.process.stdout
        return json.loads(self.process.stdout.readline())

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        self.send(message)
        while True:
            line = self.read()
            if "id" in line:
                return line

    def close(self) -> None:
        stop(self.process)


@pytest.mark.parametrize("upstream", [EXAMPLE_MODERN, SDK_MODERN], ids=lambda upstream: upstream.name)
def test_stdio_error_ladder(upstream: Upstream) -> None:
    peer = StdioPeer(upstream.command("stdio"))
    try:
        discover = peer.ask(request(1, "server/discover"))["result"]
        assert discover["supportedVersions"] == [MODERN] and discover["resultType"] == "complete"
        assert isinstance(discover["ttlMs"], int) and discover["cacheScope"] in ("public", "private")
        assert "io.modelcontextprotocol/serverInfo" in discover["_meta"]
        missing = peer.ask(request(2, "tools/list", meta={"io.modelcontextprotocol/protocolVersion": MODERN}))
        assert missing["error"]["code"] == -32602
        old = peer.ask(request(3, "tools/list", meta={**ENVELOPE, "io.modelcontextprotocol/protocolVersion": "1900-01-01"}))
        assert old["error"]["code"] == -32022 and old["error"]["data"] == {"supported": [MODERN], "requested": "1900-01-01"}
        assert peer.ask(request(4, "ping"))["error"]["code"] == -32601
        listed = peer.ask(request(5, "tools/list"))["result"]
        assert listed["resultType"] == "complete" and "ttlMs" in listed and "cacheScope" in listed
        first = peer.ask(request(6, "tools/call", {"name": upstream.mrtr_tool, "arguments": {}}))["result"]
        assert first["resultType"] == "input_required"
        (key, asked), = first["inputRequests"].items()
        assert asked["method"] == "elicitation/create"
        answer = {key: {"action": "accept", "content": {"name": "Ada"}}}
        state = first["requestState"]
        tampered = state[:-4] + ("AAAA" if not state.endswith("AAAA") else "BBBB")
        refused = peer.ask(request(7, "tools/call", {"name": upstream.mrtr_tool, "arguments": {}, "inputResponses": answer,
                                                     "requestState": tampered}))
        assert refused["error"]["code"] == -32602 and refused["error"]["data"] == {"reason": "invalid_request_state"}
        done = peer.ask(request(8, "tools/call", {"name": upstream.mrtr_tool, "arguments": {}, "inputResponses": answer,
                                                  "requestState": state}))["result"]
        assert done["resultType"] == "complete" and done["content"][0]["text"] == upstream.mrtr_text
    finally:
        peer.close()


@dataclass
class HTTPAnswer:
    status_code: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def exchange(url: str, method: str, body: str | None, headers: dict[str, str]) -> HTTPAnswer:
    """One HTTP exchange on a fresh connection (http.client, as the rest of the suite)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, parts.path, body=body, headers=headers)
        response = connection.getresponse()
        return HTTPAnswer(response.status, {name.lower(): value for name, value in response.getheaders()},
                          response.read().decode())
    finally:
        connection.close()


@pytest.mark.parametrize("upstream", [EXAMPLE_MODERN, SDK_MODERN], ids=lambda upstream: upstream.name)
def test_http_error_ladder(upstream: Upstream, http_servers: dict[str, Running]) -> None:
    url = http_servers[upstream.name].url

    def post(message: dict[str, Any], **headers: str) -> HTTPAnswer:
        base = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
        return exchange(url, "POST", json.dumps(message), {**base, **headers})

    def routed(message: dict[str, Any], **extra: str) -> HTTPAnswer:
        headers = {"mcp-protocol-version": MODERN, "mcp-method": message["method"]}
        if "name" in message["params"]:
            headers["mcp-name"] = message["params"]["name"]
        return post(message, **{**headers, **extra})

    for method in ("GET", "DELETE"):
        response = exchange(url, method, None, {"accept": "text/event-stream", "mcp-protocol-version": MODERN})
        assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert routed({"jsonrpc": "2.0", "method": "notifications/initialized", "params": {}}).status_code == 202
    ok = routed(request(1, "tools/call", {"name": "echo", "arguments": {"text": "x"}}))
    assert ok.status_code == 200 and ok.json()["result"]["content"][0]["text"] == "x"
    encoded = routed(request(2, "tools/call", {"name": "echo", "arguments": {"text": "x"}}), **{"mcp-name": "=?base64?ZWNobw==?="})
    assert encoded.status_code == 200
    for headers in ({"mcp-method": "tools/list"}, {"mcp-name": "other"}, {"mcp-protocol-version": "2025-11-25"}):
        mismatch = routed(request(3, "tools/call", {"name": "echo", "arguments": {"text": "x"}}), **headers)
        assert mismatch.status_code == 400 and mismatch.json()["error"]["code"] == -32020, (headers, mismatch.text)
    missing = routed(request(4, "tools/list", meta={"io.modelcontextprotocol/protocolVersion": MODERN}))
    assert missing.status_code == 400 and missing.json()["error"]["code"] == -32602
    old_meta = {**ENVELOPE, "io.modelcontextprotocol/protocolVersion": "1900-01-01"}
    old = routed(request(5, "tools/list", meta=old_meta), **{"mcp-protocol-version": "1900-01-01"})
    assert old.status_code == 400 and old.json()["error"]["code"] == -32022
    unknown = routed(request(6, "foo/bar"))
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == -32601
    needs = routed(request(7, "tools/call", {"name": upstream.mrtr_tool, "arguments": {}},
                           meta={**ENVELOPE, "io.modelcontextprotocol/clientCapabilities": {}}))
    assert needs.status_code == 400 and needs.json()["error"]["code"] == -32021
    first = routed(request(8, "tools/call", {"name": upstream.mrtr_tool, "arguments": {}})).json()["result"]
    (key, _), = first["inputRequests"].items()
    tampered = routed(request(9, "tools/call", {"name": upstream.mrtr_tool, "arguments": {}, "requestState": first["requestState"] + "x",
                                                "inputResponses": {key: {"action": "accept", "content": {"name": "Ada"}}}}))
    assert tampered.status_code == 400 and tampered.json()["error"]["data"] == {"reason": "invalid_request_state"}


@pytest.mark.parametrize("upstream", [EXAMPLE_MODERN, SDK_MODERN], ids=lambda upstream: upstream.name)
def test_stdio_listen_ends_on_cancelled(upstream: Upstream) -> None:
    """A listen opens with its acknowledgement, gets tagged events, and ends on notifications/cancelled."""
    peer = StdioPeer(upstream.command("stdio"))
    try:
        peer.send(request("listen-1", "subscriptions/listen", {"notifications": {"toolsListChanged": True}}))  # type: ignore[arg-type]
        ack = peer.read()
        assert ack["method"] == "notifications/subscriptions/acknowledged"
        assert ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "listen-1"
        assert ack["params"]["notifications"] == {"toolsListChanged": True}
        peer.send(request(2, "tools/call", {"name": upstream.trigger, "arguments": {}}))
        event, answer = peer.read(), peer.read()
        if "id" in event:
            event, answer = answer, event
        assert event["method"] == "notifications/tools/list_changed"
        assert event["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "listen-1"
        assert answer["id"] == 2 and answer["result"]["resultType"] == "complete"
        peer.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "listen-1"}})
        peer.send(request(3, "tools/call", {"name": upstream.trigger, "arguments": {}}))
        after = peer.read()
        assert after.get("id") == 3, f"the cancelled listen still got {after}"
    finally:
        peer.close()


@pytest.mark.parametrize("upstream", [EXAMPLE_MODERN, SDK_MODERN], ids=lambda upstream: upstream.name)
def test_http_closed_stream_cancels_the_call(upstream: Upstream, http_servers: dict[str, Running]) -> None:
    """HTTP cancellation is closing the response stream: the upstream's handler sees it."""
    running = http_servers[upstream.name]
    parts = urlsplit(running.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    meta = {**ENVELOPE, "progressToken": 7}
    # A call of about 5 s that reports progress (so the answer is an SSE stream).
    tool, arguments = ("progress", {"steps": 50, "delay_ms": 100}) if upstream.name.startswith("example") else ("slow", {"seconds": 5})
    body = json.dumps(request(1, "tools/call", {"name": tool, "arguments": arguments}, meta=meta))
    connection.request("POST", parts.path, body=body, headers={
        "accept": "application/json, text/event-stream", "content-type": "application/json",
        "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": tool})
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("content-type", "").startswith("text/event-stream")
    first = b""
    while b"notifications/progress" not in first:
        chunk = response.read1(512)
        assert chunk, f"the stream ended before the first progress event: {first!r}"
        first += chunk
    connection.sock.shutdown(2)  # type: ignore[union-attr]
    connection.close()
    # example-server says so on stderr; the SDK server's `slow` records it in --events.
    marker, file = ("a request was cancelled", running.log) if upstream.name.startswith("example") else ("cancelled", running.events)
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        if file.exists() and marker in file.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise AssertionError(f"{upstream.name} did not see the closed stream as a cancellation: {file.read_text(errors='replace') if file.exists() else '(no file)'}")
