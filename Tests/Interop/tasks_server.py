"""A 2026-07-28 stdio upstream on the official Python SDK (mcp 2.3.0) with caching hints and the
`io.modelcontextprotocol/tasks` extension, for the proxy's list-caching and task tests (issue #11,
items 7 and 8).

usage: tasks_server.py [--name N] [--ttl MS] [--scope public|private] [--no-tasks]

--name   the server's name and its one list tool's prefix (default "tasks-demo")
--ttl    ttlMs on tools/list, prompts/list, resources/list, resources/templates/list and
         resources/read (default 60000)
--scope  cacheScope on the same (default public)
--no-tasks  leave the tasks extension out (then `build` runs inline)

Tools: echo(text); build(steps): with the tasks extension, a call from a client that declared it
in clientCapabilities.extensions becomes a task (resultType "task"); the task asks for approval
(input_required with an elicitation in inputRequests) after the first step, answered with
tasks/update, and completes after `steps` steps of 0.1 s each with "built <steps> (approved=<x>)".
tasks/get polls (the completed task carries the tool result), tasks/cancel cancels, and an unknown
task id gets -32602.

The SDK 2.3.0 ships the tasks types but no tasks extension, so this file implements the extension
with the SDK's public Extension API (intercept_tool_call and MethodBinding); the server loop is
the SDK's private modern-only stdio loop, as in era_servers.py.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
from typing import Any

import anyio
from mcp.server.caching import CacheHint
from mcp.server.extension import Extension, MethodBinding
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import RequestParams
from pydantic import ConfigDict

EXTENSION = "io.modelcontextprotocol/tasks"

parser = argparse.ArgumentParser(description="SDK 2026-07-28 upstream with cache hints and tasks")
parser.add_argument("--name", default="tasks-demo")
parser.add_argument("--ttl", type=int, default=60000)
parser.add_argument("--scope", choices=["public", "private"], default="public")
parser.add_argument("--no-tasks", action="store_true")
options = parser.parse_args()

hint = CacheHint(ttl_ms=options.ttl, scope=options.scope)
cacheable = ["tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read"]


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


class TaskParams(RequestParams):
    model_config = ConfigDict(extra="allow")
    taskId: str


class UpdateParams(TaskParams):
    inputResponses: dict[str, Any] = {}


class TaskStore:
    def __init__(self) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}
        self.approvals: dict[str, anyio.Event] = {}
        self.answers: dict[str, Any] = {}
        self.counter = itertools.count(1)

    def create(self) -> dict[str, Any]:
        task_id = f"{options.name}-task-{next(self.counter)}"
        stamp = now()
        task = {"taskId": task_id, "status": "working", "createdAt": stamp, "lastUpdatedAt": stamp,
                "ttlMs": 60000, "pollIntervalMs": 100}
        self.tasks[task_id] = task
        self.approvals[task_id] = anyio.Event()
        return task

    def get(self, task_id: str) -> dict[str, Any]:
        task = self.tasks.get(task_id)
        if task is None:
            raise MCPError(code=-32602, message=f"Unknown task: {task_id}")
        return task

    def set(self, task_id: str, **fields: Any) -> None:
        task = self.tasks[task_id]
        if task["status"] in ("completed", "failed", "cancelled"):
            return
        for key in ("inputRequests", "result", "error"):
            task.pop(key, None)
        task.update(fields, lastUpdatedAt=now())


store = TaskStore()


async def run_build(task_id: str, steps: int) -> None:
    await anyio.sleep(0.1)
    store.set(task_id, status="input_required", inputRequests={
        "approve": {"method": "elicitation/create", "params": {
            "mode": "form", "message": "Approve the build?",
            "requestedSchema": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}}}})
    await store.approvals[task_id].wait()
    approved = bool(((store.answers.get(task_id) or {}).get("content") or {}).get("ok"))
    store.set(task_id, status="working")
    for _ in range(steps):
        await anyio.sleep(0.1)
    store.set(task_id, status="completed", result={
        "resultType": "complete", "isError": False,
        "content": [{"type": "text", "text": f"built {steps} (approved={approved})"}]})


class Tasks(Extension):
    identifier = EXTENSION

    def __init__(self, group: anyio.abc.TaskGroup | None = None) -> None:
        self.group = group

    async def intercept_tool_call(self, params, ctx, call_next):  # type: ignore[no-untyped-def]
        capabilities = ctx.session.client_capabilities
        declared = (capabilities.extensions or {}) if capabilities else {}
        if params.name != "build" or EXTENSION not in declared or self.group is None:
            return await call_next(ctx)
        task = store.create()
        steps = int((params.arguments or {}).get("steps", 3))
        self.group.start_soon(run_build, task["taskId"], steps)
        return {"resultType": "task", **task}

    def methods(self):  # type: ignore[no-untyped-def]
        async def get(ctx, params: TaskParams):  # type: ignore[no-untyped-def]
            return {"resultType": "complete", **store.get(params.taskId)}

        async def update(ctx, params: UpdateParams):  # type: ignore[no-untyped-def]
            store.get(params.taskId)
            if "approve" in params.inputResponses:
                store.answers[params.taskId] = params.inputResponses["approve"]
                store.approvals[params.taskId].set()
            return {"resultType": "complete"}

        async def cancel(ctx, params: TaskParams):  # type: ignore[no-untyped-def]
            store.get(params.taskId)
            store.set(params.taskId, status="cancelled")
            store.approvals[params.taskId].set()
            return {"resultType": "complete"}

        return [MethodBinding("tasks/get", TaskParams, get), MethodBinding("tasks/update", UpdateParams, update),
                MethodBinding("tasks/cancel", TaskParams, cancel)]


extension = Tasks()
mcp = MCPServer(options.name, version="1.0.0", cache_hints={method: hint for method in cacheable},
                extensions=[] if options.no_tasks else [extension])


@mcp.tool()
def echo(text: str) -> str:
    """Echo text back."""
    return f"{options.name}: {text}"


@mcp.tool()
async def build(steps: int = 3) -> str:
    """Builds in `steps` steps; a task when the client declared the tasks extension."""
    await anyio.sleep(0.1 * steps)
    return f"built {steps} inline"


@mcp.resource(f"{options.name}://readme")
def readme() -> str:
    return f"read me ({options.name})"


def main() -> None:
    from mcp.server.runner import _serve_modern_stream  # PRIVATE (see era_servers.py)
    from mcp.server.stdio import stdio_server

    async def serve() -> None:
        low = mcp._lowlevel_server
        async with anyio.create_task_group() as group:
            extension.group = group
            async with low.lifespan(low) as state, stdio_server() as (read, write):
                await _serve_modern_stream(low, read, write, lifespan_state=state, raise_exceptions=False)
            group.cancel_scope.cancel()

    anyio.run(serve)


if __name__ == "__main__":
    main()
