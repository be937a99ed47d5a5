"""ctypes bindings of libmcpproxy: one file that mirrors `Sources/CMCPProxy/include/mcpproxy.h`.

Everything here is private to the package; `mcp_proxy.MCPProxy` is the public face. Keep this
file in step with the header: every constant, struct and function of the header has its line
here, in the header's order, and `ABI_VERSION` is the `MCPPROXY_ABI_VERSION` the bindings were
written for.

The library is found in this order:
1. the environment variable `MCPPROXY_LIBRARY` (a path to `libmcpproxy.so`);
2. the copy bundled in the installed package (`mcp_proxy/lib/libmcpproxy.so`, put there by
   `pip install ./Python`).

It is loaded with `ctypes.CDLL`, which releases the GIL for the duration of every call: the
proxy's own threads need the GIL to run a Python policy callback while the calling thread waits
in `mcpproxy_stop` or `mcpproxy_wait`.
"""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path

# MARK: the header's constants

ABI_VERSION = 1  # MCPPROXY_ABI_VERSION

OK = 0  # MCPPROXY_OK
ERR_CONFIG = 1  # MCPPROXY_ERR_CONFIG
ERR_STATE = 2  # MCPPROXY_ERR_STATE
ERR_START = 3  # MCPPROXY_ERR_START
ERR_TIMEOUT = 4  # MCPPROXY_ERR_TIMEOUT
ERR_ARGUMENT = 5  # MCPPROXY_ERR_ARGUMENT

FRONT_NETWORK = 1  # MCPPROXY_FRONT_NETWORK
FRONT_STDIO = 2  # MCPPROXY_FRONT_STDIO

ALLOW = 0  # MCPPROXY_ALLOW
DENY = 1  # MCPPROXY_DENY

LIBRARY_NAME = "libmcpproxy.so"
LIBRARY_ENV = "MCPPROXY_LIBRARY"
BUNDLED_LIBRARY = Path(__file__).resolve().parent / "lib" / LIBRARY_NAME


# MARK: the header's types


class PolicyRequestStruct(ctypes.Structure):
    """`mcpproxy_policy_request`: every string is valid only during the callback."""

    _fields_ = [
        ("principal", ctypes.c_char_p),
        ("roles", ctypes.c_char_p),
        ("method", ctypes.c_char_p),
        ("name", ctypes.c_char_p),
        ("upstream", ctypes.c_char_p),
    ]


# int (*mcpproxy_policy_fn)(void *user_data, const mcpproxy_policy_request *request,
#                           char *message, size_t message_capacity);
# `message` is declared as a plain pointer (not c_char_p) so that ctypes hands the callback the
# address to write into rather than a copy of the bytes found there.
POLICY_FN = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(PolicyRequestStruct), ctypes.c_void_p, ctypes.c_size_t
)


class LibraryError(OSError):
    """libmcpproxy could not be found or loaded, or its ABI is not the one these bindings speak."""


def _configure(lib: ctypes.CDLL) -> None:
    """Declares every function's signature (argtypes and restype), in the header's order."""
    char_pp = ctypes.POINTER(ctypes.c_void_p)  # char **error: the library allocates, we free
    handle = ctypes.c_void_p  # mcpproxy *

    lib.mcpproxy_abi_version.argtypes = []
    lib.mcpproxy_abi_version.restype = ctypes.c_uint32

    lib.mcpproxy_version.argtypes = []
    lib.mcpproxy_version.restype = ctypes.c_char_p  # static: never freed

    lib.mcpproxy_create.argtypes = [ctypes.c_char_p, ctypes.c_char_p, char_pp]
    lib.mcpproxy_create.restype = handle

    lib.mcpproxy_start.argtypes = [handle, ctypes.c_int, char_pp]
    lib.mcpproxy_start.restype = ctypes.c_int

    # Strings the library returns are declared as c_void_p so that we keep the pointer to free it.
    lib.mcpproxy_addresses.argtypes = [handle]
    lib.mcpproxy_addresses.restype = ctypes.c_void_p

    lib.mcpproxy_wait.argtypes = [handle, ctypes.c_double]
    lib.mcpproxy_wait.restype = ctypes.c_int

    lib.mcpproxy_stop.argtypes = [handle, ctypes.c_double, char_pp]
    lib.mcpproxy_stop.restype = ctypes.c_int

    lib.mcpproxy_destroy.argtypes = [handle]
    lib.mcpproxy_destroy.restype = None

    lib.mcpproxy_stats_json.argtypes = [handle]
    lib.mcpproxy_stats_json.restype = ctypes.c_void_p

    lib.mcpproxy_metrics_text.argtypes = [handle]
    lib.mcpproxy_metrics_text.restype = ctypes.c_void_p

    lib.mcpproxy_upstreams_json.argtypes = [handle]
    lib.mcpproxy_upstreams_json.restype = ctypes.c_void_p

    lib.mcpproxy_reload.argtypes = [handle, ctypes.c_char_p, char_pp]
    lib.mcpproxy_reload.restype = ctypes.c_int

    lib.mcpproxy_add_policy.argtypes = [handle, ctypes.c_char_p, ctypes.c_char_p, POLICY_FN, ctypes.c_void_p, char_pp]
    lib.mcpproxy_add_policy.restype = ctypes.c_int64

    lib.mcpproxy_remove_policy.argtypes = [handle, ctypes.c_int64]
    lib.mcpproxy_remove_policy.restype = ctypes.c_int

    lib.mcpproxy_string_free.argtypes = [ctypes.c_void_p]
    lib.mcpproxy_string_free.restype = None


_lock = threading.Lock()
_library: ctypes.CDLL | None = None


def library_path() -> Path:
    """The path the library is loaded from: `$MCPPROXY_LIBRARY`, else the bundled copy."""
    configured = os.environ.get(LIBRARY_ENV)
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise LibraryError(
                f"{LIBRARY_ENV} is set to {configured!r}, but there is no file there "
                f"(point it at a built {LIBRARY_NAME}, e.g. <repo>/.build/debug/{LIBRARY_NAME})"
            )
        return path
    if BUNDLED_LIBRARY.is_file():
        return BUNDLED_LIBRARY
    raise LibraryError(
        f"cannot find {LIBRARY_NAME}: {LIBRARY_ENV} is not set and the package has no bundled copy at "
        f"{BUNDLED_LIBRARY}. Install the package with `pip install ./Python` from a checkout of the "
        f"repository (it builds or finds the library), or set {LIBRARY_ENV} to a built {LIBRARY_NAME}."
    )


def load() -> ctypes.CDLL:
    """The loaded library (loaded once per process), with its ABI version checked."""
    global _library
    with _lock:
        if _library is not None:
            return _library
        path = library_path()
        try:
            lib = ctypes.CDLL(str(path))
        except OSError as error:
            raise LibraryError(
                f"cannot load {path}: {error}. If a Swift runtime library (libswiftCore.so, "
                f"libFoundation.so, ...) is missing, install the Swift runtime or add its lib/swift/linux "
                f"directory to LD_LIBRARY_PATH."
            ) from error
        try:
            _configure(lib)
        except AttributeError as error:
            raise LibraryError(f"{path} is not a complete libmcpproxy: {error}") from error
        found = lib.mcpproxy_abi_version()
        if found != ABI_VERSION:
            raise LibraryError(
                f"{path} has ABI version {found}, but these bindings were written for ABI version "
                f"{ABI_VERSION}: install the package that matches the library (pip install ./Python)"
            )
        _library = lib
        return lib


def take_string(lib: ctypes.CDLL, pointer: int | None) -> str | None:
    """Decodes a `char *` the library returned and frees it; None for NULL."""
    if not pointer:
        return None
    try:
        return ctypes.string_at(pointer).decode("utf-8", errors="replace")
    finally:
        lib.mcpproxy_string_free(pointer)
