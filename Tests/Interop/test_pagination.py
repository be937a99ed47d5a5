"""Paged upstream lists: with alpha serving two items a page, the client still sees every item once.

Whether the proxy gathers alpha's pages itself or pages the client with its own cursors, walking
`nextCursor` to the end must yield the full, duplicate-free list.
"""

import mcp_types as types
import pytest
from proxy_harness import ProxyConnection, deadline, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.alpha_args("--page-size", "2")]

ALPHA_TOOLS = {"echo", "add", "progress", "slow", "sample", "elicit", "roots", "fail", "crash", "bump", "log"}


async def all_tool_names(proxy: ProxyConnection) -> list[str]:
    names: list[str] = []
    cursor: str | None = None
    for _ in range(100):
        params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
        page = await proxy.session.list_tools(params=params)
        names += [tool.name for tool in page.tools]
        cursor = page.next_cursor
        if cursor is None:
            return names
    raise AssertionError(f"tools/list still had a nextCursor after 100 pages; so far: {names}")


async def test_paged_tools_list_is_complete(proxy: ProxyConnection) -> None:
    with deadline("walking tools/list"):
        names = await all_tool_names(proxy)
    assert len(names) == len(set(names)), f"duplicates: {sorted(names)}"
    missing = {f"alpha__{tool}" for tool in ALPHA_TOOLS} - set(names)
    assert not missing, f"missing {sorted(missing)} from {sorted(names)}"
    assert "time__get_current_time" in names and "git__git_status" in names


async def test_paged_call_still_routes(proxy: ProxyConnection) -> None:
    with deadline("walking tools/list, then alpha__add"):
        await all_tool_names(proxy)
        result = await proxy.session.call_tool("alpha__add", {"a": 1, "b": 2})
    assert not result.is_error
    assert text_of(result) == "3"
