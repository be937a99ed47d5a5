"""Upstream MCP servers on the official Python SDK (mcp 2.3.0) for the protocol-era tests (issue #11).

usage: era_servers.py {stdio|http} {dual|modern} [--port N] [--events FILE]

  stdio dual    MCPServer.run("stdio"): the SDK's dual-era loop; the first request decides the
                era of the connection (initialize -> handshake era, an enveloped request -> 2026-07-28)
  stdio modern  2026-07-28 only: initialize is answered with -32022 {"supported":["2026-07-28"],...}
  http  dual    MCPServer.run("streamable-http") at http://127.0.0.1:N/mcp: routed by the
                MCP-Protocol-Version header (a 2026-07-28 header -> stateless entry, else sessions)
  http  modern  2026-07-28 only at http://127.0.0.1:N/mcp: GET/DELETE -> 405, initialize -> 400 -32602

--port    the HTTP port (default 8765); the server prints nothing, so wait for the port to accept
--events  a file where the tool `slow` appends "start", "cancelled <exception>" or "finished"
          (default: none), so a test can see that a closed stream cancelled the call

Tools: echo(text); greet (MRTR elicitation of a name at 2026-07-28, an elicitation/create request
in the handshake era; -32021 when the client declared no form elicitation); where(region, query)
(`region` carries x-mcp-header "Region", so HTTP clients send Mcp-Param-Region); slow(seconds)
(progress every 0.5 s); touch (sends notifications/tools/list_changed, which reaches listens).
Resource demo://readme ("read me"); prompt hello(topic).

The SDK 2.3.0 has no public switch for a modern-only server (MCPServer and Server are always
dual-era), so the two modern flavours call PRIVATE entry points, which a later SDK may rename:
  - mcp.server.runner._serve_modern_stream: the per-connection loop that serve_dual_era_loop picks
    after an enveloped first request; called directly it serves every request statelessly and
    answers initialize with -32022 (stdio modern);
  - mcp.server._streamable_http_modern.handle_modern_request: the SDK's 2026-07-28 single-exchange
    HTTP entry that StreamableHTTPSessionManager calls for a modern MCP-Protocol-Version header;
    mounted for every request it makes an endpoint with no sessions at all (http modern).
If either import fails, the SDK changed: look for the new name of the modern-only path there.
"""

from __future__ import annotations

import argparse
import time
from typing import Annotated

import anyio
from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult, MCPServer, Resolve
from pydantic import BaseModel, Field

parser = argparse.ArgumentParser(description="SDK test upstreams for protocol eras")
parser.add_argument("transport", choices=["stdio", "http"])
parser.add_argument("era", choices=["dual", "modern"])
parser.add_argument("--port", type=int, default=8765)
parser.add_argument("--events", default=None)
options = parser.parse_args()

mcp = MCPServer("era-demo", version="1.0.0", instructions="Era test server (issue #11).")


def record(line: str) -> None:
    if options.events:
        with open(options.events, "a") as events:
            events.write(line + "\n")


@mcp.tool()
def echo(text: str) -> str:
    """Echo text back."""
    return text


class Name(BaseModel):
    name: str


def ask_name() -> Elicit[Name]:
    return Elicit("What is your name?", Name)


@mcp.tool()
def greet(who: Annotated[ElicitationResult[Name], Resolve(ask_name)]) -> str:
    """Greets after eliciting a name (MRTR at 2026-07-28, an elicitation/create request before)."""
    if isinstance(who, AcceptedElicitation):
        return f"Hello, {who.data.name}!"
    return f"no name ({who.action})"


@mcp.tool()
def where(region: Annotated[str, Field(json_schema_extra={"x-mcp-header": "Region"})], query: str = "") -> str:
    """x-mcp-header demo: HTTP clients mirror `region` into Mcp-Param-Region."""
    return f"{region}:{query}"


@mcp.tool()
async def slow(ctx: Context, seconds: float = 5.0) -> str:
    """Reports progress every 0.5 s; records start/cancelled/finished in --events."""
    record(f"start {time.time():.2f}")
    try:
        steps = max(int(seconds / 0.5), 1)
        for step in range(steps):
            await ctx.report_progress(step + 1, steps, "tick")
            await anyio.sleep(0.5)
    except BaseException as error:
        record(f"cancelled {type(error).__name__} {time.time():.2f}")
        raise
    record("finished")
    return "done"


@mcp.tool()
async def touch(ctx: Context) -> str:
    """Sends notifications/tools/list_changed (a listen stream sees it)."""
    await ctx.notify_tools_changed()
    return "ok"


@mcp.resource("demo://readme")
def readme() -> str:
    return "read me"


@mcp.prompt()
def hello(topic: str) -> str:
    return f"Say hello about {topic}"


def serve_stdio_modern() -> None:
    from mcp.server.runner import _serve_modern_stream  # PRIVATE (see the module docstring)
    from mcp.server.stdio import stdio_server

    async def main() -> None:
        low = mcp._lowlevel_server
        async with low.lifespan(low) as state, stdio_server() as (read, write):
            await _serve_modern_stream(low, read, write, lifespan_state=state, raise_exceptions=False)

    anyio.run(main)


def serve_http_modern(port: int) -> None:
    import contextlib

    import uvicorn
    from mcp.server._streamable_http_modern import handle_modern_request  # PRIVATE (see the module docstring)
    from starlette.applications import Starlette
    from starlette.routing import Route

    low = mcp._lowlevel_server
    holder: dict[str, object] = {}

    class Endpoint:
        async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
            # (server, security settings: None = no Origin/Host checks, JSON responses: False, lifespan state, ASGI)
            await handle_modern_request(low, None, False, holder["state"], scope, receive, send)

    @contextlib.asynccontextmanager
    async def lifespan(app):  # type: ignore[no-untyped-def]
        async with low.lifespan(low) as state:
            holder["state"] = state
            yield

    app = Starlette(routes=[Route("/mcp", Endpoint(), methods=["GET", "POST", "DELETE"])], lifespan=lifespan)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    if options.transport == "stdio" and options.era == "dual":
        mcp.run("stdio")
    elif options.transport == "stdio":
        serve_stdio_modern()
    elif options.era == "dual":
        mcp.run("streamable-http", host="127.0.0.1", port=options.port)
    else:
        serve_http_modern(options.port)
