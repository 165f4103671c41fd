"""Availability: working hours (parsing what people type, and deciding "may I ping them now" in their own zone),
reading Slack's signals as busy or not: DND windows and snoozes, conventional statuses, presence, calendars; and the
abuse limits' rules, on what the database recalls: when a person may ask again, which mentors to leave alone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.availability import (
    HOUR,
    AbuseLimits,
    Busy,
    Dnd,
    Readings,
    RecentPing,
    SignalSwitches,
    Status,
    WorkingHours,
    calendar_busy,
    dnd_busy,
    first_free,
    is_within_hours,
    local_clocks,
    next_ask_at,
    over_limit,
    parse_hours,
    read_hours,
    slack_busy,
    status_busy,
    summary,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
NINE_TO_HALF_FIVE = WorkingHours(time(9, 0), time(17, 30))


@pytest.mark.parametrize(
    "text",
    [
        "09:00-17:30",
        "9-17:30",
        "9am-5:30pm",
        "09:00 - 17:30",
        "  09:00   -   17:30 ",
        "9:00 to 17:30",
        "9:00–17:30",
        "0900-1730",
        "9.00-17.30",
        "9AM-5:30PM",
        "9 a.m. - 5:30 p.m.",
        "9h-17h30",
    ],
)
def test_parses_the_accepted_forms(text: str) -> None:
    assert parse_hours(text) == NINE_TO_HALF_FIVE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:00-06:00", "22:00-06:00"),
        ("10pm-6am", "22:00-06:00"),
        ("12am-12pm", "00:00-12:00"),
        ("18:00-24:00", "18:00-00:00"),
        ("1-5pm", "13:00-17:00"),  # a bare start borrows the end's pm when that makes a day
        ("9-5pm", "09:00-17:00"),  # ...and keeps its own reading when it would not
        ("10-11am", "10:00-11:00"),
        ("0:00-23:59", "00:00-23:59"),
        ("9-17", "09:00-17:00"),
        ("22-6", "22:00-06:00"),  # a start past noon: a night shift as written
        ("09:00-05:00", "09:00-05:00"),  # clock times, zero and all: as written
        ("11:00-10:00", "11:00-10:00"),
    ],
)
def test_parses_edge_forms(text: str, expected: str) -> None:
    assert str(parse_hours(text)) == expected


@pytest.mark.parametrize(
    "text",
    ["", "9", "off", "abc", "9-9", "09:00-09:00", "9am-9:00", "25:00-17:00", "9:60-17:00", "13pm-2pm", "0am-5pm",
     "9-17-18", "24:30-01:00", "nine to five"],
)  # fmt: skip
def test_refuses_with_the_expected_syntax(text: str) -> None:
    with pytest.raises(ValueError, match="09:00-17:30"):
        parse_hours(text)


def test_str_is_the_canonical_form() -> None:
    assert str(NINE_TO_HALF_FIVE) == "09:00-17:30"
    assert str(WorkingHours(time(7, 5), time(8, 0))) == "07:05-08:00"


@pytest.mark.parametrize(
    ("local", "inside"),
    [(time(8, 59), False), (time(9, 0), True), (time(12, 0), True), (time(17, 29, 59), True), (time(17, 30), False)],
)
def test_contains_a_day_span(local: time, inside: bool) -> None:
    assert NINE_TO_HALF_FIVE.contains(local) is inside


@pytest.mark.parametrize(
    ("local", "inside"),
    [(time(21, 59), False), (time(22, 0), True), (time(23, 59), True), (time(0, 0), True), (time(5, 59), True),
     (time(6, 0), False), (time(12, 0), False)],
)  # fmt: skip
def test_contains_an_overnight_span(local: time, inside: bool) -> None:
    assert WorkingHours(time(22, 0), time(6, 0)).contains(local) is inside


def test_a_degenerate_stored_span_covers_the_day() -> None:
    assert WorkingHours(time(9), time(9)).contains(time(3))


def test_no_hours_means_always() -> None:
    assert is_within_hours(None, datetime(2024, 1, 1, 3, 0, tzinfo=UTC), "Europe/Paris")


def test_hours_are_in_the_persons_zone() -> None:
    # 08:30 UTC is 09:30 in Paris in winter and 03:30 in New York.
    now = datetime(2024, 1, 15, 8, 30, tzinfo=UTC)
    assert is_within_hours(NINE_TO_HALF_FIVE, now, "Europe/Paris")
    assert not is_within_hours(NINE_TO_HALF_FIVE, now, "America/New_York")
    assert not is_within_hours(NINE_TO_HALF_FIVE, now, "UTC")


def test_daylight_saving_keeps_wall_clock_hours() -> None:
    # 13:30 UTC is 08:30 in New York in January (EST) but 09:30 in July (EDT).
    assert not is_within_hours(NINE_TO_HALF_FIVE, datetime(2024, 1, 15, 13, 30, tzinfo=UTC), "America/New_York")
    assert is_within_hours(NINE_TO_HALF_FIVE, datetime(2024, 7, 15, 13, 30, tzinfo=UTC), "America/New_York")


@pytest.mark.parametrize("tz", ["Not/AZone", "", "America", "../../etc/passwd", "UTC\x00"])
def test_unknown_zone_falls_back_to_utc(tz: str) -> None:
    assert is_within_hours(NINE_TO_HALF_FIVE, datetime(2024, 1, 15, 10, 0, tzinfo=UTC), tz)
    assert not is_within_hours(NINE_TO_HALF_FIVE, datetime(2024, 1, 15, 18, 0, tzinfo=UTC), tz)


def test_naive_now_is_utc() -> None:
    assert is_within_hours(NINE_TO_HALF_FIVE, datetime(2024, 1, 15, 10, 0), "UTC")
    assert not is_within_hours(NINE_TO_HALF_FIVE, datetime(2024, 1, 15, 10, 0), "Asia/Tokyo")


def test_overnight_across_midnight_in_zone() -> None:
    night = WorkingHours(time(22, 0), time(6, 0))
    # 14:30 UTC is 23:30 in Tokyo.
    assert is_within_hours(night, datetime(2024, 1, 15, 14, 30, tzinfo=UTC), "Asia/Tokyo")


minute_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@given(minute_times, minute_times)
def test_str_then_parse_round_trips(start: time, end: time) -> None:
    if start == end:
        return
    hours = WorkingHours(start, end)
    assert parse_hours(str(hours)) == hours


@given(minute_times, minute_times, st.times())
def test_a_span_and_its_reverse_split_the_day(start: time, end: time, local: time) -> None:
    if start == end:
        return
    assert WorkingHours(start, end).contains(local) != WorkingHours(end, start).contains(local)


@given(st.text(max_size=40))
def test_only_value_error_escapes(text: str) -> None:
    try:
        hours = parse_hours(text)
    except ValueError:
        return
    assert hours.start != hours.end


@pytest.mark.parametrize(
    ("text", "read", "instead_of"),
    [
        ("9-5", "09:00-17:00", "09:00-05:00"),
        ("10-6", "10:00-18:00", "10:00-06:00"),
        ("9:00-5:30", "09:00-17:30", "09:00-05:30"),
        ("12-1", "12:00-13:00", "12:00-01:00"),
    ],
)
def test_hours_as_people_say_them_read_as_a_day_and_the_other_reading_is_kept_to_confirm(
    text: str, read: str, instead_of: str
) -> None:
    reading = read_hours(text)
    assert str(reading.hours) == read
    assert str(reading.instead_of) == instead_of


@pytest.mark.parametrize("text", ["9am-5pm", "09:00-17:30", "9-17", "22-6", "1-5pm"])
def test_unambiguous_hours_need_no_confirmation(text: str) -> None:
    assert read_hours(text).instead_of is None


def test_local_clocks_follow_daylight_saving_and_read_unknown_zones_as_utc() -> None:
    winter = datetime(2026, 1, 15, 12, 0, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 12, 0, 30, tzinfo=UTC)
    zones = ["Europe/Berlin", "Asia/Kolkata", "Not/AZone", ""]
    assert local_clocks(zones, winter) == {
        "Europe/Berlin": "13:00",
        "Asia/Kolkata": "17:30",
        "Not/AZone": "12:00",
        "": "12:00",
    }
    assert local_clocks(["Europe/Berlin"], summer) == {"Europe/Berlin": "14:00"}


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


LIMITS = AbuseLimits(requests_per_hour=3, cancel_cooldown=timedelta(minutes=30), pings_from_one_per_hour=2,
                     pings_per_hour=4)  # fmt: skip


def minutes_ago(n: float) -> datetime:
    return NOW - timedelta(minutes=n)


def test_a_person_under_the_cap_may_ask() -> None:
    assert next_ask_at([minutes_ago(50), minutes_ago(10)], NOW, LIMITS) is None
    assert next_ask_at([minutes_ago(70), minutes_ago(65), minutes_ago(61), minutes_ago(5)], NOW, LIMITS) is None


def test_at_the_cap_they_may_ask_when_the_oldest_counted_request_leaves_the_hour() -> None:
    asked = [minutes_ago(5), minutes_ago(40), minutes_ago(20), minutes_ago(59)]
    assert next_ask_at(asked, NOW, LIMITS) == minutes_ago(40) + HOUR  # the third most recent, 40 minutes ago


def ping(
    mentor: str, requester: str = "UR", topic: str = "kafka", at: float = 10, cancelled: float | None = None
) -> RecentPing:
    return RecentPing(mentor, requester, topic, minutes_ago(at), None if cancelled is None else minutes_ago(cancelled))


def test_a_mentor_hears_from_one_requester_at_most_so_often() -> None:
    recent = [ping("UM1", at=50), ping("UM1", at=5), ping("UM2", at=5), ping("UM3", at=70), ping("UM3", at=65)]
    assert over_limit(recent, "UR", "python", NOW, LIMITS) == {"UM1"}
    assert over_limit(recent, "UOTHER", "python", NOW, LIMITS) == set()


def test_a_mentor_hears_from_everyone_at_most_so_often() -> None:
    recent = [ping("UM1", requester=f"UR{i}", at=10 + i) for i in range(4)] + [ping("UM2", requester="UR9")]
    assert over_limit(recent, "UNEW", "python", NOW, LIMITS) == {"UM1"}


def test_after_a_cancel_the_same_topic_leaves_its_mentors_alone_for_the_cooldown() -> None:
    recent = [ping("UM1", at=20, cancelled=19), ping("UM2", at=50, cancelled=45)]
    assert over_limit(recent, "UR", "kafka", NOW, LIMITS) == {"UM1"}  # UM2's cancel is past the 30 minutes
    assert over_limit(recent, "UR", "python", NOW, LIMITS) == set()  # another topic
    assert over_limit(recent, "UOTHER", "kafka", NOW, LIMITS) == set()  # another person
