"""An upstream's elicitation/create reaches the client's elicitation callback and the answer goes back."""

import mcp_types as types
import pytest
from proxy_harness import ELICITATION_NAME, ProxyConnection, deadline, text_of

pytestmark = pytest.mark.anyio


async def test_elicitation_round_trip(proxy: ProxyConnection) -> None:
    with deadline('call_tool("alpha__elicit")'):
        result = await proxy.session.call_tool("alpha__elicit", {"message": "Who are you?"})
    assert not result.is_error, text_of(result)
    assert text_of(result) == f"action=accept name={ELICITATION_NAME}"
    assert len(proxy.record.elicitation_requests) == 1
    request = proxy.record.elicitation_requests[0]
    assert isinstance(request, types.ElicitRequestFormParams), request
    assert request.message == "Who are you?"
    schema = request.requested_schema
    assert schema["type"] == "object"
    assert schema["properties"]["name"]["type"] == "string"
    assert schema["required"] == ["name"]
