"""The SDK's high-level `Client` (mode='auto') probes server/discover first, then falls back.

A handshake-era proxy must answer the probe with a JSON-RPC error (or a DiscoverResult) at
once; ignoring it would stall every 2.x client for the SDK's 10 s discover timeout.
"""

import time

import pytest
from mcp import Client
from proxy_harness import CALL_TIMEOUT, ProxyLauncher, deadline, text_of

pytestmark = pytest.mark.anyio


async def test_default_client_connects_quickly(launcher: ProxyLauncher) -> None:
    started = time.monotonic()
    with deadline("connecting with Client(mode='auto') and calling alpha__echo", CALL_TIMEOUT + 5):
        async with Client(launcher.server_parameters()) as client:
            connected = time.monotonic() - started
            result = await client.call_tool("alpha__echo", {"text": "auto mode"})
            assert text_of(result) == "auto mode"
            assert client.protocol_version in ("2025-11-25", "2026-07-28")
    assert connected < 8, f"connecting took {connected:.1f}s: is server/discover answered promptly?"
