"""Hot reload under load: `mcp-proxy serve` reloads its config file (SIGHUP) ten times while
clients call tools without pause; every call gets its answer, none is lost or fails.

Each reload changes another kind of setting: upstreams added, removed and changed, tool filters,
routes, rate limits, authorization rules, timeouts, the pool. Open sessions move onto each new
configuration (their calls in flight finish on the old one); sessions opened meanwhile start on
the newest one. At the end the
replaced configurations' upstream processes are gone.
"""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest

from network_fixtures import NetworkGateway, binary, open_client

pytestmark = pytest.mark.anyio

WORKERS = 6          # sessions that stay open the whole run
CHURNERS = 2         # workers that open a new session every few calls
RELOADS = 10


def upstream(name: str, *extra: str, **settings: Any) -> dict[str, Any]:
    return {"command": str(binary("EXAMPLE_SERVER_BIN", "example-server")), "args": ["--name", name, *extra], **settings}


BASE_PROXY: dict[str, Any] = {"limits": {"maxSessionsPerPrincipal": 1000}}

# Every variant keeps alpha__echo, which the workers call; everything else changes.
VARIANTS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("add an upstream", {"alpha": upstream("alpha"), "beta": upstream("beta"), "gamma": upstream("gamma")}, {}),
    ("remove an upstream", {"alpha": upstream("alpha"), "gamma": upstream("gamma")}, {}),
    ("change an upstream's entry", {"alpha": upstream("alpha", "--page-size", "3"), "gamma": upstream("gamma")}, {}),
    ("tool filter", {"alpha": upstream("alpha", tools={"deny": ["add"]}), "gamma": upstream("gamma")}, {}),
    ("routes", {"alpha": upstream("alpha")}, {"routes": [{"method": "tools/call", "name": "alpha__crash", "action": "deny"}]}),
    ("rate limits", {"alpha": upstream("alpha")}, {"rateLimits": [{"per": "principal", "rate": 100000, "burst": 100000}]}),
    ("authorization", {"alpha": upstream("alpha")},
     {"authorization": {"default": "allow", "rules": [{"roles": ["nobody"], "tools": {"deny": ["*"]}}]}}),
    ("timeouts", {"alpha": upstream("alpha", timeoutSeconds=20, toolTimeouts={"slow": 5})}, {}),
    ("pool", {"alpha": upstream("alpha", pool={"size": 2, "max": 4}), "beta": upstream("beta")}, {}),
    ("back to the start", {"alpha": upstream("alpha"), "beta": upstream("beta")}, {}),
]


def write_config(path: Path, servers: dict[str, Any], proxy: dict[str, Any]) -> None:
    document = {"mcpServers": servers, "proxy": {**BASE_PROXY, **proxy}}
    path.write_text(json.dumps(document, indent=2).replace("$", "$$"))


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


async def test_reloads_under_load_lose_no_call(tmp_path: Path) -> None:
    gateway = NetworkGateway.start(tmp_path, {"alpha": upstream("alpha"), "beta": upstream("beta")}, BASE_PROXY)
    config = tmp_path / "serve.json"
    sent = 0
    answered = 0
    failures: list[str] = []
    stop = anyio.Event()

    async def call(session: Any, label: str, number: int) -> None:
        nonlocal sent, answered
        text = f"{label}-{number}"
        sent += 1
        try:
            with anyio.fail_after(20):
                result = await session.call_tool("alpha__echo", {"text": text})
        except Exception as error:  # noqa: BLE001 - every kind of failure is counted and reported
            failures.append(f"{label} call {number}: {type(error).__name__}: {error}")
            return
        content = result.content[0] if result.content else None
        if result.is_error or not isinstance(content, types.TextContent) or content.text != text:
            failures.append(f"{label} call {number}: wrong answer {result}")
            return
        answered += 1

    async def worker(index: int) -> None:
        async with open_client(gateway, "streamable-http") as connection:
            number = 0
            while not stop.is_set():
                number += 1
                await call(connection.session, f"w{index}", number)

    async def churner(index: int) -> None:
        number = 0
        while not stop.is_set():
            async with open_client(gateway, "streamable-http") as connection:
                for _ in range(5):
                    number += 1
                    await call(connection.session, f"c{index}", number)

    async def reloader() -> None:
        for round_number, (what, servers, proxy) in enumerate(VARIANTS, start=1):
            await anyio.sleep(0.4)
            write_config(config, servers, proxy)
            gateway.process.send_signal(signal.SIGHUP)
            with anyio.fail_after(20):
                while gateway.log_tail().count("configuration reloaded") < round_number and \
                        gateway.log.read_text(errors="replace").count("configuration reloaded") < round_number:
                    if "reload refused" in gateway.log.read_text(errors="replace"):
                        raise AssertionError(f"reload {round_number} ({what}) was refused:\n{gateway.log_tail()}")
                    await anyio.sleep(0.02)
        await anyio.sleep(0.4)
        stop.set()

    try:
        async with anyio.create_task_group() as group:
            for index in range(WORKERS):
                group.start_soon(worker, index)
            for index in range(CHURNERS):
                group.start_soon(churner, index)
            group.start_soon(reloader)

        log = gateway.log.read_text(errors="replace")
        assert log.count("configuration reloaded") == RELOADS, log[-4000:]
        assert not failures, f"{len(failures)} of {sent} calls failed:\n" + "\n".join(failures[:20])
        assert answered == sent and sent > 200, f"sent {sent}, answered {answered}"
        print(f"\nreload under load: {RELOADS} reloads, {sent} calls, {answered} answered, 0 lost")

        # Every session has ended: only the last configuration's upstreams run (alpha and beta),
        # the replaced ones stopped with their last session.
        deadline = time.monotonic() + 15
        while len(children_of(gateway.process.pid)) > 2 and time.monotonic() < deadline:
            await anyio.sleep(0.1)
        assert len(children_of(gateway.process.pid)) <= 2, \
            f"upstream processes left over from replaced configurations: {children_of(gateway.process.pid)}"
    finally:
        gateway.process.send_signal(signal.SIGTERM)
        try:
            gateway.process.wait(timeout=30)
        except Exception:  # noqa: BLE001
            gateway.process.kill()
