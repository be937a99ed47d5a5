"""Per-user upstream credentials over real processes: `${principal.*}` headers and RFC 8693
token exchange (Documentation/Governance.md, "Per-user upstream credentials").

The official Python SDK client talks to `mcp-proxy serve` over Streamable HTTP with an HS256 JWT
minted in the test. The upstream `tickets` (token_exchange_upstream.py, a Python SDK server)
records the `Authorization` and `X-User` headers of every HTTP request and refuses any token its
authorization server did not mint. The token endpoint is written here (http.server): it checks
the grant, the proxy's Basic credentials and the client's token, and mints `minted-<sub>-<n>`.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import jwt
import pytest
from mcp import ClientSession, MCPError
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from network_fixtures import FRONT_LINE, START_TIMEOUT, binary, free_port, stop, wait_for_port
from proxy_harness import deadline, text_of
from security_fixtures import ISSUER, RESOURCE, claims

pytestmark = pytest.mark.anyio

JWT_SECRET = "interop-jwt-secret-0123456789abcdef"
CLIENT_ID = "mcp-gateway"
CLIENT_SECRET = "te:secret&0123"
AUDIENCE = "https://tickets.internal"
SCOPE = "tickets.write"
ADMIN_LINE = re.compile(r"url=(http://127\.0\.0\.1:\d+).*\] admin listening")


class TokenEndpoint:
    """An RFC 8693 token endpoint: checks every field, records every exchange, mints tokens.

    `refuse` holds subjects it refuses (400 invalid_grant); `lifetimes` their `expires_in`
    (default 3600)."""

    def __init__(self) -> None:
        self.exchanges: list[dict[str, str]] = []
        self.problems: list[str] = []
        self.refuse: set[str] = set()
        self.lifetimes: dict[str, int] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                form = {key: values[0] for key, values in urllib.parse.parse_qs(body).items()}
                status, answer = owner.answer(self.headers, form)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/oauth2/token"

    def answer(self, headers: Any, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        problems = []
        scheme, _, encoded = (headers.get("Authorization") or "").partition(" ")
        user, _, password = base64.b64decode(encoded or "").decode().partition(":") if scheme == "Basic" else ("", "", "")
        if (urllib.parse.unquote(user), urllib.parse.unquote(password)) != (CLIENT_ID, CLIENT_SECRET):
            problems.append("client_secret_basic")
        if headers.get("Content-Type") != "application/x-www-form-urlencoded":
            problems.append("content type")
        expected = {
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "audience": AUDIENCE, "scope": SCOPE,
        }
        problems += [f"{key}={form.get(key)!r}" for key, value in expected.items() if form.get(key) != value]
        subject = None
        try:
            subject = jwt.decode(form.get("subject_token", ""), JWT_SECRET, algorithms=["HS256"], audience=RESOURCE)["sub"]
        except jwt.PyJWTError as error:
            problems.append(f"subject_token: {error}")
        self.exchanges.append({"subject": subject or "", **form})
        if problems:
            self.problems += problems
            return 400, {"error": "invalid_request", "error_description": ", ".join(problems)}
        if subject in self.refuse:
            return 400, {"error": "invalid_grant", "error_description": f"{subject} may not use tickets"}
        token = f"minted-{subject}-{len(self.exchanges)}"
        return 200, {"access_token": token, "issued_token_type": expected["subject_token_type"], "token_type": "Bearer",
                     "expires_in": self.lifetimes.get(subject, 3600)}

    def subjects(self) -> list[str]:
        return [exchange["subject"] for exchange in self.exchanges]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Setup:
    proxy: subprocess.Popen[bytes]
    base: str
    admin: str
    endpoint: TokenEndpoint
    upstream_log: Path
    proxy_log: Path

    def upstream_requests(self) -> list[dict[str, Any]]:
        if not self.upstream_log.exists():
            return []
        return [json.loads(line) for line in self.upstream_log.read_text().splitlines() if line.strip()]

    def metric(self, outcome: str) -> float:
        text = urllib.request.urlopen(self.admin + "/metrics", timeout=5).read().decode()
        for line in text.splitlines():
            if line.startswith("mcp_proxy_token_exchange_total{") and f'outcome="{outcome}"' in line and 'upstream="tickets"' in line:
                return float(line.rsplit(" ", 1)[1])
        return 0.0


def token(subject: str, roles: list[str]) -> str:
    return jwt.encode(claims(subject, roles, team=f"team-{subject}"), JWT_SECRET, algorithm="HS256")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    directory = tmp_path_factory.mktemp("token-exchange")
    endpoint = TokenEndpoint()
    upstream_log = directory / "upstream.jsonl"
    port = free_port()
    upstream_out = directory / "upstream.log"
    with upstream_out.open("wb") as out:
        upstream = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("token_exchange_upstream.py")), str(port), str(upstream_log)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    config = {
        "mcpServers": {
            "tickets": {
                "url": f"http://127.0.0.1:{port}/mcp",
                # The SDK server is dual-era; these tests are about per-principal upstream
                # sessions, which only the handshake era has.
                "protocolEra": "handshake",
                "headers": {"X-User": "${principal.subject}", "X-Roles": "${principal.roles}", "X-Team": "${principal.claims.team}"},
                "auth": {"tokenExchange": {
                    "tokenEndpoint": endpoint.url, "clientId": CLIENT_ID, "clientSecret": "${TE_SECRET}",
                    "audience": AUDIENCE, "scope": SCOPE,
                }},
            },
        },
        "proxy": {
            "auth": {"resource": RESOURCE, "jwt": {"issuer": ISSUER, "secret": "${JWT_SECRET}"}},
            "admin": {"host": "127.0.0.1", "port": 0},
        },
    }
    config_path = directory / "serve.json"
    config_path.write_text(json.dumps(config, indent=2))
    proxy_log = directory / "serve.stderr.log"
    try:
        wait_for_port(port, upstream, "the tickets upstream", upstream_out)
        validate = subprocess.run([str(binary("MCP_PROXY_BIN", "mcp-proxy")), "validate", str(config_path)],
                                  env={"TE_SECRET": CLIENT_SECRET, "JWT_SECRET": JWT_SECRET, "PATH": "/usr/bin:/bin"},
                                  capture_output=True, text=True, timeout=30)
        assert validate.returncode == 0, validate.stdout + validate.stderr
        with proxy_log.open("wb") as out:
            proxy = subprocess.Popen(
                [str(binary("MCP_PROXY_BIN", "mcp-proxy")), "serve", "--config", str(config_path), "--listen", "127.0.0.1:0"],
                env={"TE_SECRET": CLIENT_SECRET, "JWT_SECRET": JWT_SECRET, "PATH": "/usr/bin:/bin"},
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=out)
        base = admin = None
        limit = time.monotonic() + START_TIMEOUT
        while time.monotonic() < limit and not (base and admin):
            text = proxy_log.read_text(errors="replace")
            front, admin_match = FRONT_LINE.search(text), ADMIN_LINE.search(text)
            base = f"http://127.0.0.1:{front.group(1)}" if front else None
            admin = admin_match.group(1) if admin_match else None
            if proxy.poll() is not None:
                break
            time.sleep(0.05)
        if not (base and admin):
            stop(proxy)
            raise AssertionError(f"mcp-proxy serve did not start:\n{proxy_log.read_text(errors='replace')[-4000:]}")
    except BaseException:
        stop(upstream)
        endpoint.close()
        raise
    try:
        yield Setup(proxy, base, admin, endpoint, upstream_log, proxy_log)
    finally:
        stop(proxy)
        stop(upstream)
        endpoint.close()


@asynccontextmanager
async def client(setup: Setup, bearer: str) -> AsyncIterator[ClientSession]:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {bearer}"})
    async with streamable_http_client(setup.base + "/mcp", http_client=http) as (read_stream, write_stream):
        async with ClientSession(read_stream, write_stream) as session:
            with deadline("initialize"):
                await session.initialize()
            yield session


async def tools(session: ClientSession) -> set[str]:
    with deadline("tools/list"):
        return {tool.name for tool in (await session.list_tools()).tools}


async def test_the_upstream_sees_the_exchanged_token_and_the_principal_never_the_clients_token(setup: Setup) -> None:
    alice = token("alice", ["support", "agent"])
    async with client(setup, alice) as session:
        assert "tickets__whoami" in await tools(session)
        with deadline("tickets__whoami"):
            assert text_of(await session.call_tool("tickets__whoami", {})) == "ok"
    assert setup.endpoint.problems == []
    mine = [exchange for exchange in setup.endpoint.exchanges if exchange["subject"] == "alice"]
    assert len(mine) == 1, setup.endpoint.exchanges
    assert mine[0]["subject_token"] == alice, "the subject token is the client's verified bearer token"
    seen = [request for request in setup.upstream_requests() if request["user"] == "alice"]
    assert {request["rpc"] for request in seen} >= {"initialize", "notifications/initialized", "tools/list", "tools/call"}, seen
    for request in seen:
        assert request["authorization"] == "Bearer minted-alice-1", request
        assert request["roles"] == "agent,support", request
        assert request["team"] == "team-alice", request
    everything = json.dumps(setup.upstream_requests())
    assert alice not in everything, "the client's own token never reaches the upstream"
    assert alice not in setup.proxy_log.read_text(errors="replace"), "nor the proxy's log"


async def test_cached_tokens_are_reused_and_counted(setup: Setup) -> None:
    hits_before, misses_before = setup.metric("hit"), setup.metric("miss")
    erin = token("erin", ["support"])
    for _ in range(2):  # two sessions of one principal: one exchange
        async with client(setup, erin) as session:
            with deadline("tickets__whoami"):
                assert text_of(await session.call_tool("tickets__whoami", {})) == "ok"
    assert setup.endpoint.subjects().count("erin") == 1, setup.endpoint.subjects()
    assert setup.metric("miss") == misses_before + 1
    assert setup.metric("hit") >= hits_before + 6, "every request after the first found the token cached"


async def test_two_principals_never_share_an_upstream_session(setup: Setup) -> None:
    async with client(setup, token("bob", ["support"])) as bob, client(setup, token("frank", ["support"])) as frank:
        for _ in range(3):
            with deadline("calls of both"):
                assert text_of(await bob.call_tool("tickets__whoami", {})) == "ok"
                assert text_of(await frank.call_tool("tickets__whoami", {})) == "ok"
    users_by_session: dict[str, set[str]] = {}
    for request in setup.upstream_requests():
        if request["session"]:
            users_by_session.setdefault(request["session"], set()).add(request["user"])
            assert request["authorization"].startswith(f"Bearer minted-{request['user']}-"), request
    assert users_by_session, "the upstream assigned session ids"
    assert all(len(users) == 1 for users in users_by_session.values()), users_by_session
    assert {"bob", "frank"} <= set().union(*users_by_session.values())


async def test_a_refused_exchange_never_reaches_the_upstream(setup: Setup) -> None:
    setup.endpoint.refuse.add("carol")
    async with client(setup, token("carol", ["support"])) as session:
        assert "tickets__whoami" not in await tools(session), "tickets could not start for carol: its tools are hidden"
        with deadline("tickets__whoami"), pytest.raises(MCPError) as failure:
            await session.call_tool("tickets__whoami", {})
        message = str(failure.value)
        assert "upstream 'tickets' could not start for this session" in message and "invalid_grant" in message, message
    assert "carol" in setup.endpoint.subjects()
    assert [request for request in setup.upstream_requests() if request["user"] == "carol"] == []
    assert setup.metric("failure") >= 1
    assert "token exchange for upstream 'tickets' failed" in setup.proxy_log.read_text(errors="replace")


async def test_a_failed_exchange_mid_session_gives_an_error_naming_the_upstream(setup: Setup) -> None:
    setup.endpoint.lifetimes["dave"] = 31  # cached for 1 s (expires_in minus the 30 s skew)
    async with client(setup, token("dave", ["support"])) as session:
        with deadline("tickets__whoami"):
            assert text_of(await session.call_tool("tickets__whoami", {})) == "ok"
        before = len([request for request in setup.upstream_requests() if request["user"] == "dave"])
        setup.endpoint.refuse.add("dave")
        await anyio.sleep(1.5)
        with deadline("tickets__whoami"), pytest.raises(MCPError) as failure:
            await session.call_tool("tickets__whoami", {})
        message = str(failure.value)
        assert "tickets" in message and "invalid_grant" in message, message
        assert len([request for request in setup.upstream_requests() if request["user"] == "dave"]) == before, \
            "the upstream is not contacted"
