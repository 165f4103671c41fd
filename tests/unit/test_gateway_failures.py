"""When a Web API call fails for good, the gateway reports "no message" (as bot.runtime.ports promises) instead of
raising.

The Web API here is the fault proxy failing every call; the client has no retry handlers, so each failure is final at
once. A call that raised would abort the rest of a flow: an accept whose ping update hit a dropped connection would
never announce the session.
"""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime.ports import MessageRef
from handlers.slack.gateway import SlackGateway
from tests.support.fault_proxy import FaultPlan, FaultProxy

NOWHERE = "http://127.0.0.1:9/api/"  # never reached: every call is faulted before forwarding


@pytest.mark.parametrize("kind", ["drop", "500", "503", "429"])
async def test_a_call_that_keeps_failing_is_no_message_not_an_exception(kind: str) -> None:
    async with FaultProxy(NOWHERE, FaultPlan({kind: 1.0}, retry_after=(0, 0))) as proxy:
        gateway = SlackGateway(AsyncWebClient(token="xoxb-test", base_url=proxy.api_url))
        assert await gateway.post("C0GEN", "hello") is None
        assert await gateway.dm("U0BOB", "hello") is None
        assert await gateway.profile("U0BOB") is None
        await gateway.update(MessageRef("C0GEN", "1.000001"), "hello again", [])
        await gateway.ephemeral("C0GEN", "U0BOB", "just for you")
        assert [page async for page in gateway.everyone()] == []  # the directory walk stops, it does not raise
    assert proxy.record.injected_by_kind()[kind] == proxy.record.requests.total() >= 6
