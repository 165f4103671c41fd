"""The fault and crash runs' checks can fail: one whole flow passes, and each way of breaking it is reported."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.domain import event_kinds as ev
from storage.models import (
    FlashSession,
    HelpRequest,
    InteractionEvent,
    Ping,
    PingState,
    RequestState,
    SessionState,
    TimedAction,
    utcnow,
)
from tests.support.invariants import Posted, Snapshot, Verdict, check
from tests.support.workload import Seen

TOPIC = "python task 000"
DMS = {"U0R000": "D0R000", "U0M000": "D0M000"}


def post(channel: str, text: str, button: tuple[str, str] | None = None) -> Posted:
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if button:
        blocks.append({"type": "actions", "elements": [{"type": "button", "action_id": button[0], "value": button[1]}]})
    return Posted(channel, text, tuple(json.dumps(b, sort_keys=True) for b in blocks))


def one_whole_flow() -> tuple[Snapshot, list[Posted]]:
    now = utcnow()
    request = HelpRequest(id=1, requester_id="U0R000", topic=TOPIC, state=RequestState.MATCHED, mentor_id="U0M000")
    flash = FlashSession(
        id=1,
        request_id=1,
        requester_id="U0R000",
        mentor_id="U0M000",
        state=SessionState.ENDED,
        ends_at=now + timedelta(1),
    )
    events = [
        InteractionEvent(kind=kind, request_id=1, session_id=1, data=data)
        for kind, data in [
            (ev.SESSION_STARTED, {}),
            (ev.SESSION_WARNED, {}),
            (ev.SESSION_ENDED, {}),
            (ev.FOLLOWUP_SENT, {"index": 0}),
            (ev.FOLLOWUP_SENT, {"index": 1}),
        ]
    ]
    snap = Snapshot(
        [request], [Ping(id=1, request_id=1, mentor_id="U0M000", state=PingState.ACCEPTED)], [flash], [], events
    )
    posted = [post("D0M000", f"<@U0R000> needs help with *{TOPIC}*", ("ping_accept", "1"))]
    for dm in DMS.values():
        posted += [
            post(dm, f":zap: Flash session on *{TOPIC}*", ("session_end", "1")),
            post(dm, f":hourglass_flowing_sand: 1 minute left in your session on *{TOPIC}*."),
            post(dm, f":checkered_flag: Session on *{TOPIC}* has ended.", ("feedback_helpful", "1")),
        ]
    follow_up = post(
        "D0R000", f"Checking back: did your question about *{TOPIC}* get solved?", ("followup_solved", "1")
    )
    posted += [follow_up, follow_up, post("D0M000", f":sparkles: Thanks for helping with *{TOPIC}*!")]
    return snap, posted


def verdict(snap: Snapshot, posted: list[Posted]) -> Verdict:
    return check(snap, posted, [], DMS, Seen(acked={TOPIC}), delays=2)


def test_one_whole_flow_passes() -> None:
    found = verdict(*one_whole_flow())
    assert (found.stuck, found.lost, found.duplicates) == ([], [], [])
    assert found.flows_completed == 1


def test_a_ping_posted_twice_is_a_duplicate() -> None:
    snap, posted = one_whole_flow()
    assert verdict(snap, [posted[0], *posted]).duplicates


def test_a_third_follow_up_for_two_that_fired_is_a_duplicate() -> None:
    snap, posted = one_whole_flow()
    assert verdict(snap, [*posted, posted[-2]]).duplicates


def test_a_missing_session_card_is_lost() -> None:
    snap, posted = one_whole_flow()
    found = verdict(snap, [p for p in posted if not (p.channel == "D0R000" and p.button_value("session_end"))])
    assert found.lost
    assert found.flows_completed == 0


def test_an_open_request_is_stuck() -> None:
    snap, posted = one_whole_flow()
    snap.requests[0].state = RequestState.OPEN
    assert verdict(snap, posted).stuck


def test_a_ping_still_offering_accept_at_the_end_is_lost() -> None:
    snap, posted = one_whole_flow()
    live = {"channel": "D0M000", "blocks": [json.loads(b) for b in posted[0].blocks]}
    assert check(snap, posted, [live], DMS, Seen(acked={TOPIC}), delays=2).lost


def test_a_flow_timer_left_to_run_is_stuck_but_a_periodic_job_due_in_hours_is_not() -> None:
    snap, posted = one_whole_flow()
    later = utcnow() + timedelta(hours=6)
    snap.timers = [TimedAction(key="directory_sync", kind="directory_sync", due_at=later)]
    assert verdict(snap, posted).stuck == []
    snap.timers.append(TimedAction(key="followup:1:1", kind="followup", due_at=later, session_id=1))
    assert verdict(snap, posted).stuck == ["timer followup:1:1 still pending (attempts 0)"]
