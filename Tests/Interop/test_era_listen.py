"""`subscriptions/listen` through the proxy (#11, item 6), over real processes: the official SDK
`Client` in `mode="2026-07-28"` talks to `mcp-proxy` (stdio and Streamable HTTP) in front of
`example-server --modern` (2026-07-28 only) and `example-server` (handshake era), with resource
URIs namespaced (`modern+example://counter`, `alpha+example://counter`).

- `resourceSubscriptions`: the proxy subscribes each URI at its owner (a listen toward the modern
  upstream, `resources/subscribe` toward the handshake-era one), acknowledges only those that
  hold, and relays `notifications/resources/updated` (`bump`) with the client's URI, tagged with
  the client's listen id (the SDK routes events by that id, so an event arriving proves the tag);
- list changes: the proxy keeps a listen open toward the modern upstream, so its
  `tools/list_changed` (`toggle_extra`) reaches a listening client and the merged catalog;
- the same with the modern upstream reached over Streamable HTTP (`url:`);
- a raw stdio client checks the exact frames and that cancelling the listen stops the updates.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path

import anyio
import pytest
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters

from network_fixtures import NetworkGateway, binary, free_port, stop, wait_for_port

MODERN = "2026-07-28"
ENVELOPE = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}
MODERN_COUNTER = "modern+example://counter"
ALPHA_COUNTER = "alpha+example://counter"


def upstreams() -> dict:
    example = str(binary("EXAMPLE_SERVER_BIN", "example-server"))
    return {
        "modern": {"command": example, "args": ["--modern", "--name", "modern"], "protocolEra": MODERN},
        "alpha": {"command": example, "args": ["--name", "alpha"]},
    }


PROXY = {"namespacing": {"rewriteResourceURIs": True}}


def stdio_config(directory: Path, proxy: dict = PROXY) -> Path:
    config = directory / "proxy.json"
    config.write_text(json.dumps({"mcpServers": upstreams(), "proxy": proxy}))
    return config


@pytest.fixture(params=["stdio", "http"])
def target(request, tmp_path: Path):
    if request.param == "stdio":
        yield StdioServerParameters(command=str(binary("MCP_PROXY_BIN", "mcp-proxy")), args=["--config", str(stdio_config(tmp_path))])
        return
    gateway = NetworkGateway.start(tmp_path, upstreams(), PROXY)
    try:
        yield f"{gateway.base}/mcp"
    finally:
        stop(gateway.process)


async def next_update(subscription, uri: str):
    async for event in subscription:
        if getattr(event, "uri", None) == uri:
            return event
    raise AssertionError(f"the listen ended before an update of {uri}")


def test_resource_subscriptions_reach_the_listen_from_both_eras(target) -> None:
    async def run() -> None:
        with anyio.fail_after(40):
            async with Client(target, mode=MODERN) as client:
                listed = {resource.uri for resource in (await client.list_resources()).resources}
                assert {MODERN_COUNTER, ALPHA_COUNTER} <= listed, listed
                async with client.listen(resource_subscriptions=[MODERN_COUNTER, ALPHA_COUNTER, "nowhere+x://y"]) as subscription:
                    honored = subscription.honored.resource_subscriptions or []
                    assert sorted(honored) == sorted([MODERN_COUNTER, ALPHA_COUNTER]), subscription.honored
                    bumped = await client.call_tool("modern__bump", {})
                    assert not bumped.is_error, bumped
                    await next_update(subscription, MODERN_COUNTER)
                    bumped = await client.call_tool("alpha__bump", {})
                    assert not bumped.is_error, bumped
                    await next_update(subscription, ALPHA_COUNTER)
    anyio.run(run)


def test_a_modern_upstreams_tools_list_change_reaches_the_listen(target) -> None:
    async def run() -> None:
        with anyio.fail_after(40):
            async with Client(target, mode=MODERN) as client:
                before = {tool.name for tool in (await client.list_tools()).tools}
                assert "modern__toggle_extra" in before and "modern__extra" not in before, before
                async with client.listen(tools_list_changed=True) as subscription:
                    toggled = await client.call_tool("modern__toggle_extra", {})
                    assert not toggled.is_error, toggled
                    async for event in subscription:
                        assert type(event).__name__ == "ToolsListChanged", event
                        break
                after = {tool.name for tool in (await client.list_tools()).tools}
                assert "modern__extra" in after, f"the proxy re-listed the modern upstream's tools: {after}"
    anyio.run(run)


def test_a_remote_modern_upstream_feeds_the_listen_too(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "modern.log"
    with log.open("wb") as sink:
        upstream = subprocess.Popen([str(binary("EXAMPLE_SERVER_BIN", "example-server")), "--modern", "--name", "modern",
                                     "--http", f"127.0.0.1:{port}"], stdin=subprocess.DEVNULL, stdout=sink, stderr=sink)
    try:
        wait_for_port(port, upstream, "example-server --modern --http", log)
        config = tmp_path / "proxy.json"
        servers = {**upstreams(), "modern": {"url": f"http://127.0.0.1:{port}/mcp"}}
        config.write_text(json.dumps({"mcpServers": servers, "proxy": PROXY}))
        target = StdioServerParameters(command=str(binary("MCP_PROXY_BIN", "mcp-proxy")), args=["--config", str(config)])

        async def run() -> None:
            with anyio.fail_after(40):
                async with Client(target, mode=MODERN) as client:
                    await client.list_resources()
                    async with client.listen(resource_subscriptions=[MODERN_COUNTER], tools_list_changed=True) as subscription:
                        assert subscription.honored.resource_subscriptions == [MODERN_COUNTER], subscription.honored
                        assert not (await client.call_tool("modern__bump", {})).is_error
                        await next_update(subscription, MODERN_COUNTER)
                        assert not (await client.call_tool("modern__toggle_extra", {})).is_error
                        async for event in subscription:
                            if type(event).__name__ == "ToolsListChanged":
                                break
        anyio.run(run)
    finally:
        stop(upstream)


class RawStdio:
    """The proxy over stdio, spoken to line by line (a thread reads its stdout into a queue)."""

    def __init__(self, config: Path) -> None:
        self.process = subprocess.Popen([str(binary("MCP_PROXY_BIN", "mcp-proxy")), "--config", str(config)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=(config.parent / "proxy.stderr").open("wb"))
        self.seen: list[dict] = []
        self.lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout
        for line in self.process.stdout:
            self.lines.put(line)

    def send(self, message: dict) -> None:
        assert self.process.stdin
        self.process.stdin.write((json.dumps(message) + "\n").encode())
        self.process.stdin.flush()

    def wait_for(self, match, timeout: float = 20, since: int = 0) -> dict:
        """The first message from index `since` on (already read or arriving) that matches."""
        for message in self.seen[since:]:
            if match(message):
                return message
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            message = json.loads(line)
            self.seen.append(message)
            if match(message):
                return message
        raise AssertionError(f"no matching message within {timeout}s; seen: {self.seen[-10:]}")

    def request(self, id, method: str, params: dict | None = None) -> dict:
        since = len(self.seen)
        self.send({"jsonrpc": "2.0", "id": id, "method": method, "params": {**(params or {}), "_meta": ENVELOPE}})
        return self.wait_for(lambda m: m.get("id") == id and "method" not in m, since=since)

    def close(self) -> None:
        stop(self.process)


def updates(seen: list[dict]) -> list[dict]:
    return [m for m in seen if m.get("method") == "notifications/resources/updated"]


def test_raw_stdio_frames_and_cancel_ends_the_upstream_subscription(tmp_path: Path) -> None:
    peer = RawStdio(stdio_config(tmp_path, {**PROXY, "logging": {"level": "trace"}}))
    try:
        assert "result" in peer.request(1, "resources/list")
        peer.send({"jsonrpc": "2.0", "id": "L1", "method": "subscriptions/listen", "params": {
            "notifications": {"resourceSubscriptions": [MODERN_COUNTER, ALPHA_COUNTER, "unknown://x"]}, "_meta": ENVELOPE}})
        ack = peer.wait_for(lambda m: m.get("method") == "notifications/subscriptions/acknowledged")
        assert ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "L1", ack
        assert sorted(ack["params"]["notifications"]["resourceSubscriptions"]) == sorted([MODERN_COUNTER, ALPHA_COUNTER]), ack
        for id, (tool, uri) in enumerate([("modern__bump", MODERN_COUNTER), ("alpha__bump", ALPHA_COUNTER)], start=2):
            since = len(peer.seen)
            peer.request(id, "tools/call", {"name": tool, "arguments": {}})
            update = peer.wait_for(lambda m: m.get("method") == "notifications/resources/updated" and m["params"].get("uri") == uri, since=since)
            assert update["params"]["_meta"] == {"io.modelcontextprotocol/subscriptionId": "L1"}, update
        peer.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "L1", "reason": "done"}})
        time.sleep(0.5)  # the proxy unsubscribes upstream
        before = len(updates(peer.seen))
        peer.request(10, "tools/call", {"name": "modern__bump", "arguments": {}})
        peer.request(11, "tools/call", {"name": "alpha__bump", "arguments": {}})
        with pytest.raises(AssertionError):
            peer.wait_for(lambda m: m.get("method") == "notifications/resources/updated", timeout=1.5, since=len(peer.seen))
        assert len(updates(peer.seen)) == before, f"updates after the listen ended: {updates(peer.seen)[before:]}"
        log = (tmp_path / "proxy.stderr").read_text(errors="replace")
        assert "method=resources/unsubscribe upstream=alpha" in log, "the handshake-era upstream is unsubscribed"
        assert "ended the listen for example://counter" in log and "upstream=modern" in log, "the modern upstream's listen is cancelled"
        assert all(m.get("method") != "notifications/subscriptions/acknowledged" or m["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "L1"
                   for m in peer.seen), "the proxy's own upstream listens stay inside it"
    finally:
        peer.close()


def test_a_handshake_era_client_subscribes_at_a_modern_upstream(tmp_path: Path) -> None:
    # 2026-07-28 removed resources/subscribe: the proxy answers it and holds a listen upstream.
    peer = RawStdio(stdio_config(tmp_path, {**PROXY, "logging": {"level": "debug"}}))

    def ask(id: int, method: str, params: dict) -> dict:
        since = len(peer.seen)
        peer.send({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
        return peer.wait_for(lambda m: m.get("id") == id and "method" not in m, since=since)

    try:
        initialized = ask(1, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}})
        assert initialized["result"]["protocolVersion"] == "2025-11-25", initialized
        peer.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        assert "result" in ask(2, "resources/list", {})
        assert ask(3, "resources/subscribe", {"uri": MODERN_COUNTER}) == {"jsonrpc": "2.0", "id": 3, "result": {}}
        since = len(peer.seen)
        assert "result" in ask(4, "tools/call", {"name": "modern__bump", "arguments": {}})
        update = peer.wait_for(lambda m: m.get("method") == "notifications/resources/updated", since=since)
        assert update["params"] == {"uri": MODERN_COUNTER}, update
        assert ask(5, "resources/unsubscribe", {"uri": MODERN_COUNTER}) == {"jsonrpc": "2.0", "id": 5, "result": {}}
        time.sleep(0.3)
        log = (tmp_path / "proxy.stderr").read_text(errors="replace")
        assert "ended the listen for example://counter" in log, "the upstream listen is cancelled"
    finally:
        peer.close()
