"""A whole burst through local-slack with second-long timers: session, warning, extend, end, feedback, follow-up,
and the interaction log it leaves; and a follow-up that survives a SIGKILL. Both on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.entrypoints import demo_workspace as ws
from handlers.slack.gateway import stamp_of
from storage.database import Database
from storage.models import Feedback, utcnow
from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN, add_skills, button, has
from tests.e2e.test_surfaces import FORM, web_api_calls
from tests.support.control import SlackControl
from tests.support.quiet import settled, timers
from tests.support.signing import form_body, post_signed
from tests.support.workload import text_of


async def start_session(control: SlackControl) -> tuple[dict[str, Any], dict[str, Any]]:
    """Alice asks, Bob accepts; returns the session cards in Alice's and Bob's DMs."""
    await add_skills(control, "U0BOB", "python:expert")
    await control.command(user="U0ALICE", text="help python asyncio", channel=GEN)
    ping = await control.wait_for_message("U0BOB", has("needs help with"), what="Bob's ping")
    await control.interact(ping["channel"], ping["ts"], "U0BOB", button(ping, "ping_accept"))
    # local-slack opens a 1:1 DM when asked for a group DM, so Burst degrades to a card in each DM.
    alice = await control.wait_for_message("U0ALICE", has("flash session"), what="Alice's session card")
    bob = await control.wait_for_message("U0BOB", has("flash session"), what="Bob's session card")
    return alice, bob


async def events_of(db_url: str) -> list[str]:
    db = Database(db_url)
    try:
        async with db.uow(readonly=True) as uow:
            return [e.kind for e in await uow.events.since(datetime(2000, 1, 1, tzinfo=UTC))]
    finally:
        await db.dispose()


async def test_a_whole_session_with_warning_extend_end_feedback_and_follow_up(
    socket_slack: Slack, start_burst: StartBurst, db_url: str
) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        burst = start_burst(socket_slack, database_url=db_url, BURST_FOLLOWUP_DELAYS="2,4")
        alice_card, bob_card = await start_session(control)
        assert button(alice_card, "session_extend")
        assert button(bob_card, "session_end")
        assert "Ends at <!date^" in text_of(alice_card)  # each reader's clock shows the end: no edits to count down
        assert "is helping" in text_of(bob_card)  # the card is the introduction

        # Someone else can't touch the session.
        await control.interact(alice_card["channel"], alice_card["ts"], "U0TOM", button(alice_card, "session_end"))
        await control.wait_for_message(alice_card["channel"], has("only the two people"), what="a polite refusal")

        await control.interact(alice_card["channel"], alice_card["ts"], "U0ALICE", button(alice_card, "session_extend"))
        await control.wait_for_message("U0BOB", has("extended once"), what="Bob's card shows the extension")
        await control.wait_for_message("U0ALICE", has("left in your session"), what="the warning")

        await control.interact(bob_card["channel"], bob_card["ts"], "U0BOB", button(bob_card, "session_end"))
        ended = await control.wait_for_message("U0ALICE", has("has ended"), what="the end, for Alice too")
        await control.interact(ended["channel"], ended["ts"], "U0ALICE", button(ended, "feedback_helpful"))
        await control.wait_for_message("U0ALICE", has("you answered"))

        check = await control.wait_for_message("U0ALICE", has("did it stick"), what="the follow-up")
        await control.wait_for_message("U0BOB", has("1 burst you've given"), what="Bob's thank-you")
        await control.interact(check["channel"], check["ts"], "U0ALICE", button(check, "followup_solved"))
        solved = await control.wait_for_message("U0ALICE", has("is solved"), what="the follow-up answered")
        # Still findable by its key, so a follow-up sent again after a crash is not posted twice.
        assert stamp_of(solved) == stamp_of(check) == f"followup:{button(check, 'followup_solved')['value']}:0"
        # Nothing left to come for the request: the second follow-up was called off, as the requester said Solved.
        to_come = await settled(db_url, burst)
        assert [t.key for t in to_come if t.request_id is not None] == []
        follow_ups = [m for m in await control.dm_messages("U0ALICE") if "did it stick" in text_of(m)]
        assert len(follow_ups) == 0  # the one follow-up message was rewritten to "solved"

    kinds = await events_of(db_url)
    expected = [
        "request.created",
        "wave.sent",
        "ping.sent",
        "ping.accepted",
        "request.matched",
        "session.started",
        "session.extended",
        "session.warned",
        "session.ended",
        "feedback.given",
        "followup.sent",
        "followup.answered",
    ]
    positions = [kinds.index(k) for k in expected]
    assert positions == sorted(positions), kinds
    assert kinds.count("followup.sent") == 1  # Solved cancelled the second follow-up


async def test_a_follow_up_pending_at_a_sigkill_is_sent_once_after_restart(
    socket_slack: Slack, start_burst: StartBurst, db_url: str
) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        burst = start_burst(socket_slack, database_url=db_url, BURST_FOLLOWUP_DELAYS="3")
        alice_card, _ = await start_session(control)
        await control.interact(alice_card["channel"], alice_card["ts"], "U0ALICE", button(alice_card, "session_end"))
        await control.wait_for_message("U0ALICE", has("has ended"))
        burst.stop(signal.SIGKILL)  # the follow-up is due in 3 s; Burst is gone
        await control.wait_for(lambda: follow_up_overdue(db_url), what="the follow-up to fall due")
        assert not [m for m in await control.dm_messages("U0ALICE") if "did it stick" in text_of(m)]
        restarted = start_burst(socket_slack, database_url=db_url, name="burst-restarted", BURST_FOLLOWUP_DELAYS="3")
        await control.wait_for_message("U0ALICE", has("did it stick"), what="the late follow-up")
        await settled(db_url, restarted)
        sent = [m for m in await control.dm_messages("U0ALICE") if "did it stick" in text_of(m)]
        assert len(sent) == 1


async def follow_up_overdue(db_url: str) -> bool:
    """A timer of the ended session (its follow-up) is due and nobody has run it."""
    now = utcnow()
    return any(t.session_id is not None and t.state == "pending" and t.due_at <= now for t in await timers(db_url))


async def test_feedback_with_a_note_through_its_form(
    slack_servers: dict[str, Slack], start_burst: StartBurst, tmp_path: Path
) -> None:
    slack = slack_servers["events"]
    start_burst(slack)
    async with SlackControl(slack.base_url) as control:
        await control.reset()
        alice_card, _ = await start_session(control)
        await control.interact(alice_card["channel"], alice_card["ts"], "U0ALICE", button(alice_card, "session_end"))
        ended = await control.wait_for_message("U0ALICE", has("has ended"))
        note_button = button(ended, "feedback_note")
        await control.interact(ended["channel"], ended["ts"], "U0ALICE", note_button)
        await control.wait_for(lambda: web_api_calls(control, "views.open"), what="the note form")

        values = {
            "helpful": {"helpful": {"type": "radio_buttons", "selected_option": {"value": "yes"}}},
            "note": {"note": {"type": "plain_text_input", "value": "  Bob explained <!here> event loops  "}},
        }
        form = form_body(
            {
                "type": "view_submission",
                "team": {"id": "T0ACME"},
                "api_app_id": "A0BURST",
                "user": {"id": "U0ALICE", "team_id": "T0ACME"},
                "trigger_id": "1.note",
                "view": {
                    "id": "VNOTE",
                    "type": "modal",
                    "callback_id": "feedback_note_modal",
                    "private_metadata": json.dumps({"session": int(note_button["value"])}),
                    "state": {"values": values},
                },
            }
        )
        url = f"http://127.0.0.1:{slack.burst_port}/slack/events"
        assert (await post_signed(url, ws.SIGNING_SECRET, form, FORM))[0] == 200

    async def stored() -> Feedback | None:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}")
        try:
            async with db.uow(readonly=True) as uow:
                return await uow.sessions.feedback_of(int(note_button["value"]), "U0ALICE")
        finally:
            await db.dispose()

    async with SlackControl(slack.base_url) as control:
        feedback = await control.wait_for(stored, what="the note in the database")
    assert feedback.helpful
    assert feedback.note == "Bob explained <!here> event loops"  # kept as typed; escaped wherever it is shown
