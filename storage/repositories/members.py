"""Members: who they are, the skills they hold, the candidates a wave reads from them, and the calendars they keep
(a feed each and the busy intervals read from it, which screen a wave's candidates).

A wave's candidates are picked by one SQL statement, the routing shortlist (`candidates_statement`), run with
parameters. Each matched (skill, level) is a branch that reads its holders off the routing index (skill, level,
last_pinged_at, member_id) longest-unpinged first, applies the availability filters and stops after `depth` who pass,
so a skill five thousand people hold costs about what one five people hold does. The outer query merges the
branches: a member's place is that of their best (skill, level) tier, then longest since their last ping.

The same statement loads the page it picks (`_page`): the members, the matched skills they hold, their recent sessions,
their ping record and whether their calendar has them in a meeting, so a page costs one round trip. It only depends on
how many (skill, level) pairs and zones a request has, so it is built once per shape (building it took longer than
running it on SQLite) and SQLAlchemy's compiled cache does the rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    delete,
    func,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped
from sqlmodel import col

from storage.models import (
    NEVER_PINGED,
    CalendarBusy,
    CalendarFeed,
    FlashSession,
    Member,
    MemberSkill,
    Ping,
    PingState,
    SessionState,
    SkillLevel,
    UtcDateTime,
    rowcount,
)

if TYPE_CHECKING:  # the unit of work makes the repositories, handing members its cached reads
    from storage.database import CachedReads

Kept = TypeVar("Kept", frozenset[str], tuple[str, ...])  # kept values are shared between requests: immutable

PING_RECORD = timedelta(days=90)
"""How far back a mentor's record of answering pings is read."""


@dataclass(frozen=True)
class CandidateQuery:
    """Who may be pinged for a request now, and one page of them.

    `quality` weighs each matching (skill, level); `clocks` is each zone's local "HH:MM" now, so working hours
    (stored as "HH:MM" in the member's zone) compare as strings in SQL. A zone missing from `clocks` passes, and the
    caller checks hours exactly.
    """

    quality: Mapping[tuple[str, SkillLevel], float]
    prefer_level: SkillLevel | None
    clocks: Mapping[str, str]
    requester_id: str
    request_id: int
    now: datetime
    since: datetime  # sessions given since then count for fairness
    limit: int
    offset: int = 0
    mentors: Mapping[str, float] = field(default_factory=dict)  # named by their evidence, skills or not: id -> score
    meetings_until: datetime | None = None  # flag who has a calendar interval in [now, this) (None: at `now`)


@dataclass(frozen=True)
class CandidateMember:
    """What ranking reads of a candidate's member row: who, their working hours and weekly cap, their last ping.
    Only these columns are loaded (a page's rows are read for every request; an entity's would be converted in full)."""

    id: str
    tz: str
    hours_start: str | None
    hours_end: str | None
    weekly_cap: int | None
    last_pinged_at: datetime | None


@dataclass(frozen=True)
class CandidateRow:
    """A mentor who matched a skill and passed the availability filters SQL can apply."""

    member: CandidateMember
    skills: dict[str, SkillLevel]  # matched skill -> level
    sessions_recent: int  # sessions as mentor in the fairness window
    pings_answered: int
    pings_accepted: int
    pings_total: int
    in_meeting: bool = False  # a busy interval of their calendar overlaps the query's [now, meetings_until)


class MemberRepository:
    def __init__(self, session: AsyncSession, cached: CachedReads) -> None:
        self.s = session
        self.cached = cached

    async def get(self, member_id: str) -> Member | None:
        return await self.s.get(Member, member_id)

    async def by_ids(self, member_ids: Sequence[str]) -> list[Member]:
        if not member_ids:
            return []
        return list(await self.s.scalars(select(Member).where(col(Member.id).in_(list(member_ids)))))

    async def get_or_create(self, member_id: str) -> Member:
        member = await self.s.get(Member, member_id)
        if member is None:
            member = Member(id=member_id)
            self.s.add(member)
            await self.s.flush()
        return member

    async def skills_of(self, member_id: str) -> list[MemberSkill]:
        rows = await self.s.scalars(
            select(MemberSkill).where(col(MemberSkill.member_id) == member_id).order_by(col(MemberSkill.skill))
        )
        return list(rows)

    async def set_skill(self, member_id: str, skill: str, level: SkillLevel) -> bool:
        """Add or re-level a skill; True when it was new."""
        existing = await self.s.scalar(
            select(MemberSkill).where(col(MemberSkill.member_id) == member_id, col(MemberSkill.skill) == skill)
        )
        if existing is not None:
            existing.level = level
            return False
        member = await self.s.get(Member, member_id)
        pinged = member.last_pinged_at if member is not None and member.last_pinged_at is not None else NEVER_PINGED
        self.s.add(MemberSkill(member_id=member_id, skill=skill, level=level, last_pinged_at=pinged))
        return True

    async def remove_skill(self, member_id: str, skill: str) -> bool:
        result = await self.s.execute(
            delete(MemberSkill).where(col(MemberSkill.member_id) == member_id, col(MemberSkill.skill) == skill)
        )
        return rowcount(result) > 0

    async def vocabulary(self) -> frozenset[str]:
        """Every skill some mentor has: one index probe per distinct skill (see `_distinct`), kept while no skill
        changes (storage.database)."""
        return await self._kept_distinct("vocabulary", col(MemberSkill.skill), frozenset)

    async def count(self) -> int:
        return int(await self.s.scalar(select(func.count()).select_from(Member)) or 0)

    async def zones(self) -> tuple[str, ...]:
        """Every time zone some member is in: the routing query needs their local clocks."""
        return await self._kept_distinct("zones", col(Member.tz), tuple)

    async def _kept_distinct(self, key: str, column: Mapped[str], kind: type[Kept]) -> Kept:
        """`_distinct` of `column`, kept under `key` while the data version stands (storage.database)."""
        if (kept := await self.cached.kept(key, kind)) is not None:
            return kept
        values = kind(await self._distinct(column))
        self.cached.keep(key, values)
        return values

    async def _distinct(self, column: Mapped[str]) -> list[str]:
        """The distinct values of an indexed column, by a loose index scan: each step is `min(value) > previous`.

        A few hundred skills among tens of thousands of rows: PostgreSQL's DISTINCT reads and hashes every row, while
        this takes one index probe per distinct value; SQLite is as quick either way. The recursion ends when no larger
        value is left (`min` of nothing is NULL).
        """
        first = select(func.min(column).label("value"))
        walk = first.cte("walk", recursive=True)
        larger = select(func.min(column)).where(column > walk.c.value).scalar_subquery()
        walk = walk.union_all(select(larger).where(walk.c.value.is_not(None)))
        return list(await self.s.scalars(select(walk.c.value).where(walk.c.value.is_not(None))))

    async def candidates(self, query: CandidateQuery) -> list[CandidateRow]:
        """One page of the best-placed mentors who can be pinged now, with what the final ranking needs, best placed
        first: the members, which of the matched skills each holds at which level, their recent sessions and their
        ping record. One statement: the shortlist picks the page, and the same statement loads it."""
        if not query.quality and not query.mentors:
            return []
        # On the session's connection: plain rows, without the ORM's loading of results (a third of a millisecond).
        # A connection does not flush the session as its execute would: pings added in this unit of work must count.
        await self.s.flush()
        loaded = await (await self.s.connection()).execute(*candidates_statement(query))
        rows: dict[str, CandidateRow] = {}
        for member_id, tz, start, end, cap, pinged, skill, level, n, total, answered, accepted, meeting in loaded.all():
            row = rows.setdefault(
                member_id,
                CandidateRow(
                    member=CandidateMember(member_id, tz, start, end, cap, pinged),
                    skills={},
                    sessions_recent=int(n or 0),
                    pings_answered=int(answered or 0),
                    pings_accepted=int(accepted or 0),
                    pings_total=int(total or 0),
                    in_meeting=bool(meeting),
                ),
            )
            if skill is not None:
                row.skills[skill] = level
        return list(rows.values())

    async def mark_pinged(self, member_ids: Sequence[str], at: datetime) -> None:
        """Their last ping, on the member and on the copies routing orders by."""
        if not member_ids:
            return
        ids = list(member_ids)
        await self.s.execute(update(Member).where(col(Member.id).in_(ids)).values(last_pinged_at=at))
        await self.s.execute(update(MemberSkill).where(col(MemberSkill.member_id).in_(ids)).values(last_pinged_at=at))


def candidates_statement(page: CandidateQuery) -> tuple[Select[Any], dict[str, Any]]:
    """The statement for this page's shape, and the parameters that pick the page and load it."""
    pairs = list(page.quality.items())
    # At the asked level first, then by match quality; pairs that tie share a tier. People named by their evidence
    # hold no level, so they come after those at an asked one.
    evidence_place = (page.prefer_level is not None, -max(page.mentors.values(), default=0.0))
    places = sorted({(level != page.prefer_level, -weight) for (_, level), weight in pairs} | {evidence_place})
    params: dict[str, Any] = {
        "requester": page.requester_id,
        "request": page.request_id,
        "now": page.now,
        "depth": page.offset + page.limit,
        "limit": page.limit,
        "offset": page.offset,
        "since": page.since,
        "record_since": page.now - PING_RECORD,
        "meetings_until": page.meetings_until or page.now,
    }
    for i, ((skill, level), weight) in enumerate(pairs):
        params |= {
            f"skill_{i}": skill,
            f"level_{i}": level,
            f"tier_{i}": places.index((level != page.prefer_level, -weight)),
        }
    for i, (zone, clock) in enumerate(page.clocks.items()):
        params |= {f"zone_{i}": zone, f"clock_{i}": clock}
    if page.mentors:
        params |= {"mentor_ids": sorted(page.mentors), "tier_m": places.index(evidence_place), "never": NEVER_PINGED}
    return _statement(len(pairs), len(page.clocks), bool(page.mentors)), params


@lru_cache(maxsize=256)
def _statement(pairs: int, zones: int, named: bool) -> Select[Any]:
    now = bindparam("now", type_=UtcDateTime)
    active = col(FlashSession.state) == SessionState.ACTIVE
    # Everyone in a session and everyone already pinged for this request: a few dozen people, gathered once and
    # probed by a hash in every branch. (Anti-joins per branch made PostgreSQL's planning the larger cost.)
    busy = union_all(
        select(col(FlashSession.mentor_id).label("id")).where(active),
        select(col(FlashSession.requester_id)).where(active),
        select(col(Ping.mentor_id)).where(col(Ping.request_id) == bindparam("request", type_=Integer)),
    ).cte("busy")
    zone_clock = None
    hours_ok: ColumnElement[bool] = true()
    if zones:
        zone_clock = union_all(
            *(
                select(
                    bindparam(f"zone_{i}", type_=String).label("tz"),
                    bindparam(f"clock_{i}", type_=String).label("clock"),
                )
                for i in range(zones)
            )
        ).cte("zone_clock")
        hours_ok = _within_hours(zone_clock.c.clock)
    common = (
        col(Member.id) != bindparam("requester", type_=String),
        or_(col(Member.away).is_(False), and_(col(Member.away_until).is_not(None), col(Member.away_until) <= now)),
        or_(col(Member.snoozed_until).is_(None), col(Member.snoozed_until) <= now),
        hours_ok,
    )
    available = (*common, col(MemberSkill.member_id).not_in(select(busy.c.id)))
    branches = []
    for i in range(pairs):
        branch = select(
            col(MemberSkill.member_id),
            col(MemberSkill.last_pinged_at),
            bindparam(f"tier_{i}", type_=Integer).label("tier"),
        ).join(Member, col(Member.id) == col(MemberSkill.member_id))
        if zone_clock is not None:
            branch = branch.outerjoin(zone_clock, zone_clock.c.tz == col(Member.tz))
        branch = (
            branch.where(
                col(MemberSkill.skill) == bindparam(f"skill_{i}", type_=String),
                col(MemberSkill.level) == bindparam(f"level_{i}", type_=String),
                *available,
            )
            .order_by(col(MemberSkill.last_pinged_at), col(MemberSkill.member_id))
            .limit(bindparam("depth", type_=Integer))
        )
        branches.append(select(branch.subquery()))  # a LIMIT inside UNION ALL needs its own subquery on SQLite
    if named:  # people named by their evidence, whether or not they hold a matched skill
        never = bindparam("never", type_=UtcDateTime)
        last = func.coalesce(col(Member.last_pinged_at), never)
        branch = select(
            col(Member.id).label("member_id"),
            last.label("last_pinged_at"),
            bindparam("tier_m", type_=Integer).label("tier"),
        )
        if zone_clock is not None:
            branch = branch.outerjoin(zone_clock, zone_clock.c.tz == col(Member.tz))
        branch = (
            branch.where(
                col(Member.id).in_(bindparam("mentor_ids", expanding=True)),
                *common,
                col(Member.id).not_in(select(busy.c.id)),
            )
            .order_by(last, col(Member.id))
            .limit(bindparam("depth", type_=Integer))
        )
        branches.append(select(branch.subquery()))
    # The first `depth` of each branch are enough to place a page exactly: whoever is ahead of a member in their
    # best branch is ahead of them overall. last_pinged_at is the same on all of a member's rows.
    found = union_all(*branches).subquery("found")
    tier = func.min(found.c.tier)
    picked = (
        select(found.c.member_id, tier.label("tier"), found.c.last_pinged_at)
        .group_by(found.c.member_id, found.c.last_pinged_at)
        .order_by(tier, found.c.last_pinged_at, found.c.member_id)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .cte("page")
    )
    return _page(picked, pairs)


def _within_hours(local: ColumnElement[str]) -> ColumnElement[bool]:
    """Working hours against the member's local clock ("HH:MM", NULL for a zone the caller did not give).

    Spans whose end is before their start run overnight, as in bot.domain.availability.WorkingHours.
    """
    start, end = col(Member.hours_start), col(Member.hours_end)
    return or_(
        start.is_(None),
        end.is_(None),
        local.is_(None),
        and_(start < end, local >= start, local < end),
        and_(start >= end, or_(local >= start, local < end)),
    )


def _page(picked: CTE, pairs: int) -> Select[Any]:
    """The page the shortlist `picked` loaded for ranking, best placed first, with parameters `skill_0` to the last
    of the `pairs`, `since`, `record_since` and `meetings_until`: a row per matched skill a member holds (joined by
    member, on the unique index of member and skill) or one with none for a member named by their evidence alone,
    with their sessions since `since`, their record of answering pings, and whether their calendar has them busy
    between `now` and `meetings_until`.

    The counts are subqueries of each row, each a range of one index (mentor, time): a page is a few dozen people,
    and aggregating the tables for the page's members first cost SQLite a third of the statement (materialising
    each aggregate and indexing it to join)."""
    member = picked.c.member_id
    since = bindparam("since", type_=UtcDateTime)
    record_since = bindparam("record_since", type_=UtcDateTime)
    sessions = (
        select(func.count())
        .where(col(FlashSession.mentor_id) == member, col(FlashSession.started_at) >= since)
        .scalar_subquery()
    )

    def pings(counted: ColumnElement[Any]) -> ColumnElement[Any]:
        """`counted` over the member's pings since `record_since`."""
        return (
            select(counted).where(col(Ping.mentor_id) == member, col(Ping.created_at) >= record_since).scalar_subquery()
        )

    # Busy at some time in [now, meetings_until): an interval ending after its start and starting before its end.
    meeting = (
        select(col(CalendarBusy.id))
        .where(
            col(CalendarBusy.member_id) == member,
            col(CalendarBusy.ends_at) > bindparam("now", type_=UtcDateTime),
            col(CalendarBusy.starts_at) < bindparam("meetings_until", type_=UtcDateTime),
        )
        .exists()
    )
    # Equalities, not an IN list: SQLAlchemy renders a literal IN list as an expanding parameter, and so the whole
    # statement's text again at every run.
    answered = or_(*(col(Ping.state) == state for state in (PingState.ACCEPTED, PingState.DECLINED, PingState.SNOOZED)))
    # The matched skills are the pairs' (each twice, once per level): a fixed list of the statement's own parameters,
    # where an expanding one would have SQLAlchemy render the statement's text again at every run.
    held = (col(MemberSkill.member_id) == col(Member.id)) & col(MemberSkill.skill).in_(
        [bindparam(f"skill_{i}", type_=String) for i in range(pairs)]
    )
    return (
        select(
            col(Member.id),
            col(Member.tz),
            col(Member.hours_start),
            col(Member.hours_end),
            col(Member.weekly_cap),
            col(Member.last_pinged_at),
            col(MemberSkill.skill),
            col(MemberSkill.level),
            sessions.label("n"),
            pings(func.count()).label("total"),
            pings(func.sum(case((answered, 1), else_=0))).label("answered"),
            pings(func.sum(case((col(Ping.state) == PingState.ACCEPTED, 1), else_=0))).label("accepted"),
            meeting.label("in_meeting"),
        )
        .select_from(picked)
        .join(Member, col(Member.id) == member)
        .outerjoin(MemberSkill, held)
        .order_by(picked.c.tier, picked.c.last_pinged_at, member, col(MemberSkill.skill))
    )


Interval = tuple[datetime, datetime]


class CalendarRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def feed(self, member_id: str) -> CalendarFeed | None:
        return await self.s.get(CalendarFeed, member_id)

    async def feeds(self) -> list[CalendarFeed]:
        return list(await self.s.scalars(select(CalendarFeed).order_by(col(CalendarFeed.member_id))))

    def add(self, feed: CalendarFeed) -> CalendarFeed:
        self.s.add(feed)
        return feed

    async def remove(self, member_id: str) -> bool:
        """The feed and its busy intervals."""
        await self.s.execute(delete(CalendarBusy).where(col(CalendarBusy.member_id) == member_id))
        result = await self.s.execute(delete(CalendarFeed).where(col(CalendarFeed.member_id) == member_id))
        return rowcount(result) > 0

    async def replace_busy(self, member_id: str, intervals: Sequence[Interval]) -> None:
        await self.s.execute(delete(CalendarBusy).where(col(CalendarBusy.member_id) == member_id))
        self.s.add_all(CalendarBusy(member_id=member_id, starts_at=s, ends_at=e) for s, e in intervals)

    async def busy(self, member_ids: Sequence[str], start: datetime, end: datetime) -> dict[str, list[Interval]]:
        """Each member's busy intervals that overlap [start, end), in order."""
        found: dict[str, list[Interval]] = defaultdict(list)
        if not member_ids:
            return found
        rows = await self.s.execute(
            select(col(CalendarBusy.member_id), col(CalendarBusy.starts_at), col(CalendarBusy.ends_at))
            .where(
                col(CalendarBusy.member_id).in_(list(member_ids)),
                col(CalendarBusy.ends_at) > start,
                col(CalendarBusy.starts_at) < end,
            )
            .order_by(col(CalendarBusy.member_id), col(CalendarBusy.starts_at))
        )
        for member_id, starts_at, ends_at in rows.all():
            found[member_id].append((starts_at, ends_at))
        return found
