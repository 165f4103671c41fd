"""Real .ics files read as busy intervals: recurrences with exceptions across a DST change, all-day and floating
events in the mentor's zone, free/busy feeds, and what is not busy (free, cancelled) or not a calendar."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar_feed import CalendarError, busy_intervals, merge

FILES = Path(__file__).parent / "calendars"
UTC_ZONE = ZoneInfo("UTC")


def read(name: str, start: datetime, end: datetime, zone: ZoneInfo = UTC_ZONE) -> list[tuple[datetime, datetime]]:
    found = busy_intervals((FILES / name).read_bytes(), start, end, zone)
    return [(s.astimezone(UTC), e.astimezone(UTC)) for s, e in found]


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def test_a_daily_meeting_keeps_its_local_time_across_the_dst_change_and_honours_its_exceptions() -> None:
    found = read("weekly_standup.ics", at(23, 0), at(31, 0))
    assert found == [
        (at(23, 7, 30), at(23, 8)),  # 09:30 in Berlin in summer time
        (at(26, 8, 30), at(26, 9)),  # still 09:30 in Berlin after the change on the 25th
        (at(27, 8, 30), at(27, 9)),  # the cancelled review and the free lunch are not busy
        # the 28th is an EXDATE; the 29th was moved to 14:00 Berlin by its RECURRENCE-ID
        (at(29, 13), at(29, 13, 30)),
        (at(30, 8, 30), at(30, 9)),
    ]


def test_all_day_and_floating_events_are_read_in_the_mentors_zone() -> None:
    found = read("all_day.ics", at(26, 0, month=11), at(3, 0, month=12), ZoneInfo("America/New_York"))
    assert found == [
        (at(27, 5, month=11), at(28, 5, month=11)),  # a day off, midnight to midnight in New York
        (at(1, 14, month=12), at(1, 14, 45, month=12)),  # 09:00 floating + 45 minutes, New York's clock
    ]


def test_a_free_busy_feed_counts_its_busy_and_tentative_periods_but_not_its_free_ones() -> None:
    found = read("free_busy.ics", at(26, 0, month=11), at(3, 0, month=12))
    assert found == [
        (at(26, 13, month=11), at(26, 14, month=11)),
        (at(26, 15, month=11), at(26, 15, 30, month=11)),  # a period given as start and duration
        (at(27, 8, month=11), at(27, 9, month=11)),
    ]


def test_intervals_are_clipped_to_the_window() -> None:
    found = read("free_busy.ics", at(26, 13, 30, month=11), at(26, 15, 10, month=11))
    assert found == [(at(26, 13, 30, month=11), at(26, 14, month=11)), (at(26, 15, month=11), at(26, 15, 10, month=11))]


def test_overlapping_and_touching_intervals_merge() -> None:
    assert merge(
        [(at(1, 10), at(1, 11)), (at(1, 9), at(1, 10)), (at(1, 10, 30), at(1, 12)), (at(1, 13), at(1, 14))]
    ) == [
        (at(1, 9), at(1, 12)),
        (at(1, 13), at(1, 14)),
    ]


@pytest.mark.parametrize(
    "body", [b"", b"<html><body>Sign in</body></html>", b"BEGIN:VCARD\r\nEND:VCARD\r\n", b"\xff\xfe\x00garbage"]
)
def test_what_is_not_a_calendar_is_a_clear_error(body: bytes) -> None:
    with pytest.raises(CalendarError, match="iCalendar"):
        busy_intervals(body, at(1, 0), at(3, 0), UTC_ZONE)
