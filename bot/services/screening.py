"""Skipping mentors the signals say are busy, right before a wave pings them: calendar first (a database read),
then Slack's signals for those the calendar leaves free (Web API calls, cached)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain.availability import Busy, SignalSwitches, SlackSignals, calendar_busy, slack_busy
from storage.unit_of_work import UnitOfWork

CALENDAR_LOOKAHEAD = timedelta(hours=12)  # far enough to say when a run of meetings ends


class Screen:
    def __init__(self, slack: SlackSignals | None, switches: SignalSwitches) -> None:
        self.slack = slack
        self.switches = switches

    async def busy(
        self, uow: UnitOfWork, member_ids: Sequence[str], now: datetime, length: timedelta
    ) -> dict[str, Busy]:
        """Who of them is busy now or within `length` (a session's length), and why."""
        found: dict[str, Busy] = {}
        intervals = await uow.calendars.busy(member_ids, now, now + max(length, CALENDAR_LOOKAHEAD))
        for member_id, theirs in intervals.items():
            if busy := calendar_busy(theirs, now, length):
                found[member_id] = busy
        rest = [m for m in member_ids if m not in found]
        if self.slack is None or not rest or not self.switches.any:
            return found
        for member_id, readings in (await self.slack.read(rest, now)).items():
            if busy := slack_busy(readings, now, self.switches):
                found[member_id] = busy
        return found
