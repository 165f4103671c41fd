"""The session card: one message that introduces the two and shows the end time in Slack's date formatting."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from handlers.blocks import session_card
from storage.models import FlashSession, HelpRequest


def test_an_active_card_shows_its_end_in_each_readers_zone_and_an_ended_one_has_no_buttons() -> None:
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    request = HelpRequest(id=1, requester_id="U0", topic="rust <lifetimes>")
    flash = FlashSession(
        id=7, request_id=1, requester_id="U0", mentor_id="U1", started_at=start, ends_at=start + timedelta(minutes=15)
    )
    active = json.dumps(session_card(request, flash))
    assert f"Ends at <!date^{int((start + timedelta(minutes=15)).timestamp())}^{{time}}|10:15 UTC>" in active
    assert "min left" not in active  # nothing on the card goes stale between edits
    assert "<@U1> is helping <@U0>" in active  # the introduction is the card: one message, not two
    assert "rust &lt;lifetimes&gt;" in active
    assert "session_extend" in active
    flash.state = "ended"
    ended = json.dumps(session_card(request, flash))
    assert "Session ended" in ended
    assert "session_extend" not in ended
