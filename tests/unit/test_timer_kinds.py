"""Typed timed actions: each kind's key and row as earlier versions wrote them, and back to the same payload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.runtime.timer_kinds import (
    KINDS,
    AskWhich,
    CalendarRefreshDue,
    DirectorySyncDue,
    ExpireDue,
    FollowupDue,
    Known,
    RewritePings,
    SendPings,
    SessionEndDue,
    SessionWarningDue,
    TellBusy,
    TellClosed,
    TellFollowup,
    TellMatch,
    TellSession,
    TimedKind,
    WaveDue,
    loaded,
    stored,
)
from storage.models import HelpRequest, TimedAction

AT = datetime(2025, 3, 4, 10, 17, 5, 250_000, tzinfo=UTC)

Earlier = tuple[str, str, int | None, int | None, dict[str, Any]]

# Each kind as the previous version wrote it (key, kind, request_id, session_id, data), and the payload it loads as;
# the key of that payload is the row's key: the step that wrote it, run by this version, adds nothing.
EARLIER_ROWS: list[tuple[Earlier, TimedKind]] = [
    (("wave:7:2", "wave", 7, None, {"wave": 2}), WaveDue(7, 2)),
    (("expire:7", "expire", 7, None, {}), ExpireDue(7)),
    (
        ("send_pings:7:0", "send_pings", 7, None, {"pings": [31, 32], "reasons": {"31": "knows pandas", "32": ""}}),
        SendPings(7, (31, 32), {"31": "knows pandas", "32": ""}),
    ),
    (
        ("send_pings:7:handoff:30", "send_pings", 7, None, {"pings": [33], "reasons": {"33": ""}, "quiet": True}),
        SendPings(7, (33,), {"33": ""}, quiet=True),
    ),
    (("tell_match:3", "tell_match", 7, 3, {"pings": [31, 32]}), TellMatch(7, 3, (31, 32))),
    (
        ("tell_closed:7", "tell_closed", 7, None, {"told": "expired", "pings": [31], "asked": 2}),
        TellClosed(7, "expired", (31,), 2),
    ),
    (("rewrite_pings:31", "rewrite_pings", 7, None, {"pings": [31]}), RewritePings(7, (31,))),
    (("ask_which:7", "ask_which", 7, None, {}), AskWhich(7)),
    (
        ("tell_busy:7:0", "tell_busy", 7, None, {"busy": 2, "summary": "in meetings", "retry_at": AT.isoformat()}),
        TellBusy(7, 2, "in meetings", retry_at=AT),
    ),
    (("tell_busy:7:0", "tell_busy", 7, None, {"busy": 1, "summary": "on DND"}), TellBusy(7, 1, "on DND")),
    (("session_warning:3:0", "session_warning", None, 3, {}), SessionWarningDue(3)),
    (("session_end:3:0", "session_end", None, 3, {}), SessionEndDue(3)),
    (("tell_session:3:warning:0", "tell_session", 7, 3, {"what": "warning"}), TellSession(7, 3, "warning")),
    (("followup:3:1", "followup", 7, 3, {"index": 1}), FollowupDue(3, 7, 1)),
    (("tell_followup:3:0", "tell_followup", 7, 3, {"index": 0, "thank": 4}), TellFollowup(7, 3, 0, 4)),
    (("tell_followup:3:1", "tell_followup", 7, 3, {"index": 1, "thank": None}), TellFollowup(7, 3, 1)),
    (("directory_sync:2025-03-04T06", "directory_sync", None, None, {}), DirectorySyncDue(AT)),
    (("calendar_refresh:2025-03-04T10:15:00", "calendar_refresh", None, None, {}), CalendarRefreshDue(AT)),
]
IDS = [row[0] for row, _ in EARLIER_ROWS]


def row_of(key: str, kind: str, request_id: int | None, session_id: int | None, data: dict[str, Any]) -> TimedAction:
    return TimedAction(key=key, kind=kind, due_at=AT, request_id=request_id, session_id=session_id, data=data)


def test_every_kind_has_an_earlier_row_here_and_a_name_of_its_own() -> None:
    assert {type(action) for _, action in EARLIER_ROWS} == set(KINDS)
    assert len({k.KIND for k in KINDS}) == len(KINDS)


@pytest.mark.parametrize(("earlier", "action"), EARLIER_ROWS, ids=IDS)
def test_a_row_written_by_the_previous_version_loads_with_the_same_key(earlier: Earlier, action: TimedKind) -> None:
    assert loaded(type(action), row_of(*earlier)) == action
    assert action.key == earlier[0] or action.KIND == "send_pings"  # its wave, or who handed off, is new in `data`


@pytest.mark.parametrize(("earlier", "action"), EARLIER_ROWS, ids=IDS)
def test_a_payload_is_stored_in_the_same_columns_and_fields_and_loads_back_the_same(
    earlier: Earlier, action: TimedKind
) -> None:
    new = stored(action)
    _, kind, request_id, session_id, data = earlier
    assert (new.kind, new.request_id, new.session_id) == (kind, request_id, session_id)
    assert {name: new.data[name] for name in data} == data
    assert loaded(type(action), row_of(new.key, new.kind, new.request_id, new.session_id, new.data)) == action


def test_what_a_step_had_in_hand_is_not_stored() -> None:
    request = HelpRequest(id=7, requester_id="U0ASKER", topic="pandas")
    message = SendPings(7, (31,), {"31": "knows pandas"}, 1, known=Known(request))
    assert "known" not in stored(message).data
    new = stored(message)
    assert loaded(SendPings, row_of(new.key, new.kind, new.request_id, new.session_id, new.data)).known is None


def test_keys_that_name_more_than_their_kind() -> None:
    assert SendPings(7, (40,), {}, 2, quiet=True, handed_off_by=33).key == "send_pings:7:handoff:33"
    assert SendPings(7, (40,), {}, 2).key == "send_pings:7:2"
    assert DirectorySyncDue(AT, after_import=True).key == f"directory_sync:import:{AT.isoformat()}"
    assert CalendarRefreshDue(AT, timedelta(hours=1)).key == "calendar_refresh:2025-03-04T10:00:00"
    assert SessionWarningDue(3, 2).key == "session_warning:3:2"


def test_a_row_of_another_kind_does_not_load() -> None:
    with pytest.raises(ValueError, match="not a WaveDue"):
        loaded(WaveDue, row_of("expire:7", "expire", 7, None, {}))
