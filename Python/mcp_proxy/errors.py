"""Exceptions of the mcp_proxy package: one per `MCPPROXY_ERR_*` code, each with the proxy's message."""

from __future__ import annotations

from ._bindings import ERR_ARGUMENT, ERR_CONFIG, ERR_START, ERR_STATE, ERR_TIMEOUT, LibraryError

__all__ = [
    "ArgumentError",
    "ConfigError",
    "LibraryError",
    "ProxyError",
    "ProxyTimeoutError",
    "StartError",
    "StateError",
    "error_for",
]


class ProxyError(Exception):
    """An error the proxy reported. `code` is the `MCPPROXY_ERR_*` value, `message` its text."""

    code: int | None = None

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ConfigError(ProxyError, ValueError):
    """MCPPROXY_ERR_CONFIG: the config text has problems; the message lists every one."""

    code = ERR_CONFIG


class StateError(ProxyError, RuntimeError):
    """MCPPROXY_ERR_STATE: not allowed now (start twice, a closed proxy, a listener change on reload, ...)."""

    code = ERR_STATE


class StartError(ProxyError, OSError):
    """MCPPROXY_ERR_START: a listener could not bind, or an upstream part could not be built."""

    code = ERR_START


class ProxyTimeoutError(ProxyError, TimeoutError):
    """MCPPROXY_ERR_TIMEOUT: a wait ended before the proxy stopped."""

    code = ERR_TIMEOUT


class ArgumentError(ProxyError, ValueError):
    """MCPPROXY_ERR_ARGUMENT: an invalid argument, e.g. a malformed glob."""

    code = ERR_ARGUMENT


_BY_CODE: dict[int, type[ProxyError]] = {
    cls.code: cls for cls in (ConfigError, StateError, StartError, ProxyTimeoutError, ArgumentError)  # type: ignore[misc]
}


def error_for(code: int, message: str | None, what: str) -> ProxyError:
    """The exception for a result code; `what` names the call when the library gave no message."""
    cls = _BY_CODE.get(code, ProxyError)
    text = message or f"{what} failed with code {code}"
    return cls(text, code)
