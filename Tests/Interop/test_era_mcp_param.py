"""`Mcp-Param-*` at the proxy's Streamable HTTP front (#11, item 2), over real processes with raw
HTTP: `mcp-proxy serve` fronts `example-server --modern`, whose tool `where` mirrors its `region`
argument into `Mcp-Param-Region` (`x-mcp-header: Region`). The proxy exposes it as
`modern__where` (namespaced) and checks the header against the body with the annotations of its
merged catalog: matching (200), base64-wrapped (200), an unknown `Mcp-Param-X` (ignored, 200),
different (400 / -32020) and missing (400 / -32020).
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path

import pytest

from network_fixtures import NetworkGateway, binary, stop

MODERN = "2026-07-28"
ENVELOPE = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}
TOOL = "modern__where"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory):
    example = str(binary("EXAMPLE_SERVER_BIN", "example-server"))
    gateway = NetworkGateway.start(tmp_path_factory.mktemp("mcp-param"), {
        "modern": {"command": example, "args": ["--modern"], "protocolEra": MODERN},
        "alpha": {"command": example, "args": ["--name", "alpha"]},
    })
    try:
        yield gateway
    finally:
        stop(gateway.process)


def post(gateway: NetworkGateway, body: dict, headers: dict[str, str]) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=15)
    try:
        connection.request("POST", "/mcp", body=json.dumps(body), headers={
            "content-type": "application/json", "accept": "application/json, text/event-stream", **headers})
        response = connection.getresponse()
        text = response.read().decode()
        if response.getheader("content-type", "").startswith("text/event-stream"):
            data = [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]
            text = data[-1] if data else ""
        return response.status, (json.loads(text) if text else {})
    finally:
        connection.close()


def call(gateway: NetworkGateway, id: int, arguments: dict, params: dict[str, str]) -> tuple[int, dict]:
    body = {"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": TOOL, "arguments": arguments, "_meta": ENVELOPE}}
    headers = {"mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": TOOL, **params}
    return post(gateway, body, headers)


@pytest.fixture(scope="module")
def listed(gateway: NetworkGateway) -> dict:
    """The proxy's tools, listed once: the catalog the check reads is loaded."""
    status, answer = post(gateway, {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": ENVELOPE}},
                          {"mcp-protocol-version": MODERN, "mcp-method": "tools/list"})
    assert status == 200, answer
    tools = {tool["name"]: tool for tool in answer["result"]["tools"]}
    assert tools[TOOL]["inputSchema"]["properties"]["region"]["x-mcp-header"] == "Region", tools.get(TOOL)
    return tools


def text_of(answer: dict) -> str:
    assert "result" in answer, answer
    return answer["result"]["content"][0]["text"]


def test_matching_header_passes(gateway, listed) -> None:
    status, answer = call(gateway, 2, {"region": "us-west1", "query": "q"}, {"Mcp-Param-Region": "us-west1"})
    assert status == 200, answer
    assert "us-west1" in text_of(answer)


def test_base64_wrapped_value_passes(gateway, listed) -> None:
    status, answer = call(gateway, 3, {"region": "Zürich"}, {"Mcp-Param-Region": "=?base64?WsO8cmljaA==?="})
    assert status == 200, answer
    assert "Zürich" in text_of(answer)


def test_unknown_param_header_is_ignored(gateway, listed) -> None:
    status, answer = call(gateway, 4, {"region": "eu"}, {"Mcp-Param-Region": "eu", "Mcp-Param-X": "whatever"})
    assert status == 200, answer
    assert "eu" in text_of(answer)


def test_mismatch_is_refused_with_32020(gateway, listed) -> None:
    status, answer = call(gateway, 5, {"region": "us-west1"}, {"Mcp-Param-Region": "eu-central1"})
    assert status == 400, answer
    assert answer["id"] == 5 and answer["error"]["code"] == -32020, answer
    assert "Mcp-Param-Region header does not match the request body's 'region' argument" in answer["error"]["message"]


def test_missing_header_is_refused_with_32020(gateway, listed) -> None:
    status, answer = call(gateway, 6, {"region": "us-west1"}, {})
    assert status == 400, answer
    assert answer["error"]["code"] == -32020, answer
    assert "Mcp-Param-Region header is missing" in answer["error"]["message"]


def test_tool_without_annotations_is_not_checked(gateway, listed) -> None:
    body = {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": "alpha__echo", "arguments": {"text": "hi"}, "_meta": ENVELOPE}}
    status, answer = post(gateway, body, {"mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": "alpha__echo",
                                          "Mcp-Param-Region": "anything"})
    assert status == 200, answer
    assert "hi" in text_of(answer)
