"""`proxy.policyHook` and `proxy.guards` (issue #15, section 5) over real processes: `mcp-proxy
serve` over Streamable HTTP, the official Python SDK client, example-server upstreams, and a
policy hook written here (Python's http.server in a thread of the test).

The hook decides by the `text` argument of example-server's `echo` tool:
- `deny me` is denied with a reason: the client gets the JSON-RPC error with that reason, and
  the upstream never sees the call (example-server's `--count-requests` log);
- `rewrite me` is allowed with new arguments: the tool echoes the rewritten text;
- `slow` takes longer than `timeoutMs`: with `failOpen: false` the call is refused, with
  `failOpen: true` it goes through;
- with `response: true` the hook also sees each result: `withhold` is denied (the client gets
  an error), `replace` is replaced.
Guards: a result over `maxResultBytes` becomes an error naming the limit, and each built-in
secret kind in a result reaches the client as `[REDACTED:<kind>]`. The access log records each
decision with its reason (`policy` field). A reload (SIGHUP) that turns both on applies them to
the session it moves.

Against a proxy without the feature these fail: the config does not load (both sections were
refused before), or the calls are answered unchanged.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from mcp import MCPError
from network_fixtures import NetworkGateway, binary, open_client, stop
from proxy_harness import deadline, text_of

pytestmark = pytest.mark.anyio

TIMEOUT_MS = 300
MAX_RESULT_BYTES = 4096

SECRETS = {
    "private_key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aumpz6AEYnwSWkvQwIDAQAB\n-----END RSA PRIVATE KEY-----",
    "aws_access_key": "AKIAIOSFODNN7EXAMPLE",
    "github_token": "ghp_" + "a1B2" * 9,
    "slack_token": "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "jwt": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "bearer": "mF_9.B5f-4.1JqM~abcdefghijkl",
}


@dataclass
class Hook:
    """The policy hook: an HTTP server in a thread, recording every question it gets."""

    server: ThreadingHTTPServer
    questions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/mcp-policy"

    def asked(self, phase: str) -> list[dict[str, Any]]:
        return [q for q in self.questions if q["phase"] == phase]


def decide(question: dict[str, Any]) -> dict[str, Any]:
    """The hook's policy."""
    if question["phase"] == "request":
        text = (question.get("arguments") or {}).get("text")
        if text == "deny me":
            return {"decision": "deny", "reason": "no echo of that"}
        if text == "rewrite me":
            return {"decision": "allow", "reason": "cleaned", "arguments": {"text": "rewritten by the hook"}}
        if text == "slow":
            time.sleep(TIMEOUT_MS / 1000 * 4)
        return {"decision": "allow"}
    content = question["result"].get("content") or [{}]
    text = content[0].get("text")
    if text == "withhold":
        return {"decision": "deny", "reason": "contains PII"}
    if text == "replace":
        return {"decision": "allow", "result": {"content": [{"type": "text", "text": "replaced by the hook"}]}}
    return {"decision": "allow"}


@pytest.fixture
def hook() -> Iterator[Hook]:
    questions: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            question = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            questions.append(question)
            body = json.dumps(decide(question)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Hook(server, questions)
    server.shutdown()
    server.server_close()


@dataclass
class Governed:
    gateway: NetworkGateway
    requests_log: Path
    access_log: Path

    def upstream_calls(self) -> int:
        """tools/call requests example-server received."""
        if not self.requests_log.exists():
            return 0
        return sum(1 for line in self.requests_log.read_text().splitlines() if line.endswith(" tools/call"))

    def access_lines(self) -> list[dict[str, Any]]:
        if not self.access_log.exists():
            return []
        return [json.loads(line) for line in self.access_log.read_text().splitlines() if line.strip()]

    def access_line(self, what: str, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first access-log line matching `predicate`, waiting for it (the log is written on its own thread)."""
        give_up = time.monotonic() + 5
        while True:
            lines = self.access_lines()
            for line in lines:
                if predicate(line):
                    return line
            if time.monotonic() > give_up:
                raise AssertionError(f"no access-log line with {what}: {lines}")
            time.sleep(0.05)


def start(directory: Path, hook: Hook, fail_open: bool) -> Governed:
    requests_log = directory / "upstream-requests.txt"
    access_log = directory / "access.log"
    upstream = {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")),
                "args": ["--name", "ex", "--count-requests", str(requests_log)]}
    proxy = {
        "policyHook": {"url": hook.url, "timeoutMs": TIMEOUT_MS, "failOpen": fail_open, "response": True},
        "guards": {"maxResultBytes": MAX_RESULT_BYTES, "redactSecrets": True, "redactPatterns": ["sk-[A-Za-z0-9]{32,}"]},
        "accessLog": {"format": "json", "destination": str(access_log), "include": "all"},
    }
    gateway = NetworkGateway.start(directory, {"ex": upstream}, proxy)
    return Governed(gateway, requests_log, access_log)


@pytest.fixture
async def governed(tmp_path: Path, hook: Hook) -> AsyncIterator[Governed]:
    running = start(tmp_path, hook, fail_open=False)
    try:
        yield running
    finally:
        stop(running.gateway.process)


async def echo(client: Any, text: str) -> str:
    with deadline(f"echo {text[:20]!r}"):
        return text_of(await client.session.call_tool("ex__echo", {"text": text}))


async def refused(client: Any, tool: str, arguments: dict[str, Any]) -> MCPError:
    with deadline(f"{tool} (expected an error)"):
        with pytest.raises(MCPError) as caught:
            await client.session.call_tool(tool, arguments)
    return caught.value


async def test_allow_deny_and_rewrite(governed: Governed, hook: Hook) -> None:
    async with open_client(governed.gateway, "streamable-http") as client:
        assert await echo(client, "hello") == "hello"
        calls = governed.upstream_calls()
        assert calls == 1, "the allowed call reached the upstream"
        request = hook.asked("request")[-1]
        assert request["method"] == "tools/call" and request["name"] == "ex__echo" and request["tool"] == "echo"
        assert request["upstream"] == "ex" and request["arguments"] == {"text": "hello"}
        assert request["principal"] == {"subject": "anonymous", "roles": [], "scopes": []}
        assert request["session"].startswith("http") and "endpoint" in request

        error = await refused(client, "ex__echo", {"text": "deny me"})
        assert error.error.code == -32003 and "no echo of that" in error.error.message, error.error
        assert governed.upstream_calls() == calls, "a denied call must not reach the upstream"

        assert await echo(client, "rewrite me") == "rewritten by the hook"
        assert governed.upstream_calls() == calls + 1

    # The access log records each decision with its reason.
    denied = governed.access_line("a hook denial", lambda line: line.get("outcome") == "refused" and line.get("reason") == "policyHook")
    assert denied.get("policy") == "hook=deny: no echo of that", denied
    governed.access_line("a rewrite", lambda line: line.get("policy", "").startswith("hook=rewrite: cleaned"))


async def test_response_phase_withholds_or_replaces(governed: Governed, hook: Hook) -> None:
    async with open_client(governed.gateway, "streamable-http") as client:
        error = await refused(client, "ex__echo", {"text": "withhold"})
        assert "contains PII" in error.error.message, error.error
        assert await echo(client, "replace") == "replaced by the hook"
        response = hook.asked("response")[-1]
        assert response["result"]["content"][0]["text"] == "replace" and response["arguments"] == {"text": "replace"}
    governed.access_line("a withheld result", lambda line: line.get("reason") == "policyHookResponse" and "contains PII" in line.get("policy", ""))


@pytest.mark.parametrize("fail_open", [False, True])
async def test_timeout_follows_fail_open(tmp_path: Path, hook: Hook, fail_open: bool) -> None:
    running = start(tmp_path, hook, fail_open=fail_open)
    try:
        async with open_client(running.gateway, "streamable-http") as client:
            began = time.monotonic()
            if fail_open:
                assert await echo(client, "slow") == "slow"
                assert running.upstream_calls() == 1
            else:
                error = await refused(client, "ex__echo", {"text": "slow"})
                assert f"did not answer within {TIMEOUT_MS} ms" in error.error.message and "failOpen is false" in error.error.message, error.error
                assert running.upstream_calls() == 0, "a request the hook did not decide in time must not go upstream"
            assert time.monotonic() - began < TIMEOUT_MS / 1000 * 3, "the proxy waited past timeoutMs"
    finally:
        stop(running.gateway.process)


async def test_oversized_result_becomes_an_error(governed: Governed) -> None:
    async with open_client(governed.gateway, "streamable-http") as client:
        error = await refused(client, "ex__big", {"bytes": MAX_RESULT_BYTES * 2})
        assert "proxy.guards.maxResultBytes" in error.error.message and str(MAX_RESULT_BYTES) in error.error.message, error.error
        with deadline("big (small)"):
            small = await client.session.call_tool("ex__big", {"bytes": 100})
        assert text_of(small) == "x" * 100


@pytest.mark.parametrize("kind", sorted(SECRETS))
async def test_each_secret_kind_is_redacted(governed: Governed, kind: str) -> None:
    secret = SECRETS[kind]
    text = f"Authorization: Bearer {secret}" if kind == "bearer" else f"here it is: {secret} (keep it safe)"
    async with open_client(governed.gateway, "streamable-http") as client:
        answer = await echo(client, text)
    assert secret not in answer, answer
    expected = "Authorization: Bearer [REDACTED:bearer]" if kind == "bearer" else f"here it is: [REDACTED:{kind}] (keep it safe)"
    assert answer == expected
    governed.access_line(f"redacted={kind}:1", lambda line: f"redacted={kind}:1" in line.get("policy", ""))


async def test_custom_pattern(governed: Governed) -> None:
    key = "sk-" + "Ab3" * 12
    async with open_client(governed.gateway, "streamable-http") as client:
        assert await echo(client, f"key {key}") == "key [REDACTED:custom]"
        assert await echo(client, "nothing secret") == "nothing secret"


async def test_reload_builds_a_new_hook_and_guards(tmp_path: Path, hook: Hook) -> None:
    """A reload that turns the guards and the hook on: the open session moves to the new
    configuration and its next calls are redacted and asked about."""
    requests_log = tmp_path / "upstream-requests.txt"
    upstream = {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")),
                "args": ["--name", "ex", "--count-requests", str(requests_log)]}
    gateway = NetworkGateway.start(tmp_path, {"ex": upstream})
    try:
        async with open_client(gateway, "streamable-http") as client:
            secret = SECRETS["aws_access_key"]
            assert await echo(client, secret) == secret, "no guards yet"
            config = tmp_path / "serve.json"
            document = json.loads(config.read_text().replace("$$", "$"))
            document["proxy"] = {"policyHook": {"url": hook.url, "timeoutMs": TIMEOUT_MS},
                                 "guards": {"redactSecrets": True}}
            config.write_text(json.dumps(document, indent=2).replace("$", "$$"))
            gateway.process.send_signal(signal.SIGHUP)
            give_up = time.monotonic() + 10
            while "configuration reloaded" not in gateway.log.read_text(errors="replace"):
                assert "reload refused" not in gateway.log.read_text(errors="replace"), gateway.log_tail()
                assert time.monotonic() < give_up, f"no reload:\n{gateway.log_tail()}"
                time.sleep(0.05)
            assert await echo(client, secret) == "[REDACTED:aws_access_key]"
            error = await refused(client, "ex__echo", {"text": "deny me"})
            assert "no echo of that" in error.error.message, error.error
            assert len(hook.asked("request")) == 2
    finally:
        stop(gateway.process)
