"""Helpers for the fault-injection and pool tests (test_faults.py, test_pool.py).

Real processes and sockets throughout: `mcp-proxy serve` (network_fixtures.NetworkGateway) or
`mcp-proxy --config` under the SDK's stdio client, `example-server --faults` as stdio upstreams
(children of the proxy) or `example-server --http --faults` (a process of the test's own), and
the official SDK client (`mcp`) in front.

What the tests measure about the proxy process, from /proc (Linux):

- `usage(pid)`: its children (live and zombie), its descriptors by kind (front connections are
  counted apart: keep-alive connections of the test's own HTTP clients come and go), its RSS;
- `settled(pid, baseline)`: waits until the children are back to the baseline, no zombie is
  left and the descriptors did not grow, or fails with what differs;
- `orphans(token)`: processes whose command line holds `token` (each test passes its temporary
  directory to every upstream as `--count-initialize <dir>/init-<name>.txt`), so an upstream
  that escaped the proxy is found even after it was re-parented.

`ResponseAudit` catches a second response to one request: the SDK drops a response for a request
id it no longer waits for with a debug record ("dropping response for unknown/late request
id"); the audit collects those records.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from mcp import ClientSession, MCPError, StdioServerParameters, stdio_client
from mcp.client.session import ClientRequestContext
from mcp.client.streamable_http import streamable_http_client
from network_fixtures import START_TIMEOUT, NetworkGateway, binary, stop

# Seconds the proxy lets a request wait for its upstream in these tests (limits.requestTimeoutSeconds).
REQUEST_TIMEOUT = 3.0
# Seconds a faulty upstream gets to be usable again after its fault.
RECOVERY_SECONDS = 10.0
# Seconds a test waits for children and descriptors to return to their baseline.
SETTLE_SECONDS = 6.0
# Descriptors the proxy may hold beyond its baseline after a fault (connection pools may keep one
# more connection to an HTTP upstream; an event loop may have opened a timer).
FD_SLACK = 4
# Largest SSE event the test clients accept (huge_line answers are 10 MiB).
MAX_EVENT_BYTES = 64 << 20


def example_server() -> str:
    return str(binary("EXAMPLE_SERVER_BIN", "example-server"))


def proxy_binary() -> str:
    return str(binary("MCP_PROXY_BIN", "mcp-proxy"))


def example_stdio(name: str, directory: Path, *args: str, faults: bool = True, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A stdio upstream entry running `example-server --name NAME [--faults] --count-initialize DIR/init-NAME.txt ARGS`."""
    entry: dict[str, Any] = {
        "command": example_server(),
        "args": ["--name", name, *(["--faults"] if faults else []), "--count-initialize", str(directory / f"init-{name}.txt"), *args],
    }
    entry.update(extra or {})
    return entry


def initialize_count(directory: Path, name: str) -> int:
    """How many `initialize` requests upstream `name` (any of its processes) received."""
    path = directory / f"init-{name}.txt"
    return len(path.read_text().splitlines()) if path.exists() else 0


def initialize_lines(directory: Path, name: str) -> list[str]:
    path = directory / f"init-{name}.txt"
    return path.read_text().splitlines() if path.exists() else []


@dataclass
class ExampleHTTP:
    """`example-server --http 127.0.0.1:0 --faults`, run by the test (not a child of the proxy)."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    @classmethod
    def start(cls, directory: Path, name: str, *args: str) -> ExampleHTTP:
        log = directory / f"example-http-{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [example_server(), "--name", name, "--http", "127.0.0.1:0", "--faults",
                 "--count-initialize", str(directory / f"init-{name}.txt"), *args],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=out,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            match = re.search(r"listening on (\d+)", log.read_text(errors="replace"))
            if match:
                return cls(process, int(match.group(1)), log)
            if process.poll() is not None:
                break
            time.sleep(0.02)
        stop(process)
        raise AssertionError(f"example-server --http did not announce its port:\n{log.read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        stop(self.process)


# MARK: /proc


@dataclass(frozen=True)
class Child:
    pid: int
    state: str
    command: str


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, ppid) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def children(pid: int) -> list[Child]:
    """Direct children of `pid`, zombies included."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _stat(int(entry))
        if stat and stat[1] == pid:
            found.append(Child(int(entry), stat[0], _command(int(entry))))
    return found


def orphans(token: str, except_parent: int | None = None) -> list[Child]:
    """Processes whose command line contains `token` and whose parent is not `except_parent`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        command = _command(int(entry))
        stat = _stat(int(entry))
        # The test's own children (the proxy under the stdio client, an `--http` upstream) are not orphans.
        if (token in command and stat and stat[1] not in (except_parent, os.getpid())
                and "mcp-proxy" not in command.split(" ")[0]):
            found.append(Child(int(entry), stat[0], command))
    return found


def _socket_ports() -> dict[str, int]:
    """Socket inode -> local port, for every TCP socket of the host."""
    ports: dict[str, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            columns = line.split()
            if len(columns) > 9:
                ports[columns[9]] = int(columns[1].rsplit(":", 1)[1], 16)
    return ports


def descriptors(pid: int, front_port: int | None = None) -> dict[str, int]:
    """The process's descriptors by kind: pipe, socket, front (connections to `front_port`), anon, file."""
    kinds: dict[str, int] = {}
    ports = _socket_ports() if front_port else {}
    try:
        entries = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return kinds
    for entry in entries:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{entry}")
        except OSError:
            continue
        if target.startswith("socket:["):
            kind = "front" if front_port and ports.get(target[8:-1]) == front_port else "socket"
        elif target.startswith("pipe:["):
            kind = "pipe"
        elif target.startswith("anon_inode:"):
            kind = "anon"
        else:
            kind = "file"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Usage:
    """What a proxy process holds at one moment."""

    children: list[Child]
    fds: dict[str, int]
    rss_kb: int

    @property
    def live_children(self) -> int:
        return sum(1 for child in self.children if child.state != "Z")

    @property
    def zombies(self) -> int:
        return sum(1 for child in self.children if child.state == "Z")

    @property
    def own_fds(self) -> int:
        """Descriptors other than connections of the front's clients."""
        return sum(count for kind, count in self.fds.items() if kind != "front")

    def describe(self) -> str:
        kids = "\n    ".join(f"{c.pid} [{c.state}] {c.command[:160]}" for c in self.children) or "(none)"
        return f"children ({self.live_children} live, {self.zombies} zombie):\n    {kids}\n  fds: {self.fds}\n  rss: {self.rss_kb} kB"


def usage(pid: int, front_port: int | None = None) -> Usage:
    return Usage(children(pid), descriptors(pid, front_port), rss_kb(pid))


async def settled(pid: int, baseline: Usage, front_port: int | None = None, what: str = "the fault",
                  fd_slack: int = FD_SLACK, timeout: float = SETTLE_SECONDS) -> Usage:
    """Waits until `pid` has as many live children as at `baseline`, no zombie, and at most
    `fd_slack` more descriptors of its own; fails naming what differs."""
    deadline = time.monotonic() + timeout
    while True:
        now = usage(pid, front_port)
        if (now.live_children == baseline.live_children and now.zombies == 0
                and now.own_fds <= baseline.own_fds + fd_slack):
            return now
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the proxy did not return to its baseline within {timeout}s after {what}\n"
                f"baseline {baseline.describe()}\nnow      {now.describe()}")
        await anyio.sleep(0.1)


async def no_orphans(token: str, except_parent: int | None, timeout: float = SETTLE_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while True:
        left = orphans(token, except_parent)
        if not left:
            return
        if time.monotonic() > deadline:
            raise AssertionError("upstream processes outside the proxy's children: "
                                 + "; ".join(f"{c.pid} [{c.state}] {c.command[:160]}" for c in left))
        await anyio.sleep(0.1)


def proxy_pid_with(config_path: Path) -> int:
    """The pid of this test process's child `mcp-proxy --config <config_path>`."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for child in children(os.getpid()):
            if str(config_path) in child.command and child.state != "Z":
                return child.pid
        time.sleep(0.02)
    raise AssertionError(f"no mcp-proxy child with {config_path} found")


# MARK: duplicate responses


class ResponseAudit(logging.Handler):
    """Collects the SDK's records of responses to requests it was no longer waiting for."""

    LOGGER = "mcp.shared.jsonrpc_dispatcher"

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.late: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "unknown/late request id" in message:
            self.late.append(message)

    @classmethod
    @contextmanager
    def watching(cls) -> Iterator[ResponseAudit]:
        audit = cls()
        logger = logging.getLogger(cls.LOGGER)
        level = logger.level
        logger.addHandler(audit)
        logger.setLevel(logging.DEBUG)
        try:
            yield audit
        finally:
            logger.removeHandler(audit)
            logger.setLevel(level)

    def assert_single_responses(self) -> None:
        assert not self.late, f"responses arrived for requests that were already answered: {self.late}"


# MARK: clients


@dataclass
class ClientLog:
    """What the proxy sent one test client: its requests to the client, notifications, errors."""

    label: str
    sampling_prompts: list[str] = field(default_factory=list)
    elicitation_messages: list[str] = field(default_factory=list)
    roots_requests: int = 0
    notifications: list[Any] = field(default_factory=list)
    transport_errors: list[Exception] = field(default_factory=list)

    # What this client's callbacks answer: distinct per client, so a result shows whose it was.
    @property
    def model_reply(self) -> str:
        return f"model-{self.label}"

    @property
    def user_name(self) -> str:
        return f"name-{self.label}"

    @property
    def root(self) -> str:
        return f"file:///tmp/client-{self.label}"

    def updates(self, uri: str) -> int:
        return sum(1 for n in self.notifications
                   if isinstance(n, types.ResourceUpdatedNotification) and str(n.params.uri) == uri)


@dataclass
class Client:
    label: str
    session: ClientSession
    log: ClientLog

    async def call(self, tool: str, arguments: dict[str, Any] | None = None, timeout: float = REQUEST_TIMEOUT + 7,
                   progress: Callable[[float, float | None, str | None], Awaitable[None]] | None = None) -> types.CallToolResult | MCPError:
        """Calls `tool`; returns its result or the MCPError it failed with. Fails the test if no
        answer arrives within `timeout` (every request gets a response)."""
        try:
            with anyio.fail_after(timeout):
                return await self.session.call_tool(tool, arguments or {}, progress_callback=progress)
        except MCPError as error:
            return error
        except TimeoutError:
            raise AssertionError(f"client {self.label}: no response to {tool} within {timeout}s") from None

    async def text(self, tool: str, arguments: dict[str, Any] | None = None, **kwargs: Any) -> str:
        """Calls `tool` and returns its text; fails the test on an error of any kind."""
        outcome = await self.call(tool, arguments, **kwargs)
        assert not isinstance(outcome, MCPError), f"client {self.label}: {tool} failed: {outcome.error}"
        assert not outcome.is_error, f"client {self.label}: {tool} returned an error result: {outcome.content}"
        first = outcome.content[0]
        assert isinstance(first, types.TextContent), first
        return first.text

    async def wait_for_tools(self, names: set[str], timeout: float = START_TIMEOUT) -> None:
        """Lists tools until every one of `names` is there (the proxy may still be starting upstreams)."""
        deadline = time.monotonic() + timeout
        while True:
            with anyio.fail_after(REQUEST_TIMEOUT + 2):
                listed = {tool.name for tool in (await self.session.list_tools()).tools}
            if names <= listed:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"client {self.label}: tools {sorted(names - listed)} not listed within {timeout}s")
            await anyio.sleep(0.1)

    async def recovered(self, tool: str = "faulty__echo", timeout: float = RECOVERY_SECONDS) -> float:
        """Calls `tool` until it succeeds; returns the seconds it took. Fails after `timeout`."""
        started = time.monotonic()
        last: object = None
        while time.monotonic() - started < timeout:
            outcome = await self.call(tool, {"text": "back"}, timeout=REQUEST_TIMEOUT + 3)
            if not isinstance(outcome, MCPError) and not outcome.is_error:
                return time.monotonic() - started
            last = outcome.error if isinstance(outcome, MCPError) else outcome.content
            await anyio.sleep(0.2)
        raise AssertionError(f"client {self.label}: {tool} did not work again within {timeout}s; last answer: {last}")


def _callbacks(log: ClientLog, server_requests: bool) -> dict[str, Any]:
    async def sampling_callback(context: ClientRequestContext, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
        for message in params.messages:
            content = message.content[0] if isinstance(message.content, list) else message.content
            log.sampling_prompts.append(getattr(content, "text", "?"))
        return types.CreateMessageResult(role="assistant", content=types.TextContent(text=log.model_reply),
                                         model=f"model-of-{log.label}", stop_reason="endTurn")

    async def elicitation_callback(context: ClientRequestContext, params: types.ElicitRequestParams) -> types.ElicitResult:
        log.elicitation_messages.append(getattr(params, "message", "?"))
        return types.ElicitResult(action="accept", content={"name": log.user_name})

    async def list_roots_callback(context: ClientRequestContext) -> types.ListRootsResult:
        log.roots_requests += 1
        return types.ListRootsResult(roots=[types.Root(uri=log.root, name=log.label)])  # type: ignore[arg-type]

    async def message_handler(message: Any) -> None:
        if isinstance(message, Exception):
            log.transport_errors.append(message)
        else:
            log.notifications.append(message)

    if not server_requests:
        return {"message_handler": message_handler}
    return {"sampling_callback": sampling_callback, "elicitation_callback": elicitation_callback,
            "list_roots_callback": list_roots_callback, "message_handler": message_handler}


@asynccontextmanager
async def _session(read: Any, write: Any, label: str, what: str, server_requests: bool) -> AsyncIterator[Client]:
    log = ClientLog(label)
    async with ClientSession(read, write, client_info=types.Implementation(name=f"fault-tests-{label}", version="1.0.0"),
                             **_callbacks(log, server_requests)) as session:
        try:
            with anyio.fail_after(START_TIMEOUT):
                await session.initialize()
        except TimeoutError:
            raise AssertionError(f"client {label}: no initialize answer from {what} within {START_TIMEOUT}s") from None
        yield Client(label, session, log)


@asynccontextmanager
async def http_client(gateway: NetworkGateway, label: str, server_requests: bool = True) -> AsyncIterator[Client]:
    """An SDK client over Streamable HTTP to `mcp-proxy serve`. With `server_requests` it declares
    sampling, elicitation and roots (then, by default, each of its tool calls leases a shared upstream
    session for itself); without, it declares none of them and its calls share the sessions."""
    async with streamable_http_client(gateway.base + "/mcp", max_sse_event_size=MAX_EVENT_BYTES) as (read, write):
        async with _session(read, write, label, "mcp-proxy serve", server_requests) as client:
            yield client


@asynccontextmanager
async def stdio_client_of(config_path: Path, stderr_path: Path, label: str, server_requests: bool = True) -> AsyncIterator[Client]:
    """An SDK client that spawns `mcp-proxy --config <config_path>` and speaks to it over stdio."""
    env = {k: v for k, v in os.environ.items() if k.startswith("MCP_PROXY_") and k != "MCP_PROXY_BIN"}
    parameters = StdioServerParameters(command=proxy_binary(), args=["--config", str(config_path)], env=env or None)
    with stderr_path.open("a") as errlog:
        async with stdio_client(parameters, errlog=errlog) as (read, write):
            async with _session(read, write, label, "mcp-proxy (stdio)", server_requests) as client:
                yield client


def write_config(directory: Path, upstreams: dict[str, dict[str, Any]], proxy: dict[str, Any] | None = None) -> Path:
    """A JSON config (JSON is YAML) for the stdio front; `$` doubled like NetworkGateway does."""
    document: dict[str, Any] = {"mcpServers": upstreams}
    if proxy:
        document["proxy"] = proxy
    path = directory / "mcp-proxy.json"
    path.write_text(json.dumps(document, indent=2).replace("$", "$$"))
    return path


def text_of(result: types.CallToolResult | MCPError) -> str:
    assert not isinstance(result, MCPError), f"expected a result, got the error {result.error}"
    first = result.content[0]
    assert isinstance(first, types.TextContent), first
    return first.text


def describe(outcome: types.CallToolResult | MCPError) -> str:
    if isinstance(outcome, MCPError):
        return f"error {outcome.error.code}: {outcome.error.message}"
    return f"result (isError={outcome.is_error}): {str(outcome.content)[:200]}"


def merge(base: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    """`base` with `extra` merged in, recursively for mappings."""
    merged = dict(base)
    for key, value in (extra or {}).items():
        merged[key] = merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged

