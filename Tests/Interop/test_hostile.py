"""mcp-proxy tried by a hostile user: real processes and sockets, raw HTTP where the SDK would be polite.

- a second `initialize` inside a live Streamable HTTP session gets a JSON-RPC error and the
  session keeps working;
- SIGTERM/SIGINT (network and stdio fronts) and the end of a stdio client do not leave upstream
  processes behind, even ones that ignore stdin EOF and SIGTERM, or that the proxy's
  parent-death signal does not reach (a grandchild behind `sh`, `dieWithProxy: false`);
- a taken admin (or front) port stops the proxy before it announces anything.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import STDERR_KEY
from network_fixtures import NetworkGateway, binary, free_port, stop

INITIALIZE = {
    "jsonrpc": "2.0", "id": 1, "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "hostile", "version": "1"}},
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}

# Seconds the proxy waits for sessions on shutdown, and gives an upstream before SIGKILL.
DRAIN_SECONDS = 1.0
GRACE_SECONDS = 1.0

# An MCP server that answers initialize and any request with an empty result, ignores SIGTERM,
# writes its pid to <directory>/pid-<pid> and keeps running after stdin closes.
STUBBORN_SERVER = r'''
import json, os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
with open(os.path.join(sys.argv[1], "pid-%d" % os.getpid()), "w") as f:
    f.write(str(os.getpid()))
for line in sys.stdin:
    try:
        msg = json.loads(line)
    except ValueError:
        continue
    if "id" not in msg or "method" not in msg:
        continue
    if msg["method"] == "initialize":
        result = {"protocolVersion": msg["params"]["protocolVersion"], "capabilities": {"tools": {}},
                  "serverInfo": {"name": "stubborn", "version": "1"}}
    elif msg["method"] == "tools/list":
        result = {"tools": []}
    else:
        result = {}
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}) + "\n")
    sys.stdout.flush()
while True:
    time.sleep(1)
'''


# MARK: helpers


def post(port: int, body: Any, session: str | None = None, path: str = "/mcp") -> tuple[int, dict[str, str], bytes]:
    """One POST to the Streamable HTTP endpoint; returns status, headers (lower-case names) and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        if session:
            headers["Mcp-Session-Id"] = session
            headers["MCP-Protocol-Version"] = "2025-11-25"
        connection.request("POST", path, body=json.dumps(body).encode(), headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def json_answer(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """The JSON-RPC message of an answer, whether sent as JSON or as one SSE event."""
    if headers.get("content-type", "").startswith("text/event-stream"):
        data = [line[5:].strip() for line in body.decode().splitlines() if line.startswith("data:")]
        assert data, f"an event stream without data: {body!r}"
        return json.loads(data[-1])
    return json.loads(body)


def initialize_session(port: int) -> str:
    status, headers, body = post(port, INITIALIZE)
    assert status == 200, f"initialize: {status} {body!r}"
    session = headers.get("mcp-session-id")
    assert session, f"initialize returned no Mcp-Session-Id: {headers}"
    status, _, body = post(port, INITIALIZED, session)
    assert status == 202, f"notifications/initialized: {status} {body!r}"
    return session


def is_alive(pid: int) -> bool:
    """True when `pid` runs (a zombie counts as gone: PID 1 of a container may never reap it)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = text[text.rindex(")") + 2:].split(" ", 1)[0]
    return state not in ("Z", "X")


def stubborn_pids(directory: Path) -> list[int]:
    return sorted(int(p.name.removeprefix("pid-")) for p in directory.glob("pid-*"))


def wait_for(predicate, seconds: float, what: str, poll: float = 0.05) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(poll)


def stubborn_entry(directory: Path, variant: str) -> dict[str, Any]:
    """The config entry of a stubborn upstream that the parent-death signal alone does not stop.

    - "grandchild": `sh` runs the server as its child (like `npx`, `uv run`): the signal kills
      `sh` only;
    - "no-death-signal": the server itself, with `sandbox: {dieWithProxy: false}`.
    """
    script = directory / "stubborn_server.py"
    script.write_text(STUBBORN_SERVER)
    if variant == "grandchild":
        command = f"'{sys.executable}' '{script}' '{directory}'; echo stubborn server ended >&2"
        return {"command": "/bin/sh", "args": ["-c", command]}
    assert variant == "no-death-signal"
    return {"command": sys.executable, "args": [str(script), str(directory)], "sandbox": {"dieWithProxy": False}}


@pytest.fixture
def reaper() -> Iterator[list[int]]:
    """Pids a test found; whatever still runs at the end gets SIGKILL so no test leaks processes."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if is_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def assert_all_gone(pids: list[int], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while any(is_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [pid for pid in pids if is_alive(pid)]
    parents = {pid: Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].split(" ")[1] for pid in alive}
    assert not alive, f"{what}: upstream processes still running (pid: parent pid) {parents}"


# MARK: 1. a second initialize in a live session


def test_second_initialize_in_a_session_gets_an_error_and_the_session_keeps_working(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    upstreams = {"alpha": {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")), "args": ["--name", "alpha"]}}
    gateway = NetworkGateway.start(tmp_path, upstreams, proxy={"listen": {"drainSeconds": DRAIN_SECONDS}})
    request.node.stash[STDERR_KEY] = gateway.log
    try:
        session = initialize_session(gateway.port)
        again = dict(INITIALIZE, id=2)
        status, headers, body = post(gateway.port, again, session)
        assert status == 200, f"a second initialize is answered with a JSON-RPC error, not HTTP {status}: {body!r}"
        answer = json_answer(headers, body)
        assert answer.get("id") == 2 and "error" in answer, f"expected a JSON-RPC error for id 2: {answer}"

        status, headers, body = post(gateway.port, {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}, session)
        assert status == 200, f"the session must survive a refused second initialize; tools/list got {status}: {body!r}"
        names = {tool["name"] for tool in json_answer(headers, body)["result"]["tools"]}
        assert "alpha__echo" in names, names
        status, headers, body = post(
            gateway.port,
            {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "alpha__echo", "arguments": {"text": "still here"}}},
            session)
        assert status == 200, body
        assert "still here" in json.dumps(json_answer(headers, body)), body
    finally:
        stop(gateway.process)


# MARK: 2. no upstream outlives the proxy


@pytest.mark.parametrize(("variant", "signal_number"), [
    ("grandchild", signal.SIGTERM),
    ("no-death-signal", signal.SIGTERM),
    ("grandchild", signal.SIGINT),
])
def test_serve_shutdown_leaves_no_stubborn_upstream(
    tmp_path: Path, request: pytest.FixtureRequest, reaper: list[int], variant: str, signal_number: int
) -> None:
    gateway = NetworkGateway.start(
        tmp_path, {"st": stubborn_entry(tmp_path, variant)},
        proxy={"listen": {"drainSeconds": DRAIN_SECONDS}, "upstreams": {"shutdownGraceSeconds": GRACE_SECONDS}})
    request.node.stash[STDERR_KEY] = gateway.log
    try:
        # Two client sessions (each may have its own upstream process, or share one).
        initialize_session(gateway.port)
        initialize_session(gateway.port)
        wait_for(lambda: len(stubborn_pids(tmp_path)) >= 1, 10, "the upstream to start")
        reaper.extend(stubborn_pids(tmp_path))
        assert all(is_alive(pid) for pid in reaper)

        gateway.process.send_signal(signal_number)
        # Drain, then SIGTERM to every upstream group, the grace, then SIGKILL: all before exit.
        limit = DRAIN_SECONDS + GRACE_SECONDS + 5
        try:
            status = gateway.process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"mcp-proxy serve did not exit within {limit}s of {signal_number!r}") from None
        assert status == 0, f"exit status {status} after {signal_number!r}:\n{gateway.log_tail()}"
        reaper.extend(p for p in stubborn_pids(tmp_path) if p not in reaper)
        # The proxy escalates before it exits: nothing may be left once it is gone.
        assert_all_gone(reaper, within=1.0, what=f"after mcp-proxy serve exited on {signal_number!r}")
    finally:
        stop(gateway.process)


def start_stdio_proxy(directory: Path, variant: str) -> tuple[subprocess.Popen[bytes], Path]:
    config = directory / "mcp-proxy.yaml"
    document = {
        "mcpServers": {"st": stubborn_entry(directory, variant)},
        "proxy": {"upstreams": {"shutdownGraceSeconds": GRACE_SECONDS}},
    }
    config.write_text(json.dumps(document, indent=2).replace("$", "$$"))
    log = directory / "mcp-proxy.stderr.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(binary("MCP_PROXY_BIN", "mcp-proxy")), "--config", str(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=out)
    return process, log


def stdio_exchange(process: subprocess.Popen[bytes]) -> None:
    """initialize, initialized and tools/list over the proxy's stdin and stdout."""
    assert process.stdin and process.stdout
    for message in (INITIALIZE, INITIALIZED, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}):
        process.stdin.write((json.dumps(message) + "\n").encode())
    process.stdin.flush()
    answered: set[Any] = set()
    deadline = time.monotonic() + 20
    while answered != {1, 2}:
        assert time.monotonic() < deadline, "no answers to initialize and tools/list over stdio"
        line = process.stdout.readline()
        assert line, f"the stdio proxy closed stdout (exit {process.poll()})"
        answered.add(json.loads(line).get("id"))


@pytest.mark.parametrize(("variant", "ending"), [
    ("grandchild", "sigterm"),
    ("no-death-signal", "sigterm"),
    ("grandchild", "stdin-eof"),
])
def test_stdio_proxy_end_leaves_no_stubborn_upstream(
    tmp_path: Path, request: pytest.FixtureRequest, reaper: list[int], variant: str, ending: str
) -> None:
    process, log = start_stdio_proxy(tmp_path, variant)
    request.node.stash[STDERR_KEY] = log
    try:
        stdio_exchange(process)
        wait_for(lambda: len(stubborn_pids(tmp_path)) >= 1, 10, "the upstream to start")
        reaper.extend(stubborn_pids(tmp_path))
        if ending == "sigterm":
            process.send_signal(signal.SIGTERM)
        else:
            assert process.stdin
            process.stdin.close()
        # Closing stdin, waiting and SIGTERM per upstream may come first; the proxy's own
        # escalation at exit must still finish within a bounded time.
        limit = 3 * GRACE_SECONDS + 8
        try:
            process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the stdio proxy did not exit within {limit}s ({ending})") from None
        reaper.extend(p for p in stubborn_pids(tmp_path) if p not in reaper)
        assert_all_gone(reaper, within=1.0, what=f"after the stdio proxy exited ({ending})")
    finally:
        stop(process)


# MARK: 4. a taken port


def listening_socket() -> socket.socket:
    """A socket listening on a free port of 127.0.0.1 (the port a test then asks the proxy to take)."""
    taken = socket.socket()
    taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    taken.bind(("127.0.0.1", 0))
    taken.listen(8)
    return taken


def can_bind(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen(1)
        except OSError:
            return False
        return True


@pytest.mark.parametrize("taken_listener", ["admin", "front"])
def test_a_taken_port_stops_the_proxy_before_it_announces_anything(
    tmp_path: Path, request: pytest.FixtureRequest, taken_listener: str
) -> None:
    config = tmp_path / "serve.json"
    example = binary("EXAMPLE_SERVER_BIN", "example-server")
    config.write_text(json.dumps({"mcpServers": {"alpha": {"command": str(example), "args": ["--name", "alpha"]}}}))
    log = tmp_path / "serve.stderr.log"
    request.node.stash[STDERR_KEY] = log
    with listening_socket() as taken:
        taken_port = taken.getsockname()[1]
        other_port = free_port()
        front_port, admin_port = (other_port, taken_port) if taken_listener == "admin" else (taken_port, other_port)
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(binary("MCP_PROXY_BIN", "mcp-proxy")), "serve", "--config", str(config),
                 "--listen", f"127.0.0.1:{front_port}", "--admin", f"127.0.0.1:{admin_port}"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=out)
        try:
            try:
                status = process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"mcp-proxy serve kept running with its {taken_listener} port taken") from None
            text = log.read_text(errors="replace")
            assert status != 0, f"exit status 0 with the {taken_listener} port taken:\n{text}"
            assert "listening" not in text, f"announced a listener although the {taken_listener} port is taken:\n{text}"
            assert str(taken_port) in text and "in use" in text, f"the message must name the taken port {taken_port}:\n{text}"
            assert can_bind(other_port), f"the other listener's port {other_port} is still bound"
        finally:
            stop(process)
