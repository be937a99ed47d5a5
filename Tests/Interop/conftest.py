"""Fixtures for the interoperability suite: mcp-proxy driven by the official MCP Python SDK.

Environment:
    MCP_PROXY_BIN       the built mcp-proxy binary (default <repo>/.build/debug/mcp-proxy)
    EXAMPLE_SERVER_BIN  the built example-server binary (default <repo>/.build/debug/example-server)
    MCP_PROXY_*         any other such variable is passed on to the proxy process

The proxy is configured with three stdio upstreams: `alpha` (example-server), `time`
(mcp-server-time) and `git` (mcp-server-git on a throwaway repository with one commit).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from proxy_harness import ProxyConnection, ProxyLauncher, describe_python

REPO_ROOT = Path(__file__).resolve().parents[2]
# Where each test (or module, for shared_proxy) keeps the path of its proxy's stderr log.
STDERR_KEY = pytest.StashKey[Path]()
SETUP_HINT = "run Scripts/interop-setup.sh, then .venv-interop/bin/python -m pytest Tests/Interop -q"


def _binary(variable: str, name: str) -> Path:
    default = REPO_ROOT / ".build" / "debug" / name
    return Path(os.environ.get(variable) or default).resolve()


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to run (rather than skip) when the binaries or the Python packages are missing."""
    problems = []
    for variable, name in (("MCP_PROXY_BIN", "mcp-proxy"), ("EXAMPLE_SERVER_BIN", "example-server")):
        path = _binary(variable, name)
        if not (path.is_file() and os.access(path, os.X_OK)):
            problems.append(
                f"{variable}: no executable at {path}. Build it with `swift build --product {name}` "
                f"or set {variable} to the built binary."
            )
    for module in ("mcp_server_time", "mcp_server_git"):
        if importlib.util.find_spec(module) is None:
            problems.append(f"Python module {module} is not installed for {describe_python()}: {SETUP_HINT}")
    if problems:
        raise pytest.UsageError("interop suite cannot run:\n  " + "\n  ".join(problems))


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def git_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository with one commit, for the `git` upstream."""
    repo = tmp_path_factory.mktemp("git-upstream-repo")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Interop Test",
        "GIT_AUTHOR_EMAIL": "interop@example.invalid",
        "GIT_COMMITTER_NAME": "Interop Test",
        "GIT_COMMITTER_EMAIL": "interop@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                       cwd=repo, env=env, check=True, capture_output=True)

    git("init", "-q")
    (repo / "README.md").write_text("interop test repository\n")
    git("add", "README.md")
    git("commit", "-q", "-m", "initial commit for interop tests")
    return repo


def render_config(example_server: Path, python: str, git_repo: Path, alpha_args: tuple[str, ...] = ()) -> str:
    """The proxy config, YAML in the `mcpServers` form.

    Values are written as JSON strings (valid YAML scalars) with `$` doubled, since the proxy
    expands `${VAR}` in config values and reads `$$` as a literal `$`.
    """
    upstreams = {
        "alpha": (str(example_server), ["--name", "alpha", *alpha_args]),
        "time": (python, ["-m", "mcp_server_time", "--local-timezone", "UTC"]),
        "git": (python, ["-m", "mcp_server_git", "--repository", str(git_repo)]),
    }

    def scalar(value: str) -> str:
        return json.dumps(value.replace("$", "$$"))

    lines = ["mcpServers:"]
    for name, (command, args) in upstreams.items():
        lines.append(f"  {name}:")
        lines.append(f"    command: {scalar(command)}")
        lines.append(f"    args: [{', '.join(scalar(a) for a in args)}]")
    return "\n".join(lines) + "\n"


def _make_launcher(
    directory: Path, git_repo: Path, node: pytest.Item | pytest.Module, alpha_args: tuple[str, ...] = ()
) -> ProxyLauncher:
    config_path = directory / "mcp-proxy.yaml"
    example_server = _binary("EXAMPLE_SERVER_BIN", "example-server")
    config_path.write_text(render_config(example_server, sys.executable, git_repo, alpha_args))
    stderr_path = directory / "mcp-proxy.stderr.log"
    stderr_path.touch()
    node.stash[STDERR_KEY] = stderr_path
    return ProxyLauncher(proxy_bin=_binary("MCP_PROXY_BIN", "mcp-proxy"), config_path=config_path,
                         stderr_path=stderr_path)


@pytest.fixture
def launcher(tmp_path: Path, git_repo: Path, request: pytest.FixtureRequest) -> ProxyLauncher:
    """Writes this test's config file; `launcher.connect()` starts a fresh proxy.

    A test marked `@pytest.mark.alpha_args("--page-size", "2")` passes extra arguments to alpha.
    """
    marker = request.node.get_closest_marker("alpha_args")
    alpha_args = tuple(marker.args) if marker else ()
    return _make_launcher(tmp_path, git_repo, request.node, alpha_args)


@pytest.fixture
async def proxy(launcher: ProxyLauncher) -> AsyncIterator[ProxyConnection]:
    """An initialized session to this test's own mcp-proxy process."""
    async with launcher.connect() as connection:
        yield connection


@pytest.fixture(scope="module")
async def shared_proxy(
    tmp_path_factory: pytest.TempPathFactory, git_repo: Path, request: pytest.FixtureRequest
) -> AsyncIterator[ProxyConnection]:
    """One proxy for a whole module of read-only tests (keeps the suite fast); state-changing
    and failure tests use `proxy` instead."""
    directory = tmp_path_factory.mktemp(f"shared-{request.node.name.removesuffix('.py')}")
    async with _make_launcher(directory, git_repo, request.node).connect() as connection:
        yield connection



@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    """Attach the proxy's stderr (and the config) to a failing test's report."""
    report = yield
    module = item.getparent(pytest.Module)
    holder = item if STDERR_KEY in item.stash else module
    if report.failed and holder is not None and STDERR_KEY in holder.stash:
        stderr_path = holder.stash[STDERR_KEY]
        text = stderr_path.read_text(errors="replace") if stderr_path.exists() else ""
        report.sections.append(("mcp-proxy stderr (last 8000 chars)", text[-8000:] or "(empty)"))
        config_path = stderr_path.with_name("mcp-proxy.yaml")
        if config_path.exists():
            report.sections.append(("mcp-proxy config", config_path.read_text()))
    return report
