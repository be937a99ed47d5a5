"""A real MCP Python SDK (2.x) Streamable HTTP server that wants an exchanged token.

    python token_exchange_upstream.py PORT LOG

Every HTTP request it receives is appended to LOG as one JSON line: its method, the
`Authorization`, `X-User`, `X-Roles`, `X-Team` and `Mcp-Session-Id` headers and the JSON-RPC method of
a POST. A request whose `Authorization` is not `Bearer minted-...` (a token the test's token
endpoint minted) is refused with 401, the way a resource server refuses a token not meant for it.
Serves one tool, `whoami() -> "ok"`, at http://127.0.0.1:PORT/mcp.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

import uvicorn
from mcp.server import MCPServer

server = MCPServer("tickets", log_level="WARNING")
LOCK = threading.Lock()


@server.tool()
def whoami() -> str:
    """Answers ok."""
    return "ok"


def recording(app: Any, log_path: str) -> Any:
    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        headers = {name.decode().lower(): value.decode() for name, value in scope["headers"]}
        chunks: list[dict[str, Any]] = []
        body = b""
        if scope["method"] == "POST":
            while True:
                message = await receive()
                chunks.append(message)
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
        rpc = None
        try:
            parsed = json.loads(body) if body else None
            rpc = parsed.get("method") if isinstance(parsed, dict) else None
        except ValueError:
            pass
        record = {
            "method": scope["method"], "rpc": rpc, "authorization": headers.get("authorization"),
            "user": headers.get("x-user"), "roles": headers.get("x-roles"), "team": headers.get("x-team"),
            "session": headers.get("mcp-session-id"),
        }
        with LOCK, open(log_path, "a") as log:
            log.write(json.dumps(record) + "\n")
        if not (headers.get("authorization") or "").startswith("Bearer minted-"):
            await send({"type": "http.response.start", "status": 401,
                        "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")]})
            await send({"type": "http.response.body", "body": b'{"error":"invalid_token"}'})
            return

        async def replay() -> dict[str, Any]:
            return chunks.pop(0) if chunks else await receive()

        await app(scope, replay if scope["method"] == "POST" else receive, send)

    return wrapped


if __name__ == "__main__":
    port, log_path = int(sys.argv[1]), sys.argv[2]
    app = server.streamable_http_app()
    uvicorn.run(recording(app, log_path), host="127.0.0.1", port=port, log_level="warning")
