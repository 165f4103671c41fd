"""Waves end to end (second-long timers): escalation, expiry, early next wave on declines, a restart mid-wave."""

from __future__ import annotations

import signal
from datetime import datetime, timedelta
from pathlib import Path

from storage.database import Database
from storage.models import utcnow
from tests.e2e.conftest import FAST_TIMERS, Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN, add_skills, button, has
from tests.support.control import SlackControl
from tests.support.quiet import settled, timers
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


async def test_waves_escalate_and_the_request_expires_plainly(
    socket_slack: Slack, start_burst: StartBurst, tmp_path: Path
) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        start_burst(socket_slack)
        await setup(control)
        await control.command(user="U0ALICE", text="help sql window functions", channel=GEN)
        await control.wait_for(lambda: _count(control, 2), what="the first wave of two")
        await control.wait_for(lambda: _count(control, 4), what="the second wave")
        told = await control.wait_for_message("U0ALICE", has("nobody could take"), what="the expiry")
        assert button(told, "request_again")["value"] == "sql window functions"
        for user in SQL_MENTORS:
            await control.wait_for_message(user, has("this request has closed"), what=f"{user}'s ping closed")
    waves = await ping_times(database(tmp_path))
    assert {wave: len(times) for wave, times in waves.items()} == {1: 2, 2: 2}
    # The second wave waited for the first one's timeout (a ping is stamped with the moment its wave started).
    assert min(waves[2]) - max(waves[1]) >= timedelta(seconds=float(FAST_TIMERS["BURST_WAVE_TIMEOUT"]))


def database(tmp_path: Path) -> str:
    """The database of `start_burst` when it is given none."""
    return f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}"


async def ping_times(url: str) -> dict[int, list[datetime]]:
    """When Alice's request's pings were made, by wave."""
    db = Database(url)
    try:
        async with db.uow(readonly=True) as uow:
            request = (await uow.requests.recent_for("U0ALICE"))[0]
            pings = await uow.pings.for_request(request.id or 0)
    finally:
        await db.dispose()
    waves: dict[int, list[datetime]] = {}
    for ping in pings:
        waves.setdefault(ping.wave, []).append(ping.created_at)
    return waves


async def next_wave_due(url: str) -> bool:
    """A timer of the request (its next wave) is due and nobody has run it."""
    now = utcnow()
    return any(t.request_id is not None and t.state == "pending" and t.due_at <= now for t in await timers(url))


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
    socket_slack: Slack, start_burst: StartBurst, tmp_path: Path
) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        burst = start_burst(socket_slack, BURST_WAVE_TIMEOUT="4")
        await setup(control)
        await control.command(user="U0ALICE", text="help sql indexes", channel=GEN)
        await control.wait_for(lambda: _count(control, 2), what="the first wave")
        burst.stop(signal.SIGKILL)
        await control.wait_for(lambda: next_wave_due(database(tmp_path)), what="the next wave to fall due meanwhile")
        restarted = start_burst(socket_slack, name="burst-restarted", BURST_WAVE_TIMEOUT="4")
        await control.wait_for(lambda: _count(control, 4), what="the second wave after the restart")
        await settled(database(tmp_path), restarted)
        for user in SQL_MENTORS:
            pings = [m for m in await control.dm_messages(user) if "sql indexes" in text_of(m)]
            assert len(pings) == 1, f"{user} got {len(pings)} pings"
