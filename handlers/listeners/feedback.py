"""After a session: Helpful / Not really / Add a note; the follow-ups' Solved / Still stuck, then Find someone else."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.services import followups as fu
from bot.services.container import Services
from handlers.slack.gateway import SlackGateway, clicked_message, stamp_of
from handlers.slack.listening import Listeners
from handlers.views import blocks as b
from handlers.views.blocks import escape
from handlers.views.replies import ask_reply

NOTE_MODAL = "feedback_note_modal"
NOTE_LIMIT = 1000
REFUSALS = {
    "not_participant": "Only the two people in this session can give feedback on it.",
    "not_ended": "Feedback opens once the session has ended.",
    "not_requester": "Only the person who asked can answer this.",
    "missing": "I can't find that session any more.",
}


def _session_id(action: dict[str, Any]) -> int | None:
    value = action.get("value") or ""
    return int(value) if value.isdigit() else None


def note_modal(session_id: int, helpful: bool | None) -> b.Json:
    return b.modal(
        NOTE_MODAL,
        "Session feedback",
        [
            b.field(
                "helpful",
                "Was it helpful?",
                b.radio_buttons("helpful", [b.option("Yes", "yes"), b.option("Not really", "no")]),
            ),
            b.field(
                "note",
                "A note (optional)",
                b.text_input("note", max_length=NOTE_LIMIT, multiline=True),
                optional=True,
            ),
        ],
        submit="Send",
        private_metadata=json.dumps({"session": session_id}),
    )


def _helpful_choice(view: dict[str, Any]) -> object:
    values = view.get("state", {}).get("values", {})
    return (values.get("helpful", {}).get("helpful", {}).get("selected_option") or {}).get("value")


def note_errors(view: dict[str, Any]) -> dict[str, str]:
    return {} if _helpful_choice(view) in ("yes", "no") else {"helpful": "Pick one, please."}


def register(app: AsyncApp, services: Services, gateway: SlackGateway) -> None:
    tell = gateway.tell_clicker
    listen = Listeners.of(app, services)

    async def feedback(body: dict[str, Any], action: dict[str, Any], helpful: bool) -> None:
        session_id = _session_id(action)
        if session_id is None:
            return
        status = await services.followups.record_feedback(session_id, body["user"]["id"], helpful)
        if status != "ok":
            await tell(body, REFUSALS[status])
            return
        chosen = str((action.get("text") or {}).get("text") or ("Helpful" if helpful else "Not really"))
        ref, message = clicked_message(body), body.get("message") or {}
        if ref is not None and ref.channel.startswith("D"):  # their own DM: the buttons give way to the choice
            kept = [blk for blk in message.get("blocks") or [] if blk.get("type") != "actions"]
            done = b.message(b.context(f"You answered: {chosen}. Thanks!"))
            await gateway.update(ref, str(message.get("text") or "Session feedback"), [*kept, *done], stamp_of(message))
        else:  # a group DM both answer in: the buttons stay for the other person
            await tell(body, f"You answered: {chosen}. Thanks!")

    @listen.action(b.FEEDBACK_YES)
    async def helpful(body: dict[str, Any], action: dict[str, Any]) -> None:
        await feedback(body, action, True)

    @listen.action(b.FEEDBACK_NO)
    async def not_helpful(body: dict[str, Any], action: dict[str, Any]) -> None:
        await feedback(body, action, False)

    @listen.action(b.FEEDBACK_NOTE, opens_view=True)
    async def add_note(body: dict[str, Any], action: dict[str, Any]) -> None:
        session_id = _session_id(action)
        if session_id is None:
            return
        if (status := await services.followups.may_give_feedback(session_id, body["user"]["id"])) != "ok":
            await tell(body, REFUSALS[status])
            return
        await gateway.open_view(body["trigger_id"], note_modal(session_id, None), body["user"]["id"])

    @listen.view(NOTE_MODAL, check=note_errors)
    async def note_sent(body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view.get("state", {}).get("values", {})
        choice = _helpful_choice(view)
        try:
            session_id = int(json.loads(view.get("private_metadata") or "{}").get("session"))
        except (ValueError, TypeError, json.JSONDecodeError):
            return
        note = (values.get("note", {}).get("note", {}).get("value") or "").strip()[:NOTE_LIMIT]
        status = await services.followups.record_feedback(session_id, body["user"]["id"], choice == "yes", note)
        if status != "ok":
            await tell(body, REFUSALS[status])

    async def followup(body: dict[str, Any], action: dict[str, Any], outcome: str) -> None:
        session_id = _session_id(action)
        if session_id is None:
            return
        answer = await services.followups.answer(session_id, body["user"]["id"], outcome)
        if answer.status != "ok":
            await tell(body, REFUSALS[answer.status])
            return
        ref = clicked_message(body)
        if ref is None:
            return
        blocks = b.followup_answered(answer.topic, outcome, session_id, latest=True)
        # Keeping its key: a follow-up sent again after a crash must find this one (stamp_of).
        await gateway.update(ref, escape(answer.topic), blocks, stamp_of(body.get("message") or {}))
        await gateway.followups_answered(ref, session_id, answer.topic, outcome)

    @listen.action(b.FOLLOWUP_SOLVED)
    async def solved(body: dict[str, Any], action: dict[str, Any]) -> None:
        await followup(body, action, fu.SOLVED)

    @listen.action(b.FOLLOWUP_STUCK)
    async def stuck(body: dict[str, Any], action: dict[str, Any]) -> None:
        await followup(body, action, fu.STUCK)

    @listen.action(b.FIND_ANOTHER)
    async def find_another(body: dict[str, Any], action: dict[str, Any]) -> None:
        session_id, user = _session_id(action), body["user"]["id"]
        if session_id is None:
            return
        key = f"again:{session_id}:{action.get('action_ts')}"
        ask = await services.requests.again_after_session(session_id, user, key)
        if ask is None:
            await tell(body, REFUSALS["not_requester"])
            return
        outcome = await services.requests.store(ask)
        if text := ask_reply(outcome):
            await tell(body, text)
        await services.requests.search(outcome)
        ref, message = clicked_message(body), body.get("message") or {}
        if ref is not None and outcome.status in ("searching", "no_match"):  # the new status message says the rest
            text = f"You said you're still stuck on *{escape(outcome.request.topic)}*: asking others, see below."
            await gateway.update(ref, text, b.message(b.section(text)), stamp_of(message))
