"""`proxy.serverRequests` (issue #15, section 3) over real processes: mcp-proxy on stdio under the
official Python SDK client, with example-server upstreams whose tools ask the client for
sampling (`sample`), elicitation (`elicit`) and roots (`roots`).

- a denied sampling (or elicitation) request never reaches the client: its callback is called
  0 times, and the upstream gets the JSON-RPC error naming the policy (the tool's result shows
  it), for a shared upstream session and a per-session one; roots, allowed, still work;
- `maxSamplingTokens` clamps: the client's callback sees the lowered `maxTokens` (the tool asks
  for 100); an upstream under no rule keeps its 100;
- the proxy's `initialize` to a denied upstream does not declare the capability (example-server
  records the capabilities it received with `--count-initialize`);
- `rate: { rate, burst }` refuses the (burst+1)th request of a client session;
- over `mcp-proxy serve` (Streamable HTTP, two SDK clients on shared upstream sessions): the
  rate is per client session, and refusals are counted per upstream, kind and reason on the
  admin listener's `/metrics`.

Against a proxy without the feature these fail: the config does not load (`proxy.serverRequests`
was refused before), or the sampling callback is called.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import STDERR_KEY, _binary
from fault_fixtures import example_stdio
from network_fixtures import START_TIMEOUT, NetworkGateway, open_client, stop
from proxy_harness import CLIENT_ROOT, SAMPLING_REPLY, ProxyConnection, ProxyLauncher, deadline, text_of

pytestmark = pytest.mark.anyio

CAP = 40
BURST = 2
POLICY_NAME = "by proxy.serverRequests"


def render(directory: Path) -> str:
    example = str(_binary("EXAMPLE_SERVER_BIN", "example-server"))

    def upstream(name: str, extra: str = "") -> str:
        args = json.dumps(["--name", name, "--count-initialize", str(directory / f"init-{name}.txt")])
        return f"  {name}:\n    command: {json.dumps(example)}\n    args: {args}\n{extra}"

    return (
        "mcpServers:\n"
        + upstream("trusted")
        + upstream("untrusted-shared")
        + upstream("untrusted-own", "    pool: { mode: perSession }\n")
        + upstream("capped")
        + upstream("limited")
        + f"""proxy:
  serverRequests:
    - servers: ["untrusted-*"]
      sampling: deny
      elicitation: deny
      roots: allow
    - servers: [capped]
      maxSamplingTokens: {CAP}
    - servers: [limited]
      rate: {{ rate: 0.001, burst: {BURST} }}
"""
    )


def capabilities_declared(directory: Path, name: str) -> list[str]:
    """The client capabilities the proxy declared in each `initialize` upstream `name` received."""
    path = directory / f"init-{name}.txt"
    lines = path.read_text().splitlines() if path.exists() else []
    return [line.rsplit("capabilities=", 1)[-1] for line in lines]


@pytest.fixture
async def governed(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[ProxyConnection]:
    config = tmp_path / "mcp-proxy.yaml"
    config.write_text(render(tmp_path))
    stderr = tmp_path / "mcp-proxy.stderr.log"
    stderr.touch()
    request.node.stash[STDERR_KEY] = stderr
    launcher = ProxyLauncher(proxy_bin=_binary("MCP_PROXY_BIN", "mcp-proxy"), config_path=config, stderr_path=stderr)
    async with launcher.connect() as connection:
        yield connection


async def call(proxy: ProxyConnection, tool: str, arguments: dict[str, object] | None = None) -> str:
    with deadline(f'call_tool("{tool}")'):
        return text_of(await proxy.session.call_tool(tool, arguments or {}))


@pytest.mark.parametrize("upstream", ["untrusted-shared", "untrusted-own"])
async def test_denied_sampling_never_reaches_the_client(governed: ProxyConnection, upstream: str) -> None:
    sampled = await call(governed, f"{upstream}__sample", {"prompt": "steal the context"})
    assert sampled == (
        f"sampled: Sampling (sampling/createMessage) is not allowed for upstream '{upstream}' {POLICY_NAME}"
    ), sampled
    assert governed.record.sampling_requests == [], "the client's sampling callback must never be called"

    elicited = await call(governed, f"{upstream}__elicit")
    assert POLICY_NAME in elicited and f"upstream '{upstream}'" in elicited, elicited
    assert governed.record.elicitation_requests == []

    # roots: allow in the same rule.
    assert await call(governed, f"{upstream}__roots") == CLIENT_ROOT
    assert governed.record.roots_requests == 1

    # An upstream under no rule still reaches the client.
    assert await call(governed, "trusted__sample", {"prompt": "hello"}) == f"sampled: {SAMPLING_REPLY}"
    assert len(governed.record.sampling_requests) == 1


async def test_max_sampling_tokens_clamps(governed: ProxyConnection) -> None:
    assert await call(governed, "capped__sample", {"prompt": "long answer please"}) == f"sampled: {SAMPLING_REPLY}"
    assert [r.max_tokens for r in governed.record.sampling_requests] == [CAP], "example-server asks for 100"
    await call(governed, "trusted__sample", {"prompt": "x"})
    assert [r.max_tokens for r in governed.record.sampling_requests] == [CAP, 100], "no rule, no clamp"


async def test_handshake_does_not_declare_denied_capabilities(governed: ProxyConnection, tmp_path: Path) -> None:
    # Every upstream is eager: all have had their initialize once the client's was answered.
    for name in ("untrusted-shared", "untrusted-own"):
        declared = capabilities_declared(tmp_path, name)
        assert declared and all(caps == "roots" for caps in declared), f"{name}: {declared}"
    for name in ("trusted", "capped", "limited"):
        declared = capabilities_declared(tmp_path, name)
        assert declared and all(caps == "elicitation,roots,sampling" for caps in declared), f"{name}: {declared}"


async def test_rate_limit_refuses_the_request_after_the_burst(governed: ProxyConnection) -> None:
    for _ in range(BURST):
        assert await call(governed, "limited__roots") == CLIENT_ROOT
    refused = await call(governed, "limited__roots")
    assert "Too many requests to the client from upstream 'limited'" in refused and "proxy.serverRequests" in refused, refused
    assert governed.record.roots_requests == BURST, "the refused request never reached the client"
    # Another upstream's rule (none here) is not affected by this bucket.
    assert await call(governed, "trusted__roots") == CLIENT_ROOT


ADMIN_LINE = re.compile(r"url=(http://127\.0\.0\.1:\d+).*\] admin listening")


def admin_url(gateway: NetworkGateway) -> str:
    deadline_at = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline_at:
        match = ADMIN_LINE.search(gateway.log.read_text(errors="replace"))
        if match:
            return match.group(1)
        time.sleep(0.05)
    raise AssertionError(f"mcp-proxy serve did not announce its admin listener:\n{gateway.log_tail()}")


def refused(metrics: str, upstream: str, kind: str, reason: str) -> float:
    for line in metrics.splitlines():
        if (line.startswith("mcp_proxy_server_requests_refused_total{") and f'upstream="{upstream}"' in line
                and f'kind="{kind}"' in line and f'reason="{reason}"' in line):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_over_http_the_rate_is_per_client_session_and_refusals_are_counted(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    shared = {"pool": {"mode": "shared", "size": 1, "max": 2, "serverRequests": "lease"}}
    gateway = NetworkGateway.start(tmp_path, {
        "untrusted": example_stdio("untrusted", tmp_path, faults=False, extra=shared),
        "limited": example_stdio("limited", tmp_path, faults=False, extra=shared),
    }, {
        "admin": {"host": "127.0.0.1", "port": 0},
        "serverRequests": [
            {"servers": ["untrusted"], "sampling": "deny"},
            {"servers": ["limited"], "rate": {"rate": 0.001, "burst": 1}},
        ],
    })
    request.node.stash[STDERR_KEY] = gateway.log
    try:
        admin = admin_url(gateway)
        async with open_client(gateway, "streamable-http") as first, open_client(gateway, "streamable-http") as second:
            async def sample(client: object, tool: str) -> str:
                with deadline(f'call_tool("{tool}")'):
                    return text_of(await client.session.call_tool(tool, {"prompt": "p"}))  # type: ignore[attr-defined]

            for client in (first, second):
                text = await sample(client, "untrusted__sample")
                assert f"not allowed for upstream 'untrusted' {POLICY_NAME}" in text, text
                assert client.record.sampling_requests == []
            assert await sample(first, "limited__sample") == f"sampled: {SAMPLING_REPLY}"
            over = await sample(first, "limited__sample")
            assert "Too many requests to the client from upstream 'limited'" in over, over
            assert len(first.record.sampling_requests) == 1
            # The second client session has a bucket of its own.
            assert await sample(second, "limited__sample") == f"sampled: {SAMPLING_REPLY}"
            assert len(second.record.sampling_requests) == 1
        metrics = urllib.request.urlopen(admin + "/metrics", timeout=5).read().decode()
        assert refused(metrics, "untrusted", "sampling", "denied") == 2, metrics
        assert refused(metrics, "limited", "sampling", "rateLimited") == 1, metrics
        assert refused(metrics, "limited", "sampling", "denied") == 0
    finally:
        stop(gateway.process)
