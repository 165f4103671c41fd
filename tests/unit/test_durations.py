"""Durations as typed in Slack and in the environment, and the short form shown back to people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.durations import format_duration, parse_duration

MAX_SECONDS = timedelta.max.days * 86_400 + timedelta.max.seconds


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90", timedelta(seconds=90)),
        ("  180 ", timedelta(seconds=180)),
        ("1.5", timedelta(seconds=1.5)),
        ("PT90S", timedelta(seconds=90)),
        ("PT3M", timedelta(minutes=3)),
        ("pt3m", timedelta(minutes=3)),
        ("P1D", timedelta(days=1)),
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("P2W", timedelta(weeks=2)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("2h", timedelta(hours=2)),
        ("3d", timedelta(days=3)),
        ("90m", timedelta(minutes=90)),
        ("45s", timedelta(seconds=45)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("2h, 30m", timedelta(hours=2, minutes=30)),
        ("2 hours", timedelta(hours=2)),
        ("1 hour", timedelta(hours=1)),
        ("3 days", timedelta(days=3)),
        ("30 min", timedelta(minutes=30)),
        ("30 mins", timedelta(minutes=30)),
        ("10 seconds", timedelta(seconds=10)),
        ("2 weeks", timedelta(weeks=2)),
        ("1 hour and 30 minutes", timedelta(hours=1, minutes=30)),
        ("2H", timedelta(hours=2)),
        ("1.5h", timedelta(minutes=90)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
    ],
)
def test_parses(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "0",
        "0s",
        "PT0S",
        "-5",
        "-2h",
        "abc",
        "2x",
        "2 parsecs",
        "h",
        "2h2h",
        "1e5",
        "PT",
        "P",
        "P1DT",
        "P1M",
        "P1Y",
        "2 h 3",
        "0.0000001s",
        "9" * 40 + "d",
        "x" * 500,
    ],
)
def test_refuses_with_a_friendly_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"`2h`") as caught:
        parse_duration(text)
    assert "Traceback" not in str(caught.value)


def test_refusal_says_why_for_zero_and_months() -> None:
    with pytest.raises(ValueError, match="more than zero"):
        parse_duration("0")
    with pytest.raises(ValueError, match="no fixed length"):
        parse_duration("P1M")


@pytest.mark.parametrize(
    ("td", "text"),
    [
        (timedelta(hours=2, minutes=30), "2h 30m"),
        (timedelta(days=3), "3d"),
        (timedelta(seconds=45), "45s"),
        (timedelta(seconds=90), "1m 30s"),
        (timedelta(weeks=1), "7d"),
        (timedelta(days=1, seconds=1), "1d 1s"),
        (timedelta(0), "0s"),
        (timedelta(milliseconds=1500), "1.5s"),
        (timedelta(minutes=-5), "-5m"),
    ],
)
def test_formats(td: timedelta, text: str) -> None:
    assert format_duration(td) == text


@given(st.integers(min_value=1, max_value=MAX_SECONDS))
def test_format_then_parse_round_trips_whole_seconds(seconds: int) -> None:
    td = timedelta(seconds=seconds)
    assert parse_duration(format_duration(td)) == td


@given(st.timedeltas(min_value=timedelta(microseconds=1)))
def test_format_then_parse_round_trips_to_the_microsecond(td: timedelta) -> None:
    assert parse_duration(format_duration(td)) == td


@given(st.text(max_size=60))
def test_only_value_error_escapes(text: str) -> None:
    try:
        result = parse_duration(text)
    except ValueError:
        return
    assert result > timedelta(0)
