"""Raw requests to the protocol-era test upstreams, no proxy (issue #11): the paths an SDK Client
never takes. The 2026-07-28 validation ladder on stdio and HTTP (-32602 for a missing envelope key,
-32022 with {supported, requested}, -32601, -32020 for headers that disagree with the body, -32021,
405 for GET/DELETE, 202 for a notification), MRTR with a tampered requestState (-32602
invalid_request_state), a listen ended by notifications/cancelled, an HTTP call cancelled by
closing its stream, and the dual-era stdio lock (the first request picks the era).
"""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from era_fixtures import (ENVELOPE, EXAMPLE_DUAL, EXAMPLE_MODERN, MODERN, SDK_DUAL, SDK_MODERN, HTTPAnswer, Running, StdioPeer,
                          Upstream, exchange, http_servers, request)

__all__ = ["http_servers"]  # the fixture, imported so pytest finds it


@pytest.mark.parametrize("upstream", [EXAMPLE_MODERN, SDK_MODERN], ids=lambda upstream: upstream.name)
def test_stdio_error_ladder(upstream: Upstream) -> None:
    peer = StdioPeer(upstream.command("stdio"))
    try:
        discover = peer.ask(request(1, "server/discover"))["result"]
        assert discover["supportedVersions"] == [MODERN] and discover["resultType"] == "complete"
        assert isinstance(discover["ttlMs"], int) and discover["cacheScope"] in ("public", "private")
        assert "io.modelcontextprotocol/serverInfo" in discover["_meta"]
        missing = peer.ask(request(2, "tools/list", meta={"io.modelcontextprotocol/protocolVersion": MODERN}))
        assert missing["error"]["code"] == -32602
        old = peer.ask(request(3, "tools/list", meta={**ENVELOPE, "io.modelcontextprotocol/protocolVersion": "1900-01-01"}))
        assert old["error"]["code"] == -32022 and old["error"]["data"] == {"supported": [MODERN], "requested": "1900-01-01"}
        assert peer.ask(request(4, "ping"))["error"]["code"] == -32601
        listed = peer.ask(request(5, "tools/list"))["result"]
        assert listed["resultType"] == "complete" and "ttlMs" in listed and "cacheScope" in listed
        first = peer.ask(request(6, "tools/call", {"name": upstream.mrtr_tool, "arguments": {}}))["result"]
        assert first["resultType"] == "input_required"
        (key, asked), = first["inputRequests"].items()
        assert asked["method"] == "elicitation/create"
        answer = {key: {"action": "accept", "content": {"name": "Ada"}}}
        state = first["requestState"]
        tampered = state[:-4] + ("AAAA" if not state.endswith("AAAA") else "BBBB")
        refused = peer.ask(request(7, "tools/call", {"name": upstream.mrtr_tool, "arguments": {}, "inputResponses": answer,
                                                     "requestState": tampered}))
        assert refused["error"]["code"] == -32602 and refused["error"]["data"] == {"reason": "invalid_request_state"}
        done = peer.ask(request(8, "tools/call", {"name": upstream.mrtr_tool, "arguments": {}, "inputResponses": answer,
                                                  "requestState": state}))["result"]
        assert done["resultType"] == "complete" and done["content"][0]["text"] == upstream.mrtr_text
    finally:
        peer.close()


@pytest.mark.parametrize("upstream", [EXAMPLE_MODERN, SDK_MODERN], ids=lambda upstream: upstream.name)
def test_http_error_ladder(upstream: Upstream, http_servers: dict[str, Running]) -> None:
    url = http_servers[upstream.name].url

    def post(message: dict[str, Any], **headers: str) -> HTTPAnswer:
        base = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
        return exchange(url, "POST", json.dumps(message), {**base, **headers})

    def routed(message: dict[str, Any], **extra: str) -> HTTPAnswer:
        headers = {"mcp-protocol-version": MODERN, "mcp-method": message["method"]}
        if "name" in message["params"]:
            headers["mcp-name"] = message["params"]["name"]
        return post(message, **{**headers, **extra})

    for method in ("GET", "DELETE"):
        response = exchange(url, method, None, {"accept": "text/event-stream", "mcp-protocol-version": MODERN})
        assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert routed({"jsonrpc": "2.0", "method": "notifications/initialized", "params": {}}).status_code == 202
    ok = routed(request(1, "tools/call", {"name": "echo", "arguments": {"text": "x"}}))
    assert ok.status_code == 200 and ok.json()["result"]["content"][0]["text"] == "x"
    encoded = routed(request(2, "tools/call", {"name": "echo", "arguments": {"text": "x"}}), **{"mcp-name": "=?base64?ZWNobw==?="})
    assert encoded.status_code == 200
    for headers in ({"mcp-method": "tools/list"}, {"mcp-name": "other"}, {"mcp-protocol-version": "2025-11-25"}):
        mismatch = routed(request(3, "tools/call", {"name": "echo", "arguments": {"text": "x"}}), **headers)
        assert mismatch.status_code == 400 and mismatch.json()["error"]["code"] == -32020, (headers, mismatch.text)
    mirrored = request(10, "tools/call", {"name": "where", "arguments": {"region": "Zürich", "query": "q"}})
    assert routed(mirrored).json()["error"]["code"] == -32020  # Mcp-Param-Region missing
    assert routed(mirrored, **{"mcp-param-region": "Zurich"}).json()["error"]["code"] == -32020  # differs
    encoded_region = routed(mirrored, **{"mcp-param-region": "=?base64?WsO8cmljaA==?="})
    assert encoded_region.status_code == 200 and encoded_region.json()["result"]["content"][0]["text"] == "Zürich:q"
    missing = routed(request(4, "tools/list", meta={"io.modelcontextprotocol/protocolVersion": MODERN}))
    assert missing.status_code == 400 and missing.json()["error"]["code"] == -32602
    old_meta = {**ENVELOPE, "io.modelcontextprotocol/protocolVersion": "1900-01-01"}
    old = routed(request(5, "tools/list", meta=old_meta), **{"mcp-protocol-version": "1900-01-01"})
    assert old.status_code == 400 and old.json()["error"]["code"] == -32022
    unknown = routed(request(6, "foo/bar"))
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == -32601
    needs = routed(request(7, "tools/call", {"name": upstream.mrtr_tool, "arguments": {}},
                           meta={**ENVELOPE, "io.modelcontextprotocol/clientCapabilities": {}}))
    assert needs.status_code == 400 and needs.json()["error"]["code"] == -32021
    first = routed(request(8, "tools/call", {"name": upstream.mrtr_tool, "arguments": {}})).json()["result"]
    (key, _), = first["inputRequests"].items()
    tampered = routed(request(9, "tools/call", {"name": upstream.mrtr_tool, "arguments": {}, "requestState": first["requestState"] + "x",
                                                "inputResponses": {key: {"action": "accept", "content": {"name": "Ada"}}}}))
    assert tampered.status_code == 400 and tampered.json()["error"]["data"] == {"reason": "invalid_request_state"}


@pytest.mark.parametrize("upstream", [EXAMPLE_MODERN, SDK_MODERN], ids=lambda upstream: upstream.name)
def test_stdio_listen_ends_on_cancelled(upstream: Upstream) -> None:
    """A listen opens with its acknowledgement, gets tagged events, and ends on notifications/cancelled."""
    peer = StdioPeer(upstream.command("stdio"))
    try:
        peer.send(request("listen-1", "subscriptions/listen", {"notifications": {"toolsListChanged": True}}))  # type: ignore[arg-type]
        ack = peer.read()
        assert ack["method"] == "notifications/subscriptions/acknowledged"
        assert ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "listen-1"
        assert ack["params"]["notifications"] == {"toolsListChanged": True}
        peer.send(request(2, "tools/call", {"name": upstream.trigger, "arguments": {}}))
        event, answer = peer.read(), peer.read()
        if "id" in event:
            event, answer = answer, event
        assert event["method"] == "notifications/tools/list_changed"
        assert event["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "listen-1"
        assert answer["id"] == 2 and answer["result"]["resultType"] == "complete"
        peer.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "listen-1"}})
        peer.send(request(3, "tools/call", {"name": upstream.trigger, "arguments": {}}))
        after = peer.read()
        assert after.get("id") == 3, f"the cancelled listen still got {after}"
    finally:
        peer.close()


@pytest.mark.parametrize("upstream", [EXAMPLE_MODERN, SDK_MODERN], ids=lambda upstream: upstream.name)
def test_http_closed_stream_cancels_the_call(upstream: Upstream, http_servers: dict[str, Running]) -> None:
    """HTTP cancellation is closing the response stream: the upstream's handler sees it."""
    running = http_servers[upstream.name]
    parts = urlsplit(running.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    meta = {**ENVELOPE, "progressToken": 7}
    # A call of about 5 s that reports progress (so the answer is an SSE stream).
    tool, arguments = ("progress", {"steps": 50, "delay_ms": 100}) if upstream.name.startswith("example") else ("slow", {"seconds": 5})
    body = json.dumps(request(1, "tools/call", {"name": tool, "arguments": arguments}, meta=meta))
    connection.request("POST", parts.path, body=body, headers={
        "accept": "application/json, text/event-stream", "content-type": "application/json",
        "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": tool})
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("content-type", "").startswith("text/event-stream")
    first = b""
    while b"notifications/progress" not in first:
        chunk = response.read1(512)
        assert chunk, f"the stream ended before the first progress event: {first!r}"
        first += chunk
    connection.sock.shutdown(2)  # type: ignore[union-attr]
    connection.close()
    # example-server says so on stderr; the SDK server's `slow` records it in --events.
    marker, file = ("a request was cancelled", running.log) if upstream.name.startswith("example") else ("cancelled", running.events)
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        if file.exists() and marker in file.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise AssertionError(f"{upstream.name} did not see the closed stream as a cancellation: {file.read_text(errors='replace') if file.exists() else '(no file)'}")


@pytest.mark.parametrize("upstream", [EXAMPLE_DUAL, SDK_DUAL], ids=lambda upstream: upstream.name)
def test_stdio_dual_era_first_request_decides(upstream: Upstream) -> None:
    """On a dual-era stdio server the first request picks the connection's era, as in the SDK."""
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "era-test", "version": "1"}}}
    legacy = StdioPeer(upstream.command("stdio"))
    try:
        assert legacy.ask(initialize)["result"]["protocolVersion"] == "2025-11-25"
        legacy.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        assert legacy.ask(request(2, "tools/list"))["error"]["code"] == -32600
    finally:
        legacy.close()
    modern = StdioPeer(upstream.command("stdio"))
    try:
        assert modern.ask(request(1, "server/discover"))["result"]["supportedVersions"] == [MODERN]
        refused = modern.ask({**initialize, "id": 2})["error"]
        assert refused["code"] == -32022 and refused["data"] == {"supported": [MODERN], "requested": "2025-11-25"}
    finally:
        modern.close()
