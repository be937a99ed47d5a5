"""Shared pieces of the protocol-era tests (issue #11): the test upstreams, how to start them, and
raw stdio/HTTP helpers. The upstreams:

  example-modern  example-server --modern            (ours, 2026-07-28 only)
  example-dual    example-server --dual-era          (ours, both eras)
  sdk-modern      era_servers.py {stdio|http} modern (the SDK's modern-only path)
  sdk-dual        era_servers.py {stdio|http} dual   (the SDK's default dual-era server)

Import the `http_servers` fixture by name (`from era_fixtures import http_servers`) to have all
four started once per module over HTTP.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import mcp_types as types
import pytest
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError
from network_fixtures import binary, free_port, stop, wait_for_port


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
