"""What a slow Slack does to the order of things: the gateway against local-slack, driven directly."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot import demo_workspace as ws
from handlers.slack_gateway import SlackGateway
from storage.models import FlashSession, HelpRequest
from storage.types import utcnow
from tests.e2e.conftest import Slack
from tests.e2e.test_ask_and_accept import has
from tests.support.control import SlackControl


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
