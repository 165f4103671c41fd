from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import FlashSession, Member, MemberSkill, Ping, PingState, SessionState
from storage.sql import rowcount


@dataclass(frozen=True)
class CandidateQuery:
    """Who may be pinged for a request now, and one page of them.

    `quality` weighs each matching (skill, level); `clocks` is each zone's local "HH:MM" now, so working hours
    (stored as "HH:MM" in the member's zone) compare as strings in SQL. A zone missing from `clocks` passes, and the
    caller checks hours exactly.
    """

    quality: Mapping[tuple[str, str], float]
    prefer_level: str | None
    clocks: Mapping[str, str]
    requester_id: str
    request_id: int
    now: datetime
    since: datetime  # sessions given since then count for fairness
    limit: int
    offset: int = 0


@dataclass(frozen=True)
class CandidateRow:
    """A mentor who matched a skill and passed the availability filters SQL can apply."""

    member: Member
    skills: dict[str, str]  # matched skill -> level
    sessions_recent: int  # sessions as mentor in the fairness window
    pings_answered: int
    pings_accepted: int
    pings_total: int


class MemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

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

    async def set_skill(self, member_id: str, skill: str, level: str) -> bool:
        """Add or re-level a skill; True when it was new."""
        existing = await self.s.scalar(
            select(MemberSkill).where(col(MemberSkill.member_id) == member_id, col(MemberSkill.skill) == skill)
        )
        if existing is not None:
            existing.level = level
            return False
        self.s.add(MemberSkill(member_id=member_id, skill=skill, level=level))
        return True

    async def remove_skill(self, member_id: str, skill: str) -> bool:
        result = await self.s.execute(
            delete(MemberSkill).where(col(MemberSkill.member_id) == member_id, col(MemberSkill.skill) == skill)
        )
        return rowcount(result) > 0

    async def vocabulary(self) -> list[str]:
        """Every skill some mentor has (served by the skill index)."""
        return list(await self.s.scalars(select(col(MemberSkill.skill)).distinct()))

    async def count(self) -> int:
        return int(await self.s.scalar(select(func.count()).select_from(Member)) or 0)

    async def zones(self) -> list[str]:
        """Every time zone some member is in (served by the tz index): the routing query needs their local clocks."""
        return list(await self.s.scalars(select(col(Member.tz)).distinct()))

    async def candidates(self, query: CandidateQuery) -> list[CandidateRow]:
        """One page of the best-placed mentors who can be pinged now, with what the final ranking needs.

        One grouped query filters every mentor holding a matched skill (away, snoozed, in a session, the requester,
        pinged already, outside their hours) and keeps a page ordered by the asked level, match quality and longest
        since their last ping; the rest is loaded for that page only.
        """
        if not query.quality:
            return []
        ids = await self._shortlist(query)
        if not ids:
            return []
        members = {m.id: m for m in await self.by_ids(ids)}
        matched: dict[str, dict[str, str]] = {mid: {} for mid in ids}
        skills = sorted({skill for skill, _ in query.quality})
        held = await self.s.execute(
            select(col(MemberSkill.member_id), col(MemberSkill.skill), col(MemberSkill.level)).where(
                col(MemberSkill.member_id).in_(ids), col(MemberSkill.skill).in_(skills)
            )
        )
        for member_id, skill, level in held.all():
            matched[member_id][skill] = level
        sessions = await self._count_by_mentor(
            select(col(FlashSession.mentor_id), func.count())
            .where(col(FlashSession.mentor_id).in_(ids), col(FlashSession.started_at) >= query.since)
            .group_by(col(FlashSession.mentor_id))
        )
        ping_stats = await self._ping_stats(ids, query.now)
        return [
            CandidateRow(
                member=members[mid],
                skills=matched[mid],
                sessions_recent=sessions.get(mid, 0),
                pings_answered=ping_stats.get(mid, (0, 0, 0))[1],
                pings_accepted=ping_stats.get(mid, (0, 0, 0))[2],
                pings_total=ping_stats.get(mid, (0, 0, 0))[0],
            )
            for mid in ids
        ]

    async def _shortlist(self, query: CandidateQuery) -> list[str]:
        now = query.now
        # Two EXISTS rather than one with OR: each is then a lookup in its own (person, state) index.
        mentoring = exists().where(
            col(FlashSession.mentor_id) == col(Member.id), col(FlashSession.state) == SessionState.ACTIVE
        )
        asking = exists().where(
            col(FlashSession.requester_id) == col(Member.id), col(FlashSession.state) == SessionState.ACTIVE
        )
        already_pinged = exists().where(col(Ping.request_id) == query.request_id, col(Ping.mentor_id) == col(Member.id))
        skill, level = col(MemberSkill.skill), col(MemberSkill.level)
        weight = case(*[(and_(skill == s, level == lv), w) for (s, lv), w in query.quality.items()], else_=0.0)
        order: list[Any] = []
        if query.prefer_level is not None:
            order.append(func.max(case((level == query.prefer_level, 1), else_=0)).desc())
        order += [func.max(weight).desc(), col(Member.last_pinged_at).asc().nulls_first(), col(Member.id)]
        stmt = select(col(Member.id)).join(MemberSkill, col(MemberSkill.member_id) == col(Member.id))
        hours_ok: ColumnElement[bool] = true()
        if query.clocks:
            # Each zone's clock joined once per row, rather than a CASE over every zone wherever it is compared.
            zone_clock = union_all(
                *(
                    select(literal(tz, String).label("tz"), literal(at, String).label("clock"))
                    for tz, at in query.clocks.items()
                )
            ).subquery("zone_clock")
            stmt = stmt.outerjoin(zone_clock, zone_clock.c.tz == col(Member.tz))
            hours_ok = _within_hours(zone_clock.c.clock)
        stmt = (
            stmt.where(
                skill.in_(sorted({s for s, _ in query.quality})),
                col(Member.id) != query.requester_id,
                or_(
                    col(Member.away).is_(False),
                    and_(col(Member.away_until).is_not(None), col(Member.away_until) <= now),
                ),
                or_(col(Member.snoozed_until).is_(None), col(Member.snoozed_until) <= now),
                hours_ok,
                ~mentoring,
                ~asking,
                ~already_pinged,
            )
            .group_by(col(Member.id), col(Member.last_pinged_at))
            .order_by(*order)
            .limit(query.limit)
            .offset(query.offset)
        )
        return list(await self.s.scalars(stmt))

    async def _ping_stats(self, ids: Sequence[str], now: datetime) -> dict[str, tuple[int, int, int]]:
        """(pings, answered, accepted) per mentor over the last 90 days: how they responded before."""
        answered_states = [PingState.ACCEPTED, PingState.DECLINED, PingState.SNOOZED]
        rows = await self.s.execute(
            select(
                col(Ping.mentor_id),
                func.count(),
                func.sum(case((col(Ping.state).in_(answered_states), 1), else_=0)),
                func.sum(case((col(Ping.state) == PingState.ACCEPTED, 1), else_=0)),
            )
            .where(col(Ping.mentor_id).in_(ids), col(Ping.created_at) >= now - timedelta(days=90))
            .group_by(col(Ping.mentor_id))
        )
        stats: dict[str, tuple[int, int, int]] = {}
        for mid, total, answered, accepted in rows.all():
            stats[mid] = (int(total or 0), int(answered or 0), int(accepted or 0))
        return stats

    async def _count_by_mentor(self, stmt: Select[str, int]) -> dict[str, int]:
        rows = await self.s.execute(stmt)
        return {mid: int(n) for mid, n in rows.all()}

    async def mark_pinged(self, member_ids: Sequence[str], at: datetime) -> None:
        for mid in member_ids:
            member = await self.s.get(Member, mid)
            if member is not None:
                member.last_pinged_at = at


def _within_hours(local: ColumnElement[str]) -> ColumnElement[bool]:
    """Working hours against the member's local clock ("HH:MM", NULL for a zone the caller did not give).

    Spans whose end is before their start run overnight, as in bot.hours.WorkingHours.
    """
    start, end = col(Member.hours_start), col(Member.hours_end)
    return or_(
        start.is_(None),
        end.is_(None),
        local.is_(None),
        and_(start < end, local >= start, local < end),
        and_(start >= end, or_(local >= start, local < end)),
    )
