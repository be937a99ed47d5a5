"""Lists, caching hints and tasks through the proxy (#11, items 7 and 8), over real processes.

Upstreams are `tasks_server.py`: the official Python SDK (mcp 2.3.0) at 2026-07-28, with its own
`ttlMs`/`cacheScope` on lists and reads, and the `io.modelcontextprotocol/tasks` extension.

- a 2026-07-28 client (the SDK `Client`) gets merged lists with the smallest `ttlMs` and
  `cacheScope: "private"` when any upstream's is; a read carries its upstream's hint; the merged
  tools/list keeps one order (config order, then each upstream's order);
- a handshake-era client's lists carry no hint at all, as before;
- with authorization rules, the lists a principal sees are private even if every upstream says
  public;
- a tool call that the upstream runs as a task gets a task id the proxy namespaced; tasks/get
  polls it, tasks/update answers its input request, and it completes with the tool's result;
  an upstream's raw id, an altered id and another principal's id get -32602.
"""

from __future__ import annotations

import http.client
import json
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters

from era_fixtures import StdioPeer
from network_fixtures import NetworkGateway, binary, stop

MODERN = "2026-07-28"
TASKS = "io.modelcontextprotocol/tasks"
TASKS_SERVER = Path(__file__).with_name("tasks_server.py")
ENVELOPE = {"io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientCapabilities": {"extensions": {TASKS: {}}}}
ALICE = "alice-key-0123456789abcdef"
BOB = "bob-key-0123456789abcdef00"


def server(name: str, ttl: int, scope: str) -> dict[str, Any]:
    return {"command": sys.executable, "args": [str(TASKS_SERVER), "--name", name, "--ttl", str(ttl), "--scope", scope]}


def stdio_proxy(tmp_path: Path, servers: dict[str, Any]) -> StdioServerParameters:
    config = tmp_path / "proxy.json"
    config.write_text(json.dumps({"mcpServers": servers}))
    return StdioServerParameters(command=str(binary("MCP_PROXY_BIN", "mcp-proxy")), args=["--config", str(config)])


def request(id: int, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": id, "method": method, "params": dict(params or {}, _meta=ENVELOPE)}


# MARK: lists and caching


@pytest.mark.parametrize(("servers", "ttl", "scope"), [
    ({"alpha": server("alpha", 60000, "public"), "beta": server("beta", 5000, "private")}, 5000, "private"),
    ({"alpha": server("alpha", 60000, "public"), "beta": server("beta", 30000, "public")}, 30000, "public"),
], ids=["one-private", "both-public"])
def test_merged_lists_carry_the_smallest_ttl_and_private_if_any_part_is(tmp_path: Path, servers, ttl: int, scope: str) -> None:
    async def run() -> None:
        with anyio.fail_after(60):
            async with Client(stdio_proxy(tmp_path, servers), mode=MODERN) as client:
                tools = await client.list_tools()
                assert (tools.ttl_ms, tools.cache_scope) == (ttl, scope), tools
                names = [tool.name for tool in tools.tools]
                # Config order, then each upstream's own order; the same every time.
                assert names == ["alpha__echo", "alpha__build", "beta__echo", "beta__build"], names
                again = await client.list_tools()
                assert [tool.name for tool in again.tools] == names
                resources = await client.list_resources()
                assert (resources.ttl_ms, resources.cache_scope) == (ttl, scope), resources
                # A read has one part: its upstream's hint, unchanged.
                read = await client.read_resource("alpha://readme")
                assert (read.ttl_ms, read.cache_scope) == (60000, "public"), read
                called = await client.call_tool("alpha__echo", {"text": "hi"})
                assert called.content[0].text == "alpha: hi"

    anyio.run(run)


def test_a_handshake_era_client_gets_no_cache_hints(tmp_path: Path) -> None:
    params = stdio_proxy(tmp_path, {"alpha": server("alpha", 60000, "public")})
    peer = StdioPeer([params.command, *params.args])
    try:
        init = peer.ask({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "legacy", "version": "1"}}})
        assert "result" in init, init
        # The upstream's capabilities offer the 2026-07-28 tasks extension only: nothing for this era.
        assert "tasks" not in init["result"]["capabilities"] and "extensions" not in init["result"]["capabilities"], init
        peer.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        listed = peer.ask({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        assert set(listed["result"]) == {"tools"}, listed
        read = peer.ask({"jsonrpc": "2.0", "id": 3, "method": "resources/read", "params": {"uri": "alpha://readme"}})
        assert "contents" in read["result"], read
    finally:
        peer.close()


def http_post(base: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
    """One 2026-07-28 POST with an API key; the JSON-RPC answer (JSON or one SSE event)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=20)
    headers = {"content-type": "application/json", "accept": "application/json, text/event-stream",
               "mcp-protocol-version": MODERN, "mcp-method": body["method"], "x-api-key": key}
    name = body["params"].get("name") or body["params"].get("uri")
    if name is not None:
        headers["mcp-name"] = name
    try:
        connection.request("POST", "/mcp", body=json.dumps(body), headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
    finally:
        connection.close()
    if response.getheader("content-type", "").startswith("text/event-stream"):
        frames = [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:")]
        return next(frame for frame in frames if "id" in frame)
    return json.loads(text)


@pytest.fixture
def gateway(tmp_path: Path):
    proxy = {
        "auth": {"resource": "http://127.0.0.1/mcp", "required": True,
                 "apiKeys": [{"name": "alice", "key": ALICE}, {"name": "bob", "key": BOB}]},
        "authorization": {"rules": [{"tools": {"allow": ["*"]}, "prompts": {"allow": ["*"]},
                                     "resources": {"allow": ["*"]}, "methods": {"allow": ["*"]}}]},
    }
    running = NetworkGateway.start(tmp_path, {"alpha": server("alpha", 60000, "public"), "gamma": server("gamma", 30000, "public")}, proxy)
    try:
        yield running
    finally:
        stop(running.process)


def test_lists_filtered_per_principal_are_private(gateway) -> None:
    listed = http_post(gateway.base, ALICE, request(1, "tools/list"))
    result = listed["result"]
    assert (result["ttlMs"], result["cacheScope"]) == (30000, "private"), listed
    read = http_post(gateway.base, ALICE, request(2, "resources/read", {"uri": "alpha://readme"}))
    assert read["result"]["cacheScope"] == "private", read


# MARK: tasks


def poll(ask, task_id: str, status: str, first_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    id = first_id
    while time.monotonic() < deadline:
        got = ask(request(id, "tasks/get", {"taskId": task_id}))
        assert "result" in got, got
        if got["result"]["status"] == status:
            return got["result"]
        id += 1
        time.sleep(0.1)
    raise AssertionError(f"task {task_id} never reached {status}")


def run_task(ask) -> str:
    """Creates a task through the proxy, answers its input request and polls it to completion."""
    created = ask(request(10, "tools/call", {"name": "alpha__build", "arguments": {"steps": 2}}))
    result = created["result"]
    assert result["resultType"] == "task" and result["status"] == "working", created
    task_id = result["taskId"]
    assert task_id.startswith("mcpt1.") and task_id.endswith(".alpha-task-1"), task_id
    waiting = poll(ask, task_id, "input_required", 100)
    assert waiting["taskId"] == task_id and "approve" in waiting["inputRequests"], waiting
    updated = ask(request(11, "tasks/update", {"taskId": task_id, "inputResponses": {
        "approve": {"action": "accept", "content": {"ok": True}}}}))
    assert updated["result"]["resultType"] == "complete", updated
    done = poll(ask, task_id, "completed", 200)
    assert done["taskId"] == task_id
    assert done["result"]["content"][0]["text"] == "built 2 (approved=True)", done
    return task_id


def test_a_task_runs_through_the_proxy_and_foreign_ids_are_refused(tmp_path: Path) -> None:
    params = stdio_proxy(tmp_path, {"alpha": server("alpha", 60000, "public"), "beta": server("beta", 5000, "private")})
    peer = StdioPeer([params.command, *params.args])
    try:
        # discover knows an upstream's extensions once it runs (tools/list waits for that).
        assert "tools" in peer.ask(request(1, "tools/list"))["result"]
        discover = peer.ask(request(2, "server/discover"))
        assert discover["result"]["capabilities"]["extensions"] == {TASKS: {}}, discover
        task_id = run_task(peer.ask)
        # The upstream's own id, an altered id, and a made-up one are unknown to the proxy.
        for id, bad in enumerate(["alpha-task-1", task_id[:-1] + "2", "mcpt1.YWxwaGE.AAAAAAAAAAAAAAAAAAAAAA.alpha-task-1"], 300):
            refused = peer.ask(request(id, "tasks/get", {"taskId": bad}))
            assert refused["error"]["code"] == -32602 and "Unknown task" in refused["error"]["message"], refused
        cancelled = peer.ask(request(400, "tasks/cancel", {"taskId": task_id}))
        assert cancelled["result"]["resultType"] == "complete", cancelled
    finally:
        peer.close()
    # Another proxy process (another secret) does not know the id either.
    other = StdioPeer([params.command, *params.args])
    try:
        refused = other.ask(request(1, "tasks/get", {"taskId": task_id}))
        assert refused["error"]["code"] == -32602, refused
    finally:
        other.close()


def test_another_principal_cannot_use_a_task_id(gateway) -> None:
    task_id = run_task(lambda body: http_post(gateway.base, ALICE, body))
    refused = http_post(gateway.base, BOB, request(500, "tasks/get", {"taskId": task_id}))
    assert refused["error"]["code"] == -32602, refused
    mine = http_post(gateway.base, ALICE, request(501, "tasks/get", {"taskId": task_id}))
    assert mine["result"]["status"] == "completed", mine


@pytest.mark.parametrize("pool", ["shared", "perSession"])
def test_handshake_era_tasks_pass_through(tmp_path: Path, pool: str) -> None:
    example = str(binary("EXAMPLE_SERVER_BIN", "example-server"))
    params = stdio_proxy(tmp_path, {"tasky": {"command": example, "args": ["--name", "tasky", "--tasks"], "pool": {"mode": pool}},
                                    "plain": {"command": example, "args": ["--name", "plain"]}})
    peer = StdioPeer([params.command, *params.args])
    try:
        init = peer.ask({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "legacy", "version": "1"}}})
        # Merged: cancel and requests; no list (the proxy does not merge tasks/list).
        assert init["result"]["capabilities"]["tasks"] == {"cancel": {}, "requests": {"tools": {"call": {}}}}, init
        peer.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        created = peer.ask({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "tasky__echo", "arguments": {"text": "in a task"}, "task": {"ttl": 60000}}})
        task = created["result"]["task"]
        task_id = task["taskId"]
        assert task_id.startswith("mcpt1.") and task_id.endswith(".task-1") and task["status"] == "working", created
        got = peer.ask({"jsonrpc": "2.0", "id": 3, "method": "tasks/get", "params": {"taskId": task_id}})
        assert got["result"]["taskId"] == task_id, got
        peer.send({"jsonrpc": "2.0", "id": 4, "method": "tasks/result", "params": {"taskId": task_id}})
        statuses = []
        while True:
            line = peer.read()
            if line.get("method") == "notifications/tasks/status":
                statuses.append(line["params"])
            if line.get("id") == 4:
                result = line
                break
        # A per-session upstream's status notification carries the id the client knows; a shared
        # upstream's is dropped (it could be about another client's task).
        expected = [(task_id, "completed")] if pool == "perSession" else []
        assert [(status["taskId"], status["status"]) for status in statuses] == expected, statuses
        assert result["result"]["content"][0]["text"] == "in a task", result
        assert result["result"]["_meta"]["io.modelcontextprotocol/related-task"] == {"taskId": task_id}, result
        done = peer.ask({"jsonrpc": "2.0", "id": 5, "method": "tasks/get", "params": {"taskId": task_id}})
        assert done["result"]["status"] == "completed", done
        for id, bad in enumerate(["task-1", task_id.replace(".task-1", ".task-2")], 6):
            refused = peer.ask({"jsonrpc": "2.0", "id": id, "method": "tasks/get", "params": {"taskId": bad}})
            assert refused["error"]["code"] == -32602, refused
        listed = peer.ask({"jsonrpc": "2.0", "id": 9, "method": "tasks/list", "params": {}})
        assert listed["error"]["code"] == -32601, listed
        # A call without params.task is an ordinary call.
        plain = peer.ask({"jsonrpc": "2.0", "id": 10, "method": "tools/call", "params": {"name": "tasky__echo", "arguments": {"text": "now"}}})
        assert plain["result"]["content"][0]["text"] == "now", plain
    finally:
        peer.close()
