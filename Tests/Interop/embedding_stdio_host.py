"""A Python program that runs the proxy in-process on its own stdin/stdout (front="stdio").

    python embedding_stdio_host.py CONFIG_FILE

test_embedding.py has the MCP SDK's stdio client launch this; the client then talks MCP to the
proxy inside this process. A policy refuses `alpha__add`, naming the principal (the stdio
principal, `local` by default), so the test sees a policy work on the stdio front too. Nothing
may be printed to stdout: it carries the MCP stream.
"""

from __future__ import annotations

import sys

from mcp_proxy import MCPProxy, PolicyRequest


def main() -> int:
    proxy = MCPProxy.from_file(sys.argv[1])

    @proxy.policy(tools="alpha__add")
    def no_add(request: PolicyRequest) -> str:
        return f"add refused by the stdio host for {request.principal}"

    proxy.start(front="stdio")
    print(f"embedding_stdio_host: serving on stdio: {proxy.addresses}", file=sys.stderr, flush=True)
    stopped = proxy.wait()  # until the client closes our stdin
    proxy.close()
    print(f"embedding_stdio_host: stopped={stopped}", file=sys.stderr, flush=True)
    return 0 if stopped else 1


if __name__ == "__main__":
    sys.exit(main())
