"""tools/call reaches the right upstream under its original name, and the answer comes back intact."""

import json

import anyio
import pytest
from proxy_harness import ProxyConnection, deadline, text_of

pytestmark = pytest.mark.anyio


@pytest.fixture
def proxy(shared_proxy: ProxyConnection) -> ProxyConnection:
    """Read-only tests: the whole module shares one proxy process."""
    return shared_proxy


async def test_alpha_echo(proxy: ProxyConnection) -> None:
    with deadline('call_tool("alpha__echo")'):
        result = await proxy.session.call_tool("alpha__echo", {"text": "hello through the proxy ✓"})
    assert not result.is_error
    assert text_of(result) == "hello through the proxy ✓"


async def test_alpha_add(proxy: ProxyConnection) -> None:
    with deadline('call_tool("alpha__add")'):
        result = await proxy.session.call_tool("alpha__add", {"a": 2, "b": 3})
    assert not result.is_error
    assert text_of(result) == "5"


async def test_alpha_fail_is_a_tool_error_not_a_protocol_error(proxy: ProxyConnection) -> None:
    with deadline('call_tool("alpha__fail")'):
        result = await proxy.session.call_tool("alpha__fail", {})
    assert result.is_error
    assert text_of(result) == "failed on purpose"


async def test_time_get_current_time(proxy: ProxyConnection) -> None:
    with deadline('call_tool("time__get_current_time")'):
        result = await proxy.session.call_tool("time__get_current_time", {"timezone": "UTC"})
    assert not result.is_error, text_of(result)
    payload = json.loads(text_of(result))
    assert payload["timezone"] == "UTC"
    assert payload["datetime"].endswith("+00:00")
    # mcp-server-time also answers with structured content matching its outputSchema.
    assert result.structured_content is not None
    assert result.structured_content["timezone"] == "UTC"


async def test_time_convert_time(proxy: ProxyConnection) -> None:
    with deadline('call_tool("time__convert_time")'):
        result = await proxy.session.call_tool(
            "time__convert_time", {"source_timezone": "UTC", "time": "12:00", "target_timezone": "Asia/Tokyo"}
        )
    assert not result.is_error, text_of(result)
    payload = json.loads(text_of(result))
    assert payload["target"]["datetime"].startswith(payload["source"]["datetime"][:10])
    assert "T21:00:00+09:00" in payload["target"]["datetime"]
    assert payload["time_difference"] == "+9.0h"


async def test_git_status(proxy: ProxyConnection, git_repo) -> None:
    with deadline('call_tool("git__git_status")'):
        result = await proxy.session.call_tool("git__git_status", {"repo_path": str(git_repo)})
    assert not result.is_error, text_of(result)
    text = text_of(result)
    assert text.startswith("Repository status:")
    assert "nothing to commit" in text


async def test_git_log(proxy: ProxyConnection, git_repo) -> None:
    with deadline('call_tool("git__git_log")'):
        result = await proxy.session.call_tool("git__git_log", {"repo_path": str(git_repo), "max_count": 5})
    assert not result.is_error, text_of(result)
    text = text_of(result)
    assert text.startswith("Commit history:")
    assert "initial commit for interop tests" in text


async def test_large_result_passes_intact(proxy: ProxyConnection) -> None:
    size = 1_000_000
    with deadline('call_tool("alpha__big")'):
        result = await proxy.session.call_tool("alpha__big", {"bytes": size})
    assert not result.is_error
    text = text_of(result)
    assert len(text) == size and set(text) == {"x"}


async def test_concurrent_calls_to_different_upstreams(proxy: ProxyConnection) -> None:
    """Requests in flight at once get their own answers back (ids are remapped per upstream)."""
    results: dict[str, str] = {}

    async def call(key: str, tool: str, arguments: dict) -> None:
        results[key] = text_of(await proxy.session.call_tool(tool, arguments))

    with deadline("the concurrent calls"):
        async with anyio.create_task_group() as group:
            for i in range(10):
                group.start_soon(call, f"echo{i}", "alpha__echo", {"text": f"message {i}"})
                group.start_soon(call, f"add{i}", "alpha__add", {"a": i, "b": 100})
            group.start_soon(call, "time", "time__get_current_time", {"timezone": "UTC"})
    for i in range(10):
        assert results[f"echo{i}"] == f"message {i}"
        assert results[f"add{i}"] == str(i + 100)
    assert json.loads(results["time"])["timezone"] == "UTC"
