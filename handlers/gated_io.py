"""Slack calls that give up their work slot while they wait (bot.work_gate): Web API calls and `respond()`.

Waiting on the network is not work: a call to real Slack takes a tenth of a second, a 429 may ask for thirty, and a
slot held meanwhile would leave the process idle with work queued. Every Web API call goes through `api_call`, and
Bolt hands listeners the `respond` it finds in the request's context, so these two cover every call Burst makes.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook import WebhookResponse

from bot.work_gate import WorkGate


class GatedWebClient(AsyncWebClient):
    def __init__(self, *, gate: WorkGate, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate = gate

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        async with self.gate.outside():
            return await super().api_call(api_method, **kwargs)


class GatedRespond(AsyncRespond):
    def __init__(self, context: AsyncBoltContext, gate: WorkGate) -> None:
        client = context.client
        super().__init__(
            response_url=context.response_url,
            proxy=client.proxy if client is not None else None,
            ssl=client.ssl if client is not None else None,
        )
        self.gate = gate

    async def __call__(self, *args: Any, **kwargs: Any) -> WebhookResponse:
        async with self.gate.outside():
            return await super().__call__(*args, **kwargs)


def gated_respond(gate: WorkGate) -> Any:
    """A global middleware: the `respond` listeners get gives up its slot while it waits."""

    async def middleware(context: AsyncBoltContext, next: Any) -> BoltResponse | None:
        if context.response_url is not None:
            context["respond"] = GatedRespond(context, gate)
        response: BoltResponse | None = await next()
        return response

    return middleware
