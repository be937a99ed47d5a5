"""Tool search (an endpoint with `discovery: search`) over Streamable HTTP with the official SDK
client, in front of the real mcp-server-git and mcp-server-time: the endpoint lists only
search_tools and call_tool, a search for "commit history" finds git_log first, and call_tool runs
a real tool and returns its result. /mcp keeps listing every tool."""
from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import mcp_types as types
import pytest
from mcp import ClientSession, MCPError
from mcp.client.streamable_http import streamable_http_client
from network_fixtures import START_TIMEOUT, NetworkGateway, stop
from proxy_harness import deadline, text_of

pytestmark = pytest.mark.anyio

SEARCH_PATH = "/mcp/tools"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, git_repo: Path) -> Iterator[NetworkGateway]:
    directory = tmp_path_factory.mktemp("tool-search")
    upstreams = {
        "git": {"command": sys.executable, "args": ["-m", "mcp_server_git", "--repository", str(git_repo)]},
        "time": {"command": sys.executable, "args": ["-m", "mcp_server_time", "--local-timezone", "UTC"]},
    }
    proxy = {"endpoints": [{"path": SEARCH_PATH, "discovery": "search"}]}
    gateway = NetworkGateway.start(directory, upstreams, proxy=proxy)
    try:
        yield gateway
    finally:
        stop(gateway.process)


@asynccontextmanager
async def session_at(gateway: NetworkGateway, path: str) -> AsyncIterator[ClientSession]:
    async with streamable_http_client(gateway.base + path) as (read_stream, write_stream):
        async with ClientSession(
            read_stream, write_stream,
            client_info=types.Implementation(name="mcp-proxy-tool-search-interop", version="1.0.0"),
        ) as session:
            with deadline(f"initialize at {path}", START_TIMEOUT):
                await session.initialize()
            yield session


async def search(session: ClientSession, query: str, limit: int | None = None) -> list[dict]:
    arguments: dict = {"query": query}
    if limit is not None:
        arguments["limit"] = limit
    with deadline(f"search_tools {query!r}"):
        result = await session.call_tool("search_tools", arguments)
    assert not result.is_error, result
    assert result.structured_content is not None, result
    assert json.loads(text_of(result)) == result.structured_content, "text content and structuredContent differ"
    return result.structured_content["tools"]


async def test_search_endpoint_lists_exactly_two_tools(gateway: NetworkGateway) -> None:
    async with session_at(gateway, SEARCH_PATH) as session:
        with deadline("list_tools at the search endpoint"):
            listed = await session.list_tools()
        assert [tool.name for tool in listed.tools] == ["search_tools", "call_tool"]
        search_tool, call_tool = listed.tools
        assert search_tool.input_schema["required"] == ["query"]
        assert search_tool.input_schema["properties"]["limit"]["type"] == "integer"
        assert call_tool.input_schema["required"] == ["name"]
        assert call_tool.input_schema["properties"]["arguments"]["type"] == "object"
    async with session_at(gateway, "/mcp") as session:
        with deadline("list_tools at /mcp"):
            names = {tool.name for tool in (await session.list_tools()).tools}
        assert {"git__git_log", "time__get_current_time"} <= names and "search_tools" not in names, sorted(names)


async def test_commit_history_finds_git_log_first(gateway: NetworkGateway) -> None:
    async with session_at(gateway, SEARCH_PATH) as session:
        await session.list_tools()  # the SDK then checks structuredContent against search_tools' outputSchema
        found = await search(session, "commit history")
        assert found, "no tool found for 'commit history'"
        assert found[0]["name"] == "git__git_log", [tool["name"] for tool in found]
        assert found[0]["description"] == "Shows the commit logs"
        assert "repo_path" in found[0]["inputSchema"]["properties"]
        assert len(await search(session, "git", limit=3)) == 3
        current = await search(session, "current time in a timezone", limit=1)
        assert [tool["name"] for tool in current] == ["time__get_current_time"]


async def test_call_tool_runs_a_real_tool(gateway: NetworkGateway, git_repo: Path) -> None:
    async with session_at(gateway, SEARCH_PATH) as session:
        [tool] = await search(session, "current time", limit=1)
        with deadline("call_tool get_current_time"):
            result = await session.call_tool("call_tool", {"name": tool["name"], "arguments": {"timezone": "UTC"}})
        assert not result.is_error, result
        answer = json.loads(text_of(result))
        assert answer["timezone"] == "UTC" and "datetime" in answer, answer

        [log] = await search(session, "commit history", limit=1)
        with deadline("call_tool git_log"):
            history = await session.call_tool("call_tool", {"name": log["name"], "arguments": {"repo_path": str(git_repo)}})
        assert "initial commit for interop tests" in text_of(history), text_of(history)


async def test_unknown_tool_is_the_error_of_a_direct_call(gateway: NetworkGateway) -> None:
    async with session_at(gateway, SEARCH_PATH) as session:
        with pytest.raises(MCPError) as wrapped:
            with deadline("call_tool of an unknown tool"):
                await session.call_tool("call_tool", {"name": "no_such_tool", "arguments": {}})
        with pytest.raises(MCPError) as direct:
            with deadline("direct call of an unknown tool"):
                await session.call_tool("no_such_tool", {})
        assert wrapped.value.error.code == direct.value.error.code == -32602
        assert wrapped.value.error.message == direct.value.error.message
        assert "no_such_tool" in wrapped.value.error.message

