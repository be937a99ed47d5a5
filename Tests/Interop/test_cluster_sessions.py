"""Sealed session ids across replicas (#16, section 1): two `mcp-proxy serve` replicas with the
same `proxy.cluster.sessionKeys` and one real `redis-server`.

- a session opened on replica A is served by replica B with no new initialize;
- the official SDK client, through nginx balancing every request round robin over both
  replicas (no stickiness), works throughout;
- DELETE on one replica ends the session on the other within a second (revocation via Redis);
- a tampered id, or one presented by another principal's key, is unknown (404).
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import time
from pathlib import Path


import anyio
import mcp_types as types
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from cluster_fixtures import Answer
from cluster_fixtures import send as cluster_send
from network_fixtures import NetworkGateway, binary, free_port, stop, wait_for_port

KEY = base64.b64encode(bytes(range(32))).decode()
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "cluster-test", "version": "1"}}}


def redis_server(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    executable = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(executable):
        raise AssertionError("redis-server is not installed: run Scripts/interop-setup.sh (it installs Debian's redis-server)")
    port = free_port()
    log = directory / "redis.log"
    process = subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(directory),
         "--logfile", str(log)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log.touch()
    wait_for_port(port, process, "redis-server", log)
    return process, port


@pytest.fixture
def cluster(tmp_path: Path):
    redis, redis_port = redis_server(tmp_path)
    upstreams = {"alpha": {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")), "args": ["--name", "alpha"]}}
    proxy = {
        "cluster": {"sessionKeys": [KEY], "redis": {"url": f"redis://127.0.0.1:{redis_port}/0"}},
        "auth": {"resource": "http://127.0.0.1/mcp", "required": True,
                 "apiKeys": [{"name": "alice", "key": "alice-key-0123456789abcdef"}, {"name": "bob", "key": "bob-key-0123456789abcdef00"}]},
    }
    replicas = []
    try:
        for name in ("a", "b"):
            directory = tmp_path / name
            directory.mkdir()
            replicas.append(NetworkGateway.start(directory, upstreams, proxy))
        yield replicas
    finally:
        for replica in replicas:
            stop(replica.process)
        stop(redis)


def send(method: str, base: str, body: dict | None = None, session: str | None = None,
         key: str = "alice-key-0123456789abcdef") -> Answer:
    return cluster_send(method, base, key, body, session)


def post(base: str, body: dict, session: str | None = None, key: str = "alice-key-0123456789abcdef") -> Answer:
    return send("POST", base, body, session, key)


def call_echo(base: str, session: str, request_id: int) -> Answer:
    return post(base, {"jsonrpc": "2.0", "id": request_id, "method": "tools/call",
                       "params": {"name": "alpha__echo", "arguments": {"text": f"hop {request_id}"}}}, session)


def test_a_session_opened_on_one_replica_is_served_by_the_other(cluster) -> None:
    a, b = cluster
    opened = post(a.base, INIT)
    assert opened.status_code == 200, opened.text
    session = opened.headers["mcp-session-id"]
    assert post(a.base, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session).status_code == 202
    for request_id, replica in enumerate([b, a, b, b, a], start=2):
        answer = call_echo(replica.base, session, request_id)
        assert answer.status_code == 200, f"{replica.base}: {answer.status_code} {answer.text}\n{replica.log_tail()}"
        assert f"hop {request_id}" in answer.text
    listed = post(b.base, {"jsonrpc": "2.0", "id": 99, "method": "tools/list"}, session)
    assert "alpha__echo" in listed.text
    assert "session restored" in b.log.read_text(errors="replace")


def test_a_stolen_or_tampered_id_is_unknown(cluster) -> None:
    a, b = cluster
    session = post(a.base, INIT).headers["mcp-session-id"]
    # Bob presents Alice's id on the other replica: bound to Alice, so unknown to him.
    stolen = post(b.base, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, session, key="bob-key-0123456789abcdef00")
    assert stolen.status_code == 404, stolen.text
    flipped = session[:-3] + ("A" if session[-3] != "A" else "B") + session[-2:]
    tampered = post(b.base, {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}, flipped)
    assert tampered.status_code == 404, tampered.text


def test_delete_on_one_replica_ends_the_session_on_the_other_within_a_second(cluster) -> None:
    a, b = cluster
    session = post(a.base, INIT).headers["mcp-session-id"]
    post(a.base, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
    assert call_echo(b.base, session, 2).status_code == 200  # B holds a copy now
    deleted = send("DELETE", a.base, session=session)
    assert deleted.status_code == 200, deleted.text
    deadline = time.monotonic() + 1.0
    status = call_echo(b.base, session, 3).status_code
    while status != 404 and time.monotonic() < deadline:
        time.sleep(0.05)
        status = call_echo(b.base, session, 4).status_code
    assert status == 404, "replica B still serves a session deleted on replica A"
    assert call_echo(a.base, session, 5).status_code == 404


def nginx_round_robin(directory: Path, replicas: list[NetworkGateway]) -> tuple[subprocess.Popen[bytes], int]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        raise AssertionError("nginx is not installed: run Scripts/interop-setup.sh")
    port = free_port()
    servers = "\n".join(f"server 127.0.0.1:{replica.port};" for replica in replicas)
    (directory / "nginx.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {directory}/access.log;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    upstream replicas {{ {servers} }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://replicas;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
            proxy_read_timeout 300s;
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


def test_the_sdk_client_works_through_a_round_robin_balancer(cluster, tmp_path: Path) -> None:
    balancer, port = nginx_round_robin(tmp_path, cluster)
    try:
        async def run() -> None:
            http = create_mcp_http_client(headers={"x-api-key": "alice-key-0123456789abcdef"})
            async with streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http) as (read, write):
                async with ClientSession(read, write) as session:
                    with anyio.fail_after(20):
                        await session.initialize()
                        tools = await session.list_tools()
                        assert "alpha__echo" in [tool.name for tool in tools.tools]
                        for index in range(20):
                            result = await session.call_tool("alpha__echo", {"text": f"call {index}"})
                            assert not result.is_error
                            assert any(isinstance(part, types.TextContent) and f"call {index}" in part.text for part in result.content)
        anyio.run(run)
        served = [replica.log.read_text(errors="replace") for replica in cluster]
        assert any("session restored" in text for text in served), "round robin never reached the replica that did not open the session"
    finally:
        stop(balancer)
