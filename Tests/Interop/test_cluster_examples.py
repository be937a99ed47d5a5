"""The deployment examples of Examples/deploy/cluster stay valid: the proxy accepts their configs,
nginx and HAProxy accept theirs. (The examples are not run: Scripts/cluster.sh is, by
test_cluster_replicas.py.)"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from network_fixtures import REPO_ROOT, binary

EXAMPLES = REPO_ROOT / "Examples" / "deploy" / "cluster"
ENV = dict(os.environ, MCP_SESSION_KEY=base64.b64encode(os.urandom(32)).decode(), POD_NAME="mcp-proxy-0")


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(binary("MCP_PROXY_BIN", "mcp-proxy")), "validate", str(path)], env=ENV,
                          capture_output=True, text=True, timeout=30)


def configmap_config(manifest: str) -> str:
    """The `config.yaml: |` block of kubernetes.yaml's ConfigMap, dedented."""
    lines = manifest.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "config.yaml: |")
    indent = len(lines[start]) - len(lines[start].lstrip())
    block = []
    for line in lines[start + 1:]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        block.append(line)
    return textwrap.dedent("\n".join(block)) + "\n"


def test_the_proxy_accepts_the_example_configs(tmp_path: Path) -> None:
    shared = validate(EXAMPLES / "config.yaml")
    assert shared.returncode == 0, shared.stdout + shared.stderr
    kubernetes = tmp_path / "configmap.yaml"
    kubernetes.write_text(configmap_config((EXAMPLES / "kubernetes.yaml").read_text()))
    assert "cluster:" in kubernetes.read_text()
    checked = validate(kubernetes)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The Secret's placeholder is refused, so a manifest applied unchanged does not start.
    placeholder = subprocess.run([str(binary("MCP_PROXY_BIN", "mcp-proxy")), "validate", str(kubernetes)],
                                 env=dict(ENV, MCP_SESSION_KEY="REPLACE with the output of: openssl rand -base64 32"),
                                 capture_output=True, text=True, timeout=30)
    assert placeholder.returncode != 0 and "sessionKeys[0]" in placeholder.stdout + placeholder.stderr


def local(text: str) -> str:
    for name in ("replica-1", "replica-2", "replica-3"):
        text = text.replace(f"{name}:8080", "127.0.0.1:8080")
    return text


def test_nginx_accepts_the_example(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        pytest.fail("nginx is not installed: run Scripts/interop-setup.sh")
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\n" + local((EXAMPLES / "nginx.conf").read_text()))
    checked = subprocess.run([nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "hash $http_mcp_session_id consistent;" in conf.read_text()


def test_haproxy_accepts_the_example(tmp_path: Path) -> None:
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.path.exists(haproxy):
        pytest.skip("haproxy is not installed (apt-get install haproxy); only this syntax check needs it")
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(local((EXAMPLES / "haproxy.cfg").read_text()))
    checked = subprocess.run([haproxy, "-c", "-f", str(cfg)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "balance hdr(Mcp-Session-Id)" in cfg.read_text()
