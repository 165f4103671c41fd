"""Availability end to end through local-slack: a calendar connected with `/burst calendar`, served by a local
HTTP server, keeps its busy mentor out of a wave; and Slack's signals, which local-slack does not implement
(`unknown_method`), are read as no signal with one log line, so requests still reach people."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN, add_skills, has
from tests.support.control import SlackControl
from tests.support.ics_server import IcsServer, busy_now
from tests.support.workload import text_of

SECRET = "private-7a3f9c/basic.ics"


@pytest.fixture
async def ics_server() -> AsyncIterator[IcsServer]:
    async with IcsServer() as served:
        yield served


async def test_a_mentor_busy_in_their_calendar_is_not_pinged_and_a_free_one_is(
    slack: Slack, control: SlackControl, start_burst: StartBurst, ics_server: IcsServer
) -> None:
    burst = start_burst(slack, BURST_CALENDAR_ALLOW_LOCAL="1")
    ics_server.calendars[SECRET] = busy_now()
    await add_skills(control, "U0BOB", "python")
    await add_skills(control, "U0SAM", "python")
    before = await control.latest_ts(GEN)
    await control.command(user="U0BOB", text=f"calendar {ics_server.url(SECRET)}", channel=GEN)
    connected = await control.wait_for_message(GEN, has("calendar connected"), what="the calendar reply", after=before)
    assert "http://127.0.0.1/…" in text_of(connected)
    assert SECRET not in text_of(connected)

    await control.command(user="U0ALICE", text="help python decorators", channel=GEN)
    await control.wait_for_message("U0SAM", has("needs help with"), what="Sam's ping")
    assert not [m for m in await control.dm_messages("U0BOB") if "needs help with" in text_of(m)]
    assert SECRET not in burst.log_text()


async def test_when_the_only_mentor_is_in_a_meeting_the_requester_hears_when_burst_tries_again(
    slack: Slack, control: SlackControl, start_burst: StartBurst, ics_server: IcsServer
) -> None:
    start_burst(slack, BURST_CALENDAR_ALLOW_LOCAL="1")
    ics_server.calendars["bob.ics"] = busy_now()
    await add_skills(control, "U0BOB", "kotlin")
    before = await control.latest_ts(GEN)
    await control.command(user="U0BOB", text=f"calendar {ics_server.url('bob.ics')}", channel=GEN)
    await control.wait_for_message(GEN, has("calendar connected"), what="the calendar reply", after=before)
    await control.command(user="U0ALICE", text="help kotlin coroutines", channel=GEN)
    told = await control.wait_for_message("U0ALICE", has("I'll try again at"), what="the all-busy note")
    assert "is in a meeting right now" in text_of(told)
    assert not [m for m in await control.dm_messages("U0BOB") if "needs help with" in text_of(m)]

    before = await control.latest_ts(GEN)
    await control.command(user="U0BOB", text="calendar off", channel=GEN)
    await control.wait_for_message(GEN, has("calendar forgotten"), what="the disconnect reply", after=before)


async def test_slack_signals_local_slack_lacks_are_no_signal_with_one_log_line(
    slack: Slack, control: SlackControl, start_burst: StartBurst
) -> None:
    burst = start_burst(slack)
    await add_skills(control, "U0BOB", "scala")
    await control.command(user="U0ALICE", text="help scala implicits", channel=GEN)
    await control.wait_for_message("U0BOB", has("needs help with"), what="Bob's first ping")
    await control.command(user="U0ALICE", text="cancel", channel=GEN)
    await control.wait_for_message(GEN, has("cancelled your request"), what="the cancel")
    await control.command(user="U0ZOE", text="help scala traits", channel=GEN)
    await control.wait_for_message("U0BOB", has("scala traits"), what="Bob's second ping, signals still unread")
    lines = [line for line in burst.log_text().splitlines() if "slack signal unavailable" in line]
    methods = [line.split("method=")[1].split()[0] for line in lines]
    assert "dnd.teamInfo" in methods
    assert len(methods) == len(set(methods)), lines
