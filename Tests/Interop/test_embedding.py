"""The proxy embedded in-process: the Python package `mcp_proxy` (ctypes over libmcpproxy) and the
C and Python embedding examples, driven by the official MCP Python SDK client.

Everything is real: the proxy runs inside this pytest process (its upstreams, example-server,
are children of this process), clients connect over real sockets (Streamable HTTP) or a real
pipe (the SDK's stdio client launching embedding_stdio_host.py), and the C example is compiled
with gcc and run.

The package comes from Scripts/interop-setup.sh (`pip install ./Python`, which bundles
.build/debug/libmcpproxy.so); MCPPROXY_LIBRARY overrides the bundled library. Without the
package the module is skipped, except under CI (the environment variable CI set), where that is
a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import anyio
import pytest
from fault_fixtures import children
from mcp import ClientSession, MCPError, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from network_fixtures import START_TIMEOUT, binary, free_port
from proxy_harness import deadline, text_of

try:
    import mcp_proxy
    from mcp_proxy import ConfigError, MCPProxy, PolicyRequest, StateError
except ImportError as import_error:
    if os.environ.get("CI"):
        raise ImportError(
            f"the mcp_proxy package is not installed for {sys.executable} ({import_error}); "
            "Scripts/interop-setup.sh installs it (pip install ./Python) once libmcpproxy.so is built"
        ) from import_error
    pytest.skip(
        f"the mcp_proxy package is not installed for {sys.executable} ({import_error}): build the library "
        "(swift build --product mcpproxy), then run Scripts/interop-setup.sh",
        allow_module_level=True,
    )

pytestmark = pytest.mark.anyio

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_SERVER = binary("EXAMPLE_SERVER_BIN", "example-server")
STDIO_HOST = Path(__file__).with_name("embedding_stdio_host.py")
C_EXAMPLE = REPO_ROOT / "Examples" / "embed-c"
PYTHON_EXAMPLE = REPO_ROOT / "Examples" / "embed-python" / "gateway.py"
# Seconds an example program may take from start to exit.
PROGRAM_TIMEOUT = 60.0
FORBIDDEN = -32003


# MARK: helpers


def upstream(name: str, *extra: str) -> dict[str, Any]:
    """A config entry that runs example-server as `name`."""
    return {"command": str(EXAMPLE_SERVER), "args": ["--name", name, *extra]}


def gateway_config(upstreams: dict[str, dict[str, Any]], **proxy: Any) -> dict[str, Any]:
    """A network config on free loopback ports (front and admin), short drain and kill grace."""
    settings: dict[str, Any] = {
        "listen": {"host": "127.0.0.1", "port": 0, "drainSeconds": 1},
        "admin": {"host": "127.0.0.1", "port": 0},
        "upstreams": {"shutdownGraceSeconds": 2},
        # The library logs to this process's stderr; info lines about upstreams exiting may
        # land between tests, outside pytest's capture. Warnings and errors still show.
        "logging": {"level": "notice"},
    }
    settings.update(proxy)
    return {"mcpServers": upstreams, "proxy": settings}


@pytest.fixture
def start_proxy() -> Iterator[Callable[[dict[str, Any]], MCPProxy]]:
    """Creates and starts proxies on the network front; closes every one after the test."""
    started: list[MCPProxy] = []

    def start(config: dict[str, Any]) -> MCPProxy:
        proxy = MCPProxy(config=config)
        started.append(proxy)
        return proxy.start("network")

    yield start
    for proxy in started:
        proxy.close()


@asynccontextmanager
async def sdk_session(url: str, headers: dict[str, str] | None = None) -> AsyncIterator[ClientSession]:
    """An initialized session of the SDK's Streamable HTTP client."""
    async with create_mcp_http_client(headers=headers) as http_client:
        async with streamable_http_client(url, http_client=http_client) as (read_stream, write_stream):
            async with ClientSession(read_stream, write_stream) as session:
                with deadline(f"initialize at {url}", START_TIMEOUT):
                    await session.initialize()
                yield session


async def tool_names(session: ClientSession) -> set[str]:
    with deadline("tools/list"):
        return {tool.name for tool in (await session.list_tools()).tools}


async def call_text(session: ClientSession, tool: str, arguments: dict[str, Any]) -> str:
    with deadline(f"tools/call {tool}"):
        return text_of(await session.call_tool(tool, arguments))


async def call_refused(session: ClientSession, tool: str, arguments: dict[str, Any]) -> MCPError:
    """Calls `tool` and returns the JSON-RPC error it must get."""
    with deadline(f"tools/call {tool}"), pytest.raises(MCPError) as raised:
        await session.call_tool(tool, arguments)
    return raised.value


async def eventually(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    try:
        with anyio.fail_after(timeout):
            while not predicate():
                await anyio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout}s waiting for {what}") from None


def tool_requests(stats: dict[str, Any], upstream_name: str, tool: str) -> int:
    """How many tools/call requests of `tool` the stats count for `upstream_name`."""
    return sum(
        entry["count"]
        for entry in stats["requests"]
        if entry["upstream"] == upstream_name and entry["method"] == "tools/call"
        and entry.get("tool") in (tool, f"{upstream_name}__{tool}")
    )


def forwarded_calls(log: Path) -> int:
    """tools/call requests an example-server started with `--count-requests log` received."""
    if not log.exists():
        return 0
    return sum(1 for line in log.read_text().splitlines() if line.endswith(" tools/call"))


def upstream_state(proxy: MCPProxy, name: str) -> dict[str, Any] | None:
    return next((entry for entry in proxy.upstreams() if entry["upstream"] == name), None)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def processes_mentioning(token: str) -> list[str]:
    """Command lines of every process (any parent) that contain `token`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if token in command:
            found.append(f"{entry}: {command}")
    return found


def json_after(output: str, marker: str) -> Any:
    """The JSON value that follows `marker` in a program's output."""
    index = output.find(marker)
    assert index >= 0, f"no {marker!r} in the output:\n{output[-4000:]}"
    value, _ = json.JSONDecoder().raw_decode(output, index + len(marker))
    return value


def require_tool(name: str) -> str:
    """The path of a build tool; skipped without it unless under CI, where it must be there."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed, and CI must build the C example")
        pytest.skip(f"{name} is not installed: the C example cannot be built")
    return path


def read_line_with(process: subprocess.Popen[str], marker: str, seen: list[str]) -> str:
    """Reads the program's stdout up to the first line starting with `marker`."""
    assert process.stdout is not None
    for line in process.stdout:
        seen.append(line)
        if line.startswith(marker):
            return line
    raise AssertionError(f"the program ended without printing {marker!r}:\n{''.join(seen)}")


# MARK: the Python package in front of example-server


async def test_network_front_serves_the_sdk_client_and_counts(start_proxy: Callable[..., MCPProxy]) -> None:
    proxy = start_proxy(gateway_config({"alpha": upstream("alpha")}))
    addresses = proxy.addresses
    assert addresses["front"] == "network", addresses
    assert addresses["mcp"].startswith("http://127.0.0.1:") and addresses["mcp"].endswith("/mcp"), addresses
    assert proxy.url == addresses["mcp"]
    assert addresses["admin"].startswith("http://127.0.0.1:"), addresses
    assert MCPProxy.abi_version() == mcp_proxy.ABI_VERSION and MCPProxy.version()

    before = tool_requests(proxy.stats(), "alpha", "echo")
    async with sdk_session(proxy.url) as session:
        assert {"alpha__echo", "alpha__add"} <= await tool_names(session)
        assert await call_text(session, "alpha__echo", {"text": "embedded ✓"}) == "embedded ✓"
        assert await call_text(session, "alpha__add", {"a": 2, "b": 3}) == "5"
        await eventually(lambda: tool_requests(proxy.stats(), "alpha", "echo") == before + 1,
                         f"the stats to count one alpha echo call (stats: {proxy.stats()['requests']})")
        assert tool_requests(proxy.stats(), "alpha", "add") == 1

    state = upstream_state(proxy, "alpha")
    assert state is not None and state["ready"] is True and state["mode"] == "shared", proxy.upstreams()
    assert "mcp_proxy_requests_total" in proxy.metrics()


async def test_reload_adds_an_upstream_without_dropping_open_sessions(start_proxy: Callable[..., MCPProxy]) -> None:
    proxy = start_proxy(gateway_config({"alpha": upstream("alpha")}))
    async with sdk_session(proxy.url) as old:
        assert "beta__echo" not in await tool_names(old)

        # YAML text this time (the first config was a dict sent as JSON).
        await anyio.to_thread.run_sync(proxy.reload, "\n".join([
            "mcpServers:",
            f"  alpha: {json.dumps(upstream('alpha'))}",
            f"  beta: {json.dumps(upstream('beta'))}",
            f"proxy: {json.dumps(gateway_config({})['proxy'])}",
        ]))

        # The session opened before the reload keeps working, and moved onto the new configuration.
        assert await call_text(old, "alpha__echo", {"text": "before and after"}) == "before and after"
        async with sdk_session(proxy.url) as new:
            assert {"alpha__echo", "beta__echo"} <= await tool_names(new)
            assert await call_text(new, "beta__echo", {"text": "from beta"}) == "from beta"
            assert await call_text(new, "alpha__echo", {"text": "from alpha"}) == "from alpha"
        assert await call_text(old, "alpha__echo", {"text": "still here"}) == "still here"
        assert "beta__echo" in await tool_names(old), "an open session did not move to the new configuration"
        assert await call_text(old, "beta__echo", {"text": "moved"}) == "moved"

    await eventually(lambda: (upstream_state(proxy, "beta") or {}).get("ready") is True,
                     f"beta to be listed ready (upstreams: {proxy.upstreams()})")


async def test_a_broken_reload_raises_and_changes_nothing(start_proxy: Callable[..., MCPProxy]) -> None:
    config = gateway_config({"alpha": upstream("alpha")})
    proxy = start_proxy(config)
    async with sdk_session(proxy.url) as session:
        broken = gateway_config({"alpha": {"comand": str(EXAMPLE_SERVER)}})
        with pytest.raises(ConfigError) as raised:
            proxy.reload(broken)
        assert "comand" in str(raised.value), raised.value
        assert raised.value.code == 1

        with pytest.raises(ConfigError) as raised:
            proxy.reload("mcpServers: [unclosed")
        assert str(raised.value), "a YAML error without a message"

        # Listener settings cannot change while running.
        moved = gateway_config({"alpha": upstream("alpha")})
        moved["proxy"]["listen"]["port"] = free_port()
        with pytest.raises(StateError):
            proxy.reload(moved)

        assert await call_text(session, "alpha__echo", {"text": "unharmed"}) == "unharmed"
    async with sdk_session(proxy.url) as fresh:
        names = await tool_names(fresh)
        assert "alpha__echo" in names and not any(name.startswith("beta__") for name in names)
        assert await call_text(fresh, "alpha__echo", {"text": "new session"}) == "new session"


# MARK: policies


async def test_a_denied_tool_never_reaches_the_upstream(
    start_proxy: Callable[..., MCPProxy], tmp_path: Path
) -> None:
    alpha_log, beta_log = tmp_path / "alpha-requests.txt", tmp_path / "beta-requests.txt"
    proxy = start_proxy(gateway_config({
        "alpha": upstream("alpha", "--count-requests", str(alpha_log)),
        "beta": upstream("beta", "--count-requests", str(beta_log)),
    }))
    seen: list[PolicyRequest] = []

    @proxy.policy(tools="alpha__*")
    def guard(request: PolicyRequest) -> bool | str | None:
        seen.append(request)
        if request.name == "alpha__add":
            return f"alpha__add is closed to {request.principal}"
        return None

    async with sdk_session(proxy.url) as session:
        assert await call_text(session, "alpha__echo", {"text": "allowed"}) == "allowed"
        assert forwarded_calls(alpha_log) == 1

        error = await call_refused(session, "alpha__add", {"a": 1, "b": 2})
        assert error.code == FORBIDDEN, error.error
        assert "alpha__add is closed to anonymous" in error.message, error.error
        assert forwarded_calls(alpha_log) == 1, "the denied call reached the upstream"
        assert [request.name for request in seen] == ["alpha__echo", "alpha__add"]
        assert seen[1] == PolicyRequest(principal="anonymous", roles=(), method="tools/call",
                                        name="alpha__add", upstream="alpha")

        # Outside the glob the policy is never called: other upstreams' tools, other methods.
        assert await call_text(session, "beta__add", {"a": 1, "b": 2}) == "3"
        assert forwarded_calls(beta_log) == 1
        await tool_names(session)
        assert len(seen) == 2, [request.name for request in seen]

        guard.remove()
        assert not guard.active and proxy.policies == []
        assert await call_text(session, "alpha__add", {"a": 1, "b": 2}) == "3"
        assert forwarded_calls(alpha_log) == 2
        assert len(seen) == 2, "a removed policy was called"


async def test_a_policy_that_raises_or_answers_nonsense_denies(
    start_proxy: Callable[..., MCPProxy], tmp_path: Path
) -> None:
    log = tmp_path / "alpha-requests.txt"
    proxy = start_proxy(gateway_config({"alpha": upstream("alpha", "--count-requests", str(log))}))

    @proxy.policy(tools="alpha__echo")
    def backend_down(request: PolicyRequest) -> bool:
        raise RuntimeError("policy backend down")

    async with sdk_session(proxy.url) as session:
        error = await call_refused(session, "alpha__echo", {"text": "x"})
        assert error.code == FORBIDDEN, error.error
        assert "RuntimeError" in error.message and "policy backend down" in error.message, error.error
        backend_down.remove()

        @proxy.policy(tools="alpha__echo")
        def says_no(request: PolicyRequest) -> bool:
            return False

        error = await call_refused(session, "alpha__echo", {"text": "x"})
        assert error.code == FORBIDDEN and "says_no" in error.message, error.error
        says_no.remove()

        @proxy.policy(tools="alpha__echo")
        def confused(request: PolicyRequest) -> Any:
            return 0  # neither bool, str nor None: fails closed

        error = await call_refused(session, "alpha__echo", {"text": "x"})
        assert error.code == FORBIDDEN, error.error
        assert forwarded_calls(log) == 0, "a call a policy refused reached the upstream"
        confused.remove()

        assert await call_text(session, "alpha__echo", {"text": "open again"}) == "open again"
        assert forwarded_calls(log) == 1


async def test_a_policy_sees_the_authenticated_principal(start_proxy: Callable[..., MCPProxy]) -> None:
    keys = {"alice": "alice-key-0123456789abcdef", "bob": "bob-key-0123456789abcdef"}
    port = free_port()
    config = gateway_config(
        {"alpha": upstream("alpha")},
        auth={"resource": f"http://127.0.0.1:{port}/mcp", "apiKeys": [
            {"name": "alice", "key": keys["alice"], "roles": ["admin"]},
            {"name": "bob", "key": keys["bob"], "roles": ["ci", "reader"]},
        ]},
    )
    config["proxy"]["listen"]["port"] = port
    proxy = start_proxy(config)
    seen: list[PolicyRequest] = []

    @proxy.policy(tools="alpha__add")
    def no_add_for_bob(request: PolicyRequest) -> bool | str:
        seen.append(request)
        return f"{request.principal} may not add" if request.principal == "bob" else True

    async with sdk_session(proxy.url, {"X-API-Key": keys["bob"]}) as bob:
        error = await call_refused(bob, "alpha__add", {"a": 1, "b": 1})
        assert error.code == FORBIDDEN and "bob may not add" in error.message, error.error
        assert await call_text(bob, "alpha__echo", {"text": "bob echoes"}) == "bob echoes"
    async with sdk_session(proxy.url, {"Authorization": f"Bearer {keys['alice']}"}) as alice:
        assert await call_text(alice, "alpha__add", {"a": 1, "b": 1}) == "2"
    assert [(request.principal, request.roles) for request in seen] == [("bob", ("ci", "reader")), ("alice", ("admin",))]


# MARK: stopping


async def test_stop_leaves_no_child_process_and_no_open_port(
    start_proxy: Callable[..., MCPProxy], tmp_path: Path
) -> None:
    token = str(tmp_path / "initialize.txt")  # in every upstream's command line
    baseline = {child.pid for child in children(os.getpid())}
    proxy = start_proxy(gateway_config({
        "alpha": upstream("alpha", "--count-initialize", token),
        "beta": upstream("beta", "--count-initialize", token),
    }))
    ports = [urlparse(proxy.addresses[key]).port for key in ("mcp", "admin")]
    assert all(port and port_open(port) for port in ports)
    async with sdk_session(proxy.url) as session:
        assert await call_text(session, "beta__echo", {"text": "up"}) == "up"
    spawned = [child for child in children(os.getpid()) if child.pid not in baseline]
    assert len(spawned) >= 2, f"expected the two upstreams as children of this process: {spawned}"

    await anyio.to_thread.run_sync(proxy.stop)
    assert proxy.wait(0) is True
    left = [child for child in children(os.getpid()) if child.pid not in baseline]
    assert left == [], f"children left after stop() (zombies included): {left}"
    assert processes_mentioning(token) == []
    for port in ports:
        assert not port_open(port), f"port {port} still accepts connections after stop()"

    with pytest.raises(StateError):
        proxy.start()  # a proxy starts once
    proxy.close()
    proxy.close()  # idempotent
    with pytest.raises(StateError):
        proxy.stats()


def test_the_context_manager_starts_and_closes(tmp_path: Path) -> None:
    baseline = {child.pid for child in children(os.getpid())}
    with MCPProxy(config=gateway_config({"alpha": upstream("alpha")})) as proxy:
        assert proxy.front == "network"
        port = urlparse(proxy.url).port
        assert port and port_open(port)
    assert proxy.closed
    assert not port_open(port)
    assert [child for child in children(os.getpid()) if child.pid not in baseline] == []


# MARK: the stdio front


async def test_stdio_front_under_the_sdk_stdio_client(tmp_path: Path) -> None:
    config = tmp_path / "stdio.json"
    config.write_text(json.dumps({"mcpServers": {"alpha": upstream("alpha")}}))
    # The SDK passes only a safe subset of the environment: forward what locates the package and library.
    env = {name: os.environ[name] for name in ("MCPPROXY_LIBRARY", "PYTHONPATH") if os.environ.get(name)}
    parameters = StdioServerParameters(command=sys.executable, args=[str(STDIO_HOST), str(config)], env=env or None)
    errlog_path = tmp_path / "stdio-host.stderr.log"
    with errlog_path.open("w") as errlog:
        async with stdio_client(parameters, errlog=errlog) as (read_stream, write_stream):
            async with ClientSession(read_stream, write_stream) as session:
                with deadline("initialize over stdio", START_TIMEOUT):
                    result = await session.initialize()
                assert result.server_info.name, result
                assert {"alpha__echo", "alpha__add"} <= await tool_names(session)
                assert await call_text(session, "alpha__echo", {"text": "through stdio"}) == "through stdio"
                error = await call_refused(session, "alpha__add", {"a": 1, "b": 2})
                assert error.code == FORBIDDEN, error.error
                assert "add refused by the stdio host for local" in error.message, error.error
    log = errlog_path.read_text(errors="replace")
    assert "serving on stdio" in log and '"front": "stdio"' in log.replace("'", '"'), log[-4000:]
    assert "stopped=True" in log, f"the host did not see the proxy stop when stdin closed:\n{log[-4000:]}"


# MARK: the examples


def build_c_example(directory: Path) -> Path:
    require_tool("gcc")
    program = directory / "embed-gateway"
    env = {**os.environ, "MCPPROXY_LIBRARY": str(mcp_proxy.library_path())}
    built = subprocess.run(["bash", str(C_EXAMPLE / "build.sh"), str(program)], env=env,
                           capture_output=True, text=True, timeout=PROGRAM_TIMEOUT)
    assert built.returncode == 0, f"build.sh failed:\n{built.stdout}\n{built.stderr}"
    return program


def example_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "GATEWAY_PORT": "0", "GATEWAY_ADMIN": "0", "EXAMPLE_SERVER_BIN": str(EXAMPLE_SERVER), **extra}


def test_the_c_example_builds_runs_and_prints_stats(tmp_path: Path) -> None:
    program = build_c_example(tmp_path)
    run = subprocess.run([str(program), str(C_EXAMPLE / "gateway.yaml"), "1"], env=example_env(), cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=PROGRAM_TIMEOUT)
    assert run.returncode == 0, f"exit {run.returncode}\nstdout:\n{run.stdout}\nstderr:\n{run.stderr[-4000:]}"
    addresses = json_after(run.stdout, "addresses: ")
    assert addresses["front"] == "network" and addresses["mcp"].startswith("http://127.0.0.1:"), addresses
    stats = json_after(run.stdout, "stats: ")
    assert isinstance(stats["requests"], list) and "counters" in stats, stats
    upstreams = json_after(run.stdout, "upstreams: ")
    assert {entry["upstream"] for entry in upstreams} == {"alpha", "beta"}, upstreams
    assert run.stdout.rstrip().endswith("stopped"), run.stdout


async def test_the_c_example_serves_until_sigint(tmp_path: Path) -> None:
    program = build_c_example(tmp_path)
    process = subprocess.Popen([str(program)], env=example_env(), cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=(tmp_path / "stderr.log").open("w"), text=True)
    watchdog = threading.Timer(PROGRAM_TIMEOUT, process.kill)
    watchdog.start()
    try:
        seen: list[str] = []
        addresses = json.loads(read_line_with(process, "addresses: ", seen).removeprefix("addresses: "))
        async with sdk_session(addresses["mcp"]) as session:
            assert await call_text(session, "alpha__echo", {"text": "via C"}) == "via C"
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=PROGRAM_TIMEOUT)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    output = "".join(seen) + rest
    assert process.returncode == 0, f"exit {process.returncode}:\n{output}\n{(tmp_path / 'stderr.log').read_text()[-4000:]}"
    assert "signal received: stopping" in output, output
    assert tool_requests(json_after(output, "stats: "), "alpha", "echo") == 1, output
    assert output.rstrip().endswith("stopped"), output


async def test_the_python_example_denies_one_tool_to_one_principal(tmp_path: Path) -> None:
    keys = {"ALICE_KEY": "alice-example-key-0123456789", "CI_BOT_KEY": "ci-bot-example-key-0123456789"}
    process = subprocess.Popen([sys.executable, str(PYTHON_EXAMPLE)], env=example_env(**keys), cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=(tmp_path / "stderr.log").open("w"), text=True)
    watchdog = threading.Timer(PROGRAM_TIMEOUT, process.kill)
    watchdog.start()
    try:
        seen: list[str] = []
        addresses = json.loads(read_line_with(process, "addresses: ", seen).removeprefix("addresses: "))
        read_line_with(process, "serving", seen)
        async with sdk_session(addresses["mcp"], {"X-API-Key": keys["CI_BOT_KEY"]}) as bot:
            error = await call_refused(bot, "alpha__add", {"a": 1, "b": 2})
            assert error.code == FORBIDDEN and "ci-bot may not call alpha__add" in error.message, error.error
            assert await call_text(bot, "beta__add", {"a": 1, "b": 2}) == "3"
        async with sdk_session(addresses["mcp"], {"X-API-Key": keys["ALICE_KEY"]}) as alice:
            assert await call_text(alice, "alpha__add", {"a": 1, "b": 2}) == "3"
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=PROGRAM_TIMEOUT)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    output = "".join(seen) + rest
    assert process.returncode == 0, f"exit {process.returncode}:\n{output}\n{(tmp_path / 'stderr.log').read_text()[-4000:]}"
    stats = json_after(output, "stats: ")
    assert tool_requests(stats, "alpha", "add") == 1 and tool_requests(stats, "beta", "add") == 1, stats["requests"]
    assert output.rstrip().endswith("stopped"), output
