"""What must hold after a fault or crash run, checked from two sides: Burst's database and what reached Slack.

Burst's database says what it believes happened (requests, pings, sessions, timers, the interaction log);
local-slack's log says which Web API calls really arrived, with their arguments. The fault proxy decides every
fault before forwarding, so a call in that log is a message a person saw. The checks:

- stuck: a request still open, a session still active, a timed action still pending or running after the drain;
- lost: a timed action Burst gave up on, a ping with no DM (or one Slack refused), a ping still offering Accept
  after its request closed, a session without its card, warning (once logged), end message or follow-up in both
  people's DMs, a mentor never thanked, an expiry nobody was told about, a command answered but no request stored,
  a requester told one outcome while Burst recorded another;
- duplicates: the same message about a request posted twice in one channel, a ping or session card posted twice,
  more follow-ups posted than fired, any step of a flow logged twice.

Under SIGKILL, a message whose step committed just before the kill is sent by the next process (what a step owes
Slack is a row in its own commit: bot.runtime.ports.Outbox), after a look at the channel for it, so neither lost nor
doubled. What a kill can still lose is reported (a command acknowledged but killed before its request was stored,
a ping posted but killed before its closing was known); only stuck flows and duplicates fail a crash run.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import select

from bot.domain import event_kinds as ev
from handlers.slack.gateway import stamp_of
from storage.database import Database
from storage.models import (
    FlashSession,
    HelpRequest,
    InteractionEvent,
    Ping,
    PingState,
    RequestState,
    SessionState,
    TimedAction,
    TimerState,
    utcnow,
)
from tests.support.control import Message
from tests.support.workload import Seen, buttons, text_of

UNFINISHED_TIMERS = (TimerState.PENDING, TimerState.RUNNING)
EXPIRY_WORDS = ("nobody could take", "couldn't find anyone", "is busy, away")


@dataclass
class Snapshot:
    """Burst's database after a run."""

    requests: list[HelpRequest]
    pings: list[Ping]
    sessions: list[FlashSession]
    timers: list[TimedAction]
    events: list[InteractionEvent]


async def read_database(url: str) -> Snapshot:
    db = Database(url)
    try:
        async with db.uow(readonly=True) as uow:
            s = uow.db_session
            return Snapshot(
                requests=list(await s.scalars(select(HelpRequest))),
                pings=list(await s.scalars(select(Ping))),
                sessions=list(await s.scalars(select(FlashSession))),
                timers=list(await s.scalars(select(TimedAction))),
                events=list(await s.scalars(select(InteractionEvent))),
            )
    finally:
        await db.dispose()


def to_run(snap: Snapshot) -> list[TimedAction]:
    """Timers still to run: any of a flow, and any other that is due (a periodic job due in hours is not)."""
    now = utcnow()
    return [
        t for t in snap.timers if t.state in UNFINISHED_TIMERS and (t.request_id or t.session_id or t.due_at <= now)
    ]


async def unfinished(url: str) -> int:
    """Open requests, active sessions and timers still to run: zero once every flow has played out."""
    snap = await read_database(url)
    return (
        sum(r.state == RequestState.OPEN for r in snap.requests)
        + sum(s.state == SessionState.ACTIVE for s in snap.sessions)
        + len(to_run(snap))
    )


@dataclass(frozen=True)
class Posted:
    """One chat.postMessage that reached local-slack."""

    channel: str
    text: str
    blocks: tuple[str, ...]  # JSON of each block, so messages compare by value

    @property
    def message(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": [json.loads(b) for b in self.blocks]}

    def button_value(self, action_id: str) -> str | None:
        found = buttons(self.message).get(action_id)
        return None if found is None else str(found["value"])

    def mentions(self, topic: str) -> bool:
        return f"*{topic}*" in text_of(self.message)

    @property
    def stamp(self) -> str | None:
        """The key Burst gave the message (handlers.slack.gateway.stamped), e.g. "card:12"."""
        return stamp_of(self.message)


def posted_messages(log: Iterable[dict[str, Any]], dms: dict[str, str]) -> list[Posted]:
    """Every chat.postMessage that reached Slack, with a post addressed to a person (by user id) put in their DM."""
    found = []
    for entry in log:
        if entry.get("direction") != "from_bot" or entry.get("summary") != "chat.postMessage":
            continue
        detail = entry.get("detail") or {}
        blocks = detail.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        found.append(
            Posted(
                dms.get(str(detail.get("channel")), str(detail.get("channel"))),
                str(detail.get("text") or ""),
                tuple(json.dumps(b, sort_keys=True) for b in blocks),
            )
        )
    return found


@dataclass
class Verdict:
    requests: int = 0
    states: Counter[str] = field(default_factory=Counter)
    flows_completed: int = 0
    stuck: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    def summary(self, limit: int = 15) -> str:
        lines = [f"{self.requests} requests {dict(self.states)}, {self.flows_completed} flows completed"]
        for name in ("stuck", "lost", "duplicates"):
            items: list[str] = getattr(self, name)
            lines.append(f"{name}: {len(items)}")
            lines.extend(f"  {item}" for item in items[:limit])
        return "\n".join(lines)


MOOT_UNSENT = (PingState.TAKEN, PingState.EXPIRED)
"""A ping closed before its message went out (its process was killed in between) has nothing left to tell."""


def check(
    snap: Snapshot,
    posted: Sequence[Posted],
    shown: Sequence[Message],
    dms: dict[str, str],
    seen: Seen,
    delays: int,
) -> Verdict:
    """`shown`: every message in the DMs at the end, as people see them now; `dms`: each person's DM channel with
    Burst; `delays`: how many follow-ups a session gets."""
    verdict = Verdict(requests=len(snap.requests), states=Counter(r.state for r in snap.requests))
    verdict.lost.extend(
        f"ping {buttons(m)['ping_accept']['value']} in {m.get('channel')} still offers Accept after its request closed"
        for m in shown
        if "ping_accept" in buttons(m)
    )
    _stuck(snap, verdict)
    _duplicates(snap, posted, seen, verdict)
    by_request = {r.id: r for r in snap.requests}
    for p in snap.pings:
        posts = sum(m.button_value("ping_accept") == str(p.id) for m in posted)
        if p.state == PingState.FAILED:
            verdict.lost.append(f"ping {p.id} to {p.mentor_id}: Slack refused it after every retry")
        elif posts == 0 and p.state not in MOOT_UNSENT:
            verdict.lost.append(f"ping {p.id} to {p.mentor_id} ({by_request[p.request_id].topic}) never posted")
    for flash in snap.sessions:
        if _session_lost(snap, by_request[flash.request_id], flash, posted, dms, delays, verdict):
            continue
        verdict.flows_completed += 1
    for request in snap.requests:
        if request.state == RequestState.EXPIRED:
            # The expiry is an edit of the requester's status message: what the DM shows now, or a post of it.
            dm = dms.get(request.requester_id)
            told = [text_of(m.message) for m in _in(posted, dm) if m.mentions(request.topic)]
            told += [text_of(m) for m in shown if dm is not None and m.get("channel") == dm]
            if not any(w in t and f"*{request.topic}*" in t for t in told for w in EXPIRY_WORDS):
                verdict.lost.append(f"request {request.id} ({request.topic}) expired without telling the requester")
    stored = {r.topic for r in snap.requests}
    verdict.lost.extend(f"{t}: the command was answered but no request was stored" for t in seen.acked - stored)
    states = {r.topic: r.state for r in snap.requests}
    for heard, state in ((seen.matched, RequestState.MATCHED), (seen.expired, RequestState.EXPIRED)):
        verdict.lost.extend(
            f"{t}: its requester was told {state}, Burst says {states.get(t)}" for t in heard if states.get(t) != state
        )
    return verdict


def _stuck(snap: Snapshot, verdict: Verdict) -> None:
    verdict.stuck.extend(f"request {r.id} ({r.topic}) still open" for r in snap.requests if r.state == "open")
    verdict.stuck.extend(f"session {s.id} still active" for s in snap.sessions if s.state == SessionState.ACTIVE)
    verdict.stuck.extend(f"timer {t.key} still {t.state} (attempts {t.attempts})" for t in to_run(snap))
    verdict.lost.extend(
        f"timer {t.key} gave up after {t.attempts} attempts" for t in snap.timers if t.state == TimerState.FAILED
    )


def _in(posted: Sequence[Posted], channel: str | None) -> list[Posted]:
    return [m for m in posted if channel is not None and m.channel == channel]


def _session_lost(
    snap: Snapshot,
    request: HelpRequest,
    flash: FlashSession,
    posted: Sequence[Posted],
    dms: dict[str, str],
    delays: int,
    verdict: Verdict,
) -> bool:
    """Record what a matched request's people never saw; True if anything is missing."""
    sid, topic = str(flash.id), request.topic
    missing = []
    # A warning is owed once Burst logged it; one it never decided on is moot (the session ended first: after a
    # restart, a session's warning and end can fall due together, and the end may run first).
    warned = any(e.kind == ev.SESSION_WARNED and e.session_id == flash.id for e in snap.events)
    for who in (flash.requester_id, flash.mentor_id):
        mine = _in(posted, dms.get(who))
        # A card posted late (its process was killed) may come after the session ended, without its buttons.
        if not any(m.button_value("session_end") == sid or m.stamp == f"card:{sid}" for m in mine):
            missing.append(f"the session card for {who}")
        if not any(m.button_value("feedback_helpful") == sid for m in mine):
            missing.append(f"the end of the session for {who}")
        if warned and not any(":hourglass_flowing_sand:" in m.text and m.mentions(topic) for m in mine):
            missing.append(f"the warning for {who}")
    sent = _followups_sent(snap, flash.id)
    # Solved (in answer to any follow-up: they can run out of order after a restart) skips or cancels the rest.
    solved = _solved(snap, flash.id)
    missing.extend(f"follow-up {i} (never fired)" for i in range(delays) if i not in sent and not solved)
    shown = sum(m.button_value("followup_solved") == sid for m in _in(posted, dms.get(flash.requester_id)))
    if shown < sum(sent.values()):
        missing.append(f"{sum(sent.values()) - shown} follow-up message(s) that fired")
    thanks = [m for m in _in(posted, dms.get(flash.mentor_id)) if "Thanks for helping" in m.text and m.mentions(topic)]
    if sent and not thanks:
        missing.append("the mentor's thank-you")
    verdict.lost.extend(f"request {request.id} ({topic}): {what}" for what in missing)
    return bool(missing)


def _followups_sent(snap: Snapshot, session_id: int | None) -> Counter[int]:
    return Counter(
        int(e.data.get("index", -1)) for e in snap.events if e.kind == ev.FOLLOWUP_SENT and e.session_id == session_id
    )


def _solved(snap: Snapshot, session_id: int | None) -> bool:
    return any(
        e.kind == ev.FOLLOWUP_ANSWERED and e.session_id == session_id and e.data.get("outcome") == "solved"
        for e in snap.events
    )


ONCE_PER_REQUEST = (ev.REQUEST_CREATED, ev.REQUEST_MATCHED, ev.REQUEST_EXPIRED, ev.PING_ACCEPTED)
ONCE_PER_SESSION = (ev.SESSION_STARTED, ev.SESSION_WARNED, ev.SESSION_ENDED)


def _duplicates(snap: Snapshot, posted: Sequence[Posted], seen: Seen, verdict: Verdict) -> None:
    dup = verdict.duplicates
    topics = Counter(r.topic for r in snap.requests)
    dup.extend(f"{t}: {n} requests for one question" for t, n in topics.items() if n > 1)
    by_topic = {r.topic for r in snap.requests} | set(seen.asked)
    about = [m for m in posted if any(m.mentions(t) for t in by_topic)]
    # Two follow-ups of one session are the same message by design; they are counted against the timers below.
    repeated = Counter(m for m in about if m.button_value("followup_solved") is None)
    dup.extend(f"posted {n} times in {m.channel}: {m.text[:90]!r}" for m, n in repeated.items() if n > 1)
    for action_id, what in (("ping_accept", "ping"), ("session_end", "session card")):
        each = Counter((m.channel, m.button_value(action_id)) for m in posted if m.button_value(action_id))
        dup.extend(f"{what} {v} posted {n} times in {c}" for (c, v), n in each.items() if n > 1)
    for flash in snap.sessions:
        sent = _followups_sent(snap, flash.id)
        dup.extend(f"session {flash.id}: follow-up {i} fired {n} times" for i, n in sent.items() if n > 1)
        posts = sum(m.button_value("followup_solved") == str(flash.id) for m in posted)
        if posts > sum(sent.values()):
            dup.append(f"session {flash.id}: {posts} follow-ups posted for {sum(sent.values())} fired")
    for kinds, key in ((ONCE_PER_REQUEST, "request_id"), (ONCE_PER_SESSION, "session_id")):
        logged = Counter((e.kind, getattr(e, key)) for e in snap.events if e.kind in kinds)
        dup.extend(f"{kind} logged {n} times for {key} {owner}" for (kind, owner), n in logged.items() if n > 1)
