"""When a mentor may be pinged: the working hours they set, whether the signals they already keep say they are busy,
and how often anyone may ask or be asked. Pure functions over what was read or recalled; reading is the Slack
adapter's and the calendar's business, recalling the database's.

Working hours are a time-of-day span in the mentor's own Slack time zone. Hours are stored as wall-clock times, not
UTC, so "09:00-17:30" keeps meaning the working day across daylight-saving changes. A span whose end is before its
start runs overnight (22:00-06:00 for a night shift).

The signals are Slack's Do Not Disturb, status and presence, and their calendar. A signal never makes someone
available: it only skips people the database would have pinged. And a signal that could not be read (the method is
missing, rate-limited, not allowed) is no signal, so routing degrades to what the mentor told Burst rather than to
nobody.

The abuse limits keep one person from flooding mentors: how often they may ask, and how often a mentor hears from
them. Per person: at most `requests_per_hour` requests in any hour (cancelled ones count: asking and cancelling in a
loop is what floods). Per mentor: at most `pings_from_one_per_hour` pings from one requester and `pings_per_hour` in
all in any hour, and none for `cancel_cooldown` after a requester cancelled a request on the same topic that pinged
them. They take what the database recalls, so the rules read (and are tested) without Slack or SQL.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Final, Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "HOUR",
    "HOURS_SYNTAX",
    "AbuseLimits",
    "Busy",
    "Dnd",
    "HoursReading",
    "Readings",
    "Reason",
    "RecentPing",
    "SignalSwitches",
    "SlackSignals",
    "Status",
    "WorkingHours",
    "calendar_busy",
    "describe",
    "dnd_busy",
    "first_free",
    "is_within_hours",
    "local_clocks",
    "next_ask_at",
    "over_limit",
    "parse_hours",
    "presence_busy",
    "read_hours",
    "slack_busy",
    "status_busy",
    "summary",
]

HOURS_SYNTAX = "a range like 09:00-17:30 or 9am-5:30pm (22:00-06:00 runs overnight)"


@dataclass(frozen=True)
class WorkingHours:
    """[start, end) in local wall-clock time; `end < start` wraps past midnight."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        """Whether a local time of day falls inside the span (start included, end excluded).

        A span with start == end (which `parse_hours` refuses, but a stored row might hold) covers the whole day:
        making such a mentor silently unreachable would be the worse surprise.
        """
        at, start, end = _naive(local), _naive(self.start), _naive(self.end)
        if start < end:
            return start <= at < end
        return at >= start or at < end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class HoursReading:
    """Hours as read, and the other reading when the text allowed two ("9-5"), to confirm back to the person."""

    hours: WorkingHours
    instead_of: WorkingHours | None = None


def parse_hours(text: str) -> WorkingHours:
    """`read_hours`, without the note on an ambiguous reading."""
    return read_hours(text).hours


def read_hours(text: str) -> HoursReading:
    """Read "09:00-17:30", "9-17:30", "9am-5:30pm", "9-5", "9-17", "09:00 - 17:30", "9:00 to 17:30", "0900-1730".

    Bare numbers are 24-hour times, with two exceptions that read them as people say them. A start without am/pm
    borrows the end's when that gives a sensible day ("1-5pm" is 13:00-17:00, while "9-5pm" stays 09:00-17:00).
    And a bare end from 1 to 12 written as people say it (one digit, or no minutes), before a bare start of at
    most 12, is afternoon: "9-5" and "10-6" are 09:00-17:00 and 10:00-18:00, not twenty-hour nights; that
    reading is returned with the literal one (`instead_of`), to confirm back. A night shift is written in 24-hour
    time ("21:00-05:00", "22-6") or with am/pm. "24:00" means midnight as an end.
    Raises `ValueError` with a message that shows the expected syntax.
    """
    if len(text) > _MAX_TEXT:
        raise ValueError(f"That is too long to be working hours. Use {HOURS_SYNTAX}.")
    raw = " ".join(text.split())
    if not raw:
        raise ValueError(f"Working hours are missing. Use {HOURS_SYNTAX}.")
    match = _RANGE.fullmatch(raw)
    if match is None:
        shown = raw if len(raw) <= 30 else raw[:29] + "…"
        raise ValueError(f"I couldn't read working hours from “{shown}”. Use {HOURS_SYNTAX}.")
    start_hour, start_minute, start_meridiem = _clock(match, "a")
    end_hour, end_minute, end_meridiem = _clock(match, "b")
    end = _to_time(end_hour, end_minute, end_meridiem, raw)
    start = _to_time(start_hour, start_minute, start_meridiem, raw)
    if start_meridiem is None and end_meridiem is not None and 1 <= start_hour <= 12:
        borrowed = _to_time(start_hour, start_minute, end_meridiem, raw)
        if borrowed < end:
            start = borrowed
    if start == end:
        raise ValueError(f"Working hours need a start and an end that differ. Use {HOURS_SYNTAX}.")
    # As people say it: "9-5", "10-6", "9:00-5:30"; not "09:00-05:00" nor "11:00-10:00", which read as clock times.
    said = len(match["bh"]) == 1 or not (match["bm"] or match["bm4"])
    if (
        start_meridiem is None
        and end_meridiem is None
        and said
        and not match["bh"].startswith("0")
        and 1 <= end_hour <= 12
        and start_hour <= 12
        and end < start
    ):
        afternoon = WorkingHours(start, time(end_hour % 12 + 12, end_minute))
        return HoursReading(afternoon, instead_of=WorkingHours(start, end))
    return HoursReading(WorkingHours(start, end))


def is_within_hours(hours: WorkingHours | None, now_utc: datetime, tz_name: str) -> bool:
    """Whether someone may be pinged now. No hours set means any time; an unknown zone falls back to UTC
    (a stale or odd zone name from Slack should not make a mentor unreachable). A naive `now_utc` is taken as UTC.
    """
    if hours is None:
        return True
    now = now_utc if now_utc.tzinfo is not None else now_utc.replace(tzinfo=UTC)
    return hours.contains(now.astimezone(_zone(tz_name)).time())


_MAX_TEXT = 100  # longer than any way of writing a range; refused before parsing, so parsing stays cheap
_CLOCK = r"(?P<{p}h>\d{{1,2}})(?:[:.h](?P<{p}m>\d{{2}})|(?P<{p}m4>(?<=\d\d)\d{{2}})|h)?\s*(?P<{p}ap>[ap]\.?m\.?)?"
_RANGE = re.compile(
    _CLOCK.format(p="a") + r"\s*(?:-|–|—|to|until|till)\s*" + _CLOCK.format(p="b"),
    re.IGNORECASE,
)


def local_clocks(zones: Iterable[str], now_utc: datetime) -> dict[str, str]:
    """Each zone's wall clock as "HH:MM" at `now_utc`, the form hours are stored in, for comparing in SQL.

    Seconds are dropped: against minute-precision bounds, the minute compares exactly as the full time does.
    An unknown zone reads as UTC, as in `is_within_hours`.
    """
    return {zone: f"{now_utc.astimezone(_zone(zone)):%H:%M}" for zone in zones}


def _clock(match: re.Match[str], prefix: str) -> tuple[int, int, str | None]:
    minute = match[f"{prefix}m"] or match[f"{prefix}m4"] or "0"
    meridiem = match[f"{prefix}ap"]
    return int(match[f"{prefix}h"]), int(minute), meridiem[0].lower() if meridiem else None


def _to_time(hour: int, minute: int, meridiem: str | None, raw: str) -> time:
    shown = raw if len(raw) <= 30 else raw[:29] + "…"
    if minute > 59:
        raise ValueError(f"“{shown}” has a minute past 59. Use {HOURS_SYNTAX}.")
    if meridiem is not None:
        if not 1 <= hour <= 12:
            raise ValueError(f"With am/pm the hour goes from 1 to 12 in “{shown}”. Use {HOURS_SYNTAX}.")
        return time(hour % 12 + (12 if meridiem == "p" else 0), minute)
    if hour == 24 and minute == 0:
        return time(0, 0)
    if hour > 23:
        raise ValueError(f"“{shown}” has an hour past 23. Use {HOURS_SYNTAX}.")
    return time(hour, minute)


@functools.lru_cache(maxsize=1024)
def _zone(tz_name: str) -> tzinfo:
    """Cached: ZoneInfo keeps only eight zones alive, so ranking mentors across more zones kept re-reading
    tz files from disk, much of ranking's CPU (`benchmarks load`). 1,024 is more than IANA has names."""
    if not tz_name:
        return UTC
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UTC


def _naive(t: time) -> time:
    return t.replace(tzinfo=None)


# The signals: who is busy now, why, and until when.
Reason = Literal["dnd", "vacation", "sick", "meeting", "status", "away", "calendar"]


@dataclass(frozen=True)
class Busy:
    reason: Reason
    until: datetime | None  # when it ends, when the signal says


@dataclass(frozen=True)
class Dnd:
    """Do Not Disturb as dnd.info / dnd.teamInfo report it: a scheduled window and, for some callers, a snooze."""

    enabled: bool
    next_start: datetime | None
    next_end: datetime | None
    snooze_end: datetime | None = None


@dataclass(frozen=True)
class Status:
    """The custom status of a users.info profile; `expires` None means it does not expire."""

    text: str
    emoji: str
    expires: datetime | None


@dataclass(frozen=True)
class Readings:
    """What Slack said about one person; None where it said nothing (not read, not allowed, rate-limited)."""

    dnd: Dnd | None = None
    status: Status | None = None
    presence: str | None = None  # "active" | "away"


@dataclass(frozen=True)
class SignalSwitches:
    dnd: bool = True
    status: bool = True
    presence: bool = True

    @property
    def any(self) -> bool:
        return self.dnd or self.status or self.presence


class SlackSignals(Protocol):
    """Reads Slack's signals for a few people at once; implemented by handlers.slack.signals."""

    async def read(self, user_ids: Sequence[str], now: datetime) -> dict[str, Readings]: ...


def dnd_busy(dnd: Dnd, now: datetime) -> Busy | None:
    if dnd.snooze_end is not None and dnd.snooze_end > now:
        return Busy("dnd", dnd.snooze_end)
    if dnd.enabled and dnd.next_start is not None and dnd.next_end is not None and dnd.next_start <= now < dnd.next_end:
        return Busy("dnd", dnd.next_end)
    return None


# The statuses Slack suggests and calendar integrations (Google Calendar, Outlook, Zoom, huddles) set, by emoji
# and by words, in English. A status only counts as busy when it says so: "Working remotely" is not busy.
_EMOJI: Final[Mapping[str, Reason]] = {
    ":palm_tree:": "vacation",
    ":desert_island:": "vacation",
    ":beach_with_umbrella:": "vacation",
    ":airplane:": "vacation",
    ":face_with_thermometer:": "sick",
    ":nauseated_face:": "sick",
    ":sneezing_face:": "sick",
    ":mask:": "sick",
    ":spiral_calendar_pad:": "meeting",
    ":calendar:": "meeting",
    ":date:": "meeting",
    ":headphones:": "meeting",
    ":telephone_receiver:": "meeting",
    ":zoom:": "meeting",
    ":bus:": "status",
    ":no_entry:": "status",
    ":no_bell:": "status",
}
_WORDS: Final[Sequence[tuple[re.Pattern[str], Reason]]] = [
    (
        re.compile(r"\b(vacation\w*|holiday\w*|ooo|out of (the )?office|pto|on leave|\w+ leave|off today|day off)\b"),
        "vacation",
    ),
    (re.compile(r"\b(out sick|sick|unwell|ill)\b"), "sick"),
    (re.compile(r"\b(in a meeting|meeting\w*|on a call|in a call|on the phone|huddle|interview\w*)\b"), "meeting"),
    (re.compile(r"\b(commuting|focus\w*|heads? down|do not disturb|dnd|busy|lunch|offline|away)\b"), "status"),
]


def status_busy(status: Status, now: datetime) -> Busy | None:
    if status.expires is not None and status.expires <= now:
        return None
    reason = _EMOJI.get(status.emoji.strip().lower())
    if reason is None:
        text = status.text.lower()
        reason = next((r for pattern, r in _WORDS if pattern.search(text)), None)
    return None if reason is None else Busy(reason, status.expires)


def presence_busy(presence: str | None) -> Busy | None:
    return Busy("away", None) if presence == "away" else None


def slack_busy(readings: Readings, now: datetime, switches: SignalSwitches) -> Busy | None:
    """The first of the switched-on Slack signals that says busy."""
    if switches.dnd and readings.dnd is not None and (busy := dnd_busy(readings.dnd, now)):
        return busy
    if switches.status and readings.status is not None and (busy := status_busy(readings.status, now)):
        return busy
    if switches.presence and (busy := presence_busy(readings.presence)):
        return busy
    return None


def calendar_busy(intervals: Iterable[tuple[datetime, datetime]], now: datetime, length: timedelta) -> Busy | None:
    """Busy when an interval overlaps [now, now + length); until the end of the run of intervals that follow on."""
    ordered = sorted(intervals)
    horizon = now + length
    until: datetime | None = None
    for start, end in ordered:
        if end <= now:
            continue
        if until is None:
            if start >= horizon:
                return None
            until = end
        elif start <= until:
            until = max(until, end)
        else:
            break
    return None if until is None else Busy("calendar", until)


_DESCRIBED: Final[Mapping[Reason, tuple[str, str]]] = {  # (one person, several)
    "dnd": ("on Do Not Disturb", "on Do Not Disturb"),
    "vacation": ("on holiday", "on holiday"),
    "sick": ("out sick", "out sick"),
    "meeting": ("in a meeting", "in meetings"),
    "status": ("busy by their Slack status", "busy by their Slack status"),
    "away": ("away in Slack", "away in Slack"),
    "calendar": ("busy in their calendar", "busy in their calendars"),
}


def describe(reason: Reason, count: int = 1) -> str:
    one, several = _DESCRIBED[reason]
    return one if count == 1 else several


def summary(busy: Iterable[Busy]) -> str:
    """ "in meetings" or "busy: 2 in meetings, 1 on Do Not Disturb" for a requester told why nobody was pinged."""
    counts = Counter("meeting" if b.reason == "calendar" else b.reason for b in busy)
    if len(counts) == 1:
        ((reason, n),) = counts.items()
        return describe(reason, n)
    return "busy: " + ", ".join(f"{n} {describe(r, n)}" for r, n in counts.most_common())


def first_free(busy: Iterable[Busy]) -> datetime | None:
    """When the first of them is free again, if any signal said."""
    return min((b.until for b in busy if b.until is not None), default=None)


HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class AbuseLimits:
    requests_per_hour: int = 10
    cancel_cooldown: timedelta = timedelta(minutes=30)
    pings_from_one_per_hour: int = 3
    pings_per_hour: int = 12
    # The same words again this soon after a request closed are the same question sent twice (a person who saw no
    # answer, a double submit): they are told what became of it rather than starting a second search.
    repeat_window: timedelta = timedelta(minutes=2)

    @property
    def lookback(self) -> timedelta:
        """How far back pings matter to any rule."""
        return max(HOUR, self.cancel_cooldown)


@dataclass(frozen=True)
class RecentPing:
    mentor_id: str
    requester_id: str
    topic_key: str
    at: datetime
    cancelled_at: datetime | None  # when its request was cancelled by the requester, if it was


def next_ask_at(asked_at: Sequence[datetime], now: datetime, limits: AbuseLimits) -> datetime | None:
    """None when the person may ask now; otherwise when the oldest of their last hour's requests leaves the hour."""
    recent = sorted(t for t in asked_at if t > now - HOUR)
    if len(recent) < limits.requests_per_hour:
        return None
    return recent[len(recent) - limits.requests_per_hour] + HOUR


def over_limit(
    recent: Sequence[RecentPing], requester_id: str, topic_key: str, now: datetime, limits: AbuseLimits
) -> set[str]:
    """The mentors this request may not ping now."""
    in_hour = [p for p in recent if p.at > now - HOUR]
    overall = Counter(p.mentor_id for p in in_hour)
    from_them = Counter(p.mentor_id for p in in_hour if p.requester_id == requester_id)
    cooling = {
        p.mentor_id
        for p in recent
        if p.requester_id == requester_id
        and p.topic_key == topic_key
        and p.cancelled_at is not None
        and p.cancelled_at > now - limits.cancel_cooldown
    }
    return (
        {m for m, n in overall.items() if n >= limits.pings_per_hour}
        | {m for m, n in from_them.items() if n >= limits.pings_from_one_per_hour}
        | cooling
    )
