"""Waves end to end (second-long timers): escalation, expiry, early next wave on declines, a restart mid-wave."""

from __future__ import annotations

import asyncio
import signal

from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN, add_skills, button, has
from tests.support.control import SlackControl
from tests.support.workload import text_of

SQL_MENTORS = ("U0BOB", "U0OMAR", "U0LENA", "U0TOM")


async def pinged(control: SlackControl) -> list[str]:
    found = []
    for user in SQL_MENTORS:
        if [
            m for m in await control.dm_messages(user) if "needs help with" in text_of(m) or "needed help" in text_of(m)
        ]:
            found.append(user)
    return found


async def setup(control: SlackControl) -> None:
    for user in SQL_MENTORS:
        await add_skills(control, user, "sql:expert")


async def test_waves_escalate_and_the_request_expires_plainly(socket_slack: Slack, start_burst: StartBurst) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        start_burst(socket_slack)
        await setup(control)
        await control.command(user="U0ALICE", text="help sql window functions", channel=GEN)
        await control.wait_for(lambda: _count(control, 2), what="the first wave of two")
        await asyncio.sleep(1)
        assert len(await pinged(control)) == 2  # the second wave waits for the timeout
        await control.wait_for(lambda: _count(control, 4), what="the second wave")
        told = await control.wait_for_message("U0ALICE", has("nobody could take"), what="the expiry")
        assert button(told, "request_again")["value"] == "sql window functions"
        for user in SQL_MENTORS:
            await control.wait_for_message(user, has("this request has closed"), what=f"{user}'s ping closed")


async def _count(control: SlackControl, n: int) -> bool:
    return len(await pinged(control)) >= n


async def test_when_the_whole_wave_declines_the_next_goes_at_once(socket_slack: Slack, start_burst: StartBurst) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        start_burst(socket_slack, BURST_WAVE_TIMEOUT="60")
        await setup(control)
        await control.command(user="U0ALICE", text="help sql joins", channel=GEN)
        await control.wait_for(lambda: _count(control, 2), what="the first wave")
        for user in await pinged(control):
            ping = await control.wait_for_message(user, has("needs help with"))
            await control.interact(ping["channel"], ping["ts"], user, button(ping, "ping_decline"))
        # With a 60 s timeout, only the declines can explain a second wave within 30 s.
        await control.wait_for(lambda: _count(control, 4), what="the next wave right after the declines")


async def test_a_restart_in_the_middle_of_a_wave_loses_nothing_and_sends_nothing_twice(
    socket_slack: Slack, start_burst: StartBurst
) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        burst = start_burst(socket_slack, BURST_WAVE_TIMEOUT="4")
        await setup(control)
        await control.command(user="U0ALICE", text="help sql indexes", channel=GEN)
        await control.wait_for(lambda: _count(control, 2), what="the first wave")
        burst.stop(signal.SIGKILL)
        await asyncio.sleep(5)  # the next wave fell due while Burst was down
        start_burst(socket_slack, name="burst-restarted", BURST_WAVE_TIMEOUT="4")
        await control.wait_for(lambda: _count(control, 4), what="the second wave after the restart")
        await asyncio.sleep(2)
        for user in SQL_MENTORS:
            pings = [m for m in await control.dm_messages(user) if "sql indexes" in text_of(m)]
            assert len(pings) == 1, f"{user} got {len(pings)} pings"
