"""Plain-words requests: a DM to the bot, or an @mention in a channel.

A message is one request however often Slack tells of it: an edit of a mention arrives as a new app_mention (new
event id, an `edited` field) and an edit of a DM as a `message_changed`; both are ignored, and a request's natural
key is its message (channel and ts), not the delivery. Replies go to the thread the ask was written in.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncSay

from bot.domain.intents import MAX_TOPIC_LENGTH, parse_help_intent
from bot.services.asking import Ask
from bot.services.container import Services
from handlers.slack.listening import Listeners
from handlers.views.blocks import mention
from handlers.views.replies import ask_reply

HINT = (
    "I help you find someone who knows a topic and is free right now. Try *help me with <topic>*, "
    "e.g. _help me with postgres indexes_, or type `/burst` for the request form."
)


def partner_hint(partner: str) -> str:
    return (
        f"Only you and Burst see this DM, so {mention(partner)} won't see that: message them directly. "
        "(To ask about something else, `/burst help &lt;topic&gt;`.)"
    )


def from_a_person(body: dict[str, Any]) -> bool:
    """What is written by a person, not edited since: an edit is not a new request."""
    event = body.get("event") or {}
    return bool(event.get("user")) and not event.get("edited")


def in_a_dm(body: dict[str, Any]) -> bool:
    """Channel messages that mention the bot also arrive as app_mention; only DMs are read as messages. A bot's
    message (Burst's own DMs come back as events too) or a subtype (joins, edits, deletions) is no request."""
    event = body.get("event") or {}
    return event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id")


def register(app: AsyncApp, services: Services) -> None:
    listen = Listeners.of(app, services)

    async def handle(event: dict[str, Any], say: AsyncSay, source: str) -> None:
        user = str(event["user"])
        # In a session, what someone writes to Burst is meant for the other person, who can't see it here, even
        # when it reads like a request ("Hi Sam! Can you help me with the ingress?"): no new search for that.
        if source == "dm" and (partner := await services.sessions.partner_of(user)):
            await say(text=partner_hint(partner))
            return
        intent = parse_help_intent(event.get("text") or "")
        thread = event.get("thread_ts")
        if intent is None:
            await say(text=HINT, thread_ts=thread)
            return
        if len(intent.topic) > MAX_TOPIC_LENGTH:
            too_long = f"That topic is a bit long: please keep it under {MAX_TOPIC_LENGTH} characters."
            await say(text=too_long, thread_ts=thread)
            return
        ask = Ask(
            requester_id=user,
            topic=intent.topic,
            source=source,
            channel_id=event.get("channel"),
            dedup_key=f"msg:{event.get('channel')}:{event.get('ts')}",
        )
        outcome = await services.requests.store(ask)
        if text := ask_reply(outcome):
            await say(text=text, thread_ts=thread)
        await services.requests.search(outcome)

    @listen.event("message", acts_on=lambda body: in_a_dm(body) and from_a_person(body))
    async def direct_message(event: dict[str, Any], say: AsyncSay) -> None:
        await handle(event, say, "dm")

    @listen.event("app_mention", acts_on=from_a_person)
    async def mentioned(event: dict[str, Any], say: AsyncSay) -> None:
        await handle(event, say, "mention")
