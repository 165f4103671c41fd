"""Reading Slack's signals as busy or not: DND windows and snoozes, conventional statuses, presence, calendars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.availability import (
    Busy,
    Dnd,
    Readings,
    SignalSwitches,
    Status,
    calendar_busy,
    dnd_busy,
    first_free,
    slack_busy,
    status_busy,
    summary,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_dnd_is_busy_inside_its_window_or_while_snoozed() -> None:
    assert dnd_busy(Dnd(True, NOW - HOUR, NOW + HOUR), NOW) == Busy("dnd", NOW + HOUR)
    assert dnd_busy(Dnd(True, NOW + HOUR, NOW + 2 * HOUR), NOW) is None  # tonight's window, not now
    assert dnd_busy(Dnd(False, NOW - HOUR, NOW + HOUR), NOW) is None
    assert dnd_busy(Dnd(False, None, None, snooze_end=NOW + HOUR), NOW) == Busy("dnd", NOW + HOUR)


@pytest.mark.parametrize(
    ("text", "emoji", "reason"),
    [
        ("Vacationing", ":palm_tree:", "vacation"),
        ("", ":palm_tree:", "vacation"),
        ("OOO until Monday", ":wave:", "vacation"),
        ("Out sick", ":face_with_thermometer:", "sick"),
        ("In a meeting", ":spiral_calendar_pad:", "meeting"),
        ("In a meeting • Outlook Calendar", ":calendar:", "meeting"),
        ("On a call", ":zoom:", "meeting"),
        ("Commuting", ":bus:", "status"),
        ("Focus time", ":dart:", "status"),
    ],
)
def test_conventional_statuses_read_as_busy(text: str, emoji: str, reason: str) -> None:
    assert status_busy(Status(text, emoji, NOW + HOUR), NOW) == Busy(reason, NOW + HOUR)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "emoji"), [("Working remotely", ":house_with_garden:"), ("Happy to help with Python", ":snake:"), ("", "")]
)
def test_other_statuses_do_not(text: str, emoji: str) -> None:
    assert status_busy(Status(text, emoji, None), NOW) is None


def test_an_expired_status_is_no_signal_and_one_without_expiry_has_no_end() -> None:
    assert status_busy(Status("Vacationing", ":palm_tree:", NOW - HOUR), NOW) is None
    assert status_busy(Status("Vacationing", ":palm_tree:", None), NOW) == Busy("vacation", None)


def test_each_signal_can_be_switched_off() -> None:
    readings = Readings(dnd=Dnd(True, NOW - HOUR, NOW + HOUR), status=Status("Out sick", "", None), presence="away")
    assert slack_busy(readings, NOW, SignalSwitches()) == Busy("dnd", NOW + HOUR)
    assert slack_busy(readings, NOW, SignalSwitches(dnd=False)) == Busy("sick", None)
    assert slack_busy(readings, NOW, SignalSwitches(dnd=False, status=False)) == Busy("away", None)
    assert slack_busy(readings, NOW, SignalSwitches(False, False, False)) is None
    assert slack_busy(Readings(), NOW, SignalSwitches()) is None  # nothing read: no signal


def test_calendar_busy_now_or_within_the_session_until_the_end_of_back_to_back_meetings() -> None:
    meetings = [
        (NOW + 20 * timedelta(minutes=1), NOW + HOUR),
        (NOW + HOUR, NOW + 2 * HOUR),
        (NOW + 3 * HOUR, NOW + 4 * HOUR),
    ]
    assert calendar_busy(meetings, NOW, timedelta(minutes=30)) == Busy("calendar", NOW + 2 * HOUR)
    assert calendar_busy(meetings, NOW, timedelta(minutes=15)) is None  # a 15-minute burst ends before it
    assert calendar_busy([(NOW - HOUR, NOW)], NOW, HOUR) is None  # just ended
    assert calendar_busy([(NOW - HOUR, NOW + HOUR)], NOW, timedelta(0)) == Busy("calendar", NOW + HOUR)


def test_the_requester_hears_why_in_one_phrase_and_when_the_first_is_free() -> None:
    busy = [Busy("calendar", NOW + 2 * HOUR), Busy("meeting", NOW + HOUR), Busy("meeting", None)]
    assert summary(busy) == "in meetings"
    assert summary([*busy, Busy("dnd", NOW + HOUR)]) == "busy: 3 in meetings, 1 on Do Not Disturb"
    assert first_free(busy) == NOW + HOUR
    assert first_free([Busy("away", None)]) is None
