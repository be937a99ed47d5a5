"""The era matrix of #11 with REMOTE upstreams: the proxy reaches each upstream over Streamable HTTP
(`url:`), probes its era there (a 2026-07-28 `server/discover` first, `initialize` after a 4xx that
is no modern error), and the official SDK `Client` in `mode="legacy"`, `"auto"` and `"2026-07-28"`,
over stdio and Streamable HTTP, lists and calls tools through it:

  handshake   example-server --http                  (handshake era only)
  ex-modern   example-server --modern --http         (2026-07-28 only)
  ex-dual     example-server --dual-era --http       (both; the version header decides)
  sdk-modern  era_servers.py http modern             (the SDK's modern-only entry)
  sdk-dual    era_servers.py http dual               (the SDK's default server)

The matrix of stdio upstreams is test_era_matrix.py; this file keeps its own upstream processes
(started once per module) apart from that one.

Every cell calls `up__echo`: the proxy strips its namespace, so the upstream gets `echo` in the
body. A 2026-07-28 upstream checks `Mcp-Name` against the body (test_modern_upstreams_refuse_a_
mismatched_name shows that they refuse `up__echo`), so a passing call shows the header carried the
upstream's name. Upstreams spoken to in 2026-07-28 also get `where` with a non-ASCII region: they
refuse the call unless `Mcp-Param-Region` mirrors it (base64, from the tool's x-mcp-header tag the
proxy read in the upstream's tools/list). The era the proxy spoke upstream is read from its log.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters

from era_fixtures import EXAMPLE_DUAL, EXAMPLE_MODERN, SDK_DUAL, SDK_MODERN, Running, exchange
from network_fixtures import NetworkGateway, binary, free_port, stop, wait_for_port

MODERN = "2026-07-28"
REGION = "Zürich"

# name -> (upstream command for a port and an events file, whether the proxy speaks 2026-07-28 to it)
UPSTREAMS = {
    "handshake": (lambda port, _: [str(binary("EXAMPLE_SERVER_BIN", "example-server")), "--http", f"127.0.0.1:{port}"], False),
    "ex-modern": (lambda port, events: EXAMPLE_MODERN.command("http", port, events), True),
    "ex-dual": (lambda port, events: EXAMPLE_DUAL.command("http", port, events), True),
    "sdk-modern": (lambda port, events: SDK_MODERN.command("http", port, events), True),
    "sdk-dual": (lambda port, events: SDK_DUAL.command("http", port, events), True),
}


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Running]]:
    """Every upstream serving Streamable HTTP, by name: its /mcp URL, log and `slow` events."""
    directory = tmp_path_factory.mktemp("remote-upstreams")
    processes: list[subprocess.Popen[bytes]] = []
    servers: dict[str, Running] = {}
    try:
        for name, (command, _) in UPSTREAMS.items():
            port = free_port()
            log = directory / f"{name}.log"
            events = directory / f"{name}.events"
            with log.open("wb") as sink:
                process = subprocess.Popen(command(port, events), stdin=subprocess.DEVNULL, stdout=sink, stderr=sink)
            processes.append(process)
            wait_for_port(port, process, name, log)
            servers[name] = Running(f"http://127.0.0.1:{port}/mcp", log, events)
        yield servers
    finally:
        for process in processes:
            stop(process)


@pytest.fixture(scope="module")
def remote(running: dict[str, Running]) -> dict[str, str]:
    """Every upstream's /mcp URL, by name."""
    return {name: server.url for name, server in running.items()}


def spoke_modern(log: str) -> bool:
    return "upstream speaks 2026-07-28" in log


async def exercise(client: Client, modern: bool) -> None:
    names = [tool.name for tool in (await client.list_tools()).tools]
    assert "up__echo" in names, names
    result = await client.call_tool("up__echo", {"text": "hi"})
    assert not result.is_error, result
    assert result.content[0].text == "hi", result
    if modern:
        assert "up__where" in names, names
        result = await client.call_tool("up__where", {"region": REGION, "query": "q"})
        assert not result.is_error, result
        assert f"{REGION}:q" in result.content[0].text, result


def expected_client_version(mode: str) -> str:
    return "2025-11-25" if mode == "legacy" else MODERN


def run_stdio_front(tmp_path: Path, servers: dict, mode: str, body) -> str:
    """Runs `body(client)` against `mcp-proxy` on stdio with `servers`; returns the proxy's log."""
    config = tmp_path / "proxy.json"
    config.write_text(json.dumps({"mcpServers": servers}))
    log = tmp_path / "proxy.log"
    log.touch()
    parameters = StdioServerParameters(
        command="/bin/sh", args=["-c", 'exec "$0" --config "$1" 2>>"$2"', str(binary("MCP_PROXY_BIN", "mcp-proxy")), str(config), str(log)])

    async def run() -> None:
        with anyio.fail_after(40):
            async with Client(parameters, mode=mode) as client:
                await body(client)
    anyio.run(run)
    return log.read_text(errors="replace")


@pytest.mark.parametrize("mode", ["legacy", "auto", MODERN])
@pytest.mark.parametrize("upstream", list(UPSTREAMS))
def test_stdio_front(tmp_path: Path, remote: dict[str, str], upstream: str, mode: str) -> None:
    modern = UPSTREAMS[upstream][1]

    async def body(client: Client) -> None:
        assert client.protocol_version == expected_client_version(mode)
        await exercise(client, modern)
    log = run_stdio_front(tmp_path, {"up": {"url": remote[upstream]}}, mode, body)
    assert spoke_modern(log) == modern, log[-3000:]


@pytest.mark.parametrize("mode", ["legacy", "auto", MODERN])
@pytest.mark.parametrize("upstream", list(UPSTREAMS))
def test_streamable_http_front(tmp_path: Path, remote: dict[str, str], upstream: str, mode: str) -> None:
    modern = UPSTREAMS[upstream][1]
    gateway = NetworkGateway.start(tmp_path, {"up": {"url": remote[upstream]}})
    try:
        async def run() -> None:
            with anyio.fail_after(40):
                async with Client(f"{gateway.base}/mcp", mode=mode) as client:
                    assert client.protocol_version == expected_client_version(mode)
                    await exercise(client, modern)
        anyio.run(run)
        assert spoke_modern(gateway.log.read_text(errors="replace")) == modern, gateway.log_tail()
    finally:
        stop(gateway.process)


@pytest.mark.parametrize("upstream", ["ex-modern", "sdk-modern"])
def test_modern_upstreams_refuse_a_mismatched_name(remote: dict[str, str], upstream: str) -> None:
    """What makes the matrix's calls proof: sent with the proxy's name for the tool, or without
    the Mcp-Param-Region that its tag asks for, the call is refused (400, -32020)."""
    envelope = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
               "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call"}
    echo = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                       "params": {"name": "echo", "arguments": {"text": "hi"}, "_meta": envelope}})
    renamed = exchange(remote[upstream], "POST", echo, headers | {"Mcp-Name": "up__echo"})
    assert renamed.status_code == 400 and renamed.json()["error"]["code"] == -32020, renamed
    where = json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                        "params": {"name": "where", "arguments": {"region": "eu", "query": "q"}, "_meta": envelope}})
    unmirrored = exchange(remote[upstream], "POST", where, headers | {"Mcp-Name": "where"})
    assert unmirrored.status_code == 400 and unmirrored.json()["error"]["code"] == -32020, unmirrored


def test_a_pinned_era_skips_the_probe_or_requires_it(tmp_path: Path, remote: dict[str, str]) -> None:
    """`protocolEra: handshake` sends a dual-era upstream `initialize` without asking first;
    `"2026-07-28"` speaks it to a modern upstream, and leaves a handshake-era upstream out,
    saying why."""
    servers = {
        "up": {"url": remote["ex-dual"], "protocolEra": "handshake"},
        "new": {"url": remote["sdk-modern"], "protocolEra": MODERN},
        "old": {"url": remote["handshake"], "protocolEra": MODERN},
    }

    async def body(client: Client) -> None:
        names = [tool.name for tool in (await client.list_tools()).tools]
        assert "up__echo" in names and "new__echo" in names, names
        assert not any(name.startswith("old__") for name in names), names
        for tool in ["up__echo", "new__echo"]:
            assert (await client.call_tool(tool, {"text": "hi"})).content[0].text == "hi", tool
    log = run_stdio_front(tmp_path, servers, "legacy", body)
    lines = log.splitlines()
    assert any("upstream speaks 2026-07-28" in line and "upstream=new" in line for line in lines), log[-3000:]
    assert not any("upstream speaks 2026-07-28" in line and "upstream=up" in line for line in lines), log[-3000:]
    assert any("server/discover failed" in line and "upstream=old" in line for line in lines), log[-3000:]


@pytest.mark.parametrize("mode", ["legacy", MODERN])
@pytest.mark.parametrize("upstream", ["ex-modern", "sdk-modern"])
def test_a_cancelled_call_closes_its_upstream_post(tmp_path: Path, running: dict[str, Running], upstream: str, mode: str) -> None:
    """A client cancels a long call; over HTTP a 2026-07-28 upstream learns it by its POST's stream
    closing (it takes no notifications/cancelled POST), so its handler sees the cancellation."""
    server = running[upstream]
    tool, arguments = ("up__progress", {"steps": 80, "delay_ms": 100}) if upstream.startswith("ex") else ("up__slow", {"seconds": 8})
    marker, file = ("a request was cancelled", server.log) if upstream.startswith("ex") else ("cancelled", server.events)
    before = file.read_text(errors="replace").count(marker) if file.exists() else 0

    async def body(client: Client) -> None:
        await client.list_tools()
        with anyio.move_on_after(1.5):
            await client.call_tool(tool, arguments)
            raise AssertionError("the call was to be cancelled before it ended")
        # The session goes on.
        assert (await client.call_tool("up__echo", {"text": "after"})).content[0].text == "after"
    log = run_stdio_front(tmp_path, {"up": {"url": server.url}}, mode, body)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if file.exists() and file.read_text(errors="replace").count(marker) > before:
            return
        time.sleep(0.1)
    raise AssertionError(f"{upstream} did not see the cancellation: {file.read_text(errors='replace')[-1500:] if file.exists() else '(none)'}\n{log[-2000:]}")
