"""An iCalendar feed read as busy intervals: when, never what.

`icalendar` parses the feed (RFC 5545, with its VTIMEZONE definitions) and `recurring-ical-events` expands
recurrences the way calendars do (RRULE, RDATE, EXDATE, moved or cancelled occurrences by RECURRENCE-ID, and
time-zone changes such as a weekly 09:00 meeting that stays at 09:00 local across a DST switch). Events marked free
(TRANSP:TRANSPARENT) or cancelled are not busy; free/busy feeds (VFREEBUSY, as Outlook publishes) count their
busy periods. All-day events and floating times are read in the mentor's own zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

Interval = tuple[datetime, datetime]

MAX_INTERVALS: Final = 2000  # of a window: far beyond any real calendar's two days; bounds a hostile feed
DEFAULT_EVENT: Final = timedelta(hours=1)  # a timed event with neither DTEND nor DURATION (RFC 5545 says zero)


class CalendarError(ValueError):
    """The feed is not an iCalendar file Burst can read; the message is fit to show the mentor."""


def busy_intervals(raw: bytes, start: datetime, end: datetime, zone: ZoneInfo) -> list[Interval]:
    """The merged busy intervals of the feed that overlap [start, end), clipped to it, in order."""
    try:
        calendar = icalendar.Calendar.from_ical(raw)
    except (ValueError, IndexError, KeyError) as exc:
        raise CalendarError("that address did not return an iCalendar (.ics) file") from exc
    if calendar.name != "VCALENDAR":
        raise CalendarError("that address did not return an iCalendar (.ics) file")
    try:
        found = [*_events(calendar, start, end, zone), *_free_busy(calendar, zone)]
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise CalendarError("the calendar has an event Burst could not read") from exc
    clipped = [(max(s, start), min(e, end)) for s, e in found if e > start and s < end and e > s]
    return merge(clipped)[:MAX_INTERVALS]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _events(calendar: icalendar.Calendar, start: datetime, end: datetime, zone: ZoneInfo) -> Iterator[Interval]:
    # A day either side: an all-day event is a date, and its day starts at the mentor's midnight, not UTC's.
    occurrences = recurring_ical_events.of(calendar).between(start - timedelta(days=1), end + timedelta(days=1))
    for count, event in enumerate(occurrences):
        if count >= MAX_INTERVALS * 4:
            return
        if event.name != "VEVENT" or not _busy(event):
            continue
        begin = event.get("DTSTART")
        if begin is None:
            continue
        first = _instant(begin.dt, zone)
        finish = event.get("DTEND")
        if finish is not None:
            last = _instant(finish.dt, zone)
        elif (duration := event.get("DURATION")) is not None:
            last = first + duration.dt
        else:
            last = first + (timedelta(days=1) if _all_day(begin.dt) else DEFAULT_EVENT)
        yield first, last


def _busy(event: Any) -> bool:
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    return str(event.get("STATUS", "CONFIRMED")).upper() != "CANCELLED"


def _free_busy(calendar: icalendar.Calendar, zone: ZoneInfo) -> Iterator[Interval]:
    for component in calendar.walk("VFREEBUSY"):
        periods = component.get("FREEBUSY")
        if periods is None:
            continue
        for prop in periods if isinstance(periods, list) else [periods]:
            if str(prop.params.get("FBTYPE", "BUSY")).upper() == "FREE":
                continue
            for period in prop.dts if hasattr(prop, "dts") else [prop]:
                begin, finish = period.dt
                first = _instant(begin, zone)
                yield first, (first + finish if isinstance(finish, timedelta) else _instant(finish, zone))


def _all_day(value: date | datetime) -> bool:
    return not isinstance(value, datetime)


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """An aware UTC-comparable instant: dates are local midnight, floating times local clock time."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=zone)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)
