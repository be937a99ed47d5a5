"""Bridging a 2026-07-28 client in front of a handshake-era upstream (#11, item 5, second
direction), over stdio and Streamable HTTP:

- during a call, the upstream asks the client something with a request of its own
  (elicitation/create, sampling/createMessage, roots/list); the proxy answers the client's call
  `input_required` with that question and a `requestState` it sealed, keeps the upstream call
  open, and when the client sends the call again with `inputResponses`, answers the upstream's
  question; the client gets the upstream's final result (the SDK `Client` in 2026-07-28 mode
  does the retry itself);
- a client that declared no such capability gets -32021 naming it, and the upstream call is
  cancelled;
- an altered `requestState` gets -32602, and the untouched one still continues the call.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError

from era_callbacks import asked, on_elicit, on_roots, on_sample
from network_fixtures import NetworkGateway, binary, stop

MODERN = "2026-07-28"
ERA_SERVERS = Path(__file__).with_name("era_servers.py")
EXAMPLE = [str(binary("EXAMPLE_SERVER_BIN", "example-server"))]
SDK_DUAL = [sys.executable, str(ERA_SERVERS), "stdio", "dual"]


def servers(command: list[str]) -> dict:
    # The SDK's dual-era server would be spoken to in 2026-07-28 under `auto`; `handshake` makes
    # it a handshake-era upstream, which asks with elicitation/create during the call.
    return {"up": {"command": command[0], "args": command[1:], "protocolEra": "handshake"}}


def stdio_proxy(tmp_path: Path, command: list[str]) -> StdioServerParameters:
    config = tmp_path / "proxy.json"
    config.write_text(json.dumps({"mcpServers": servers(command)}))
    return StdioServerParameters(command=str(binary("MCP_PROXY_BIN", "mcp-proxy")), args=["--config", str(config)])


CASES = [
    (EXAMPLE, "up__elicit", {}, "Ada", "elicitation"),
    (EXAMPLE, "up__sample", {"prompt": "hi"}, "sampled: bridged", "sampling"),
    (EXAMPLE, "up__roots", {}, "file:///project", "roots"),
    (SDK_DUAL, "up__greet", {}, "Hello, Ada!", "elicitation"),
]


@pytest.mark.parametrize("transport", ["stdio", "http"])
@pytest.mark.parametrize("upstream, tool, arguments, expected, kind", CASES)
def test_a_modern_client_answers_a_handshake_era_upstream_through_input_required(
        tmp_path: Path, transport: str, upstream, tool, arguments, expected, kind) -> None:
    asked.clear()
    gateway = NetworkGateway.start(tmp_path, servers(upstream)) if transport == "http" else None
    target = f"{gateway.base}/mcp" if gateway else stdio_proxy(tmp_path, upstream)

    async def run() -> None:
        with anyio.fail_after(40):
            async with Client(target, mode=MODERN, elicitation_callback=on_elicit, sampling_callback=on_sample,
                              list_roots_callback=on_roots) as client:
                assert client.protocol_version == MODERN
                for _ in range(2):  # twice: a second held call on the same upstream session
                    result = await client.call_tool(tool, arguments)
                    assert not result.is_error, result
                    assert expected in result.content[0].text, result
    try:
        anyio.run(run)
    finally:
        if gateway:
            stop(gateway.process)
    assert asked == [kind, kind], f"the client's callback answered the upstream's question once per call: {asked}"


def test_a_modern_client_without_the_capability_gets_32021_and_the_upstream_call_ends(tmp_path: Path) -> None:
    async def run() -> None:
        with anyio.fail_after(30):
            async with Client(stdio_proxy(tmp_path, EXAMPLE), mode=MODERN) as client:
                with pytest.raises(MCPError) as raised:
                    await client.call_tool("up__sample", {"prompt": "hi"})
                assert raised.value.error.code == -32021, raised.value.error
                assert raised.value.error.data == {"requiredCapabilities": {"sampling": {}}}, raised.value.error
                # The session goes on: the upstream's call was cancelled, not left hanging.
                echoed = await client.call_tool("up__echo", {"text": "still here"})
                assert "still here" in echoed.content[0].text
    anyio.run(run)


class RawStdio:
    """mcp-proxy over stdio, spoken to line by line."""

    def __init__(self, parameters: StdioServerParameters) -> None:
        self.process = subprocess.Popen([parameters.command, *parameters.args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)

    def call(self, message: dict) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write((json.dumps(message) + "\n").encode())
        self.process.stdin.flush()
        while True:
            line = self.process.stdout.readline()
            assert line, "the proxy closed its output"
            answer = json.loads(line)
            if answer.get("id") == message["id"]:
                return answer

    def close(self) -> None:
        stop(self.process)


def envelope(capabilities: dict) -> dict:
    return {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": capabilities,
            "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"}}


def test_an_altered_request_state_is_refused_and_the_sealed_one_continues(tmp_path: Path) -> None:
    proxy = RawStdio(stdio_proxy(tmp_path, EXAMPLE))
    try:
        meta = envelope({"elicitation": {"form": {}}})
        first = proxy.call({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                            "params": {"name": "up__elicit", "arguments": {}, "_meta": meta}})
        result = first["result"]
        assert result["resultType"] == "input_required", first
        [(key, question)] = result["inputRequests"].items()
        assert question["method"] == "elicitation/create", question
        state = result["requestState"]
        assert state.startswith("mcpproxy1."), state
        body, _, tag = state.rpartition(".")
        forged_tag = base64.urlsafe_b64encode(bytes(16)).decode().rstrip("=")
        answer = {key: {"action": "accept", "content": {"name": "Grace"}}}
        for altered in (body + "." + forged_tag, state[:-2] + ("AA" if not state.endswith("AA") else "BB"), "mcpproxy1.garbage"):
            refused = proxy.call({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                                  "params": {"name": "up__elicit", "arguments": {}, "inputResponses": answer,
                                             "requestState": altered, "_meta": meta}})
            assert refused["error"]["code"] == -32602, refused
            assert "requestState" in refused["error"]["message"], refused
        done = proxy.call({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                           "params": {"name": "up__elicit", "arguments": {}, "inputResponses": answer, "requestState": state,
                                      "_meta": meta}})
        assert done["result"]["resultType"] == "complete", done
        assert "Grace" in done["result"]["content"][0]["text"], done
        again = proxy.call({"jsonrpc": "2.0", "id": 4, "method": "tools/call",
                            "params": {"name": "up__elicit", "arguments": {}, "inputResponses": answer, "requestState": state,
                                       "_meta": meta}})
        assert again["error"]["code"] == -32602 and "gone" in again["error"]["message"], again
    finally:
        proxy.close()


@pytest.mark.parametrize("upstream_mode", ["handshake", "modern"])
def test_a_modern_client_closing_its_stream_cancels_the_upstream_call(tmp_path: Path, upstream_mode: str) -> None:
    """On Streamable HTTP, closing the response stream is a 2026-07-28 client's cancellation: the
    proxy sends notifications/cancelled to the upstream, which stops the call."""
    import http.client
    import time

    args = ["--modern"] if upstream_mode == "modern" else []
    gateway = NetworkGateway.start(tmp_path, {"up": {"command": EXAMPLE[0], "args": args}})
    try:
        connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=10)
        meta = {**envelope({}), "progressToken": 7}
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "up__progress", "arguments": {"steps": 100, "delay_ms": 100}, "_meta": meta}}
        connection.request("POST", "/mcp", body=json.dumps(body), headers={
            "accept": "application/json, text/event-stream", "content-type": "application/json",
            "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": "up__progress"})
        response = connection.getresponse()
        assert response.status == 200, response.read()
        seen = b""
        while b"notifications/progress" not in seen:
            chunk = response.read1(512)
            assert chunk, f"the stream ended before the first progress event: {seen!r}"
            seen += chunk
        connection.sock.shutdown(2)  # type: ignore[union-attr]
        connection.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if "was cancelled by its client" in gateway.log.read_text(errors="replace"):
                return
            time.sleep(0.1)
        raise AssertionError(f"the upstream saw no cancellation:\n{gateway.log_tail()}")
    finally:
        stop(gateway.process)
