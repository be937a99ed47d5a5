#!/usr/bin/env bash
# Sets up the Python environment that the interoperability suite (Tests/Interop) runs in.
#
# What it does, idempotently:
#   1. checks for python3 (>= 3.10) and its venv module; installs python3-venv with apt-get
#      when it is missing and this runs as root;
#   2. checks for the git binary (mcp-server-git and the suite's temp repository need it);
#      installs it with apt-get when missing and this runs as root;
#   2b. checks for Debian's redis-server (the MCPRedis tests run against a real one on a free
#      port) and nginx (the cluster tests balance replicas with it, through Scripts/cluster.sh);
#      installs them with apt-get when missing and this runs as root, else prints a note
#      (those tests then fail, saying to run this script);
#   3. checks for Debian's chromium and chromium-driver (the status page test drives them through
#      Selenium); installs them with apt-get when missing and this runs as root, else prints a
#      note (test_status_page.py then skips, and fails under CI);
#   4. creates a virtual environment at <repo>/.venv-interop (override with MCP_INTEROP_VENV);
#   5. installs the pinned packages of Tests/Interop/requirements.txt (the MCP Python SDK,
#      mcp-server-time, mcp-server-git, pytest, anyio, selenium) from PyPI; skipped when the venv
#      already holds exactly that file's pins;
#   6. installs the embedding package (Python/, `mcp_proxy`) with the built libmcpproxy.so inside
#      it ($MCPPROXY_LIBRARY, else <repo>/.build/debug/libmcpproxy.so), every run (so it always
#      matches the library just built); without the library it prints a note and skips this.
#
# Usage (from anywhere):
#   Scripts/interop-setup.sh
#   .venv-interop/bin/python -m pytest Tests/Interop -q
# The suite needs the built binaries: `swift build` first, or point MCP_PROXY_BIN and
# EXAMPLE_SERVER_BIN at them. The venv is a build artefact: keep `.venv-interop/` out of git.
#
# Environment:
#   MCP_INTEROP_VENV    venv directory (default: <repo>/.venv-interop)
#   MCP_INTEROP_PYTHON  interpreter that creates the venv (default: python3)
#   MCPPROXY_LIBRARY    the libmcpproxy.so to bundle (default: <repo>/.build/debug/libmcpproxy.so)
set -euo pipefail

say() { printf 'interop-setup: %s\n' "$*"; }
die() { printf 'interop-setup: error: %s\n' "$*" >&2; exit 1; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="$repo_root/Tests/Interop/requirements.txt"
venv="${MCP_INTEROP_VENV:-$repo_root/.venv-interop}"
python="${MCP_INTEROP_PYTHON:-python3}"

[ -f "$requirements" ] || die "missing $requirements (run this script from a checkout of the repository)"

is_root() { [ "$(id -u)" -eq 0 ]; }
apt_updated=0
apt_install() {
    is_root || return 1
    command -v apt-get >/dev/null 2>&1 || return 1
    if [ "$apt_updated" -eq 0 ]; then
        say "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null || return 1
        apt_updated=1
    fi
    say "apt-get install -y $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

# 1. python3 and venv
if ! command -v "$python" >/dev/null 2>&1; then
    say "$python not found"
    apt_install python3 python3-venv || die "$python is missing; install Python 3.10 or newer (Debian: apt-get install python3 python3-venv)"
fi
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
    || die "$("$python" --version 2>&1) is too old: the MCP SDK needs Python 3.10 or newer (set MCP_INTEROP_PYTHON to a newer interpreter)"
say "using $("$python" --version 2>&1) at $(command -v "$python")"

if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    say "the venv module (ensurepip) is missing"
    pyver="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    apt_install python3-venv "python${pyver}-venv" || apt_install python3-venv \
        || die "cannot create virtual environments: install python3-venv (Debian: apt-get install python3-venv) or run this script as root"
    "$python" -c 'import venv, ensurepip' >/dev/null 2>&1 || die "python3-venv installed but 'import ensurepip' still fails for $python"
fi

# 2. git
if ! command -v git >/dev/null 2>&1; then
    say "git not found"
    apt_install git || die "git is missing: install it (Debian: apt-get install git) or run this script as root"
fi
say "using $(git --version)"

# 2b. redis-server (Debian's), for the MCPRedis tests (swift test)
if command -v redis-server >/dev/null 2>&1; then
    say "using $(redis-server --version 2>/dev/null | head -n 1)"
elif apt_install redis-server; then
    say "installed $(redis-server --version 2>/dev/null | head -n 1)"
else
    say "note: redis-server is missing and cannot be installed here (needs root and apt-get: apt-get install redis-server); the MCPRedis tests fail without it"
fi
# nginx (Debian's), the round-robin balancer of the cluster tests (Scripts/cluster.sh)
nginx_bin="$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)"
if [ -n "$nginx_bin" ]; then
    say "using $("$nginx_bin" -v 2>&1 | head -n 1)"
elif apt_install nginx; then
    say "installed $(/usr/sbin/nginx -v 2>&1 | head -n 1)"
else
    say "note: nginx is missing and cannot be installed here (needs root and apt-get: apt-get install nginx); the cluster tests (test_cluster_*.py) fail or skip without it"
fi

# 3. chromium and chromium-driver (Debian's), for the status page test
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    say "using $(chromium --version 2>/dev/null | head -n 1) and $(chromedriver --version 2>/dev/null | head -n 1)"
elif apt_install chromium chromium-driver; then
    say "installed $(chromium --version 2>/dev/null | head -n 1) and $(chromedriver --version 2>/dev/null | head -n 1)"
else
    say "note: chromium or chromedriver is missing and cannot be installed here (needs root and apt-get: apt-get install chromium chromium-driver); Tests/Interop/test_status_page.py skips (and fails under CI)"
fi

# 4. the venv
vpy="$venv/bin/python"
if [ -x "$vpy" ] && "$vpy" -c 'import sys' >/dev/null 2>&1; then
    say "reusing venv $venv"
else
    if [ -f "$venv/pyvenv.cfg" ]; then
        say "venv $venv is broken (its python does not run); recreating it"
        "$python" -m venv --clear "$venv" || die "python -m venv --clear $venv failed"
    elif [ -e "$venv" ] && [ -n "$(ls -A "$venv" 2>/dev/null)" ]; then
        die "$venv exists and is not a virtual environment: remove it or set MCP_INTEROP_VENV to another directory"
    else
        say "creating venv $venv"
        "$python" -m venv "$venv" || die "python -m venv $venv failed"
    fi
fi

# 5. packages
stamp="$venv/.interop-requirements.sha256"
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$vpy" -c 'import mcp, mcp_server_time, mcp_server_git, pytest, anyio, selenium' >/dev/null 2>&1; then
    say "packages already match $requirements"
else
    say "installing packages from $requirements"
    "$vpy" -m pip install --disable-pip-version-check -q --upgrade pip || die "upgrading pip in $venv failed"
    "$vpy" -m pip install --disable-pip-version-check -q -r "$requirements" \
        || die "pip install -r $requirements failed (is PyPI reachable?)"
    "$vpy" -c 'import mcp, mcp_server_time, mcp_server_git, pytest, anyio, selenium' \
        || die "the packages installed but do not import"
    printf '%s\n' "$want" >"$stamp"
fi
say "mcp $("$vpy" -c 'from importlib.metadata import version; print(version("mcp"))'), mcp-server-time $("$vpy" -c 'from importlib.metadata import version; print(version("mcp-server-time"))'), mcp-server-git $("$vpy" -c 'from importlib.metadata import version; print(version("mcp-server-git"))')"
# 6. the embedding package. Offline on purpose: --no-build-isolation builds with the venv's own
#    setuptools (pinned in requirements.txt) instead of downloading one; --force-reinstall
#    --no-deps reinstalls it every run (a few seconds) so that it bundles the library just built.
library="${MCPPROXY_LIBRARY:-$repo_root/.build/debug/libmcpproxy.so}"
if [ -n "${MCPPROXY_LIBRARY:-}" ] && [ ! -f "$library" ]; then
    die "MCPPROXY_LIBRARY=$MCPPROXY_LIBRARY is not a file"
fi
if [ -f "$library" ]; then
    say "installing the embedding package (Python/) with $library"
    MCPPROXY_LIBRARY="$library" "$vpy" -m pip install --disable-pip-version-check -q \
        --no-build-isolation --force-reinstall --no-deps "$repo_root/Python" \
        || die "pip install ./Python failed"
    rm -rf "$repo_root/Python/build" "$repo_root/Python/mcp_proxy.egg-info"  # in-tree build leftovers
    "$vpy" -c 'from mcp_proxy import MCPProxy; print("interop-setup: mcp_proxy loads libmcpproxy", MCPProxy.version(), "ABI", MCPProxy.abi_version())' \
        || die "the mcp_proxy package installed but cannot load its library (see above)"
else
    say "note: no $library (swift build --product mcpproxy builds it, or set MCPPROXY_LIBRARY): the embedding package is not installed, so Tests/Interop/test_embedding.py skips (and fails under CI)"
fi
say "ready: $vpy -m pytest $repo_root/Tests/Interop -q"
