"""Build hook of the mcp-proxy Python package: puts libmcpproxy.so inside the package.

The metadata is in pyproject.toml; this file only adds two command overrides:

- `build_py` copies the library to `mcp_proxy/lib/libmcpproxy.so` in the build. It takes the
  first that exists of:
    1. `$MCPPROXY_LIBRARY` (a path to a built libmcpproxy.so; an error if set but missing),
    2. `<repo>/.build/release/libmcpproxy.so`,
    3. `<repo>/.build/debug/libmcpproxy.so`,
  where <repo> is the directory above this one; if none does, it runs
  `swift build -c release --product mcpproxy` in <repo> and takes the library it produced.
- `bdist_wheel` tags the wheel `py3-none-<platform>`: it holds a native library (so it is not
  "pure"), but no CPython extension (ctypes loads it), so any Python 3 can use it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LIBRARY = "libmcpproxy.so"
ENV = "MCPPROXY_LIBRARY"


def log(message: str) -> None:
    print(f"mcp-proxy build: {message}", file=sys.stderr, flush=True)


def find_library() -> Path:
    """The libmcpproxy.so to bundle (see the module docstring for the order)."""
    configured = os.environ.get(ENV)
    if configured:
        path = Path(configured).expanduser().resolve()
        if not path.is_file():
            raise SystemExit(f"mcp-proxy build: {ENV}={configured!r} is not a file; point it at a built {LIBRARY}")
        log(f"using {path} (from {ENV})")
        return path
    for configuration in ("release", "debug"):
        path = REPO / ".build" / configuration / LIBRARY
        if path.is_file():
            log(f"using {path}")
            return path.resolve()
    if not (REPO / "Package.swift").is_file():
        raise SystemExit(
            f"mcp-proxy build: no {LIBRARY} found and {REPO} is not the mcp-proxy repository "
            f"(no Package.swift): set {ENV} to a built {LIBRARY}"
        )
    swift = shutil.which("swift")
    if swift is None:
        raise SystemExit(
            f"mcp-proxy build: no {LIBRARY} in {REPO}/.build and no `swift` on PATH to build it: "
            f"install the Swift toolchain, or build the library elsewhere and set {ENV} to it"
        )
    command = [swift, "build", "-c", "release", "--product", "mcpproxy"]
    log(f"no built {LIBRARY} found; running `{' '.join(command[1:])}` in {REPO} (takes a few minutes)")
    subprocess.run(command, cwd=REPO, check=True)
    bin_path = subprocess.run([swift, "build", "-c", "release", "--show-bin-path"], cwd=REPO, check=True,
                              capture_output=True, text=True).stdout.strip()
    path = Path(bin_path) / LIBRARY
    if not path.is_file():
        raise SystemExit(f"mcp-proxy build: `swift build` succeeded but {path} does not exist")
    return path.resolve()


class BuildPyWithLibrary(build_py):
    """build_py, plus the native library copied into mcp_proxy/lib/."""

    def run(self) -> None:
        super().run()
        source = find_library()
        if getattr(self, "editable_mode", False):
            target_dir = HERE / "mcp_proxy" / "lib"  # editable install: next to the sources
        else:
            target_dir = Path(self.build_lib) / "mcp_proxy" / "lib"
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / LIBRARY
        shutil.copyfile(source, target)
        target.chmod(0o755)
        log(f"bundled {source} as {target}")


class PlatformWheel(bdist_wheel):
    """A wheel for this platform (it carries a .so) that any Python 3 can use (no C extension)."""

    def get_tag(self) -> tuple[str, str, str]:
        _, _, platform = super().get_tag()
        return "py3", "none", platform


class BinaryDistribution(Distribution):
    """Tells setuptools the package holds native code, so it installs to platlib."""

    def has_ext_modules(self) -> bool:
        return True


setup(distclass=BinaryDistribution, cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel})
