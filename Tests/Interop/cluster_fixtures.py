"""A local cluster started by `Scripts/cluster.sh` (redis-server, nginx round robin, N replicas of
`mcp-proxy serve`), and plain HTTP helpers to talk to a replica or to the balancer directly.

`LocalCluster.up(directory, replicas, base_config)` runs `cluster.sh up N --config FILE` with a
private state folder (`MCP_CLUSTER_DIR`) and free ports (`MCP_CLUSTER_PORT=auto`); `down()` stops
it. The ports come from the state folder's `cluster.env`.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from network_fixtures import REPO_ROOT, binary

SCRIPT = REPO_ROOT / "Scripts" / "cluster.sh"
HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "cluster-replicas-test", "version": "1"}}}
REQUEST_METRIC = re.compile(r'^mcp_proxy_requests_total\{([^}]*)\} (\d+)$', re.M)


def _installed(name: str) -> bool:
    return bool(shutil.which(name) or os.path.exists(f"/usr/sbin/{name}") or os.path.exists(f"/usr/bin/{name}"))


@dataclass
class LocalCluster:
    """A cluster that `Scripts/cluster.sh` started in `state`."""

    state: Path
    env: dict[str, str]
    script_env: dict[str, str]
    base_config: Path

    @classmethod
    def up(cls, state: Path, replicas: int, base_config: Path) -> LocalCluster:
        script_env = dict(os.environ, MCP_CLUSTER_DIR=str(state), MCP_CLUSTER_PORT="auto",
                          MCP_PROXY_BIN=str(binary("MCP_PROXY_BIN", "mcp-proxy")),
                          EXAMPLE_SERVER_BIN=str(binary("EXAMPLE_SERVER_BIN", "example-server")))
        script_env.pop("MCP_CLUSTER_REDIS_PORT", None)
        cluster = cls(state, {}, script_env, base_config)
        result = cluster.script("up", str(replicas), "--config", str(base_config), timeout=120)
        if result.returncode != 0:
            output = result.stdout + result.stderr
            cluster.script("down", timeout=60)
            missing = [name for name in ("redis-server", "nginx") if not _installed(name)]
            if missing:
                pytest.skip(f"{' and '.join(missing)} not installed and Scripts/cluster.sh could not install them "
                            f"(needs apt-get as root or through sudo; Scripts/interop-setup.sh installs both):\n{output}")
            raise AssertionError(f"Scripts/cluster.sh up failed ({result.returncode}):\n{output}\n{cluster.logs()}")
        cluster.reload_env()
        return cluster

    def script(self, *arguments: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(SCRIPT), *arguments], env=self.script_env, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def reload_env(self) -> None:
        self.env = {}
        for line in (self.state / "cluster.env").read_text().splitlines():
            key, _, value = line.partition("=")
            self.env[key] = shlex.split(value)[0] if value.strip() else ""

    def down(self) -> None:
        self.script("down", timeout=60)

    @property
    def replicas(self) -> int:
        return int(self.env["REPLICAS"])

    @property
    def balancer(self) -> str:
        return f"http://127.0.0.1:{self.env['NGINX_PORT']}"

    def replica(self, index: int) -> str:
        return f"http://127.0.0.1:{self.env[f'REPLICA_{index}_PORT']}"

    def admin(self, index: int) -> str:
        return f"http://127.0.0.1:{self.env[f'REPLICA_{index}_ADMIN_PORT']}"

    def pid(self, part: str) -> int:
        """The pid of `redis`, `nginx` or `replica-I`, from its pid file."""
        return int((self.state / part / "pid").read_text().strip())

    def log(self, index: int) -> Path:
        return self.state / f"replica-{index}" / "serve.log"

    def logs(self) -> str:
        parts = []
        for path in sorted(self.state.glob("*/*.log")):
            parts.append(f"--- {path.relative_to(self.state)}\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)

    def kill(self, part: str, sig: signal.Signals = signal.SIGKILL, timeout: float = 10) -> None:
        """Sends `sig` to a part and waits until it has gone."""
        pid = self.pid(part)
        os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            stat = Path(f"/proc/{pid}/stat")
            if stat.exists() and stat.read_text().split()[2] == "Z":
                return
            time.sleep(0.02)
        raise AssertionError(f"{part} (pid {pid}) did not exit within {timeout}s after {sig.name}")

    def tools_calls(self, index: int) -> int:
        """`tools/call` requests replica `index` finished, whatever their outcome (its /metrics)."""
        text = http_get(self.admin(index) + "/metrics")
        return sum(int(value) for labels, value in REQUEST_METRIC.findall(text) if 'method="tools/call"' in labels)

    def metric(self, index: int, name: str, labels: str = "") -> float:
        """The sum of replica `index`'s series `name` whose labels contain `labels` (its /metrics)."""
        pattern = re.compile(rf'^{re.escape(name)}(?:\{{([^}}]*)\}})? (\S+)$', re.M)
        text = http_get(self.admin(index) + "/metrics")
        return sum(float(value) for found, value in pattern.findall(text) if labels in found)

    def redis_command(self, *words: str) -> str:
        """One command to the cluster's Redis (RESP), its answer as raw text."""
        with socket.create_connection(("127.0.0.1", int(self.env["REDIS_PORT"])), timeout=2) as sock:
            payload = f"*{len(words)}\r\n" + "".join(f"${len(w.encode())}\r\n{w}\r\n" for w in words)
            sock.sendall(payload.encode())
            sock.settimeout(0.3)
            chunks = []
            try:
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except TimeoutError:
                pass
            return b"".join(chunks).decode(errors="replace")


@dataclass
class Answer:
    status_code: int
    headers: dict[str, str]
    text: str

    def message(self) -> dict[str, Any]:
        """The one JSON-RPC message of a JSON or SSE body (fails when there is not exactly one)."""
        if self.headers.get("content-type", "").startswith("text/event-stream"):
            messages = [json.loads(line[5:]) for line in self.text.splitlines() if line.startswith("data:") and line[5:].strip()]
            responses = [m for m in messages if "id" in m and ("result" in m or "error" in m)]
            assert len(responses) == 1, f"expected one response in the stream, got {responses}"
            return responses[0]
        return json.loads(self.text)


def http_get(url: str, timeout: float = 5) -> str:
    parts = url.removeprefix("http://").split("/", 1)
    host, port = parts[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request("GET", "/" + (parts[1] if len(parts) > 1 else ""))
        response = connection.getresponse()
        return response.read().decode(errors="replace")
    finally:
        connection.close()


def send(method: str, base: str, key: str, body: dict[str, Any] | None = None, session: str | None = None,
         timeout: float = 10) -> Answer:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    headers = dict(HEADERS, **{"x-api-key": key})
    if session:
        headers["mcp-session-id"] = session
    try:
        connection.request(method, "/mcp", body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode(errors="replace"))
    finally:
        connection.close()


def open_session(base: str, key: str) -> str:
    """Initializes a session on `base` (a replica or the balancer) and returns its id."""
    opened = send("POST", base, key, INIT)
    assert opened.status_code == 200, f"initialize on {base}: {opened.status_code} {opened.text}"
    session = opened.headers["mcp-session-id"]
    initialized = send("POST", base, key, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
    assert initialized.status_code == 202, initialized.text
    return session


def call(base: str, key: str, session: str, request_id: int | str, tool: str, arguments: dict[str, Any],
         timeout: float = 10) -> Answer:
    return send("POST", base, key, {"jsonrpc": "2.0", "id": request_id, "method": "tools/call",
                                    "params": {"name": tool, "arguments": arguments}}, session, timeout=timeout)
