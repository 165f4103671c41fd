"""From a topic to a wave: read the topic, load the candidates, rank them, screen them, and choose who to ping.

Reading (`TopicReader`): a topic against this workspace, the skills its mentors hold and what they said or showed they
know. The reader keeps the evidence index (`bot.domain.evidence`) current for its process. While the database's data
version stands (storage.database) nothing it reads changed; when it moves, a two-number fingerprint of the
evidence table says whether rows came or went, and only rows not seen before are loaded, so a profile edited in another
process is matched on the next request. Embeddings are computed once per row.

Choosing (`choose`): who to ping for a request, among thousands who hold a popular skill: SQL narrows, `rank` decides.
The database filters every holder of a matched skill by what it can check (away, snoozed, in a session, the
requester, pinged already, and working hours against each zone's local clock) and returns a page of the best
placed: at the asked level first, then by match quality, then longest since their last ping. Only that page is
loaded and scored in full (fairness over the last week, responsiveness, the weekly cap), so routing costs about
the same for a skill five people hold as for one five thousand hold. A page that the exact checks thin out below
the wave's size is followed by the next one. The best of a page are then screened by the signals people keep
(calendar, Do Not Disturb, status, presence: `Screen`), a few at a time, until the wave is full.

Ranking (`rank`): who to ping, in what order: pure functions over candidate rows, no I/O.

Score (0..1, higher first) =
  0.45 x match quality (the best skill match, a level that fits counts more)
+ 0.25 x fairness (fewer sessions in the last week)
+ 0.15 x time since their last ping (a day or more counts in full)
+ 0.15 x responsiveness (smoothed share of pings answered, accepts counting more)
A requested level (expert or peer) is a tier, not a weight: people at that level come first, the others follow
so a request still finds someone when no one at the asked level is free.

Screening (`Screen`): skipping mentors the signals say are busy, right before a wave pings them: calendar first, then
Slack's signals for those the calendar leaves free (Web API calls, cached). The candidates' page already says who has
a meeting within the session's length, so only their calendars are read, to say until when they are busy.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta

from bot.domain.availability import (
    AbuseLimits,
    Busy,
    RecentPing,
    SignalSwitches,
    SlackSignals,
    WorkingHours,
    calendar_busy,
    is_within_hours,
    local_clocks,
    over_limit,
    slack_busy,
)
from bot.domain.evidence import EmbeddedItem, EvidenceIndex, EvidenceItem, EvidenceKind, embed_item
from bot.domain.skills import topic_key
from bot.domain.understanding import Understander, Understanding
from storage.database import Database, UnitOfWork
from storage.models import HelpRequest, MentorEvidence, SkillLevel, WantedLevel, utcnow
from storage.repositories import CandidateQuery, CandidateRow

REBUILD_EVERY = timedelta(hours=1)
"""Helped-with evidence fades with age; the index is rebuilt this often even when no row changed."""


class TopicReader:
    def __init__(self, understander: Understander) -> None:
        self.understander = understander
        self._embedded: dict[int, EmbeddedItem] = {}
        self._top = 0
        self._index: EvidenceIndex | None = None
        self._built_at = datetime.min.replace(tzinfo=UTC)
        self._version: int | None = None  # the data version the index was last checked at

    @property
    def semantic(self) -> bool:
        """Whether the embedding model is loaded (False: lexical and knowledge-term matching only)."""
        return self.understander.semantic

    async def warm(self, db: Database) -> None:
        """Build what reading needs for this workspace (term and evidence embeddings) before the first request."""
        async with db.uow(readonly=True) as uow:
            await self.read(uow, "warm up")

    async def read(self, uow: UnitOfWork, topic: str) -> Understanding:
        """What `topic` needs in this workspace now (see `Understander.understand`)."""
        vocabulary = await uow.members.vocabulary()
        return self.understander.understand(topic, vocabulary, await self.evidence(uow))

    async def evidence(self, uow: UnitOfWork) -> EvidenceIndex:
        now = utcnow()
        version = await uow.cached.version()
        fresh = self._index is not None and now - self._built_at <= REBUILD_EVERY
        if fresh and version is not None and version == self._version:
            assert self._index is not None
            return self._index
        count, top = await uow.evidence.fingerprint()
        changed = False
        if top > self._top:
            for row in await uow.evidence.after(self._top):
                assert row.id is not None
                self._embedded[row.id] = embed_item(_item(row), self.understander.embedder)
            self._top, changed = top, True
        if count != len(self._embedded):  # rows went (a new about text, an erasure): forget those
            alive = set(await uow.evidence.ids())
            self._embedded = {k: v for k, v in self._embedded.items() if k in alive}
            changed = True
        if changed or self._index is None or now - self._built_at > REBUILD_EVERY:
            self._index = EvidenceIndex(list(self._embedded.values()), now)
            self._built_at = now
        self._version = version
        return self._index


def _item(row: MentorEvidence) -> EvidenceItem:
    return EvidenceItem(row.member_id, EvidenceKind(row.kind), row.text, row.created_at)


PAGE = 40
MAX_PAGES = 5
SPARE = 2  # screened beyond the wave's size, so one busy person does not cost another round of calls


@dataclass
class Choice:
    chosen: list[RankedCandidate] = field(default_factory=list)
    skipped: dict[str, Busy] = field(default_factory=dict)  # the busy, by member, among those screened


async def choose(
    uow: UnitOfWork,
    *,
    skill_scores: Mapping[str, float],
    mentor_scores: Mapping[str, float] | None = None,
    mentor_notes: Mapping[str, str] | None = None,
    level: WantedLevel,
    requester_id: str,
    request_id: int,
    now: datetime,
    want: int,
    screen: Screen | None = None,
    length: timedelta = timedelta(0),
    limits: AbuseLimits | None = None,
    request: HelpRequest | None = None,
) -> Choice:
    """The best `want` mentors to ping now, best first: holders of the matched skills and people named by their
    evidence (`mentor_scores`, with `mentor_notes` saying why in words); with a `screen`, none busy now or within
    `length`; with `limits`, none the abuse limits keep `request` from pinging now, so the wave fills from the
    rest."""
    choice = Choice()
    mentor_scores = mentor_scores or {}
    if (not skill_scores and not mentor_scores) or want <= 0:
        return choice
    query = CandidateQuery(
        quality=level_weights(skill_scores),
        prefer_level=level.skill_level,
        clocks=local_clocks(await uow.members.zones(), now),
        requester_id=requester_id,
        request_id=request_id,
        now=now,
        since=now - FAIRNESS_WINDOW,
        limit=PAGE,
        mentors=mentor_scores,
        meetings_until=now + length if screen is not None else None,
    )
    pool: list[RankedCandidate] = []
    screened: set[str] = set()
    for page in range(MAX_PAGES):
        rows = await uow.members.candidates(replace(query, offset=page * PAGE))
        ranked = rank(rows, skill_scores, level, now, mentor_scores, mentor_notes or {})
        if limits is not None and request is not None and ranked:
            refused = await _over_limit(uow, request, [c.member_id for c in ranked], now, limits)
            ranked = [c for c in ranked if c.member_id not in refused]
        pool += ranked
        pool.sort(key=lambda c: (c.tier, -c.score, c.member_id))
        if screen is not None:
            pool = await _screened(uow, screen, pool, screened, choice, want, now, length)
        if len(pool) >= want or len(rows) < PAGE:
            break
    choice.chosen = pool[:want]
    return choice


PLANNED_RUNS = 5
"""PostgreSQL plans each of a prepared statement's first five runs for their parameters, then keeps one generic plan
when it costs no more. Planning the candidates' statement takes about 2 ms: a shape run once more than this at
start-up costs no request its planning (`warm_choosing`)."""


async def warm_choosing(db: Database, most_skills: int) -> None:
    """Run the candidates' statement in every shape a request can take (one to `most_skills` matched skills, with
    and without mentors named by their evidence, for the zones members are in now), so that no request pays for
    building and compiling one (about 25 ms, the slowest requests after a start) nor, on PostgreSQL, for planning it.

    On PostgreSQL the skills asked for are ones mentors hold, so its plans are weighed on rows like a request's; on
    SQLite, which keeps no plans, and in a workspace without any, made-up ones, which read nothing (and leave no
    pages of the tables in memory at start-up)."""
    now = utcnow()
    runs = 1 if db.is_sqlite else PLANNED_RUNS + 1
    async with db.uow(readonly=True) as uow:
        clocks = local_clocks(await uow.members.zones(), now)
        held = [] if db.is_sqlite else sorted(await uow.members.vocabulary())
        for count in range(1, most_skills + 1):
            skills = held[:count] if len(held) >= count else [f"(warm-up {i})" for i in range(count)]
            for named in ({}, {"(warm-up)": 1.0}):
                query = CandidateQuery(
                    quality=level_weights(dict.fromkeys(skills, 1.0)),
                    prefer_level=None,
                    clocks=clocks,
                    requester_id="",
                    request_id=0,
                    now=now,
                    since=now - FAIRNESS_WINDOW,
                    limit=PAGE,
                    mentors=named,
                )
                for _ in range(runs):
                    await uow.members.candidates(query)


async def _over_limit(
    uow: UnitOfWork, request: HelpRequest, mentors: list[str], now: datetime, limits: AbuseLimits
) -> set[str]:
    """The mentors the abuse limits keep this request from pinging now (see bot.domain.availability)."""
    recent = [
        RecentPing(mentor, requester, topic_key(topic, skills), at, closed_at if cancelled else None)
        for mentor, requester, topic, skills, at, closed_at, cancelled in await uow.pings.recent_to(
            mentors, now - limits.lookback
        )
    ]
    return over_limit(recent, request.requester_id, topic_key(request.topic, request.skills), now, limits)


async def _screened(
    uow: UnitOfWork,
    screen: Screen,
    pool: list[RankedCandidate],
    screened: set[str],
    choice: Choice,
    want: int,
    now: datetime,
    length: timedelta,
) -> list[RankedCandidate]:
    """The pool without the busy, screening from the best down only until its first `want` are all screened."""
    while any(c.member_id not in screened for c in pool[:want]):
        batch = [c for c in pool[: want + SPARE] if c.member_id not in screened]
        meetings = {c.member_id for c in batch if c.in_meeting}
        busy = await screen.busy(uow, [c.member_id for c in batch], now, length, meetings=meetings)
        screened.update(c.member_id for c in batch)
        choice.skipped.update(busy)
        pool = [c for c in pool if c.member_id not in busy]
    return pool


FAIRNESS_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class RankedCandidate:
    member_id: str
    score: float
    tier: int  # 0: the asked level, 1: the fallback level
    reason: str
    in_meeting: bool = False  # their calendar has them busy within the session's length (CandidateRow.in_meeting)


def member_hours(start: str | None, end: str | None) -> WorkingHours | None:
    if not start or not end:
        return None
    return WorkingHours(time.fromisoformat(start), time.fromisoformat(end))


def available_now(row: CandidateRow, now: datetime) -> bool:
    """What SQL cannot cheaply decide: within working hours in the mentor's zone, and under the weekly cap."""
    m = row.member
    if not is_within_hours(member_hours(m.hours_start, m.hours_end), now, m.tz):
        return False
    return m.weekly_cap is None or row.sessions_recent < m.weekly_cap


def rank(
    rows: Sequence[CandidateRow],
    skill_scores: Mapping[str, float],
    level: WantedLevel,
    now: datetime,
    mentor_scores: Mapping[str, float] | None = None,
    mentor_notes: Mapping[str, str] | None = None,
) -> list[RankedCandidate]:
    ranked: list[RankedCandidate] = []
    for row in rows:
        if not available_now(row, now):
            continue
        ranked.append(_score(row, skill_scores, level, now, mentor_scores or {}, mentor_notes or {}))
    ranked.sort(key=lambda c: (c.tier, -c.score, c.member_id))
    return ranked


LEVEL_FACTOR = {SkillLevel.EXPERT: 1.0, SkillLevel.PEER: 0.85}


def level_weights(skill_scores: Mapping[str, float]) -> dict[tuple[str, SkillLevel], float]:
    """Match quality of holding each matched skill at each level: what the shortlist query orders by."""
    return {
        (skill, level): score * factor
        for skill, score in skill_scores.items()
        for level, factor in LEVEL_FACTOR.items()
    }


def _score(
    row: CandidateRow,
    skill_scores: Mapping[str, float],
    level: WantedLevel,
    now: datetime,
    mentor_scores: Mapping[str, float],
    mentor_notes: Mapping[str, str],
) -> RankedCandidate:
    best_skill, best = "", 0.0
    wanted = level.skill_level
    at_level = wanted is None
    for skill, skill_level in row.skills.items():
        quality = skill_scores.get(skill, 0.0) * LEVEL_FACTOR[skill_level]
        if quality > best:
            best_skill, best = skill, quality
        at_level = at_level or skill_level == wanted
    evidence = mentor_scores.get(row.member.id, 0.0)
    fairness = 1.0 / (1.0 + row.sessions_recent)
    last = row.member.last_pinged_at
    rest = 1.0 if last is None else min((now - last) / timedelta(days=1), 1.0)
    # Laplace smoothing: a newcomer starts at 2/3 instead of 0 or 1.
    responsiveness = (row.pings_answered + row.pings_accepted + 1) / (2 * row.pings_total + 2 + 1)
    quality = max(best, evidence)
    score = 0.45 * quality + 0.25 * fairness + 0.15 * max(rest, 0.0) + 0.15 * min(responsiveness, 1.0)
    return RankedCandidate(
        row.member.id, round(score, 4), 0 if at_level else 1, why_you(row, best_skill, mentor_notes), row.in_meeting
    )


def why_you(row: CandidateRow, skill: str, notes: Mapping[str, str]) -> str:
    """Why this person was asked, as a colleague would say it: what they know, and what their profile or their past
    sessions say. Never a score or a rate."""
    parts = []
    if skill:
        parts.append(f"you know {skill}" + (" (expert)" if row.skills.get(skill) == SkillLevel.EXPERT else ""))
    if note := notes.get(row.member.id):
        parts.append(note)
    return "; ".join(parts)


CALENDAR_LOOKAHEAD = timedelta(hours=12)  # far enough to say when a run of meetings ends


class Screen:
    def __init__(self, slack: SlackSignals | None, switches: SignalSwitches) -> None:
        self.slack = slack
        self.switches = switches

    async def busy(
        self,
        uow: UnitOfWork,
        member_ids: Sequence[str],
        now: datetime,
        length: timedelta,
        meetings: Collection[str] | None = None,
    ) -> dict[str, Busy]:
        """Who of them is busy now or within `length` (a session's length), and why. `meetings`, when the caller
        knows it, is who of them has a calendar interval in that time: only their calendars need reading, to say
        until when they are busy."""
        found: dict[str, Busy] = {}
        in_calendar = member_ids if meetings is None else [m for m in member_ids if m in meetings]
        intervals = await uow.calendars.busy(in_calendar, now, now + max(length, CALENDAR_LOOKAHEAD))
        for member_id, theirs in intervals.items():
            if busy := calendar_busy(theirs, now, length):
                found[member_id] = busy
        rest = [m for m in member_ids if m not in found]
        if self.slack is None or not rest or not self.switches.any:
            return found
        for member_id, readings in (await self.slack.read(rest, now)).items():
            if busy := slack_busy(readings, now, self.switches):
                found[member_id] = busy
        return found
