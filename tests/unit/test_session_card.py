"""The session card's time left: whole minutes rounded up, never "0 min" while time remains."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from handlers.blocks import session_card, time_left
from storage.models import FlashSession, HelpRequest


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
    active = json.dumps(session_card(request, flash, now=start + timedelta(minutes=4, seconds=30)))
    assert "11 min left" in active
    assert "rust &lt;lifetimes&gt;" in active
    assert "session_extend" in active
    flash.state = "ended"
    ended = json.dumps(session_card(request, flash))
    assert "Session ended" in ended
    assert "session_extend" not in ended
