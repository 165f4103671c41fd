"""After a session, through local-slack: feedback shows the choice, follow-ups worded for their moment and closed
together by one answer, and Still stuck -> Find someone else asks another mentor first, with a note."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN, add_skills, button, has
from tests.e2e.test_message_counts import barrier, ping_of
from tests.support.control import SlackControl
from tests.support.workload import buttons, text_of


async def ended_session(control: SlackControl) -> dict[str, Any]:
    """Alice asks about python asyncio, Bob takes it, Alice ends it; returns Alice's end message."""
    await control.command(user="U0ALICE", text="help python asyncio", channel=GEN)
    ping = await ping_of(control, "U0BOB")
    await control.interact(ping["channel"], ping["ts"], "U0BOB", button(ping, "ping_accept"))
    card = await control.wait_for_message("U0ALICE", lambda m: "session_end" in buttons(m), what="Alice's card")
    await control.interact(card["channel"], card["ts"], "U0ALICE", button(card, "session_end"))
    return await control.wait_for_message("U0ALICE", has("has ended"), what="the end, for Alice")


async def test_feedback_shows_the_choice_and_each_person_gets_their_own_question(
    socket_slack: Slack, start_burst: StartBurst
) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        start_burst(socket_slack, BURST_FOLLOWUP_DELAYS="1h")
        await add_skills(control, "U0BOB", "python:expert")
        ended = await ended_session(control)
        assert "was it helpful?" in text_of(ended).lower()
        bob_end = await control.wait_for_message("U0BOB", has("has ended"), what="the end, for Bob")
        assert "did it go well for you?" in text_of(bob_end).lower()
        await control.interact(ended["channel"], ended["ts"], "U0ALICE", button(ended, "feedback_helpful"))
        chosen = await control.wait_for_message("U0ALICE", has("you answered:"), what="the choice shown in place")
        assert "helpful" in text_of(chosen).lower()
        assert chosen["ts"] == ended["ts"]
        assert not buttons(chosen)
        await barrier(control)
        assert not [m for m in await control.dm_messages("U0ALICE") if "thanks for the feedback" in text_of(m).lower()]


async def test_one_answer_closes_every_follow_up_of_the_session_and_find_someone_else_asks_others_first(
    socket_slack: Slack, start_burst: StartBurst
) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        start_burst(socket_slack, BURST_FOLLOWUP_DELAYS="1,2")
        await add_skills(control, "U0BOB", "python:expert")
        await ended_session(control)
        await add_skills(control, "U0OMAR", "python:expert")  # only now: the first session's ping was Bob's alone
        first = await control.wait_for_message("U0ALICE", has("did it stick?"), what="the first follow-up")
        assert "<@U0BOB>" in text_of(first)
        second = await control.wait_for_message("U0ALICE", has("is it sorted now?"), what="the second follow-up")
        assert text_of(first) != text_of(second)

        await control.interact(second["channel"], second["ts"], "U0ALICE", button(second, "followup_stuck"))
        answered = await control.wait_for_message(
            "U0ALICE", lambda m: "followup_find_another" in buttons(m), what="Still stuck, with Find someone else"
        )
        assert answered["ts"] == second["ts"]

        async def first_closed() -> bool:
            mine = [m for m in await control.dm_messages("U0ALICE") if m["ts"] == first["ts"]]
            return bool(mine) and not buttons(mine[0]) and "still stuck" in text_of(mine[0]).lower()

        await control.wait_for(first_closed, what="the first follow-up closed by the answer to the second")

        await control.interact(
            answered["channel"], answered["ts"], "U0ALICE", button(answered, "followup_find_another")
        )
        omar = await control.wait_for_message("U0OMAR", lambda m: "ping_accept" in buttons(m), what="Omar's ping")
        assert "python asyncio" in text_of(omar)
        assert "still stuck after a first session" in text_of(omar).lower()
        await barrier(control)
        bob_pings = [m for m in await control.dm_messages("U0BOB") if "ping_accept" in buttons(m)]
        assert bob_pings == [], "the mentor of the first session is not asked while someone else is free"
