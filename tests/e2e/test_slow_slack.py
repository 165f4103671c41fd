"""What a slow Slack does to the order of things: the gateway against local-slack, driven directly."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.entrypoints import demo_workspace as ws
from bot.entrypoints.app import web_client
from config import Settings
from handlers.slack.gateway import SlackGateway
from storage.models import FlashSession, HelpRequest, utcnow
from tests.e2e.conftest import Slack
from tests.e2e.test_ask_and_accept import has
from tests.support.control import SlackControl
from tests.support.fault_proxy import FaultPlan, FaultProxy


async def test_a_session_that_ends_before_its_cards_are_stored_still_tells_both_people(socket_slack: Slack) -> None:
    """Through a slow Slack the announcement can take longer than a short session (or than a quick End click)."""
    now = utcnow()
    request = HelpRequest(id=1, requester_id="U0ALICE", topic="rust lifetimes")
    flash = FlashSession(
        id=1, request_id=1, requester_id="U0ALICE", mentor_id="U0BOB", started_at=now, ends_at=now, cards=[]
    )
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        gateway = SlackGateway(AsyncWebClient(token=ws.BOT_TOKEN, base_url=socket_slack.process.api_url))
        await gateway.session_changed(request, flash, "warning")
        flash.ends_at = now + timedelta(seconds=1)
        await gateway.session_changed(request, flash, "ended")
        for user in ("U0ALICE", "U0BOB"):
            await control.wait_for_message(user, has("left in your session on *rust lifetimes*"), what="the warning")
            ended = await control.wait_for_message(user, has("has ended"), what=f"the end, for {user}")
            assert "feedback_helpful" in str(ended.get("blocks"))


async def test_a_message_gets_through_a_run_of_failures_one_after_another(socket_slack: Slack) -> None:
    """At one failed call in ten, four in a row happen every few thousand calls: a fault run sends that many."""
    plan = FaultPlan({}, retry_after=(0, 0), script=("429", "503", "drop", "500"))
    async with FaultProxy(socket_slack.process.api_url, plan) as proxy, SlackControl(socket_slack.base_url) as control:
        await control.reset()
        settings = Settings(slack_bot_token=ws.BOT_TOKEN, slack_signing_secret="x", slack_api_url=proxy.api_url)
        gateway = SlackGateway(web_client(settings, ws.BOT_TOKEN))
        assert await gateway.post("C0GEN", "through the storm") is not None
        await control.wait_for_message("C0GEN", has("through the storm"))
    assert proxy.record.forwarded["chat.postMessage"] == 1
    assert sum(proxy.record.retries.values()) == 4
