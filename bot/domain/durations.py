"""Durations as people and config files write them: `90`, `PT1H30M`, `2h`, `1h30m`, `3 days`.

One parser serves both the environment (BURST_WAVE_TIMEOUT=180 or PT3M, so tests can run the flow in seconds)
and Slack (`/burst away 2h`), so a duration means the same thing everywhere. `format_duration` writes the short
human form back, and `parse_duration(format_duration(td)) == td`, so a value shown to someone can be typed again.

Numbers are read as exact decimals and rounded to the microsecond, so `1.5h` is exactly 90 minutes.
A bare `m` always means minutes (months have no fixed length; ISO 8601 `P1M` is refused for the same reason).
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

__all__ = ["format_duration", "parse_duration"]

_US_PER_UNIT: dict[str, int] = {
    "w": 7 * 86_400_000_000,
    "d": 86_400_000_000,
    "h": 3_600_000_000,
    "m": 60_000_000,
    "s": 1_000_000,
}

# Every spelling people use for a unit, mapped to its one-letter key.
_UNIT_WORDS: dict[str, str] = {
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "w"),
    **dict.fromkeys(("d", "day", "days"), "d"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "h"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "m"),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "s"),
}

_NUMBER = r"\d+(?:\.\d+)?"
_PLAIN_SECONDS = re.compile(rf"{_NUMBER}")
_ISO = re.compile(
    rf"P(?:(?P<w>{_NUMBER})W)?(?:(?P<d>{_NUMBER})D)?(?:T(?:(?P<h>{_NUMBER})H)?(?:(?P<m>{_NUMBER})M)?(?:(?P<s>{_NUMBER})S)?)?",
    re.IGNORECASE,
)
_ISO_CALENDAR = re.compile(r"P\d+[YM]", re.IGNORECASE)
_HUMAN_PART = re.compile(rf"\s*(?P<n>{_NUMBER})\s*(?P<unit>[a-z]+)\s*(?:,|\band\b)?", re.IGNORECASE)

_MAX_TEXT = 100  # nobody types a longer duration; refusing early keeps errors short and parsing cheap
_HINT = "Try seconds like `90`, or `45s`, `30m`, `2h`, `1h30m`, `3d`, `1w`, or ISO 8601 like `PT90S`."


def parse_duration(text: str) -> timedelta:
    """Read a positive duration; raise `ValueError` with a message fit to show the person who typed it."""
    raw = text.strip()
    if not raw:
        raise ValueError(f"A duration is missing. {_HINT}")
    if len(raw) > _MAX_TEXT:
        raise ValueError(f"That duration is too long to be one. {_HINT}")
    if raw.startswith("-"):
        raise ValueError(f"A duration has to be more than zero. {_HINT}")
    parts = _parts(raw)
    if parts is None:
        shown = raw if len(raw) <= 30 else raw[:29] + "…"
        raise ValueError(f"`{shown}` isn't a duration I understand. {_HINT}")
    micros = sum(
        ((_decimal(number) * _US_PER_UNIT[unit]).to_integral_value(ROUND_HALF_EVEN) for unit, number in parts),
        Decimal(0),
    )
    if micros <= 0:
        raise ValueError(f"A duration has to be more than zero. {_HINT}")
    try:
        return timedelta(microseconds=int(micros))
    except OverflowError:
        raise ValueError(f"That duration is longer than I can count. {_HINT}") from None


def format_duration(td: timedelta) -> str:
    """The short form people type, largest unit first ("3d", "2h 30m", "45s"); zero is "0s"."""
    if td < timedelta(0):
        return "-" + format_duration(-td)
    days, rest = td.days, td.seconds
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    out = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    if td.microseconds:
        out.append(f"{seconds}.{td.microseconds:06d}".rstrip("0") + "s")
    elif seconds or not out:
        out.append(f"{seconds}s")
    return " ".join(out)


def _parts(raw: str) -> list[tuple[str, str]] | None:
    """(unit, number) pairs, or None when the text is no duration form at all."""
    if _PLAIN_SECONDS.fullmatch(raw):
        return [("s", raw)]
    if raw[0] in "pP":
        if _ISO_CALENDAR.match(raw):
            raise ValueError(f"Months and years have no fixed length: use days or weeks instead. {_HINT}")
        iso = _ISO.fullmatch(raw)
        if iso is None or not any(iso.groupdict().values()) or raw.upper().endswith("T"):
            return None
        return [(unit, number) for unit, number in iso.groupdict().items() if number is not None]
    return _human_parts(raw)


def _human_parts(raw: str) -> list[tuple[str, str]] | None:
    """`1h30m`, `2 hours`, `1 hour and 30 minutes`, `2h, 30m`: each unit at most once."""
    parts: list[tuple[str, str]] = []
    pos = 0
    while pos < len(raw):
        match = _HUMAN_PART.match(raw, pos)
        if match is None or match.end() == pos:
            return None
        unit = _UNIT_WORDS.get(match["unit"].lower())
        if unit is None or any(seen == unit for seen, _ in parts):
            return None
        parts.append((unit, match["n"]))
        pos = match.end()
    return parts or None


def _decimal(number: str) -> Decimal:
    try:
        return Decimal(number)
    except InvalidOperation:  # pragma: no cover - the regexes only let digits and one dot through
        raise ValueError(f"`{number}` isn't a number. {_HINT}") from None
