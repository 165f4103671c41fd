"""The request modal (from `/burst`, `/burst help`, or the "Get help with this" message shortcut)."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.domain.intents import MAX_TOPIC_LENGTH
from bot.services.asking import Ask
from bot.services.container import Services
from handlers.slack.gateway import SlackGateway
from handlers.slack.listening import Listeners
from handlers.views import blocks as b
from handlers.views.blocks import from_slack
from handlers.views.replies import ask_reply
from storage.models import WantedLevel

REQUEST_MODAL = "request_modal"
SHORTCUT = "get_help_with_this"
LENGTHS = (10, 15, 20, 30)
DETAILS_LIMIT = 2000


def lengths(default_seconds: int) -> list[int]:
    """The form's choices, in seconds: the usual ones and the configured default (BURST_SESSION_LENGTH)."""
    return sorted({m * 60 for m in LENGTHS} | {default_seconds})


def request_modal(channel_id: str | None, topic: str = "", details: str = "", *, default_seconds: int) -> b.Json:
    """The request form; its length starts at the configured session length."""
    who = [
        b.option("Whoever knows it", WantedLevel.ANY),
        b.option("An expert", WantedLevel.EXPERT),
        b.option("A peer", WantedLevel.PEER),
    ]
    return b.modal(
        REQUEST_MODAL,
        "Get help now",
        [
            b.field("topic", "What do you need help with?", b.text_input("topic", topic, max_length=MAX_TOPIC_LENGTH)),
            b.field(
                "details",
                "Details",
                b.text_input("details", details, max_length=DETAILS_LIMIT, multiline=True),
                optional=True,
            ),
            b.field(
                "length",
                "How long?",
                b.select(
                    "length",
                    [b.option(b.minutes(s), str(s)) for s in lengths(default_seconds)],
                    b.option(b.minutes(default_seconds), str(default_seconds)),
                ),
            ),
            b.field("level", "Who should help?", b.radio_buttons("level", who, who[0])),
            b.field(
                "anonymous",
                "Privacy",
                b.checkboxes("anonymous", [b.option("Hide my name from mentors until one accepts", "yes")]),
                optional=True,
            ),
        ],
        submit="Find someone",
        close="Cancel",
        private_metadata=json.dumps({"channel": channel_id}),
    )


def _value(values: dict[str, Any], block: str) -> Any:
    return values.get(block, {}).get(block, {})


def request_errors(view: dict[str, Any]) -> dict[str, str]:
    topic = (_value(view.get("state", {}).get("values", {}), "topic").get("value") or "").strip()
    if not topic:
        return {"topic": "Tell me what you need help with."}
    if len(topic) > MAX_TOPIC_LENGTH:
        return {"topic": f"Keep it under {MAX_TOPIC_LENGTH} characters."}
    return {}


def register(app: AsyncApp, services: Services, gateway: SlackGateway) -> None:
    listen = Listeners.of(app, services)

    @listen.view(REQUEST_MODAL, check=request_errors)
    async def submitted(body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view.get("state", {}).get("values", {})
        topic = (_value(values, "topic").get("value") or "").strip()
        user = body["user"]["id"]
        length = _value(values, "length").get("selected_option") or {}
        level = (_value(values, "level").get("selected_option") or {}).get("value")
        anonymous = bool(_value(values, "anonymous").get("selected_options"))
        try:
            channel = json.loads(view.get("private_metadata") or "{}").get("channel")
        except json.JSONDecodeError:
            channel = None
        default = services.requests.config.default_length_seconds
        chosen = str(length.get("value", ""))
        seconds = int(chosen) if chosen.isdigit() and int(chosen) in lengths(default) else default
        ask = Ask(
            requester_id=user,
            topic=topic,
            details=(_value(values, "details").get("value") or "").strip()[:DETAILS_LIMIT],
            level=WantedLevel(level) if level in tuple(WantedLevel) else WantedLevel.ANY,
            length_seconds=seconds,
            anonymous=anonymous,
            source="modal",
            channel_id=channel,
            dedup_key=f"view:{view.get('id')}",
        )
        outcome = await services.requests.store(ask)
        if text := ask_reply(outcome):
            await gateway.dm(user, text)
        await services.requests.search(outcome)

    @listen.shortcut(SHORTCUT, opens_view=True)
    async def from_message(shortcut: dict[str, Any]) -> None:
        text = from_slack((shortcut.get("message") or {}).get("text") or "")
        first_line = text.strip().splitlines()[0] if text.strip() else ""
        channel = (shortcut.get("channel") or {}).get("id")
        view = request_modal(
            channel,
            topic=first_line[:MAX_TOPIC_LENGTH],
            details=text,
            default_seconds=services.requests.config.default_length_seconds,
        )
        await gateway.open_view(shortcut["trigger_id"], view, shortcut["user"]["id"])
