"""The handshake: the proxy answers as one server with the merged capabilities."""

import pytest
from proxy_harness import ProxyConnection

pytestmark = pytest.mark.anyio


@pytest.fixture
def proxy(shared_proxy: ProxyConnection) -> ProxyConnection:
    """Read-only tests: the whole module shares one proxy process."""
    return shared_proxy


async def test_server_info_names_the_proxy(proxy: ProxyConnection) -> None:
    assert proxy.initialize_result.server_info.name == "mcp-proxy"
    assert proxy.initialize_result.server_info.version


async def test_negotiates_the_version_the_sdk_requests(proxy: ProxyConnection) -> None:
    # The SDK 2.x ClientSession offers 2025-11-25 (LATEST_HANDSHAKE_VERSION); the proxy supports it.
    assert proxy.initialize_result.protocol_version == "2025-11-25"
    assert proxy.session.protocol_version == "2025-11-25"


async def test_capabilities_cover_tools_prompts_resources_logging(proxy: ProxyConnection) -> None:
    capabilities = proxy.initialize_result.capabilities
    assert capabilities.tools is not None, capabilities
    assert capabilities.prompts is not None, capabilities
    assert capabilities.resources is not None, capabilities
    assert capabilities.logging is not None, capabilities
