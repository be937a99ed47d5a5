"""`proxy.listen.trustedProxies` behind a real nginx, over real sockets.

nginx listens on 127.0.0.1, connects to `mcp-proxy serve` from 127.0.0.2 (`proxy_bind`) and
appends the client's address to X-Forwarded-For (`$proxy_add_x_forwarded_for`, the usual
setting). Clients connect from other loopback addresses (127.0.0.3, 127.0.0.4, ...), so each
is a distinct client as the balancer sees it. The proxy trusts 127.0.0.2/32 only.

- the limit before authentication keeps one bucket per client behind nginx, and a client's own
  forged X-Forwarded-For does not move it to another bucket;
- the access log's `remote` is the client's address;
- a client that reaches the proxy directly cannot name itself with the header;
- the official SDK client works through nginx with the setting on.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from network_fixtures import NetworkGateway, binary, free_port, stop, wait_for_port
from proxy_harness import text_of

API_KEY = "ci-bot-key-0123456789abcdef"
PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


@dataclass
class Balanced:
    gateway: NetworkGateway
    nginx: subprocess.Popen[bytes]
    port: int
    access_log: Path

    def remotes(self, count: int) -> list[tuple[str, int]]:
        """(remote, status) of the first `count` access-log lines, once there are that many."""
        deadline = time.monotonic() + 10
        lines: list[str] = []
        while time.monotonic() < deadline:
            lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
            if len(lines) >= count:
                break
            time.sleep(0.02)
        assert len(lines) >= count, lines
        entries = [json.loads(line) for line in lines]
        return [(entry.get("remote", "-"), entry.get("status", 0)) for entry in entries[:count]]


def start_nginx(directory: Path, backend: int) -> tuple[subprocess.Popen[bytes], int]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        raise AssertionError("nginx is not installed: run Scripts/interop-setup.sh")
    port = free_port()
    (directory / "nginx.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{backend};
            proxy_bind 127.0.0.2;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }}
    }}
}}
""")
    log = directory / "error.log"
    log.touch()
    process = subprocess.Popen([nginx, "-c", str(directory / "nginx.conf"), "-p", str(directory)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, process, "nginx", log)
    return process, port


@pytest.fixture
def balanced(tmp_path: Path) -> Iterator[Balanced]:
    access_log = tmp_path / "access.log"
    upstreams = {"alpha": {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")), "args": ["--name", "alpha"]}}
    proxy = {
        "listen": {"trustedProxies": ["127.0.0.2/32"]},
        "auth": {"resource": "http://127.0.0.1/mcp", "apiKeys": [{"name": "ci-bot", "key": API_KEY}],
                 # burst 5: a request takes 1 token and a failure 4 more, so one failure empties a bucket
                 "preAuthLimit": {"rate": 0.001, "burst": 5}},
        "accessLog": {"format": "json", "destination": str(access_log), "include": "errors"},
    }
    gateway = NetworkGateway.start(tmp_path, upstreams, proxy)
    try:
        nginx, port = start_nginx(tmp_path, gateway.port)
    except BaseException:
        stop(gateway.process)
        raise
    try:
        yield Balanced(gateway, nginx, port, access_log)
    finally:
        stop(nginx)
        stop(gateway.process)


def ping(port: int, source: str, headers: dict[str, str] | None = None) -> int:
    """An unauthenticated ping from `source` (a loopback address), on a connection of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        connection.request("POST", "/mcp", body=json.dumps(PING), headers={
            "Content-Type": "application/json", "Accept": "application/json, text/event-stream"} | (headers or {}))
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_clients_behind_the_balancer_have_buckets_of_their_own(balanced: Balanced) -> None:
    assert ping(balanced.port, "127.0.0.3") == 401
    assert ping(balanced.port, "127.0.0.3") == 429, "127.0.0.3's bucket is empty"
    assert ping(balanced.port, "127.0.0.4") == 401, "another client behind the same balancer is not limited by it"
    # A forged header is kept left of the address nginx appends: 127.0.0.3 stays 127.0.0.3.
    assert ping(balanced.port, "127.0.0.3", {"X-Forwarded-For": "198.51.100.77"}) == 429
    assert balanced.remotes(4) == [("127.0.0.3", 401), ("127.0.0.3", 429), ("127.0.0.4", 401), ("127.0.0.3", 429)]


def test_a_client_reaching_the_proxy_directly_cannot_name_itself(balanced: Balanced) -> None:
    direct = balanced.gateway.port
    assert ping(direct, "127.0.0.5", {"X-Forwarded-For": "198.51.100.1"}) == 401
    assert ping(direct, "127.0.0.5", {"X-Forwarded-For": "198.51.100.2"}) == 429, "both requests are 127.0.0.5's"
    assert ping(direct, "127.0.0.5", {"Forwarded": "for=198.51.100.3"}) == 429
    assert balanced.remotes(3) == [("127.0.0.5", 401), ("127.0.0.5", 429), ("127.0.0.5", 429)]


@pytest.mark.anyio
async def test_the_sdk_client_works_through_the_balancer(balanced: Balanced) -> None:
    http_client = create_mcp_http_client(headers={"x-api-key": API_KEY})
    async with streamable_http_client(f"http://127.0.0.1:{balanced.port}/mcp", http_client=http_client) as (read, write):
        async with ClientSession(read, write) as session:
            with anyio.fail_after(20):
                await session.initialize()
                result = await session.call_tool("alpha__echo", {"text": "behind nginx"})
    assert text_of(result) == "behind nginx"
