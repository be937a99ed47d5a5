"""Starting mcp-proxy under the MCP Python SDK's stdio client, and what a test needs around it.

The SDK is `mcp` 2.x (see requirements.txt). Its client half, as used here:

- `mcp.stdio_client(StdioServerParameters(...), errlog=file)` spawns the proxy and yields
  `(read_stream, write_stream)`;
- `mcp.ClientSession(read, write, sampling_callback=..., elicitation_callback=...,
  list_roots_callback=..., logging_callback=..., message_handler=...)` is entered as an async
  context manager, then `await session.initialize()` runs the 2025-11-25 handshake. Passing a
  callback is what declares the matching client capability (sampling, elicitation, roots).
- Callbacks take `(context: ClientRequestContext, params)` (roots: only `context`) and return the
  result model (`CreateMessageResult`, `ElicitResult`, `ListRootsResult`) or `ErrorData`.
- `message_handler(message)` receives every server notification (typed, e.g.
  `ResourceUpdatedNotification`) and transport exceptions.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import anyio
import mcp_types as types
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.session import ClientRequestContext

# Seconds a proxy (and its three upstreams) may take to answer `initialize`.
STARTUP_TIMEOUT = 20.0
# Seconds one ordinary request through the proxy may take.
CALL_TIMEOUT = 10.0
# Seconds to wait for a notification that should follow an action.
NOTIFY_TIMEOUT = 5.0

# What the default client callbacks answer with.
SAMPLING_REPLY = "pong"
ELICITATION_NAME = "Grace"
CLIENT_ROOT = "file:///tmp/project"

T = TypeVar("T")


@contextmanager
def deadline(what: str, seconds: float = CALL_TIMEOUT) -> Iterator[None]:
    """Fail the test with a message naming `what` if the block takes longer than `seconds`."""
    try:
        with anyio.fail_after(seconds):
            yield
    except TimeoutError:
        raise AssertionError(f"{what} did not finish within {seconds}s (a hang in the proxy?)") from None


def text_of(result: types.CallToolResult | types.GetPromptResult | types.ReadResourceResult) -> str:
    """The text of the first content item of a tool result, prompt message or resource read."""
    if isinstance(result, types.CallToolResult):
        assert result.content, f"tool result has no content: {result!r}"
        first = result.content[0]
        assert isinstance(first, types.TextContent), f"first content item is not text: {first!r}"
        return first.text
    if isinstance(result, types.GetPromptResult):
        assert result.messages, f"prompt has no messages: {result!r}"
        content = result.messages[0].content
        assert isinstance(content, types.TextContent), f"first prompt message is not text: {content!r}"
        return content.text
    assert result.contents, f"resource read has no contents: {result!r}"
    first_contents = result.contents[0]
    assert isinstance(first_contents, types.TextResourceContents), f"resource is not text: {first_contents!r}"
    return first_contents.text


@dataclass
class ClientRecord:
    """Everything the proxy sent to the test client: requests it made of us, and notifications."""

    sampling_requests: list[types.CreateMessageRequestParams] = field(default_factory=list)
    elicitation_requests: list[types.ElicitRequestParams] = field(default_factory=list)
    roots_requests: int = 0
    log_messages: list[types.LoggingMessageNotificationParams] = field(default_factory=list)
    notifications: list[Any] = field(default_factory=list)
    transport_errors: list[Exception] = field(default_factory=list)

    def notifications_of(self, kind: type[T]) -> list[T]:
        """The notifications received so far that are instances of `kind`."""
        return [n for n in self.notifications if isinstance(n, kind)]

    async def wait_for(self, predicate: Callable[[], bool], what: str, timeout: float = NOTIFY_TIMEOUT) -> None:
        """Wait until `predicate()` holds; fail the test naming `what` after `timeout` seconds."""
        try:
            with anyio.fail_after(timeout):
                while not predicate():
                    await anyio.sleep(0.02)
        except TimeoutError:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what}; notifications seen: {self.notifications!r}"
            ) from None


@dataclass
class ProxyConnection:
    """An initialized client session to one mcp-proxy process."""

    session: ClientSession
    initialize_result: types.InitializeResult
    record: ClientRecord


@dataclass
class ProxyLauncher:
    """Knows how to start mcp-proxy with the suite's config; each `connect()` starts a new process."""

    proxy_bin: Path
    config_path: Path
    stderr_path: Path

    def server_parameters(self) -> StdioServerParameters:
        """The command line the SDK spawns: `mcp-proxy --config <file>`."""
        # The SDK passes only a safe subset of the environment (HOME, PATH, ...). Forward the
        # proxy's own settings (MCP_PROXY_*) so a developer can turn its logging up.
        env = {k: v for k, v in os.environ.items() if k.startswith("MCP_PROXY_") and k != "MCP_PROXY_BIN"}
        return StdioServerParameters(
            command=str(self.proxy_bin), args=["--config", str(self.config_path)], env=env or None
        )

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[ProxyConnection]:
        """Start a proxy, run the handshake with all client capabilities declared, yield the session."""
        record = ClientRecord()

        async def sampling_callback(
            context: ClientRequestContext, params: types.CreateMessageRequestParams
        ) -> types.CreateMessageResult:
            record.sampling_requests.append(params)
            return types.CreateMessageResult(
                role="assistant",
                content=types.TextContent(text=SAMPLING_REPLY),
                model="interop-test-model",
                stop_reason="endTurn",
            )

        async def elicitation_callback(
            context: ClientRequestContext, params: types.ElicitRequestParams
        ) -> types.ElicitResult:
            record.elicitation_requests.append(params)
            return types.ElicitResult(action="accept", content={"name": ELICITATION_NAME})

        async def list_roots_callback(context: ClientRequestContext) -> types.ListRootsResult:
            record.roots_requests += 1
            return types.ListRootsResult(roots=[types.Root(uri=CLIENT_ROOT, name="project")])  # type: ignore[arg-type]

        async def logging_callback(params: types.LoggingMessageNotificationParams) -> None:
            record.log_messages.append(params)

        async def message_handler(message: Any) -> None:
            if isinstance(message, Exception):
                record.transport_errors.append(message)
            else:
                record.notifications.append(message)

        with self.stderr_path.open("a") as errlog:
            async with stdio_client(self.server_parameters(), errlog=errlog) as (read_stream, write_stream):
                async with ClientSession(
                    read_stream,
                    write_stream,
                    sampling_callback=sampling_callback,
                    elicitation_callback=elicitation_callback,
                    list_roots_callback=list_roots_callback,
                    logging_callback=logging_callback,
                    message_handler=message_handler,
                    client_info=types.Implementation(name="mcp-proxy-interop-tests", version="1.0.0"),
                ) as session:
                    try:
                        with anyio.fail_after(STARTUP_TIMEOUT):
                            initialize_result = await session.initialize()
                    except TimeoutError:
                        raise AssertionError(
                            f"mcp-proxy did not answer initialize within {STARTUP_TIMEOUT}s "
                            f"(its stderr is in {self.stderr_path})"
                        ) from None
                    yield ProxyConnection(session=session, initialize_result=initialize_result, record=record)


def describe_python() -> str:
    """The interpreter the suite runs under, for error messages."""
    return f"{sys.executable} ({sys.version.split()[0]})"
