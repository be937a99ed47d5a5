"""Every list merges the three upstreams, tools and prompts namespaced `<upstream>__<name>`."""

import pytest
from proxy_harness import ProxyConnection, deadline

pytestmark = pytest.mark.anyio


@pytest.fixture
def proxy(shared_proxy: ProxyConnection) -> ProxyConnection:
    """Read-only tests: the whole module shares one proxy process."""
    return shared_proxy

ALPHA_TOOLS = {
    "echo", "add", "progress", "slow", "sample", "elicit", "roots", "fail", "crash", "bump", "log", "toggle_extra", "big",
}
TIME_TOOLS = {"get_current_time", "convert_time"}
GIT_TOOLS = {"git_status", "git_log", "git_diff", "git_commit", "git_add", "git_show", "git_branch"}


async def test_tools_list_holds_every_upstream_prefixed(proxy: ProxyConnection) -> None:
    with deadline("list_tools"):
        result = await proxy.session.list_tools()
    names = [tool.name for tool in result.tools]
    assert len(names) == len(set(names)), f"duplicate tool names: {names}"
    for upstream, tools in (("alpha", ALPHA_TOOLS), ("time", TIME_TOOLS), ("git", GIT_TOOLS)):
        missing = {f"{upstream}__{tool}" for tool in tools} - set(names)
        assert not missing, f"tools/list lacks {sorted(missing)}; it has {sorted(names)}"
    unprefixed = [n for n in names if "__" not in n]
    assert not unprefixed, f"tools without an upstream prefix: {unprefixed}"


async def test_tool_schemas_come_through(proxy: ProxyConnection) -> None:
    with deadline("list_tools"):
        result = await proxy.session.list_tools()
    tools = {tool.name: tool for tool in result.tools}
    time_schema = tools["time__get_current_time"].input_schema
    assert time_schema["type"] == "object"
    assert "timezone" in time_schema["properties"]
    assert time_schema.get("required") == ["timezone"]
    add_schema = tools["alpha__add"].input_schema
    assert set(add_schema["properties"]) >= {"a", "b"}
    assert tools["time__get_current_time"].description == "Get current time in a specific timezone"


async def test_prompts_list_holds_alpha_greet(proxy: ProxyConnection) -> None:
    with deadline("list_prompts"):
        result = await proxy.session.list_prompts()
    prompts = {prompt.name: prompt for prompt in result.prompts}
    assert "alpha__greet" in prompts, f"prompts/list: {sorted(prompts)}"
    arguments = prompts["alpha__greet"].arguments or []
    assert [argument.name for argument in arguments] == ["name"]


async def test_resources_list_keeps_uris(proxy: ProxyConnection) -> None:
    with deadline("list_resources"):
        result = await proxy.session.list_resources()
    uris = {str(resource.uri) for resource in result.resources}
    assert {"example://static/hello", "example://counter"} <= uris, f"resources/list: {sorted(uris)}"


async def test_resource_templates_list_keeps_templates(proxy: ProxyConnection) -> None:
    with deadline("list_resource_templates"):
        result = await proxy.session.list_resource_templates()
    templates = {template.uri_template for template in result.resource_templates}
    assert "example://items/{id}" in templates, f"resources/templates/list: {sorted(templates)}"
