#!/usr/bin/env python3
"""The added latency of the shared rate limit (#16) through a real gateway: two `mcp-proxy serve`
processes with the same `proxy.rateLimits` (per principal), one checking them in memory (the
pipeline stage), one in a local redis-server (`proxy.cluster.redis`), each serving the same
sequential `tools/call`s over one keep-alive HTTP connection. Prints p50 and p99 of each, the
difference, and the Redis commands per request (`INFO commandstats`).

    .venv-interop/bin/python Scripts/measure-shared-rate-limit.py [calls]

Uses .build/debug binaries unless MCP_PROXY_BIN / EXAMPLE_SERVER_BIN say otherwise. A short
measurement on a quiet machine; debug builds are slower than release.
"""

from __future__ import annotations

import base64
import http.client
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Tests" / "Interop"))
from network_fixtures import NetworkGateway, binary, stop  # noqa: E402
from test_cluster_rate_limits import ALICE, HEADERS, INIT, KEY, Redis  # noqa: E402


def redis_commands(port: int) -> dict[str, int]:
    """`cmdstat_<name>:calls=N` from `INFO commandstats`, by command name."""
    text = subprocess.run(["redis-cli", "-p", str(port), "INFO", "commandstats"], capture_output=True, text=True, check=True).stdout
    counts = {}
    for line in text.splitlines():
        if line.startswith("cmdstat_"):
            name, rest = line[len("cmdstat_"):].split(":", 1)
            counts[name] = int(rest.split(",")[0].split("=")[1])
    return counts


def measure(gateway: NetworkGateway, calls: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=10)

    def post(body: dict, session: str | None = None) -> tuple[int, dict[str, str], str]:
        headers = dict(HEADERS, **{"x-api-key": ALICE})
        if session:
            headers["mcp-session-id"] = session
        connection.request("POST", "/mcp", body=json.dumps(body), headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode(errors="replace")

    _, headers, _ = post(INIT)
    session = headers["mcp-session-id"]
    post({"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
    samples = []
    for index in range(200 + calls):
        started = time.perf_counter()
        status, _, text = post({"jsonrpc": "2.0", "id": index + 2, "method": "tools/call",
                                "params": {"name": "alpha__echo", "arguments": {"text": "x"}}}, session)
        elapsed = time.perf_counter() - started
        assert status == 200 and '"result"' in text, text
        if index >= 200:  # the first 200 warm up
            samples.append(elapsed * 1e6)
    connection.close()
    return sorted(samples)


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        redis = Redis(root)
        redis.start()
        upstreams = {"alpha": {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")), "args": ["--name", "alpha"]}}
        common = {
            "auth": {"resource": "http://127.0.0.1/mcp", "required": True, "apiKeys": [{"name": "alice", "key": ALICE}]},
            "rateLimits": [{"per": "principal", "rate": 1000000, "burst": 1000000}],
        }
        shared = dict(common, cluster={"sessionKeys": [KEY], "redis": {"url": f"redis://127.0.0.1:{redis.port}/0"}})
        gateways = []
        try:
            for name, proxy in (("local", common), ("redis", shared)):
                (root / name).mkdir()
                gateways.append((name, NetworkGateway.start(root / name, upstreams, proxy)))
            time.sleep(1)
            results = {}
            for name, gateway in gateways:
                before = redis_commands(redis.port)
                samples = measure(gateway, calls)
                after = redis_commands(redis.port)
                per_request = {k: (after.get(k, 0) - before.get(k, 0)) / (calls + 200) for k in after if k != "info"}
                results[name] = samples
                p50, p99 = samples[len(samples) // 2], samples[int(len(samples) * 0.99)]
                used = ", ".join(f"{k} {v:.2f}" for k, v in sorted(per_request.items()) if v > 0.001) or "none"
                print(f"{name:5}: tools/call round trip p50 {p50:.0f} µs, p99 {p99:.0f} µs over {calls}; Redis commands per request: {used}")
            local, remote = results["local"], results["redis"]
            print(f"added by the Redis check: p50 {remote[len(remote) // 2] - local[len(local) // 2]:+.0f} µs, "
                  f"p99 {remote[int(len(remote) * 0.99)] - local[int(len(local) * 0.99)]:+.0f} µs")
        finally:
            for _, gateway in gateways:
                stop(gateway.process)
            redis.stop()


if __name__ == "__main__":
    main()
