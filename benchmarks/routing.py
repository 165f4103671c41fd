"""Routing one request against N mentors: the work between "someone asked" and "we know whom to ping".

Per request, in one read-only unit of work: reading the topic (`TopicReader.read`: the skills held, the lexical
matcher, the knowledge terms, the embedding model and the mentors' evidence), then `bot.services.routing.choose(...)`,
the same calls `RequestService.store` and `run_wave` make, with the availability signals on
(benchmarks.routing_signals): Slack's served by the fake Web API, calendars from the database. The database is seeded
with history (requests, pings, sessions) because the fairness counts read it.

Burst's own work (the target) is the whole of it less the time spent waiting for Slack's answers, which Burst does
not control (on a real workspace each takes tens of milliseconds; here, a local fake's).
"""

from __future__ import annotations

import contextlib
import gc
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

from benchmarks import routing_signals
from benchmarks.engines import Engine, QueryRecorder, bulk_insert, explain, finish_load, shorten_sql
from benchmarks.population import Zipf, build_vocabulary, member_id, member_row, request_topics, topic
from benchmarks.report import Timings
from bot.domain.embedding import shared_embedder
from bot.domain.understanding import Understander, Verdict
from bot.runtime.memory import settle_after_start
from bot.services.asking import MAX_MATCHED_SKILLS
from bot.services.routing import TopicReader, choose, warm_choosing
from storage.database import Database, UnitOfWork
from storage.models import NEVER_PINGED, MemberSkill, PingState, RequestState, SessionState, WantedLevel, utcnow

TARGET_MENTORS, TARGET_MS = 10_000, 20.0
REQUESTS, WARMUP = 50, 5
# Request ids no row has: wave 1 of a new request, so "already pinged" finds nothing, as it would.
FRESH_REQUEST_ID = 2_000_000_000

WAVE_SIZE = 3  # BURST_WAVE_SIZE's default
SESSION_LENGTH = timedelta(minutes=15)  # BURST_SESSION_LENGTH's default: calendars are screened over it
_READER = TopicReader(Understander(shared_embedder()))
MEASURED_HOUR = 14
"""Requests are routed at this hour (UTC) of a weekday: Europe's afternoon and the Americas' morning. How many mentors
are within their working hours then does not depend on when the benchmark runs, so runs compare."""


def measured_at(real: datetime) -> datetime:
    """The last weekday MEASURED_HOUR at or before `real`: the instant the seeded history and the requests are set at
    (in the past, so nothing that reads the real clock sees a row from the future)."""
    at = real.replace(hour=MEASURED_HOUR, minute=0, second=0, microsecond=0)
    if at > real:
        at -= timedelta(days=1)
    while at.weekday() >= 5:  # Saturday, Sunday
        at -= timedelta(days=1)
    return at


async def _match(uow: UnitOfWork, topic_text: str) -> tuple[dict[str, float], dict[str, float]]:
    """The skills and mentors a request is routed on, as RequestService.ask keeps them."""
    understood = await _READER.read(uow, topic_text)
    if understood.verdict is not Verdict.ROUTE:
        return {}, {}
    skills = {m.skill: m.score for m in understood.skills[:MAX_MATCHED_SKILLS]}
    return skills, {m.member_id: m.score for m in understood.mentors}


@dataclass
class RoutingResult:
    engine: str
    mentors: int
    seed_seconds: float
    rows: dict[str, int]
    total: Timings = field(default_factory=Timings)  # match + choose(), waiting on Slack included
    work: Timings = field(default_factory=Timings)  # match + ranking: Burst's own work, the target
    match: Timings = field(default_factory=Timings)
    choose: Timings = field(default_factory=Timings)
    ranking: Timings = field(default_factory=Timings)  # choose() less what it waited on Slack's signals for
    slack_wait: Timings = field(default_factory=Timings)  # what choose() waited on Slack's signals for
    unscreened: Timings = field(default_factory=Timings)  # choose() of the same request without the signals
    slack_calls: list[int] = field(default_factory=list)  # Web API calls (signals) a wave cost
    slack_by_method: Counter[str] = field(default_factory=Counter)
    skipped: list[int] = field(default_factory=list)  # busy mentors a wave screened past
    by_class: dict[str, Timings] = field(default_factory=dict)  # Burst's work, by kind of topic
    candidate_counts: list[int] = field(default_factory=list)
    ranked_counts: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    plans: list[tuple[str, str, str]] = field(default_factory=list)  # (what, sql, plan)
    top_skill_share: tuple[str, float] = ("", 0.0)  # the most popular skill and the share of mentors holding it


def _share(data: dict[str, list[dict[str, Any]]], skill: str, mentors: int) -> tuple[str, float]:
    """How common the most common skill is: the number that decides how many candidates a typical request has."""
    holders = {row["member_id"] for row in data["member_skills"] if row["skill"] == skill}
    return skill, len(holders) / max(mentors, 1)


def seed(rng: random.Random, mentors: int, now: datetime, vocabulary: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Members (a fifth more who only ask), their skills, and 90 days of requests, pings and sessions.

    About one request per two mentors over 90 days, each pinging 1-5 holders of its skill; most match and
    become sessions; 0.5% of mentors are in a session right now, so the "not in a session" filter has work.
    """
    zipf = Zipf.over(vocabulary)
    askers = mentors // 5
    members = [member_row(rng, n, now) for n in range(mentors + askers)]
    skills: list[dict[str, Any]] = []
    holders: dict[str, list[str]] = {}
    for n in range(mentors):
        mid = member_id(n)
        for skill in zipf.distinct(rng, rng.randint(2, 5)):
            skills.append({"member_id": mid, "skill": skill, "level": "expert" if rng.random() < 0.3 else "peer"})
            holders.setdefault(skill, []).append(mid)
    requests: list[dict[str, Any]] = []
    pings: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    last_pinged: dict[str, datetime] = {}
    active_left = max(1, mentors // 200)
    mentoring_now: set[str] = set()
    total_requests = mentors // 2
    for rid in range(1, total_requests + 1):
        skill = zipf.draw(rng)
        # The newest requests are the ones whose sessions are still running.
        created = (
            now - timedelta(minutes=5 + rid % 3)
            if rid <= active_left
            else now - timedelta(seconds=rng.uniform(600, 90 * 86_400))
        )
        requester = member_id(rng.randrange(mentors + askers))
        held = holders.get(skill, [])  # a rare skill may have no mentor in a small workspace
        pool = [m for m in rng.sample(held, min(len(held), 6)) if m != requester][: rng.randint(1, 5)]
        roll = rng.random() if rid > active_left else 0.0
        state = RequestState.MATCHED if roll < 0.6 and pool else RequestState.EXPIRED if roll < 0.9 else "cancelled"
        accepted = pool[0] if state == RequestState.MATCHED else None
        matched_at = created + timedelta(seconds=rng.uniform(20, 600)) if accepted else None
        requests.append(
            {
                "id": rid,
                "requester_id": requester,
                "topic": topic(rng, skill, zipf.draw(rng)),
                "skills": {skill: 1.0},
                "state": state,
                "wave": 1,
                "mentor_id": accepted,
                "created_at": created,
                "matched_at": matched_at,
                "closed_at": matched_at or created + timedelta(minutes=30),
            }
        )
        for mentor in pool:
            if mentor == accepted:
                ping_state = PingState.ACCEPTED
            elif accepted:
                ping_state = PingState.TAKEN
            else:
                ping_state = rng.choice((PingState.DECLINED, PingState.SNOOZED, PingState.EXPIRED, PingState.EXPIRED))
            pings.append(
                {
                    "request_id": rid,
                    "mentor_id": mentor,
                    "wave": 1,
                    "score": round(rng.uniform(0.3, 0.95), 4),
                    "state": ping_state,
                    "created_at": created,
                    "responded_at": None if ping_state == PingState.EXPIRED else created + timedelta(seconds=90),
                }
            )
            last_pinged[mentor] = max(last_pinged.get(mentor, created), created)
        if accepted and matched_at:
            # A mentor is in one session at a time (the partial unique index): a repeat is an ended one.
            active = rid <= active_left and accepted not in mentoring_now
            mentoring_now.update([accepted] if active else [])
            sessions.append(
                {
                    "id": len(sessions) + 1,
                    "request_id": rid,
                    "requester_id": requester,
                    "mentor_id": accepted,
                    "state": SessionState.ACTIVE if active else SessionState.ENDED,
                    "length_seconds": 900,
                    "started_at": matched_at,
                    "ends_at": matched_at + timedelta(minutes=15),
                    "ended_at": None if active else matched_at + timedelta(minutes=rng.randint(5, 25)),
                    "cards": [],
                }
            )
    for row in members:
        row["last_pinged_at"] = last_pinged.get(row["id"])
    for row in skills:  # the copy routing orders by, as MemberRepository.mark_pinged keeps it
        row["last_pinged_at"] = last_pinged.get(row["member_id"], NEVER_PINGED)
    for i, ping in enumerate(pings, start=1):
        ping["id"] = i
    return {
        "members": members,
        "member_skills": [{"id": i, **row} for i, row in enumerate(skills, start=1)],
        "help_requests": requests,
        "pings": pings,
        "flash_sessions": sessions,
    }


async def load(db: Database, data: dict[str, list[dict[str, Any]]]) -> None:
    for name, rows in data.items():  # dict order is foreign-key order
        await bulk_insert(db, name, rows)
    await finish_load(db, ["member_skills", "help_requests", "pings", "flash_sessions", "calendar_busy"])


@dataclass(frozen=True)
class Ask:
    topic: str
    skill: str  # the skill the topic was written about
    requester: str
    request_id: int


async def route_once(
    db: Database, ask: Ask, now: datetime, result: RoutingResult | None, signals: routing_signals.Signals
) -> tuple[int, int]:
    """One request's routing; phases go to `result` when given (warm-up passes None).

    Returns (mentors holding a matched skill, mentors chosen); the first is counted after the clock stops.
    """
    signals.next_request()
    calls_before = signals.calls()
    t0 = time.perf_counter()
    async with db.uow(readonly=True) as uow:
        t1 = time.perf_counter()
        scores, named = await _match(uow, ask.topic)
        t2 = time.perf_counter()
        # The same wave as a request's first: the screened choice is timed, and then the unscreened one below.
        wave: dict[str, Any] = dict(
            skill_scores=scores,
            mentor_scores=named,
            level=WantedLevel.ANY,
            requester_id=ask.requester,
            request_id=ask.request_id,
            now=now,
            want=WAVE_SIZE,
        )
        chosen = await choose(uow, **wave, screen=signals.screen, length=SESSION_LENGTH)
        t3 = time.perf_counter()
    if result is not None:
        result.match.add(t2 - t1)
        result.choose.add(t3 - t2)
        result.ranking.add(t3 - t2 - signals.timed.waited)
        result.total.add(t3 - t0)
        result.work.add(t3 - t0 - signals.timed.waited)
        result.slack_wait.add(signals.timed.waited)
        spent = signals.calls() - calls_before
        result.slack_calls.append(sum(spent.values()))
        result.slack_by_method.update(spent)
        result.skipped.append(len(chosen.skipped))
        async with db.uow(readonly=True) as uow:  # the same choice without the signals, for comparison
            t4 = time.perf_counter()
            await choose(uow, **wave)
            result.unscreened.add(time.perf_counter() - t4)
    async with db.uow(readonly=True) as uow:
        holders = await uow.db_session.scalar(
            select(func.count(distinct(col(MemberSkill.member_id)))).where(col(MemberSkill.skill).in_(list(scores)))
        )
    return int(holders or 0), len(chosen.chosen)


async def run(
    engine: Engine, mentors: int, *, requests: int = REQUESTS, seed_value: int = 7, with_plans: bool = False
) -> RoutingResult:
    rng = random.Random(seed_value)
    now = measured_at(utcnow())
    vocabulary = build_vocabulary(rng)
    started = time.perf_counter()
    data = seed(rng, mentors, now, vocabulary)
    data |= routing_signals.calendar_rows(rng, mentors, now)
    signals = routing_signals.start(rng, mentors, now)
    db = await engine.new_database(f"routing_{mentors}")
    try:
        await load(db, data)
        result = RoutingResult(
            engine.name,
            mentors,
            time.perf_counter() - started,
            {k: len(v) for k, v in data.items()},
            top_skill_share=_share(data, vocabulary[0], mentors),
        )
        del data
        total_members = mentors + mentors // 5
        asks = [
            (kind, Ask(text, skill, member_id(rng.randrange(total_members)), FRESH_REQUEST_ID + i))
            for i, (kind, skill, text) in enumerate(request_topics(rng, vocabulary, requests + WARMUP))
        ]
        await warm_choosing(db, MAX_MATCHED_SKILLS)  # as `burst run` does at start-up
        for _, ask in asks[:WARMUP]:
            with contextlib.suppress(DBAPIError):  # a failing topic is reported by the measured pass below
                await route_once(db, ask, now, None, signals)
        with settled():
            return await _measure(db, asks, now, signals, result, with_plans)
    finally:
        await signals.stop()
        await db.dispose()


async def _measure(
    db: Database,
    asks: list[tuple[str, Ask]],
    now: datetime,
    signals: routing_signals.Signals,
    result: RoutingResult,
    with_plans: bool,
) -> RoutingResult:
    """The measured requests, after the warm-up ones."""
    worst: tuple[int, Ask | None] = (-1, None)
    for kind, ask in asks[WARMUP:]:
        before = len(result.work.seconds)
        try:
            found, ranked = await route_once(db, ask, now, result, signals)
        except DBAPIError as exc:  # e.g. an IN list over the driver's parameter limit: report, keep going
            result.errors.append(f"{ask.topic!r}: {str(exc.orig).splitlines()[0]}")
            continue
        result.by_class.setdefault(kind, Timings()).add(result.work.seconds[before])
        result.candidate_counts.append(found)
        result.ranked_counts.append(ranked)
        if found > worst[0]:
            worst = (found, ask)
    if with_plans and worst[1] is not None:
        result.plans = await plans(db, worst[1], now, signals)
    return result


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """The garbage collector as `burst run` keeps it once started (`settle_after_start`), and as it was again after."""
    thresholds = gc.get_threshold()
    settle_after_start()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


async def plans(db: Database, ask: Ask, now: datetime, signals: routing_signals.Signals) -> list[tuple[str, str, str]]:
    """The plan of every query routing ran for the request with the most candidates (the slow case)."""
    with QueryRecorder(db) as recorder:
        await route_once(db, ask, now, None, signals)
    found = []
    for statement, parameters in recorder.queries:
        found.append((f"routing {ask.topic!r}", shorten_sql(statement), await explain(db, statement, parameters)))
    return found
