"""A real MCP Python SDK (2.x) server over Streamable HTTP, used as an upstream behind mcp-proxy.

    python network_python_server.py PORT

Serves one tool, `shout(text) -> text.upper()`, at http://127.0.0.1:PORT/mcp.
"""

from __future__ import annotations

import sys

from mcp.server import MCPServer

server = MCPServer("py-shout", log_level="WARNING")


@server.tool()
def shout(text: str) -> str:
    """Returns the text in upper case."""
    return text.upper()


if __name__ == "__main__":
    server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[1]))
