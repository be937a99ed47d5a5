#!/usr/bin/env python3
"""embed-python: an authenticated, aggregating MCP gateway run from Python, with a policy callback.

    python Examples/embed-python/gateway.py [--config FILE] [--seconds N]

Without --config it builds its config in Python: two example servers (`alpha`, `beta`) behind
one network endpoint, two API keys (`alice`, role admin; `ci-bot`, role ci), and a policy
function that refuses `alpha__add` to `ci-bot`. It prints the addresses, serves for N seconds
(0 or none: until Ctrl-C or SIGTERM), prints the statistics as JSON, then stops.

Environment (all optional):
    EXAMPLE_SERVER_BIN  the example-server binary (default .build/debug/example-server)
    GATEWAY_PORT        the MCP port (default 8080; 0 picks a free one)
    GATEWAY_ADMIN       the admin port (default 9090; 0 picks a free one)
    ALICE_KEY, CI_BOT_KEY   the API keys (default: random ones, printed at start)
    MCPPROXY_LIBRARY    a libmcpproxy.so to use instead of the one bundled in the package

Needs the package: pip install ./Python (from the repository root).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
from typing import Any

from mcp_proxy import MCPProxy, PolicyRequest

DENIED_TOOL = "alpha__add"
DENIED_PRINCIPAL = "ci-bot"


def built_in_config() -> tuple[dict[str, Any], dict[str, str]]:
    """The gateway's config, and the API keys by principal."""
    server = os.environ.get("EXAMPLE_SERVER_BIN", ".build/debug/example-server")
    port = int(os.environ.get("GATEWAY_PORT", "8080"))
    keys = {
        "alice": os.environ.get("ALICE_KEY") or secrets.token_hex(16),
        DENIED_PRINCIPAL: os.environ.get("CI_BOT_KEY") or secrets.token_hex(16),
    }
    config = {
        "mcpServers": {
            "alpha": {"command": server, "args": ["--name", "alpha"]},
            "beta": {"command": server, "args": ["--name", "beta"]},
        },
        "proxy": {
            "listen": {"host": "127.0.0.1", "port": port, "drainSeconds": 2},
            "admin": {"host": "127.0.0.1", "port": int(os.environ.get("GATEWAY_ADMIN", "9090"))},
            "auth": {
                # The canonical URI of this endpoint (required with API keys); loopback may use http.
                "resource": f"http://127.0.0.1:{port or 8080}/mcp",
                "apiKeys": [
                    {"name": "alice", "key": keys["alice"], "roles": ["admin"]},
                    {"name": DENIED_PRINCIPAL, "key": keys[DENIED_PRINCIPAL], "roles": ["ci"]},
                ],
            },
        },
    }
    # The config is sent as JSON and `${...}` in its strings is expanded: keep keys literal.
    for entry in config["proxy"]["auth"]["apiKeys"]:  # type: ignore[index]
        entry["key"] = entry["key"].replace("$", "$$")
    return config, keys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="a config file (YAML or JSON) instead of the built-in one")
    parser.add_argument("--seconds", type=float, default=0, help="serve this long (default: until Ctrl-C)")
    options = parser.parse_args()

    keys: dict[str, str] = {}
    if options.config:
        proxy = MCPProxy.from_file(options.config)
    else:
        config, keys = built_in_config()
        proxy = MCPProxy(config=config)

    # A policy function: runs on a proxy thread for tools/call of alpha's tools only (the glob),
    # before the request is forwarded. True or None allows; a string denies with that message.
    @proxy.policy(tools="alpha__*")
    def no_add_for_ci(request: PolicyRequest) -> bool | str | None:
        if request.name == DENIED_TOOL and request.principal == DENIED_PRINCIPAL:
            return f"{request.principal} may not call {request.name}"
        return True

    # SIGTERM ends the wait like Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    with proxy:  # starts the network front; stops and frees the proxy on the way out
        print(f"libmcpproxy {MCPProxy.version()} (ABI {MCPProxy.abi_version()})")
        print("addresses:", json.dumps(proxy.addresses))
        for name, key in keys.items():
            print(f"api key {name}: {key}")
        if keys:
            print(f"try: curl -s -H 'X-API-Key: {keys['alice']}' -H 'Content-Type: application/json' "
                  f"-H 'Accept: application/json, text/event-stream' {proxy.url} -d "
                  "'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                  "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"curl\",\"version\":\"1\"}}}'")
        print(f"serving for {options.seconds:g} seconds" if options.seconds else "serving until Ctrl-C", flush=True)
        try:
            stopped = proxy.wait(options.seconds or None)
            if stopped:
                print("the proxy stopped by itself", flush=True)
        except KeyboardInterrupt:
            print("signal received: stopping", flush=True)
        print("stats:", json.dumps(proxy.stats()))
        print("upstreams:", json.dumps(proxy.upstreams()), flush=True)
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
