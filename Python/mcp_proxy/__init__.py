"""mcp_proxy: the MCP proxy (libmcpproxy) running inside a Python process.

    from mcp_proxy import MCPProxy

    with MCPProxy.from_file("gateway.yaml") as proxy:   # starts the network front
        print(proxy.url)
        proxy.wait()

The proxy runs on its own native threads; Python is entered only for policy functions, and only
for the requests their globs match. See README.md next to this package's pyproject.toml.
"""

from ._bindings import ABI_VERSION, LibraryError, library_path
from ._proxy import Config, MCPProxy, Policy, PolicyFunction, PolicyRequest, PolicyVerdict
from .errors import ArgumentError, ConfigError, ProxyError, ProxyTimeoutError, StartError, StateError

__version__ = "0.1.0"

__all__ = [
    "ABI_VERSION",
    "ArgumentError",
    "Config",
    "ConfigError",
    "LibraryError",
    "MCPProxy",
    "Policy",
    "PolicyFunction",
    "PolicyRequest",
    "PolicyVerdict",
    "ProxyError",
    "ProxyTimeoutError",
    "StartError",
    "StateError",
    "library_path",
]
