"""Buttons: Accept / Decline / Snooze on a ping, Extend / End on a session card, Cancel and Ask again."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.domain.intents import MAX_TOPIC_LENGTH
from bot.services.asking import ASK_AGAIN_SOURCE, Ask
from bot.services.container import Services
from bot.services.sessions import SessionActionOutcome
from handlers.slack.gateway import SlackGateway, clicked_message
from handlers.slack.listening import Listeners
from handlers.views import blocks as b
from handlers.views.blocks import mention
from handlers.views.replies import ask_reply

# A ping someone else took, or that closed, is rewritten in place to say so: no second message for that.
PING_REPLIES = {
    "not_yours": "This ping was meant for someone else.",
    "already_answered": "You've already answered this ping.",
    "busy": "You're in a flash session right now. Finish it first; this request stays open for others meanwhile.",
    "cannot_suggest": "Pick someone other than yourself or the person asking.",
    "cap_reached": (
        "You've reached your weekly cap of bursts, so I'll leave this one for someone else. `/burst cap <n>` raises it."
    ),
}
CANCEL_REFUSED = "Only the person who asked can cancel this search, and only while it runs."
SESSION_REPLIES = {
    "not_participant": "Only the two people in this session can do that.",
    "not_active": "This session has already ended.",
    "limit": "This session can't be extended any further. Start a new request if you need more time.",
    "missing": "I can't find that session any more.",
}


SessionChange = Callable[[int, str], Awaitable[SessionActionOutcome]]
"""What a session card's button asks of the sessions service (extend, end): by session id and who pressed it."""


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def register(app: AsyncApp, services: Services, gateway: SlackGateway) -> None:
    tell = gateway.tell_clicker
    listen = Listeners.of(app, services)

    async def answer_ping(body: dict[str, Any], action: dict[str, Any], verb: str) -> None:
        ping_id, user = _int(action.get("value")), body["user"]["id"]
        if ping_id is None:
            return
        if verb == "accept":
            outcome = await services.answers.accept(ping_id, user)
        else:
            outcome = await services.answers.decline(ping_id, user, snooze=verb == "snooze")
        if text := PING_REPLIES.get(outcome.status):
            await tell(body, text)

    @listen.action(b.PING_ACCEPT)
    async def accept(body: dict[str, Any], action: dict[str, Any]) -> None:
        await answer_ping(body, action, "accept")

    @listen.action(b.PING_DECLINE)
    async def decline(body: dict[str, Any], action: dict[str, Any]) -> None:
        await answer_ping(body, action, "decline")

    @listen.action(b.PING_SNOOZE)
    async def snooze(body: dict[str, Any], action: dict[str, Any]) -> None:
        await answer_ping(body, action, "snooze")

    @listen.action(b.PING_HAND_OFF)
    async def hand_off(body: dict[str, Any], action: dict[str, Any]) -> None:
        block = action.get("block_id") or ""
        ping_id, user, colleague = _int(block.removeprefix("ping:")), body["user"]["id"], action.get("selected_user")
        if ping_id is None or not colleague:
            return
        outcome = await services.answers.hand_off(ping_id, user, str(colleague))
        if outcome.status == "handed_off":
            await tell(body, f"Thanks! I've asked {mention(str(colleague))} instead.")
        elif outcome.status == "suggestion_noted":
            await tell(
                body,
                f"Thanks! {mention(str(colleague))} isn't free right now; I'll ask them first if this is still open"
                " later.",
            )
        elif text := PING_REPLIES.get(outcome.status):
            await tell(body, text)

    async def change_session(body: dict[str, Any], action: dict[str, Any], change: SessionChange) -> None:
        if (session_id := _int(action.get("value"))) is not None:
            outcome = await change(session_id, body["user"]["id"])
            if text := SESSION_REPLIES.get(outcome.status):
                await tell(body, text)

    @listen.action(b.SESSION_EXTEND)
    async def extend(body: dict[str, Any], action: dict[str, Any]) -> None:
        await change_session(body, action, services.sessions.extend)

    @listen.action(b.SESSION_END)
    async def end(body: dict[str, Any], action: dict[str, Any]) -> None:
        await change_session(body, action, services.sessions.end)

    async def which(body: dict[str, Any], request_id: int | None, skill: str | None) -> None:
        if request_id is None:
            return
        outcome = await services.requests.clarify(request_id, body["user"]["id"], skill)
        if outcome is None:
            await tell(body, "This request has already moved on or closed.")
            return
        if ref := clicked_message(body):
            await gateway.update(
                ref, b.ask_which_text(outcome.request), b.which_answered_blocks(outcome.request, skill)
            )

    @listen.action(re.compile(rf"^{b.WHICH_SKILL}_\d+$"))
    async def which_skill(body: dict[str, Any], action: dict[str, Any]) -> None:
        request_id, _, skill = (action.get("value") or "").partition(":")
        await which(body, _int(request_id), skill or None)

    @listen.action(b.WHICH_NONE)
    async def which_none(body: dict[str, Any], action: dict[str, Any]) -> None:
        await which(body, _int(action.get("value")), None)

    @listen.action(b.REQUEST_CANCEL)
    async def cancel(body: dict[str, Any], action: dict[str, Any]) -> None:
        request_id, user = _int(action.get("value")), body["user"]["id"]
        if request_id is None:
            return
        # The status message itself then reads "Cancelled": nothing else to say to the person who asked.
        if await services.requests.cancel(user, request_id) is None:
            await tell(body, CANCEL_REFUSED)

    @listen.action(b.ASK_AGAIN)
    async def ask_again(body: dict[str, Any], action: dict[str, Any]) -> None:
        # The button carries a topic Burst stored, but hold it to the same limit as every other way to ask.
        topic, user = (action.get("value") or "").strip()[:MAX_TOPIC_LENGTH], body["user"]["id"]
        if not topic:
            return
        ask = Ask(requester_id=user, topic=topic, source=ASK_AGAIN_SOURCE, dedup_key=f"again:{action.get('action_ts')}")
        outcome = await services.requests.store(ask)
        if text := ask_reply(outcome):
            await tell(body, text)
        await services.requests.search(outcome)
