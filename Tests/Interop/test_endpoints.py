"""Virtual endpoints (proxy.endpoints) over real HTTP with the official Python SDK client: two
endpoints and two principals (API keys with roles) see different catalogs, a renamed tool is
called by its new name and the upstream sees its own, a principal without the endpoint's role
gets 403 before any session exists, a JWT is valid at an endpoint when its aud names the
proxy's resource or that endpoint's own URI, and `mcp-proxy --config C --endpoint PATH` serves
one endpoint over stdio."""
from __future__ import annotations

import http.client
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from mcp import ClientSession, MCPError, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from network_fixtures import NetworkGateway, binary, stop
from proxy_harness import deadline, text_of
from security_fixtures import ISSUER, RESOURCE, JWKSServer, KeyPair, mint

pytestmark = pytest.mark.anyio

SUPPORT_KEY = "support-key-0123456789abcdef0123456789"
DEV_KEY = "dev-key-0123456789abcdef0123456789abcd"
SUPPORT_INSTRUCTIONS = "Tools for the support desk."


def upstreams(call_log: Path) -> dict[str, dict[str, object]]:
    return {
        "count": {"command": sys.executable, "args": [str(Path(__file__).with_name("counting_server.py")), str(call_log)]},
        "alpha": {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")), "args": ["--name", "alpha"]},
    }


PROXY = {
    "auth": {
        "resource": "http://127.0.0.1/mcp",
        "apiKeys": [
            {"name": "desk", "key": SUPPORT_KEY, "roles": ["support"]},
            {"name": "dev", "key": DEV_KEY, "roles": ["dev"]},
        ],
        "stdioPrincipal": {"subject": "local-desk", "roles": ["support"]},
    },
    "endpoints": [
        {
            "path": "/mcp/support",
            "servers": ["count"],
            "tools": {"allow": ["count__*"], "deny": ["count__search_docs"]},
            "rename": {"count__add": "sum"},
            "describe": {"sum": "Adds two numbers for the support desk."},
            "instructions": SUPPORT_INSTRUCTIONS,
            "roles": ["support"],
        },
        {"path": "/mcp/dev", "servers": ["alpha"], "roles": ["dev"]},
    ],
}


@dataclass
class Endpoints:
    gateway: NetworkGateway
    call_log: Path
    config: Path

    def calls(self) -> list[str]:
        return self.call_log.read_text().split() if self.call_log.exists() else []


@pytest.fixture(scope="module")
def endpoints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    directory = tmp_path_factory.mktemp("endpoints")
    call_log = directory / "calls.log"
    gateway = NetworkGateway.start(directory, upstreams(call_log), PROXY)
    try:
        yield Endpoints(gateway, call_log, directory / "serve.json")
    finally:
        stop(gateway.process)


@asynccontextmanager
async def client(endpoints: Endpoints, path: str, key: str) -> AsyncIterator[tuple[ClientSession, object]]:
    transport = streamable_http_client(endpoints.gateway.base + path, http_client=create_mcp_http_client(headers={"X-API-Key": key}))
    async with transport as (read_stream, write_stream):
        async with ClientSession(read_stream, write_stream) as session:
            with deadline(f"initialize at {path}"):
                result = await session.initialize()
            yield session, result


async def tools(session: ClientSession) -> dict[str, str | None]:
    with deadline("tools/list"):
        return {tool.name: tool.description for tool in (await session.list_tools()).tools}


async def test_two_endpoints_and_two_principals_see_different_catalogs(endpoints: Endpoints) -> None:
    async with client(endpoints, "/mcp/support", SUPPORT_KEY) as (support, initialized):
        listed = await tools(support)
        assert set(listed) == {"count__echo", "sum"}, sorted(listed)
        assert listed["sum"] == "Adds two numbers for the support desk."
        assert initialized.instructions == SUPPORT_INSTRUCTIONS
    async with client(endpoints, "/mcp/dev", DEV_KEY) as (dev, initialized):
        listed = await tools(dev)
        assert "alpha__echo" in listed, sorted(listed)
        assert not any(name.startswith("count__") or name == "sum" for name in listed), sorted(listed)
        assert initialized.instructions != SUPPORT_INSTRUCTIONS
    async with client(endpoints, "/mcp", SUPPORT_KEY) as (main, _):
        listed = await tools(main)
        assert {"count__add", "count__search_docs", "alpha__echo"} <= set(listed), "the main path still serves everything"
        assert "sum" not in listed


async def test_renamed_tool_is_called_by_its_new_name_and_the_upstream_sees_its_own(endpoints: Endpoints) -> None:
    async with client(endpoints, "/mcp/support", SUPPORT_KEY) as (support, _):
        before = endpoints.calls()
        with deadline("sum"):
            result = await support.call_tool("sum", {"a": 2, "b": 3})
        assert text_of(result) == "5"
        assert endpoints.calls() == before + ["add"], "the upstream got its own name"
        for hidden in ["count__add", "count__search_docs", "alpha__echo"]:
            with pytest.raises(MCPError) as raised:
                with deadline(f"hidden {hidden}"):
                    await support.call_tool(hidden, {})
            assert raised.value.message.startswith(f"Unknown tool: '{hidden}'"), raised.value.message
        assert endpoints.calls() == before + ["add"], "a hidden tool never reached the upstream"


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}


def post_initialize(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, object] | None, str | None]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", path, body=json.dumps(INITIALIZE).encode(),
                       headers={"Accept": "application/json, text/event-stream", "Content-Type": "application/json"} | headers)
    response = connection.getresponse()
    body = response.read()
    session = response.getheader("Mcp-Session-Id")
    connection.close()
    try:
        parsed = json.loads(body) if body and response.getheader("Content-Type", "").startswith("application/json") else None
    except json.JSONDecodeError:
        parsed = None
    return response.status, parsed, session


@pytest.mark.parametrize(("path", "key"), [("/mcp/support", DEV_KEY), ("/mcp/dev", SUPPORT_KEY)])
def test_principal_without_the_role_gets_403(endpoints: Endpoints, path: str, key: str) -> None:
    status, body, session = post_initialize(endpoints.gateway.port, path, {"X-API-Key": key})
    assert status == 403, (status, body)
    assert session is None, "no session is made"
    assert body is not None and body["error"]["code"] == -32003, body
    assert body["error"]["data"]["reason"] == "endpointRole", body
    status, _, _ = post_initialize(endpoints.gateway.port, path, {})
    assert status == 401, "no credentials: the authentication challenge comes first"
    status, _, session = post_initialize(endpoints.gateway.port, path, {"X-API-Key": SUPPORT_KEY if key == DEV_KEY else DEV_KEY})
    assert status == 200 and session, status


async def test_stdio_front_serves_one_endpoint(endpoints: Endpoints, tmp_path: Path) -> None:
    parameters = StdioServerParameters(command=str(binary("MCP_PROXY_BIN", "mcp-proxy")),
                                       args=["--config", str(endpoints.config), "--endpoint", "/mcp/support"])
    with (tmp_path / "stdio.log").open("w") as errlog:
        async with stdio_client(parameters, errlog=errlog) as (read_stream, write_stream):
            async with ClientSession(read_stream, write_stream) as session:
                with deadline("initialize over stdio", 20):
                    initialized = await session.initialize()
                assert initialized.instructions == SUPPORT_INSTRUCTIONS
                assert set(await tools(session)) == {"count__echo", "sum"}
                with deadline("sum over stdio"):
                    assert text_of(await session.call_tool("sum", {"a": 20, "b": 22})) == "42"


def test_stdio_unknown_endpoint_is_a_clear_error(endpoints: Endpoints) -> None:
    finished = subprocess.run(
        [str(binary("MCP_PROXY_BIN", "mcp-proxy")), "--config", str(endpoints.config), "--endpoint", "/mcp/nowhere"],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    stderr = finished.stderr.decode(errors="replace")
    assert finished.returncode == 2, stderr
    assert "/mcp/nowhere" in stderr and "/mcp/dev, /mcp/support" in stderr, stderr


@pytest.fixture(scope="module")
def jwt_endpoints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NetworkGateway, KeyPair]]:
    directory = tmp_path_factory.mktemp("endpoints-jwt")
    key = KeyPair("RS256", "rsa-1")
    jwks = JWKSServer([key])
    proxy = {
        "auth": {"resource": RESOURCE, "jwt": {"issuer": ISSUER, "jwks": jwks.url, "algorithms": ["RS256"]}},
        "endpoints": [{"path": "/mcp/support", "servers": ["count"]}, {"path": "/mcp/dev", "servers": ["alpha"]}],
    }
    try:
        gateway = NetworkGateway.start(directory, upstreams(directory / "calls.log"), proxy)
    except BaseException:
        jwks.close()
        raise
    try:
        yield gateway, key
    finally:
        stop(gateway.process)
        jwks.close()


@pytest.mark.parametrize(("audience", "path", "status"), [
    (RESOURCE, "/mcp", 200),
    (RESOURCE, "/mcp/support", 200),
    ("https://mcp.test/mcp/support", "/mcp/support", 200),
    ("https://mcp.test/mcp/support", "/mcp", 401),
    ("https://mcp.test/mcp/support", "/mcp/dev", 401),
    ("https://elsewhere.test/mcp", "/mcp/support", 401),
])
def test_token_audience_is_the_resource_or_the_endpoints_own_uri(
    jwt_endpoints: tuple[NetworkGateway, KeyPair], audience: str, path: str, status: int
) -> None:
    gateway, key = jwt_endpoints
    token = mint(key, "tess", ["support"], aud=[audience])
    got, body, _ = post_initialize(gateway.port, path, {"Authorization": f"Bearer {token}"})
    assert got == status, (got, body)
    if status == 401:
        assert body is not None and body["error"]["data"]["reason"] == "wrongAudience", body
