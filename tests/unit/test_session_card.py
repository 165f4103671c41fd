"""The session card: one message that introduces the two and shows the end time in Slack's date formatting."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from handlers.views.blocks import session_card
from storage.models import FlashSession, HelpRequest, SessionState

RULES: dict[str, Any] = {"extension": timedelta(minutes=10), "max_extensions": 2}


def test_an_active_card_shows_its_end_in_each_readers_zone_and_an_ended_one_has_no_buttons() -> None:
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    request = HelpRequest(id=1, requester_id="U0", topic="rust <lifetimes>")
    flash = FlashSession(
        id=7, request_id=1, requester_id="U0", mentor_id="U1", started_at=start, ends_at=start + timedelta(minutes=15)
    )
    active = json.dumps(session_card(request, flash, **RULES))
    assert f"Ends at <!date^{int((start + timedelta(minutes=15)).timestamp())}^{{time}}|10:15 UTC>" in active
    assert "min left" not in active  # nothing on the card goes stale between edits
    assert "<@U1> is helping <@U0>" in active  # the introduction is the card: one message, not two
    assert "rust &lt;lifetimes&gt;" in active
    assert "session_extend" in active
    flash.state = SessionState.ENDED
    ended = json.dumps(session_card(request, flash, **RULES))
    assert "Session ended" in ended
    assert "session_extend" not in ended


def test_the_card_shows_the_real_length_what_extend_adds_and_drops_extend_at_the_limit() -> None:
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    request = HelpRequest(id=1, requester_id="U0", topic="rust")
    flash = FlashSession(
        id=7, request_id=1, requester_id="U0", mentor_id="U1", started_at=start, ends_at=start + timedelta(minutes=15)
    )
    fresh = json.dumps(session_card(request, flash, **RULES))
    assert "Extend 10 min" in fresh
    assert "15 min" in fresh
    flash.extensions, flash.ends_at = 1, start + timedelta(minutes=25)
    once = json.dumps(session_card(request, flash, **RULES))
    assert "25 min in all, extended once" in once
    assert "session_extend" in once
    flash.extensions, flash.ends_at = 2, start + timedelta(minutes=35)
    limit = json.dumps(session_card(request, flash, **RULES))
    assert "35 min in all, extended 2 times" in limit
    assert "session_extend" not in limit
    assert "session_end" in limit


def test_each_person_in_their_own_dm_is_told_to_message_the_other_directly() -> None:
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    request = HelpRequest(id=1, requester_id="U0", topic="rust")
    flash = FlashSession(
        id=7, request_id=1, requester_id="U0", mentor_id="U1", started_at=start, ends_at=start + timedelta(minutes=15)
    )
    asker = json.dumps(session_card(request, flash, viewer="U0", **RULES))
    mentor = json.dumps(session_card(request, flash, viewer="U1", **RULES))
    shared = json.dumps(session_card(request, flash, **RULES))
    assert "message <@U1> directly" in asker
    assert "message <@U0> directly" in mentor
    assert "Say hello here" in shared
    assert "Say hello here" not in asker + mentor
