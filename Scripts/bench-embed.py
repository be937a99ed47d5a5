#!/usr/bin/env python3
"""The cost of a Python policy callback in the embedded proxy (issue 13).

Runs the proxy in this Python process (the `mcp_proxy` package over libmcpproxy) in front of one
shared `fast-upstream` over stdio, and loads its Streamable HTTP front with `mcp-bench http`
(64 clients, each its own session and connection). Three variants, alternated round by round:

  none   no policy registered
  miss   a Python policy on the glob `other__*`: registered, but never matches the benched tool
  hit    a Python policy on `fast__*`: called (under the GIL) for every request

The load generator is pinned to CPU 0 and this process (the proxy) to CPU 1, as
../shared/docs/benchmarking.md says. Prints one line per run and the median per variant.

Usage (after `swift build -c release --scratch-path .build-release --product mcpproxy
--product fast-upstream --product mcp-bench`):
  MCPPROXY_LIBRARY=.build-release/release/libmcpproxy.so \
    .venv-interop/bin/python Scripts/bench-embed.py [--requests 50000] [--rounds 3] [--bin .build-release/release]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from mcp_proxy import MCPProxy, PolicyRequest


def run_variant(variant: str, args: argparse.Namespace) -> dict:
    config = {
        "mcpServers": {"fast": {"command": os.path.join(args.bin, "fast-upstream")}},
        "proxy": {
            "listen": {"host": "127.0.0.1", "port": 0, "maxConnectionsPerAddress": 100000},
            "limits": {"maxSessionsPerPrincipal": 100000},
            "logging": {"level": "error"},
        },
    }
    calls = 0
    with MCPProxy(config=config) as proxy:
        if variant != "none":
            glob = "fast__*" if variant == "hit" else "other__*"

            @proxy.policy(tools=glob)
            def allow(request: PolicyRequest) -> bool:
                nonlocal calls
                calls += 1
                return request.principal != "nobody"

        command = ["taskset", "-c", "0", os.path.join(args.bin, "mcp-bench"), "http", "--url", proxy.url,
                   "-c", str(args.concurrency), "-n", str(args.requests), "--warmup", "2000", "--quiet",
                   "--target", variant]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
    result["policyCalls"] = calls
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bin", default=".build-release/release")
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})  # the proxy's threads (and the Python callback) on CPU 1
    results: dict[str, list[dict]] = {"none": [], "miss": [], "hit": []}
    for round_number in range(1, args.rounds + 1):
        for variant in results:
            result = run_variant(variant, args)
            results[variant].append(result)
            print(f"round {round_number} {variant:4}: {json.dumps(result)}", flush=True)
    print("\nmedian over rounds (64 clients, HTTP front -> one shared stdio fast-upstream, in-process proxy)")
    print(f"{'variant':8} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'policy calls (last round)':>26}")
    for variant, runs in results.items():
        def median(key: str) -> float:
            return statistics.median(float(run.get(key, 0)) for run in runs)
        print(f"{variant:8} {median('req_per_s'):10.0f} {median('p50_us') / 1000:8.2f} "
              f"{median('p99_us') / 1000:8.2f} {runs[-1]['policyCalls']:>26}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
