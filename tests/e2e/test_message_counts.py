"""How many messages each person gets per flow, and what the one message of each step says once it has moved on.

Each step edits its message in place (the asker's status, a mentor's ping), so a flow's messages are counted after
a barrier: a `/burst status` answered after everything the flow set off (bot.runtime.work_gate runs work in turn).
"""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN, add_skills, button, has
from tests.support.control import Message, SlackControl
from tests.support.workload import buttons, text_of


async def barrier(control: SlackControl, user: str = "U0TOM") -> None:
    before = await control.latest_ts(GEN)
    await control.command(user=user, text="status", channel=GEN)
    await control.wait_for_message(GEN, has("no open request"), what="the barrier", after=before)


async def dm(control: SlackControl, user: str) -> list[Message]:
    return await control.dm_messages(user)


def texts(messages: list[Message]) -> list[str]:
    return [text_of(m) for m in messages]


def about(messages: list[Message], topic: str) -> list[Message]:
    return [m for m in messages if f"*{topic}*" in text_of(m)]


async def ping_of(control: SlackControl, user: str) -> dict[str, Any]:
    return await control.wait_for_message(user, lambda m: "ping_accept" in buttons(m), what=f"{user}'s ping")


async def test_an_ask_and_an_accept_is_one_status_and_one_card_each_and_the_loser_gets_one_edit(
    slack: Slack, control: SlackControl, start_burst: StartBurst
) -> None:
    start_burst(slack)
    for user in ("U0BOB", "U0OMAR"):
        await add_skills(control, user, "python:expert")
    await control.command(user="U0ALICE", text="help python asyncio", channel=GEN)
    status = await control.wait_for_message("U0ALICE", has("asking 2 people who know *python asyncio*"))
    assert "request_cancel" in buttons(status)
    bob, omar = await ping_of(control, "U0BOB"), await ping_of(control, "U0OMAR")

    await control.interact(bob["channel"], bob["ts"], "U0BOB", button(bob, "ping_accept"))
    await control.wait_for_message("U0ALICE", has("<@U0BOB> is helping you: your session on *python asyncio*"))
    await control.wait_for_message("U0OMAR", has("someone else picked this up"), what="Omar's ping edited")
    # Omar presses Accept on the ping as he saw it before the edit: the edit already says it all.
    await control.interact(omar["channel"], omar["ts"], "U0OMAR", button(omar, "ping_accept"))
    await barrier(control)

    alice, bob_dm, omar_dm = await dm(control, "U0ALICE"), await dm(control, "U0BOB"), await dm(control, "U0OMAR")
    assert len(alice) == 2, texts(alice)  # the status, edited in place, and the session card
    assert alice[0]["ts"] == status["ts"]
    assert "is helping you" in text_of(alice[0])
    assert not buttons(alice[0]), "the search is over: no Cancel left"
    assert "session_end" in buttons(alice[1])
    assert len(bob_dm) == 2, texts(bob_dm)  # his ping, now "You accepted", and the card
    assert "you accepted" in text_of(bob_dm[0]).lower()
    assert len(omar_dm) == 1, texts(omar_dm)
    assert "someone else picked this up" in text_of(omar_dm[0]).lower()
    said = about(await control.messages(GEN), "python asyncio")
    assert len(said) == 1, texts(said)  # where she asked: one line pointing at the DM, no second near-copy
    assert "got it: *python asyncio*" in text_of(said[0]).lower()


async def test_a_topic_nobody_lists_gets_one_honest_message_and_no_promise(
    socket_slack: Slack, start_burst: StartBurst
) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        start_burst(socket_slack)
        await add_skills(control, "U0BOB", "python")
        await control.command(user="U0ALICE", text="help underwater basket weaving", channel=GEN)
        await control.wait_for_message("U0ALICE", has("couldn't find anyone who lists *underwater basket weaving*"))
        await barrier(control)
        alice = await dm(control, "U0ALICE")
        assert len(alice) == 1, texts(alice)
        assert "as soon as" not in text_of(alice[0])
        assert "looking for" not in text_of(alice[0]).lower()
        assert await dm(control, "U0BOB") == []


async def test_when_everyone_asked_declines_the_asker_is_told_so_once_without_blaming_the_words(
    socket_slack: Slack, start_burst: StartBurst
) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        start_burst(socket_slack, BURST_WAVE_TIMEOUT="60")
        for user in ("U0BOB", "U0OMAR"):
            await add_skills(control, user, "sql:expert")
        await control.command(user="U0ALICE", text="help sql window functions", channel=GEN)
        for user in ("U0BOB", "U0OMAR"):
            ping = await ping_of(control, user)
            await control.interact(ping["channel"], ping["ts"], user, button(ping, "ping_decline"))
        told = await control.wait_for_message("U0ALICE", has("nobody could take"), what="the expiry")
        assert "the 2 people i asked" in text_of(told).lower()
        assert "broader" not in text_of(told)
        assert "other words" not in text_of(told)
        await barrier(control)
        alice = await dm(control, "U0ALICE")
        assert len(alice) == 1, texts(alice)  # "Looking", "Asking 2 people", then the expiry: one message
        for user in ("U0BOB", "U0OMAR"):
            theirs = await dm(control, user)
            assert len(theirs) == 1, texts(theirs)
            assert "you declined" in text_of(theirs[0]).lower()


async def test_the_status_messages_cancel_button_stops_the_search_in_place(
    socket_slack: Slack, start_burst: StartBurst
) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        start_burst(socket_slack)
        await add_skills(control, "U0BOB", "rust:expert")
        await control.command(user="U0ALICE", text="help rust lifetimes", channel=GEN)
        status = await control.wait_for_message("U0ALICE", has("asking 1 person who knows *rust lifetimes*"))
        await ping_of(control, "U0BOB")
        # Someone else's press is refused, to them alone, and changes nothing.
        await control.interact(status["channel"], status["ts"], "U0TOM", button(status, "request_cancel"))
        refused = await control.wait_for_message("U0ALICE", has("only the person who asked"), what="Tom's refusal")
        assert refused.get("user") != "U0ALICE"
        await control.interact(status["channel"], status["ts"], "U0ALICE", button(status, "request_cancel"))
        await control.wait_for_message("U0ALICE", has("cancelled: you asked about *rust lifetimes*"))
        await control.wait_for_message("U0BOB", has("this request has closed"), what="Bob's ping closed")
        await barrier(control)
        alice = [m for m in await dm(control, "U0ALICE") if m["ts"] != refused["ts"]]  # Tom's ephemeral
        assert len(alice) == 1, texts(alice)
        assert not buttons(alice[0])
        assert len(await dm(control, "U0BOB")) == 1


async def test_extend_says_what_it_adds_the_card_shows_the_real_end_and_extend_goes_at_the_limit(
    socket_slack: Slack, start_burst: StartBurst
) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        start_burst(socket_slack, BURST_SESSION_LENGTH="120", BURST_SESSION_WARNING="30")
        await add_skills(control, "U0BOB", "go:expert")
        await control.command(user="U0ALICE", text="help go channels", channel=GEN)
        ping = await ping_of(control, "U0BOB")
        await control.interact(ping["channel"], ping["ts"], "U0BOB", button(ping, "ping_accept"))
        card = await control.wait_for_message("U0ALICE", lambda m: "session_extend" in buttons(m))
        assert "Extend 2 min" in str(card["blocks"])
        assert "message <@U0BOB> directly" in text_of(card)  # local-slack has no group DMs: each in their own DM

        await control.interact(card["channel"], card["ts"], "U0ALICE", button(card, "session_extend"))
        told = await control.wait_for_message("U0BOB", has("extended by 2 min"), what="the extension, for Bob too")
        assert "now ends at" in text_of(told)
        await control.wait_for_message("U0ALICE", has("4 min in all, extended once"), what="the card's real length")
        await control.interact(card["channel"], card["ts"], "U0ALICE", button(card, "session_extend"))
        last = await control.wait_for_message("U0ALICE", has("6 min in all, extended 2 times"))
        assert "session_extend" not in buttons(last)
        assert "session_end" in buttons(last)
        await barrier(control)
        # The status, the card, and one line per extension; nothing else.
        assert len(await dm(control, "U0ALICE")) == 4, texts(await dm(control, "U0ALICE"))
        assert len(await dm(control, "U0BOB")) == 4, texts(await dm(control, "U0BOB"))


async def test_text_to_burst_during_a_session_gets_a_hint_with_a_mention_not_the_usage(
    socket_slack: Slack, start_burst: StartBurst
) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        start_burst(socket_slack, BURST_SESSION_LENGTH="120", BURST_SESSION_WARNING="30")
        await add_skills(control, "U0SAM", "kubernetes:expert")
        await control.command(user="U0ALICE", text="help kubernetes", channel=GEN)
        ping = await ping_of(control, "U0SAM")
        await control.interact(ping["channel"], ping["ts"], "U0SAM", button(ping, "ping_accept"))
        card = await control.wait_for_message("U0ALICE", lambda m: "session_end" in buttons(m))
        await control.message(card["channel"], "U0ALICE", "Hi Sam! My pods keep restarting")
        hint = await control.wait_for_message("U0ALICE", has("won't see that"), what="the hint")
        assert "<@U0SAM>" in text_of(hint)
        assert "help me with" not in text_of(hint)
        # Even worded like a request, it is meant for Sam: a hint again, and no new search.
        await control.message(card["channel"], "U0ALICE", "Sam, can you help me with the ingress annotations?")
        await control.wait_for(lambda: _hints(control), what="a second hint", interval=0.2)
        await barrier(control)
        assert not [m for m in await dm(control, "U0ALICE") if "asking" in text_of(m).lower()]


async def _hints(control: SlackControl) -> bool:
    return len([m for m in await dm(control, "U0ALICE") if "won't see that" in text_of(m)]) >= 2
