"""Whether a mentor is busy by the signals they already keep: Slack's Do Not Disturb, status and presence, and
their calendar. Pure functions over what was read; reading is the Slack adapter's and the calendar's business.

A signal never makes someone available: it only skips people the database would have pinged. And a signal that
could not be read (the method is missing, rate-limited, not allowed) is no signal, so routing degrades to what the
mentor told Burst rather than to nobody.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal, Protocol

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
