"""Building the weekly digest over a history of E interaction events.

The history is generated flow by flow (ask, waves of pings, accept, session, feedback, follow-up) so every table
is in proportion to the others: 11 to 12 events per request, as the real flows write them, spread over
twelve weeks. `DigestService.build(end)` then reads two of those weeks; the per-query rows say where its time goes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.engines import Engine, QueryRecorder, bulk_insert, explain, finish_load, shorten_sql
from benchmarks.population import Zipf, build_vocabulary, member_id, member_row, topic
from benchmarks.report import Timings
from bot.domain import event_kinds as ev
from bot.services import followups as fu
from bot.services.digest import WEEK, DigestConfig, DigestService
from storage.database import Database
from storage.models import PingState, RequestState, SessionState, utcnow
from tests.support.fakes import RecordingSlack

RUNS = 5
TARGET_EVENTS, TARGET_SECONDS = 1_000_000, 1.0
WEEKS = 12


@dataclass
class DigestResult:
    engine: str
    events: int
    seed_seconds: float
    rows: dict[str, int]
    build: Timings = field(default_factory=Timings)
    queries: dict[str, Timings] = field(default_factory=dict)  # each repository call alone, "this week" window
    plans: list[tuple[str, str, str]] = field(default_factory=list)


class History:
    """Accumulates rows for every table while flows are generated; ids are assigned here so rows can refer."""

    def __init__(self, rng: random.Random, members: int, now: datetime) -> None:
        self.rng = rng
        self.members = [member_row(rng, n, now) for n in range(members)]
        self.mentors = max(2, members * 3 // 5)  # the first three fifths hold skills
        self.requests: list[dict[str, Any]] = []
        self.pings: list[dict[str, Any]] = []
        self.sessions: list[dict[str, Any]] = []
        self.feedback: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    def event(
        self,
        kind: str,
        at: datetime,
        *,
        actor: str | None = None,
        request: int | None = None,
        session: int | None = None,
        **data: Any,
    ) -> None:
        self.events.append(
            {
                "id": len(self.events) + 1,
                "at": at,
                "kind": kind,
                "actor_id": actor,
                "request_id": request,
                "session_id": session,
                "data": data,
            }
        )

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """In foreign-key order."""
        return {
            "members": self.members,
            "help_requests": self.requests,
            "pings": self.pings,
            "flash_sessions": self.sessions,
            "feedback": self.feedback,
            "interaction_events": self.events,
        }


def seed(rng: random.Random, events: int, now: datetime, members: int | None = None) -> History:
    """Flows until `events` events exist: 8% find no skill, ~60% match, the rest expire or are cancelled.

    `members` defaults to one per 150 events (at least 300); the scale benchmark asks for a bigger workspace.
    """
    vocabulary = build_vocabulary(rng)
    zipf = Zipf.over(vocabulary)
    history = History(rng, members or max(300, events // 150), now)
    span = WEEKS * 7 * 86_400
    while len(history.events) < events:
        at = now - timedelta(seconds=rng.uniform(3_600, span))
        _flow(history, zipf, at)
    return history


def _flow(h: History, zipf: Zipf, at: datetime) -> None:
    rng = h.rng
    rid = len(h.requests) + 1
    requester = member_id(rng.randrange(len(h.members)))
    skill = zipf.draw(rng)
    text = topic(rng, skill, zipf.draw(rng))
    request: dict[str, Any] = {
        "id": rid,
        "requester_id": requester,
        "topic": text,
        "skills": {skill: 1.0},
        "source": rng.choice(("command", "command", "dm", "mention", "modal", "shortcut")),
        "anonymous": rng.random() < 0.1,
        "state": RequestState.EXPIRED,
        "wave": 0,
        "created_at": at,
    }
    h.requests.append(request)
    h.event(ev.REQUEST_CREATED, at, actor=requester, request=rid, topic=text, skills=[skill], source="command")
    roll = rng.random()
    if roll < 0.08:
        request["skills"], request["closed_at"] = {}, at
        h.event(ev.REQUEST_NO_MATCH, at, request=rid, topic=text, reason="no skill")
        return
    if roll > 0.97:
        request["state"], request["closed_at"] = RequestState.CANCELLED, at + timedelta(minutes=2)
        h.event(ev.REQUEST_CANCELLED, at + timedelta(minutes=2), actor=requester, request=rid)
        return
    matched = roll < 0.68
    waves = 1 if matched and rng.random() < 0.8 else rng.randint(2, 3)
    size = rng.randint(2, 3)  # the wave size a workspace configured
    everyone = rng.sample(range(h.mentors), min(h.mentors, size * waves + 1))
    mentors = [m for m in everyone if member_id(m) != requester]  # never the requester: feedback is one per person
    pinged: list[dict[str, Any]] = []
    t = at
    for wave in range(1, waves + 1):
        t += timedelta(seconds=2 if wave == 1 else 300)
        request["wave"] = wave
        batch = mentors[(wave - 1) * size : wave * size]
        h.event(ev.WAVE_SENT, t, request=rid, wave=wave, pinged=len(batch))
        for mentor in batch:
            mid = member_id(mentor)
            ping = {
                "id": len(h.pings) + 1,
                "request_id": rid,
                "mentor_id": mid,
                "wave": wave,
                "created_at": t,
                "score": round(rng.uniform(0.3, 0.95), 4),
                "state": PingState.EXPIRED,
            }
            h.pings.append(ping)
            pinged.append(ping)
            h.event(ev.PING_SENT, t, actor=mid, request=rid, ping_id=ping["id"], wave=wave, score=ping["score"])
            if rng.random() < 0.25:
                ping["state"], ping["responded_at"] = PingState.DECLINED, t + timedelta(seconds=60)
                h.event(ev.PING_DECLINED, t + timedelta(seconds=60), actor=mid, request=rid)
    if not matched:
        request["closed_at"] = t + timedelta(minutes=5)
        h.event(ev.REQUEST_EXPIRED, t + timedelta(minutes=5), request=rid, topic=text, reason="nobody accepted")
        return
    winner = next((p for p in reversed(pinged) if p["state"] != PingState.DECLINED), pinged[-1])
    accepted_at = t + timedelta(seconds=rng.uniform(15, 280))
    for ping in pinged:
        if ping is winner:
            ping["state"], ping["responded_at"] = PingState.ACCEPTED, accepted_at
        elif ping["state"] != PingState.DECLINED:
            ping["state"] = PingState.TAKEN
    mentor = winner["mentor_id"]
    request.update(state=RequestState.MATCHED, mentor_id=mentor, matched_at=accepted_at, closed_at=accepted_at)
    h.event(ev.PING_ACCEPTED, accepted_at, actor=mentor, request=rid, ping_id=winner["id"])
    h.event(
        ev.REQUEST_MATCHED,
        accepted_at,
        actor=mentor,
        request=rid,
        seconds_to_accept=(accepted_at - at).total_seconds(),
        wave=winner["wave"],
    )
    sid = len(h.sessions) + 1
    length = h.rng.choice((600, 900, 900, 1_800))
    ended = accepted_at + timedelta(seconds=length * h.rng.uniform(0.5, 1.4))
    h.sessions.append(
        {
            "id": sid,
            "request_id": rid,
            "requester_id": requester,
            "mentor_id": mentor,
            "state": SessionState.ENDED,
            "length_seconds": length,
            "started_at": accepted_at,
            "ends_at": accepted_at + timedelta(seconds=length),
            "ended_at": ended,
            "ended_by": requester,
            "cards": [{"channel": f"G{sid}", "ts": f"{sid}.0"}],
        }
    )
    h.event(ev.SESSION_STARTED, accepted_at, actor=mentor, request=rid, session=sid)
    if rng.random() < 0.15:
        h.event(ev.SESSION_EXTENDED, ended - timedelta(minutes=5), actor=requester, session=sid)
    h.event(ev.SESSION_ENDED, ended, actor=requester, request=rid, session=sid, by=requester)
    for who in (requester, mentor):
        if rng.random() < 0.55:
            helpful = rng.random() < 0.85
            h.feedback.append(
                {
                    "id": len(h.feedback) + 1,
                    "session_id": sid,
                    "member_id": who,
                    "helpful": helpful,
                    "note": "",
                    "created_at": ended + timedelta(minutes=2),
                }
            )
            h.event(ev.FEEDBACK_GIVEN, ended + timedelta(minutes=2), actor=who, session=sid, helpful=helpful)
    follow = ended + timedelta(days=1)
    h.event(ev.FOLLOWUP_SENT, follow, request=rid, session=sid, index=0)
    if rng.random() < 0.6:
        outcome = fu.SOLVED if rng.random() < 0.7 else fu.STUCK
        h.event(ev.FOLLOWUP_ANSWERED, follow + timedelta(hours=2), actor=requester, session=sid, outcome=outcome)


async def load(db: Database, history: History) -> None:
    for name, rows in history.tables().items():
        await bulk_insert(db, name, rows)
    await finish_load(db, ["help_requests", "pings", "flash_sessions", "feedback", "interaction_events"])


def service(db: Database) -> DigestService:
    config = DigestConfig(channel="C", cron="0 9 * * mon", zone=ZoneInfo("UTC"))
    return DigestService(db, RecordingSlack(), config, worker="bench")


async def run(
    engine: Engine, events: int, *, runs: int = RUNS, seed_value: int = 11, with_plans: bool = False
) -> DigestResult:
    rng = random.Random(seed_value)
    now = utcnow()
    started = time.perf_counter()
    history = seed(rng, events, now)
    db = await engine.new_database(f"digest_{events}")
    try:
        await load(db, history)
        digest = service(db)
        rows = {name: len(r) for name, r in history.tables().items()}
        result = DigestResult(engine.name, events, time.perf_counter() - started, rows)
        del history
        end = digest.fires(now, WEEK)[-1]  # the latest scheduled digest, as the cron would build it
        await digest.build(end)  # warm-up: caches, prepared statements, pages
        for _ in range(runs):
            t0 = time.perf_counter()
            await digest.build(end)
            result.build.add(time.perf_counter() - t0)
        result.queries = await query_times(db, end - timedelta(days=7), end, runs)
        if with_plans:
            result.plans = await plans(db, digest, end)
        return result
    finally:
        await db.dispose()


async def query_times(db: Database, start: datetime, end: datetime, runs: int) -> dict[str, Timings]:
    """Each repository call `build` makes for one week, timed alone: which query the build time belongs to."""
    async with db.uow(readonly=True) as uow:
        repo = uow.digests
        mentors = list({str(s.mentor_id) for s in await repo.sessions_between(start, end)})
        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "requests_between": lambda: repo.requests_between(start, end),
            "sessions_between": lambda: repo.sessions_between(start, end),
            "feedback_between": lambda: repo.feedback_between(start, end),
            "latest_by_session(followup)": lambda: repo.latest_by_session(ev.FOLLOWUP_ANSWERED, start, end),
            "thanked_names": lambda: repo.thanked_names(mentors),
        }
        found: dict[str, Timings] = {}
        for name, call in calls.items():
            timings = found.setdefault(name, Timings())
            for _ in range(runs):
                t0 = time.perf_counter()
                await call()
                timings.add(time.perf_counter() - t0)
    return found


async def plans(db: Database, digest: DigestService, end: datetime) -> list[tuple[str, str, str]]:
    with QueryRecorder(db) as recorder:
        await digest.build(end)
    found = []
    for statement, parameters in recorder.queries:
        found.append(("digest", shorten_sql(statement), await explain(db, statement, parameters)))
    return found
