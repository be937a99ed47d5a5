"""Processes for the network interop tests: `mcp-proxy serve` and a Python SDK HTTP server.

`NetworkGateway` starts `mcp-proxy serve --listen 127.0.0.1:0` and reads the bound port from its
log; `open_client` connects the official SDK's Streamable HTTP or legacy SSE client to it.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from mcp import ClientSession
from mcp.client.session import ClientRequestContext
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 20.0
SAMPLING_REPLY = "pong"
FRONT_LINE = re.compile(r"url=http://127\.0\.0\.1:(\d+).*\] listening")


def binary(variable: str, name: str) -> Path:
    return Path(os.environ.get(variable) or REPO_ROOT / ".build" / "debug" / name).resolve()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{what} did not listen on {port} within {START_TIMEOUT}s:\n{log.read_text(errors='replace')[-4000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@dataclass
class PythonHTTPServer:
    """network_python_server.py on a free port."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    @classmethod
    def start(cls, directory: Path) -> PythonHTTPServer:
        port = free_port()
        log = directory / "python-server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("network_python_server.py")), str(port)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            )
        try:
            wait_for_port(port, process, "the Python SDK server", log)
        except BaseException:
            stop(process)
            raise
        return cls(process, port)


@dataclass
class NetworkGateway:
    """`mcp-proxy serve` with the given upstreams (name -> config entry)."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, directory: Path, upstreams: dict[str, dict[str, Any]], proxy: dict[str, Any] | None = None) -> NetworkGateway:
        config = directory / "serve.json"
        document: dict[str, Any] = {"mcpServers": upstreams}
        if proxy:
            document["proxy"] = proxy
        config.write_text(json.dumps(document, indent=2).replace("$", "$$"))
        log = directory / "serve.stderr.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(binary("MCP_PROXY_BIN", "mcp-proxy")), "serve", "--config", str(config), "--listen", "127.0.0.1:0"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=out,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            match = FRONT_LINE.search(log.read_text(errors="replace"))
            if match:
                return cls(process, int(match.group(1)), log)
            if process.poll() is not None:
                break
            time.sleep(0.05)
        stop(process)
        raise AssertionError(f"mcp-proxy serve did not announce its port:\n{log.read_text(errors='replace')[-4000:]}")

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@dataclass
class ClientRecord:
    sampling_requests: list[types.CreateMessageRequestParams] = field(default_factory=list)


@dataclass
class NetworkConnection:
    session: ClientSession
    initialize_result: types.InitializeResult
    record: ClientRecord


@asynccontextmanager
async def open_client(gateway: NetworkGateway, front: str, prefix: str = "") -> AsyncIterator[NetworkConnection]:
    """An initialized SDK session over `front` ("streamable-http" or "sse"), declaring sampling."""
    record = ClientRecord()

    async def sampling_callback(
        context: ClientRequestContext, params: types.CreateMessageRequestParams
    ) -> types.CreateMessageResult:
        record.sampling_requests.append(params)
        return types.CreateMessageResult(
            role="assistant", content=types.TextContent(text=SAMPLING_REPLY),
            model="network-test-model", stop_reason="endTurn",
        )

    if front == "streamable-http":
        transport = streamable_http_client(gateway.base + prefix + "/mcp")
    elif front == "sse":
        transport = sse_client(gateway.base + prefix + "/sse", timeout=10.0, sse_read_timeout=60.0)
    else:
        raise ValueError(front)
    async with transport as (read_stream, write_stream):
        async with ClientSession(
            read_stream, write_stream, sampling_callback=sampling_callback,
            client_info=types.Implementation(name="mcp-proxy-network-interop", version="1.0.0"),
        ) as session:
            try:
                with anyio.fail_after(START_TIMEOUT):
                    result = await session.initialize()
            except TimeoutError:
                raise AssertionError(
                    f"no initialize answer over {front} within {START_TIMEOUT}s; log:\n{gateway.log_tail()}"
                ) from None
            yield NetworkConnection(session, result, record)
