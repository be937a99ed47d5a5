"""A stdio MCP server (official Python SDK) that writes every tool call it receives to a file.

    python counting_server.py CALL_LOG

The security tests read CALL_LOG to prove that a request the proxy refused never reached an
upstream. Tools: `echo(text)`, `add(a, b)`, `search_docs(query)`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mcp.server import MCPServer

LOG = Path(sys.argv[1])
server = MCPServer("counting", log_level="WARNING")


def record(name: str) -> None:
    with LOG.open("a") as out:
        out.write(name + "\n")


@server.tool()
def echo(text: str) -> str:
    """Returns the text unchanged."""
    record("echo")
    return text


@server.tool()
def add(a: int, b: int) -> int:
    """Adds two integers."""
    record("add")
    return a + b


@server.tool()
def search_docs(query: str) -> str:
    """Pretends to search documentation."""
    record("search_docs")
    return f"results for {query}"


if __name__ == "__main__":
    LOG.touch()
    server.run("stdio")
