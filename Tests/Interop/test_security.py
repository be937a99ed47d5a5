"""mcp-proxy serve with authentication, authorization and rate limits, over real HTTP.

Tokens are minted in the test (PyJWT) with keys made in the test and served as a JWKS from
127.0.0.1; the official Python SDK client sends them in the Authorization header. The upstream
(counting_server.py) writes every tool call it receives to a file, so a refused request is
proven never to have reached it.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, MCPError
import mcp_types as types
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from network_fixtures import NetworkGateway, stop
from proxy_harness import deadline, text_of
from security_fixtures import ISSUER, RESOURCE, JWKSServer, KeyPair, claims, confused, mint, tampered, unsigned

pytestmark = pytest.mark.anyio

API_KEY = "ci-bot-0123456789abcdef0123456789abcdef"
METADATA_URL = "https://mcp.test/.well-known/oauth-protected-resource/mcp"
FRONTS = ["streamable-http", "sse", "websocket"]


@dataclass
class SecureGateway:
    gateway: NetworkGateway
    jwks: JWKSServer
    rsa: KeyPair
    ec: KeyPair
    stranger: KeyPair
    call_log: Path

    def calls(self) -> list[str]:
        """Tool calls the upstream received (no file yet: no upstream was started, so none)."""
        return self.call_log.read_text().split() if self.call_log.exists() else []

    def token(self, subject: str, roles: list[str], key: KeyPair | None = None, **overrides: object) -> str:
        return mint(key or self.rsa, subject, roles, **overrides)


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureGateway]:
    directory = tmp_path_factory.mktemp("secure-gateway")
    rsa_key, ec_key, stranger = KeyPair("RS256", "rsa-1"), KeyPair("ES256", "ec-1"), KeyPair("RS256", "rsa-unknown")
    jwks = JWKSServer([rsa_key, ec_key])
    call_log = directory / "calls.log"
    upstreams = {"count": {"command": sys.executable, "args": [str(Path(__file__).with_name("counting_server.py")), str(call_log)]}}
    proxy = {
        "auth": {
            "resource": RESOURCE,
            "authorizationServers": [ISSUER],
            "scopesSupported": ["mcp.tools"],
            "jwt": {"issuer": ISSUER, "jwks": jwks.url, "algorithms": ["RS256", "ES256"], "clockSkewSeconds": 5},
            "apiKeys": [{"name": "ci-bot", "key": API_KEY, "roles": ["ci"]}],
            # The attack set fails ~40 times from 127.0.0.1; the default limit (burst 100, a
            # failure costs 5) would answer 429 to later cases. test_failed_authentications...
            # below checks the limit itself.
            "preAuthLimit": {"rate": 1000, "burst": 100000},
        },
        "authorization": {
            "default": "deny",
            "rules": [
                {"roles": ["admin"], "methods": {"allow": ["*"]}},
                {"roles": ["reader"], "tools": {"allow": ["count__echo", "count__search_docs"]}},
                {"roles": ["ci"], "tools": {"allow": ["count__add"]}},
                {"roles": ["auditor"], "tools": {"allow": ["count__echo"]}, "requireScopes": ["mcp.audit"]},
            ],
        },
        "rateLimits": [{"per": "principal+tool", "tools": ["*__search_docs"], "rate": 0.01, "burst": 5}],
    }
    try:
        gateway = NetworkGateway.start(directory, upstreams, proxy)
    except BaseException:
        jwks.close()
        raise
    try:
        yield SecureGateway(gateway, jwks, rsa_key, ec_key, stranger, call_log)
    finally:
        stop(gateway.process)
        jwks.close()


# MARK: raw HTTP helpers

INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}
CALL_ECHO = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "count__echo", "arguments": {"text": "x"}}}


def request(port: int, method: str, path: str, headers: dict[str, str], body: object | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    payload = json.dumps(body).encode() if body is not None else None
    all_headers = {"Accept": "application/json, text/event-stream"} | headers
    if payload is not None:
        all_headers["Content-Type"] = "application/json"
    connection.request(method, path, body=payload, headers=all_headers)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def front_request(port: int, front: str, headers: dict[str, str], query: str = "") -> http.client.HTTPResponse:
    """The request that opens (or carries) a session on each front, with `headers`."""
    if front == "streamable-http":
        return request(port, "POST", "/mcp" + query, headers, CALL_ECHO)
    if front == "sse":
        return request(port, "GET", "/sse" + query, headers | {"Accept": "text/event-stream"})
    key = base64.b64encode(os.urandom(16)).decode()
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": key, "Sec-WebSocket-Protocol": "mcp"}
    return websocket_status(port, "/ws" + query, upgrade | headers)


def websocket_status(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    """Sends an upgrade request and reads only the status line and headers (a 101 keeps the socket)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    if response.status != 101:
        response.read()
    connection.close()
    return response


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# MARK: metadata and challenges

@pytest.mark.parametrize("path", ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"])
def test_protected_resource_metadata(secure: SecureGateway, path: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", secure.gateway.port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    document = json.loads(response.read())
    assert response.status == 200, document
    assert document["resource"] == RESOURCE
    assert document["authorization_servers"] == [ISSUER]
    assert document["scopes_supported"] == ["mcp.tools"]
    assert document["bearer_methods_supported"] == ["header"]


@pytest.mark.parametrize("front", FRONTS)
def test_missing_token_gets_401_with_metadata_pointer(secure: SecureGateway, front: str) -> None:
    response = front_request(secure.gateway.port, front, {})
    assert response.status == 401
    challenge = response.getheader("WWW-Authenticate") or ""
    assert challenge.startswith("Bearer "), challenge
    assert f'resource_metadata="{METADATA_URL}"' in challenge
    assert "error=" not in challenge, "no token was presented, so no error code (RFC 6750 3.1)"
    if front != "websocket":
        error = json.loads(response.body)["error"]  # type: ignore[attr-defined]
        assert error["code"] == -32004 and error["data"]["reason"] == "missing", error


# MARK: the attack set

def attack_tokens(secure: SecureGateway) -> dict[str, tuple[dict[str, str], str]]:
    """Each case: the headers to send and the query string."""
    good = secure.token("mallory", ["reader"])
    return {
        "alg none": (bearer(unsigned(claims("mallory", ["admin"]), secure.rsa.kid)), ""),
        "HS256 with the RSA public key": (bearer(confused(secure.rsa, "mallory")), ""),
        "expired": (bearer(secure.token("mallory", ["reader"], exp=1_000_000_000, iat=999_999_000, nbf=999_999_000)), ""),
        "not yet valid": (bearer(secure.token("mallory", ["reader"], nbf=4_000_000_000)), ""),
        "wrong audience": (bearer(secure.token("mallory", ["reader"], aud=["https://other.test/mcp"])), ""),
        "wrong issuer": (bearer(secure.token("mallory", ["reader"], iss="https://evil.test")), ""),
        "unknown kid": (bearer(mint(secure.stranger, "mallory", ["reader"])), ""),
        "tampered payload": (bearer(tampered(good)), ""),
        "malformed": (bearer("not.a.jwt"), ""),
        "oversized": (bearer(secure.token("mallory", ["reader"], padding="x" * 9000)), ""),
        "token only in the query": ({}, "?access_token=" + good),
        "unknown API key": ({"X-API-Key": "nope-" + API_KEY}, ""),
    }


ATTACKS = [
    "alg none", "HS256 with the RSA public key", "expired", "not yet valid", "wrong audience", "wrong issuer",
    "unknown kid", "tampered payload", "malformed", "oversized", "token only in the query", "unknown API key",
]


@pytest.mark.parametrize("front", FRONTS)
@pytest.mark.parametrize("case", ATTACKS)
def test_attack_is_rejected_before_any_upstream(secure: SecureGateway, case: str, front: str) -> None:
    headers, query = attack_tokens(secure)[case]
    before = secure.calls()
    response = front_request(secure.gateway.port, front, headers, query)
    assert response.status == 401, f"{case} over {front}: HTTP {response.status}"
    challenge = response.getheader("WWW-Authenticate") or ""
    assert f'resource_metadata="{METADATA_URL}"' in challenge
    if headers:
        assert 'error="invalid_token"' in challenge, challenge
        assert "error_description=" in challenge, challenge
    assert secure.calls() == before, f"{case}: the upstream was contacted"


def test_another_principals_session_id_gets_404(secure: SecureGateway) -> None:
    port = secure.gateway.port
    alice = bearer(secure.token("alice", ["reader"]))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/mcp", body=json.dumps(INITIALIZE).encode(),
                       headers=alice | {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
    response = connection.getresponse()
    response.read()
    assert response.status == 200
    session = response.getheader("Mcp-Session-Id")
    assert session
    connection.close()
    bob = bearer(secure.token("bob", ["admin"]))
    listing = {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}
    stolen = request(port, "POST", "/mcp", bob | {"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"}, listing)
    assert stolen.status == 404, "another principal must not reach the session"
    stream = request(port, "GET", "/mcp", bob | {"Mcp-Session-Id": session, "Accept": "text/event-stream"})
    assert stream.status == 404
    own = request(port, "POST", "/mcp", alice | {"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"},
                  {"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert own.status == 202, "the owner keeps its session"


def open_session(port: int, headers: dict[str, str]) -> str:
    response = request(port, "POST", "/mcp", headers, INITIALIZE)
    assert response.status == 200, response.body  # type: ignore[attr-defined]
    session = response.getheader("Mcp-Session-Id")
    assert session
    request(port, "POST", "/mcp", headers | {"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"},
            {"jsonrpc": "2.0", "method": "notifications/initialized"})
    return session


def test_missing_scope_gets_403_insufficient_scope(secure: SecureGateway) -> None:
    port = secure.gateway.port
    narrow = bearer(secure.token("audrey", ["auditor"]))  # scope "mcp.tools" only
    session = open_session(port, narrow)
    before = secure.calls()
    response = request(port, "POST", "/mcp", narrow | {"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"}, CALL_ECHO)
    assert response.status == 403
    challenge = response.getheader("WWW-Authenticate") or ""
    assert 'error="insufficient_scope"' in challenge and 'scope="mcp.audit"' in challenge, challenge
    assert f'resource_metadata="{METADATA_URL}"' in challenge, challenge
    error = json.loads(response.body)["error"]  # type: ignore[attr-defined]
    assert error["code"] == -32003 and error["data"] == {"reason": "insufficientScope", "scope": "mcp.audit"}, error
    assert secure.calls() == before, "a call without the scope reached the upstream"

    wide = bearer(secure.token("audrey", ["auditor"], scope="mcp.tools mcp.audit"))
    session = open_session(port, wide)
    allowed = request(port, "POST", "/mcp", wide | {"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"}, CALL_ECHO)
    assert allowed.status == 200, allowed.body  # type: ignore[attr-defined]
    assert secure.calls() == before + ["echo"]


# MARK: authorized clients through the official SDK

@asynccontextmanager
async def sdk_client(secure: SecureGateway, headers: dict[str, str], front: str = "streamable-http") -> AsyncIterator[ClientSession]:
    base = secure.gateway.base
    if front == "streamable-http":
        transport = streamable_http_client(base + "/mcp", http_client=create_mcp_http_client(headers=headers))
    else:
        transport = sse_client(base + "/sse", headers=headers, timeout=10.0, sse_read_timeout=60.0)
    async with transport as (read_stream, write_stream):
        async with ClientSession(read_stream, write_stream) as session:
            with deadline("initialize"):
                await session.initialize()
            yield session


async def tool_names(session: ClientSession) -> set[str]:
    with deadline("tools/list"):
        return {tool.name for tool in (await session.list_tools()).tools}


@pytest.mark.parametrize("front", ["streamable-http", "sse"])
async def test_principals_see_what_they_may_call(secure: SecureGateway, front: str) -> None:
    async with sdk_client(secure, bearer(secure.token("rita", ["reader"])), front) as reader:
        assert await tool_names(reader) == {"count__echo", "count__search_docs"}
        with deadline("echo"):
            assert text_of(await reader.call_tool("count__echo", {"text": "hi"})) == "hi"
        before = secure.calls()
        with pytest.raises(MCPError) as raised:
            with deadline("denied add"):
                await reader.call_tool("count__add", {"a": 1, "b": 2})
        assert raised.value.code == -32003, raised.value.error
        assert "denied" in raised.value.message.lower() or "not allowed" in raised.value.message.lower(), raised.value.message
        assert secure.calls() == before, "a denied call reached the upstream"
    async with sdk_client(secure, bearer(secure.token("ada", ["admin"], key=secure.ec)), front) as admin:
        assert await tool_names(admin) == {"count__echo", "count__add", "count__search_docs"}
        with deadline("admin add"):
            result = await admin.call_tool("count__add", {"a": 2, "b": 3})
        assert text_of(result) == "5"


@pytest.mark.parametrize("header", ["X-API-Key", "Authorization"])
async def test_api_key(secure: SecureGateway, header: str) -> None:
    headers = {"X-API-Key": API_KEY} if header == "X-API-Key" else bearer(API_KEY)
    async with sdk_client(secure, headers) as bot:
        assert await tool_names(bot) == {"count__add"}
        with deadline("add"):
            assert text_of(await bot.call_tool("count__add", {"a": 20, "b": 22})) == "42"


def test_websocket_upgrade_with_a_valid_token(secure: SecureGateway) -> None:
    response = front_request(secure.gateway.port, "websocket", bearer(secure.token("wes", ["reader"])))
    assert response.status == 101


async def test_rate_limit_cuts_at_the_burst_and_spares_others(secure: SecureGateway) -> None:
    async def burst(session: ClientSession, outcomes: list[object]) -> None:
        for index in range(8):
            try:
                with deadline("search"):
                    outcomes.append(text_of(await session.call_tool("count__search_docs", {"query": str(index)})))
            except MCPError as error:
                outcomes.append(error)

    async with sdk_client(secure, bearer(secure.token("lim", ["reader"]))) as first, \
            sdk_client(secure, bearer(secure.token("other", ["reader"]))) as second:
        before = secure.calls().count("search_docs")
        first_outcomes: list[object] = []
        second_outcomes: list[object] = []
        async with anyio.create_task_group() as group:
            group.start_soon(burst, first, first_outcomes)
            group.start_soon(burst, second, second_outcomes)
        for outcomes in (first_outcomes, second_outcomes):
            successes = [item for item in outcomes if isinstance(item, str)]
            errors = [item for item in outcomes if isinstance(item, MCPError)]
            assert len(successes) == 5, outcomes
            assert len(errors) == 3, outcomes
            for error in errors:
                assert error.code == -32029, error.error
                assert isinstance(error.data, dict) and error.data.get("retryAfterMs", 0) > 0, error.error
        assert secure.calls().count("search_docs") - before == 10, "limited calls must not reach the upstream"
        with deadline("echo after the limit"):
            assert text_of(await first.call_tool("count__echo", {"text": "still here"})) == "still here"


# MARK: the limit before authentication

@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureGateway]:
    directory = tmp_path_factory.mktemp("strict-gateway")
    rsa_key = KeyPair("RS256", "rsa-strict")
    jwks = JWKSServer([rsa_key])
    call_log = directory / "calls.log"
    upstreams = {"count": {"command": sys.executable, "args": [str(Path(__file__).with_name("counting_server.py")), str(call_log)]}}
    proxy = {"auth": {"resource": RESOURCE, "jwt": {"issuer": ISSUER, "jwks": jwks.url}, "preAuthLimit": {"rate": 0.05, "burst": 5}}}
    gateway = NetworkGateway.start(directory, upstreams, proxy)
    try:
        yield SecureGateway(gateway, jwks, rsa_key, rsa_key, rsa_key, call_log)
    finally:
        stop(gateway.process)
        jwks.close()


def test_failed_authentications_per_address_get_429(strict: SecureGateway) -> None:
    """burst 5: a request takes 1 token and a failure 4 more, so one failure empties the bucket."""
    port = strict.gateway.port
    good = strict.token("late", [])
    first = request(port, "POST", "/mcp", bearer("bad.token.here"), INITIALIZE)
    assert first.status == 401
    blocked = request(port, "POST", "/mcp", bearer(good), INITIALIZE)
    assert blocked.status == 429, "a new token from an address over its limit is not even verified"
    retry_after = blocked.getheader("Retry-After")
    assert retry_after is not None and int(retry_after) >= 1


# MARK: the stdio front's configured principal

async def test_stdio_front_serves_the_configured_local_principal(tmp_path: Path) -> None:
    from mcp import StdioServerParameters, stdio_client
    from network_fixtures import binary

    call_log = tmp_path / "calls.log"
    config = tmp_path / "stdio.json"
    config.write_text(json.dumps({
        "mcpServers": {"count": {"command": sys.executable, "args": [str(Path(__file__).with_name("counting_server.py")), str(call_log)]}},
        "proxy": {
            "auth": {"stdioPrincipal": {"subject": "local", "roles": ["reader"]}},
            "authorization": {"default": "deny", "rules": [{"roles": ["reader"], "tools": {"allow": ["count__echo"]}}]},
        },
    }))
    parameters = StdioServerParameters(command=str(binary("MCP_PROXY_BIN", "mcp-proxy")), args=["--config", str(config)])
    async with stdio_client(parameters) as (read_stream, write_stream):
        async with ClientSession(read_stream, write_stream) as session:
            with deadline("initialize"):
                await session.initialize()
            assert await tool_names(session) == {"count__echo"}
            with deadline("echo"):
                assert text_of(await session.call_tool("count__echo", {"text": "local"})) == "local"
            with pytest.raises(MCPError) as raised:
                with deadline("denied add"):
                    await session.call_tool("count__add", {"a": 1, "b": 2})
            assert raised.value.code == -32003, raised.value.error
    calls = call_log.read_text().split() if call_log.exists() else []
    assert calls == ["echo"], calls
