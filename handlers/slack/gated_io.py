"""Slack calls that give up their work slot while they wait (bot.runtime.work_gate): Web API calls and `respond()`.

Waiting on the network is not work: a call to real Slack takes a tenth of a second, a 429 may ask for thirty, and a
slot held meanwhile would leave the process idle with work queued. Every Web API call goes through `api_call`, and
Bolt hands listeners the `respond` it finds in the request's context, so these two cover every call Burst makes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook import WebhookResponse

from bot.runtime.work_gate import WorkGate

Counted = Callable[[str], None]  # told a Web API method's name (operational metrics, bot.runtime.metrics)


class GatedWebClient(AsyncWebClient):
    def __init__(self, *, gate: WorkGate, on_call: Counted | None, on_429: Counted | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate = gate
        self.on_call, self.on_429 = on_call, on_429

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        if self.on_call is not None:
            self.on_call(api_method)
        try:
            async with self.gate.outside():
                return await super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            # A 429 the retries gave up on (those retried are counted by CountingRateLimitHandler).
            if exc.response.status_code == 429 and self.on_429 is not None:
                self.on_429(api_method)
            raise


class CountingRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """Slack's 429s, retried after Retry-After as the stock handler does, each told to `on_429` first."""

    def __init__(self, on_429: Counted, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_429 = on_429

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        limited = await super()._can_retry_async(state=state, request=request, response=response, error=error)
        if limited:
            self.on_429(request.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0])
        return limited


def rate_limit_handler(on_429: Counted | None, max_retry_count: int) -> AsyncRetryHandler:
    if on_429 is None:
        return AsyncRateLimitErrorRetryHandler(max_retry_count=max_retry_count)
    return CountingRateLimitHandler(on_429, max_retry_count=max_retry_count)


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
