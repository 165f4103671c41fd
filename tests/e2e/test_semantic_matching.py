"""Requests written as people write them reach the right mentor through local-slack; a topic nobody covers pings
no one and is recorded as unmet demand (issue: matching that understands what people mean)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiohttp

from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN, add_skills, has
from tests.support.control import SlackControl
from tests.support.workload import text_of

ASKERS = ("U0ALICE", "U0LUCA", "U0NINA")


async def test_symptoms_reach_the_mentor_who_knows_the_skill_and_a_gap_pings_nobody(
    slack: Slack, control: SlackControl, start_burst: StartBurst, tmp_path: Path
) -> None:
    burst = start_burst(slack)
    # The model loaded from its package in the real process (a failure would leave names and terms only, silently).
    async with aiohttp.ClientSession() as http, http.get(burst.health_url) as answer:
        assert (await answer.json())["matching"] == "semantic"
    await add_skills(control, "U0BOB", "go:expert")
    await add_skills(control, "U0SAM", "statistics")
    await add_skills(control, "U0TOM", "public speaking")
    mentors = ("U0BOB", "U0SAM", "U0TOM")

    await control.command(user=ASKERS[0], text="help goroutine leak in our worker pool", channel=GEN)
    ping = await control.wait_for_message("U0BOB", has("goroutine leak"), what="the go mentor's ping")
    assert "you know go (expert)" in text_of(ping)

    await control.command(user=ASKERS[1], text="help is this p-value significant", channel=GEN)
    await control.wait_for_message("U0SAM", has("p-value significant"), what="the statistics mentor's ping")

    await control.command(user=ASKERS[2], text="help my landlord keeps the deposit", channel=GEN)
    await control.wait_for_message(ASKERS[2], has("landlord"), what="the no-match answer")

    # Nobody else was pinged for either request, and nobody at all for the landlord.
    for mentor in mentors:
        pings = [text_of(m) for m in await control.dm_messages(mentor) if "needs help with" in text_of(m)]
        assert not any("landlord" in p for p in pings), mentor
        if mentor != "U0BOB":
            assert not any("goroutine" in p for p in pings), mentor
        if mentor != "U0SAM":
            assert not any("p-value" in p for p in pings), mentor

    with sqlite3.connect(tmp_path / "burst.db") as db:
        rows = db.execute(
            "SELECT kind FROM interaction_events JOIN help_requests"
            " ON help_requests.id = interaction_events.request_id WHERE help_requests.topic LIKE '%landlord%'"
        ).fetchall()
    assert ("request.no_match",) in rows
