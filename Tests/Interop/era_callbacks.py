"""Client callbacks for the era bridge tests: each answers like a user or model would and records
what it was asked in `asked` (clear it before a test)."""

from __future__ import annotations

import mcp_types as types

asked: list[str] = []


async def on_elicit(context, params) -> types.ElicitResult:
    asked.append("elicitation")
    return types.ElicitResult(action="accept", content={"name": "Ada"})


async def on_sample(context, params) -> types.CreateMessageResult:
    asked.append("sampling")
    return types.CreateMessageResult(role="assistant", content=types.TextContent(type="text", text="bridged"), model="test")


async def on_roots(context) -> types.ListRootsResult:
    asked.append("roots")
    return types.ListRootsResult(roots=[types.Root(uri="file:///project", name="project")])
