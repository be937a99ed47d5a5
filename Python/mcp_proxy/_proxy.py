"""`MCPProxy`: the MCP proxy running inside this Python process, over libmcpproxy's C API."""

from __future__ import annotations

import atexit
import ctypes
import json
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Union, overload

from . import _bindings as C
from .errors import ArgumentError, ConfigError, StateError, error_for

__all__ = ["Config", "MCPProxy", "Policy", "PolicyFunction", "PolicyRequest", "PolicyVerdict"]

logger = logging.getLogger("mcp_proxy")

#: Config text (YAML or JSON, as in the config file), or a mapping that is sent as JSON.
Config = Union[str, bytes, Mapping[str, Any]]
#: What a policy function returns: True or None allow; False denies with a default message; a
#: string denies with that message. Anything else denies too (fail closed).
PolicyVerdict = Union[bool, str, None]
Front = Literal["network", "stdio"]

# How long one slice of `wait()` blocks in C before Python gets to run signal handlers
# (Ctrl-C), in seconds.
_WAIT_SLICE = 0.25
# Set while this thread runs a policy callback: stop, wait, close and remove_policy refuse there.
_callback_state = threading.local()


def _in_callback() -> bool:
    return getattr(_callback_state, "depth", 0) > 0


@dataclass(frozen=True)
class PolicyRequest:
    """What a policy function is asked about: one client request, before it is forwarded."""

    principal: str
    """The caller's subject ("anonymous" without authentication, the API key's name with one)."""
    roles: tuple[str, ...]
    """The caller's roles (empty without any)."""
    method: str
    """The JSON-RPC method, e.g. "tools/call"."""
    name: str
    """The tool or prompt name (namespaced, as the client sent it) or resource URI; "" when none."""
    upstream: str
    """The upstream server routing chose."""


PolicyFunction = Callable[[PolicyRequest], PolicyVerdict]


def _text(value: bytes | None) -> str:
    return value.decode("utf-8", errors="replace") if value else ""


def _write_message(buffer: int | None, capacity: int, message: str) -> None:
    """Writes `message` as NUL-terminated UTF-8 into the library's buffer, cut to fit on a character boundary."""
    if not buffer or capacity <= 0:
        return
    data = message.encode("utf-8", errors="replace")
    if len(data) > capacity - 1:
        data = data[: capacity - 1].decode("utf-8", errors="ignore").encode("utf-8")
    ctypes.memmove(buffer, data + b"\0", len(data) + 1)


def _label(function: Callable[..., Any]) -> str:
    return getattr(function, "__qualname__", None) or getattr(function, "__name__", None) or repr(function)


def _trampoline(function: PolicyFunction) -> Any:
    """The C callback for `function`. It never lets an exception out and never allows by accident:
    anything but True or None from `function`, or any exception in it, denies."""
    label = _label(function)

    def call(user_data: int | None, request_pointer: Any, message: int | None, capacity: int) -> int:
        try:
            _callback_state.depth = getattr(_callback_state, "depth", 0) + 1
            try:
                raw = request_pointer.contents
                request = PolicyRequest(
                    principal=_text(raw.principal),
                    roles=tuple(role for role in _text(raw.roles).split(",") if role),
                    method=_text(raw.method),
                    name=_text(raw.name),
                    upstream=_text(raw.upstream),
                )
                try:
                    verdict = function(request)
                except BaseException as error:  # fail closed, whatever it raised
                    logger.warning("policy %s raised on %s %r: denied", label, request.method, request.name, exc_info=True)
                    _write_message(message, capacity, f"denied: policy {label} failed: {type(error).__name__}: {error}")
                    return C.DENY
            finally:
                _callback_state.depth -= 1
            if verdict is None or verdict is True:
                return C.ALLOW
            if verdict is False or (isinstance(verdict, str) and not verdict):
                _write_message(message, capacity, f"denied by policy {label}")
                return C.DENY
            if isinstance(verdict, str):
                _write_message(message, capacity, verdict)
                return C.DENY
            _write_message(
                message, capacity,
                f"denied: policy {label} returned {type(verdict).__name__}, not bool, str or None",
            )
            return C.DENY
        except BaseException:  # noqa: BLE001 - never let ctypes turn an exception into "allow"
            try:
                logger.error("policy %s: internal error, request denied", label, exc_info=True)
            except BaseException:  # noqa: BLE001
                pass
            return C.DENY

    return C.POLICY_FN(call)


class Policy:
    """A registered policy function. Calling it calls the function; `remove()` unregisters it."""

    def __init__(self, proxy: MCPProxy, policy_id: int, function: PolicyFunction,
                 method_glob: str | None, name_glob: str | None) -> None:
        self._proxy = weakref.ref(proxy)
        self.id = policy_id
        self.function = function
        self.method_glob = method_glob
        self.name_glob = name_glob
        self.__doc__ = getattr(function, "__doc__", None)
        self.__wrapped__ = function

    @property
    def active(self) -> bool:
        """Whether the policy is still registered."""
        proxy = self._proxy()
        return proxy is not None and proxy._has_policy(self.id)

    def remove(self) -> None:
        """Unregisters the policy; once this returns the function is no longer called. Idempotent.
        Not from inside a policy function."""
        proxy = self._proxy()
        if proxy is not None:
            proxy._remove_policy(self.id)

    def __call__(self, request: PolicyRequest) -> PolicyVerdict:
        return self.function(request)

    def __repr__(self) -> str:
        state = "active" if self.active else "removed"
        return (f"<Policy {self.id} {_label(self.function)} methods={self.method_glob or '*'} "
                f"names={self.name_glob or '*'} {state}>")


class MCPProxy:
    """An MCP proxy running in this process: upstream MCP servers aggregated behind one server.

    The proxy runs on its own native threads; Python is entered only for policy functions, and
    only for the requests their globs match. Create it from config text (the YAML or JSON of the
    `mcp-proxy` config file) or a mapping, start it, and close it when done (or use it as a
    context manager)::

        with MCPProxy(config={"mcpServers": {...}, "proxy": {"listen": {"port": 0}}}) as proxy:
            print(proxy.url)
            proxy.wait()

    Every method may be called from any thread, except that `stop`, `wait`, `close` and
    `Policy.remove` must not be called from inside a policy function.
    """

    def __init__(self, config: Config, *, source_name: str | None = None) -> None:
        """Creates the proxy from config text or a mapping. Nothing starts yet.

        `source_name` names the text in error messages (e.g. a file path). `${VAR}` references in
        string values are expanded from the process environment (write `$$` for a literal `$`).
        Raises ConfigError listing every problem of the config.
        """
        self._handle: int | None = None
        self._lib = C.load()
        self._cond = threading.Condition()
        self._users = 0
        self._closing = False
        self._front: Front | None = None
        # policy id -> (C callback object, Policy): the callback object must live as long as the
        # library may call it, i.e. until the policy is removed or the proxy destroyed.
        self._policies: dict[int, tuple[Any, Policy]] = {}
        text = _config_text(config)
        error = ctypes.c_void_p()
        handle = self._lib.mcpproxy_create(
            _c_string(text, "config"), _c_string(source_name, "source_name") if source_name else None, ctypes.byref(error)
        )
        message = C.take_string(self._lib, error.value)
        if not handle:
            raise ConfigError(message or "mcpproxy_create failed without a message")
        self._handle = handle
        _live.add(self)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> MCPProxy:
        """Creates the proxy from a config file (YAML or JSON); errors name the file."""
        path = Path(path)
        return cls(path.read_text(encoding="utf-8"), source_name=str(path))

    # MARK: versions

    @staticmethod
    def abi_version() -> int:
        """The ABI version of the loaded library (the bindings check it on load)."""
        return int(C.load().mcpproxy_abi_version())

    @staticmethod
    def version() -> str:
        """The proxy's version, e.g. "0.1.0"."""
        return (C.load().mcpproxy_version() or b"").decode("utf-8", errors="replace")

    # MARK: life cycle

    def start(self, front: Front = "network") -> MCPProxy:
        """Starts serving and returns self once it serves.

        "network": the listeners of proxy.listen (Streamable HTTP, legacy SSE, WebSocket) and
        proxy.admin, bound before this returns (port 0 picks a free port: see `addresses`).
        "stdio": one MCP client on this process's stdin and stdout (print nothing to stdout
        then). A proxy starts once; after `stop()` create a new one. Raises StartError when a
        listener cannot bind, StateError when already started.
        """
        fronts = {"network": C.FRONT_NETWORK, "stdio": C.FRONT_STDIO}
        if front not in fronts:
            raise ArgumentError(f"front must be 'network' or 'stdio', not {front!r}", C.ERR_ARGUMENT)
        with self._use() as handle:
            error = ctypes.c_void_p()
            self._check(self._lib.mcpproxy_start(handle, fronts[front], ctypes.byref(error)), error, "mcpproxy_start")
        self._front = front
        return self

    def wait(self, timeout: float | None = None) -> bool:
        """Blocks until the proxy has stopped (True) or `timeout` seconds passed (False).

        It stops when `stop()` is called, the stdio client closes its input, or on a fatal
        error. None waits forever (in short slices, so Ctrl-C still works). Raises StateError
        when it was never started.
        """
        self._refuse_in_callback("wait")
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        with self._use() as handle:
            while True:
                remaining = _WAIT_SLICE if deadline is None else min(_WAIT_SLICE, deadline - time.monotonic())
                code = self._lib.mcpproxy_wait(handle, max(0.0, remaining))
                if code == C.OK:
                    return True
                if code != C.ERR_TIMEOUT:
                    raise error_for(code, "the proxy was never started" if code == C.ERR_STATE else None, "mcpproxy_wait")
                if deadline is not None and time.monotonic() >= deadline:
                    return False

    def stop(self, grace: float | None = None) -> None:
        """Stops gracefully: the fronts stop accepting, requests in flight get `grace` seconds
        (None: the config's proxy.listen.drainSeconds), then every upstream is closed and its
        process terminated. Returns when all of that is done. Stopping a stopped proxy is fine."""
        self._refuse_in_callback("stop")
        if grace is not None and grace < 0:
            raise ArgumentError("grace must be >= 0 seconds (or None for the configured drain)", C.ERR_ARGUMENT)
        with self._use() as handle:
            error = ctypes.c_void_p()
            self._check(self._lib.mcpproxy_stop(handle, -1.0 if grace is None else float(grace), ctypes.byref(error)),
                        error, "mcpproxy_stop")

    def close(self) -> None:
        """Stops the proxy if it runs (configured grace) and frees it. Idempotent; after it every
        other method raises StateError. Calls in progress on other threads finish first."""
        self._refuse_in_callback("close")
        with self._cond:
            if self._handle is None or self._closing:
                while self._handle is not None:  # another thread is closing: wait for it
                    self._cond.wait()
                return
            self._closing = True
            handle = self._handle
        try:
            # Stop first (thread-safe), so that a wait() on another thread returns and releases the handle.
            self._lib.mcpproxy_stop(handle, -1.0, None)
            with self._cond:
                while self._users:
                    self._cond.wait()
            self._lib.mcpproxy_destroy(handle)
        finally:
            with self._cond:
                self._handle = None
                self._policies.clear()
                self._cond.notify_all()
            _live.discard(self)

    @property
    def closed(self) -> bool:
        """Whether `close()` was called."""
        return self._handle is None

    def __enter__(self) -> MCPProxy:
        """Starts the network front unless the proxy was started already."""
        if self._front is None:
            self.start("network")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            if not self.closed:
                self.stop()
        finally:
            self.close()

    def __del__(self) -> None:
        # Defensive only: close() explicitly or use `with`. Never from a policy callback (the
        # library forbids stopping there), and never when the interpreter is tearing down.
        try:
            if getattr(self, "_handle", None) is not None and not _in_callback():
                self.close()
        except Exception:  # noqa: BLE001
            pass

    # MARK: state

    @property
    def front(self) -> Front | None:
        """The front it was started on, or None before `start()`."""
        return self._front

    @property
    def addresses(self) -> dict[str, Any]:
        """The bound addresses: {"front": "network", "url", "mcp", "sse", "ws", "admin"} or
        {"front": "stdio"}. Raises StateError before `start()`."""
        with self._use() as handle:
            text = C.take_string(self._lib, self._lib.mcpproxy_addresses(handle))
        if text is None:
            raise StateError("the proxy has no addresses: it is not started", C.ERR_STATE)
        return json.loads(text)

    @property
    def url(self) -> str:
        """The Streamable HTTP endpoint, e.g. "http://127.0.0.1:41234/mcp" (network front only)."""
        addresses = self.addresses
        if "mcp" not in addresses:
            raise StateError(f"the proxy serves no URL on the {addresses.get('front')} front", C.ERR_STATE)
        return str(addresses["mcp"])

    def stats(self) -> dict[str, Any]:
        """The statistics (the admin listener's /stats): requests, errors and latencies per
        upstream, method and tool; pool, breaker and refusal counters."""
        return json.loads(self._read(self._lib.mcpproxy_stats_json, "mcpproxy_stats_json"))

    def metrics(self) -> str:
        """The statistics in the Prometheus text format (the admin listener's /metrics)."""
        return self._read(self._lib.mcpproxy_metrics_text, "mcpproxy_metrics_text")

    def upstreams(self) -> list[dict[str, Any]]:
        """Each upstream's state: {"upstream", "mode", "ready", "sessions", "detail", "breaker"}."""
        return json.loads(self._read(self._lib.mcpproxy_upstreams_json, "mcpproxy_upstreams_json"))

    def reload(self, config: Config) -> None:
        """Replaces the configuration without dropping anyone: new sessions get the new
        upstreams, routes and limits, and open sessions move onto them (their requests in flight
        finish first; they are sent list_changed). On any problem nothing
        changes: ConfigError lists the problems; StateError when listener settings changed."""
        text = _config_text(config)
        with self._use() as handle:
            error = ctypes.c_void_p()
            self._check(self._lib.mcpproxy_reload(handle, _c_string(text, "config"), ctypes.byref(error)),
                        error, "mcpproxy_reload")

    # MARK: policies

    @overload
    def policy(self, function: PolicyFunction, /) -> Policy: ...

    @overload
    def policy(self, *, tools: str | None = None, methods: str | None = None,
               names: str | None = None) -> Callable[[PolicyFunction], Policy]: ...

    def policy(self, function: PolicyFunction | None = None, /, *, tools: str | None = None,
               methods: str | None = None, names: str | None = None) -> Policy | Callable[[PolicyFunction], Policy]:
        """Decorator that registers a policy function; the decorated name becomes its `Policy`.

            @proxy.policy(tools="alpha__*")
            def check(request: PolicyRequest) -> bool | str | None: ...

        `tools`: a glob on tool names (sets `methods` to "tools/call" unless given); `methods`: a
        glob on JSON-RPC methods; `names`: a glob on the name of any method (tool, prompt,
        resource URI). Globs use `*`, `?` and `[...]`. Without any, the function sees every
        request. See `add_policy`.
        """
        if function is not None:
            return self.add_policy(function, tools=tools, methods=methods, names=names)

        def register(function: PolicyFunction) -> Policy:
            return self.add_policy(function, tools=tools, methods=methods, names=names)

        return register

    def add_policy(self, function: PolicyFunction, *, tools: str | None = None, methods: str | None = None,
                   names: str | None = None) -> Policy:
        """Registers `function` as a pipeline stage (after authorization, before rate limits) for
        the requests the globs match, in every session, from now on; policies run in the order
        they were added and the first deny wins.

        The function runs on one of the proxy's I/O threads, holding the GIL, before the request
        is forwarded: keep it short and non-blocking. It returns True or None to allow, False to
        deny with a default message, or a string to deny with that message (the client gets a
        JSON-RPC error and the request never reaches the upstream). If it raises, the request is
        denied with a message naming the exception.
        """
        if not callable(function):
            raise TypeError(f"a policy must be callable, not {type(function).__name__}")
        if tools is not None and names is not None:
            raise ArgumentError("give tools= or names=, not both (tools= is names= for tools/call)", C.ERR_ARGUMENT)
        name_glob = tools if tools is not None else names
        method_glob = methods if methods is not None else ("tools/call" if tools is not None else None)
        # `callback` must stay alive while the library may call it: the local name keeps it
        # during the call, then self._policies until the policy is removed or the proxy closed.
        callback = _trampoline(function)
        with self._use() as handle:
            error = ctypes.c_void_p()
            result = self._lib.mcpproxy_add_policy(
                handle,
                _c_string(method_glob, "methods") if method_glob is not None else None,
                _c_string(name_glob, "names") if name_glob is not None else None,
                callback, None, ctypes.byref(error),
            )
            message = C.take_string(self._lib, error.value)
            if result <= 0:
                raise error_for(-result if result < 0 else C.ERR_ARGUMENT, message, "mcpproxy_add_policy")
            policy = Policy(self, int(result), function, method_glob, name_glob)
            with self._cond:
                self._policies[int(result)] = (callback, policy)
        return policy

    @property
    def policies(self) -> list[Policy]:
        """The registered policies, in the order they run."""
        with self._cond:
            return [policy for _, policy in sorted(self._policies.items())]

    def _has_policy(self, policy_id: int) -> bool:
        with self._cond:
            return policy_id in self._policies

    def _remove_policy(self, policy_id: int) -> None:
        self._refuse_in_callback("remove a policy")
        with self._cond:
            if policy_id not in self._policies or self._handle is None:
                return
        with self._use() as handle:
            code = self._lib.mcpproxy_remove_policy(handle, policy_id)
            with self._cond:
                # Only now, with no call of it running any more, may the callback object go.
                self._policies.pop(policy_id, None)
        if code not in (C.OK, C.ERR_ARGUMENT):  # ERR_ARGUMENT: already gone
            raise error_for(code, None, "mcpproxy_remove_policy")

    # MARK: internals

    @contextmanager
    def _use(self) -> Iterator[int]:
        """The handle, kept valid (not destroyed by close()) for the duration of the block."""
        with self._cond:
            if self._handle is None or self._closing:
                raise StateError("the proxy is closed", C.ERR_STATE)
            self._users += 1
            handle = self._handle
        try:
            yield handle
        finally:
            with self._cond:
                self._users -= 1
                if not self._users:
                    self._cond.notify_all()

    def _read(self, function: Any, what: str) -> str:
        with self._use() as handle:
            text = C.take_string(self._lib, function(handle))
        if text is None:
            raise StateError(f"{what} returned nothing", C.ERR_STATE)
        return text

    def _check(self, code: int, error: ctypes.c_void_p, what: str) -> None:
        message = C.take_string(self._lib, error.value)
        if code != C.OK:
            raise error_for(code, message, what)

    @staticmethod
    def _refuse_in_callback(what: str) -> None:
        if _in_callback():
            raise StateError(f"cannot {what} from inside a policy function (it runs on a proxy thread)", C.ERR_STATE)

    def __repr__(self) -> str:
        if self._handle is None:
            return "<MCPProxy closed>"
        return f"<MCPProxy front={self._front or 'not started'}>"


def _config_text(config: Config) -> str:
    if isinstance(config, Mapping):
        return json.dumps(config)
    if isinstance(config, bytes):
        return config.decode("utf-8")
    if isinstance(config, str):
        return config
    if isinstance(config, os.PathLike):
        raise TypeError("config= takes config text or a mapping; for a file use MCPProxy.from_file(path)")
    raise TypeError(f"config must be str, bytes or a mapping, not {type(config).__name__}")


def _c_string(text: str, what: str) -> bytes:
    data = text.encode("utf-8")
    if b"\0" in data:
        raise ArgumentError(f"{what} contains a NUL character", C.ERR_ARGUMENT)
    return data


# Proxies not yet closed: closed at interpreter exit, before Python can no longer run a policy
# callback that a proxy thread might still call.
_live: weakref.WeakSet[MCPProxy] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for proxy in list(_live):
        try:
            proxy.close()
        except Exception:  # noqa: BLE001
            pass
