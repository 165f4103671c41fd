"""The session card's time left: whole minutes rounded up, never "0 min" while time remains."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from handlers.blocks import session_card, time_left
from storage.models import FlashSession, HelpRequest

RULES: dict[str, Any] = {"extension": timedelta(minutes=10), "max_extensions": 2}


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "less than a minute left"),
        (59.9, "less than a minute left"),
        (60, "1 min left"),
        (61, "2 min left"),
        (900, "15 min left"),
    ],
)
def test_time_left_rounds_up_to_whole_minutes(seconds: float, shown: str) -> None:
    assert time_left(seconds) == shown


def test_an_active_card_says_how_long_is_left_and_an_ended_one_has_no_buttons() -> None:
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    request = HelpRequest(id=1, requester_id="U0", topic="rust <lifetimes>")
    flash = FlashSession(
        id=7, request_id=1, requester_id="U0", mentor_id="U1", started_at=start, ends_at=start + timedelta(minutes=15)
    )
    active = json.dumps(session_card(request, flash, now=start + timedelta(minutes=4, seconds=30), **RULES))
    assert "11 min left" in active
    assert "rust &lt;lifetimes&gt;" in active
    assert "session_extend" in active
    flash.state = "ended"
    ended = json.dumps(session_card(request, flash, **RULES))
    assert "Session ended" in ended
    assert "session_extend" not in ended


def test_the_card_shows_the_real_length_what_extend_adds_and_drops_extend_at_the_limit() -> None:
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    request = HelpRequest(id=1, requester_id="U0", topic="rust")
    flash = FlashSession(
        id=7, request_id=1, requester_id="U0", mentor_id="U1", started_at=start, ends_at=start + timedelta(minutes=15)
    )
    fresh = json.dumps(session_card(request, flash, now=start, **RULES))
    assert "Extend 10 min" in fresh
    assert "15 min" in fresh
    flash.extensions, flash.ends_at = 1, start + timedelta(minutes=25)
    once = json.dumps(session_card(request, flash, now=start, **RULES))
    assert "25 min in all, extended once" in once
    assert "session_extend" in once
    flash.extensions, flash.ends_at = 2, start + timedelta(minutes=35)
    limit = json.dumps(session_card(request, flash, now=start, **RULES))
    assert "35 min in all, extended 2 times" in limit
    assert "session_extend" not in limit
    assert "session_end" in limit


def test_each_person_in_their_own_dm_is_told_to_message_the_other_directly() -> None:
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    request = HelpRequest(id=1, requester_id="U0", topic="rust")
    flash = FlashSession(
        id=7, request_id=1, requester_id="U0", mentor_id="U1", started_at=start, ends_at=start + timedelta(minutes=15)
    )
    asker = json.dumps(session_card(request, flash, now=start, viewer="U0", **RULES))
    mentor = json.dumps(session_card(request, flash, now=start, viewer="U1", **RULES))
    shared = json.dumps(session_card(request, flash, now=start, **RULES))
    assert "message <@U1> directly" in asker
    assert "message <@U0> directly" in mentor
    assert "Say hello here" in shared
    assert "Say hello here" not in asker + mentor
