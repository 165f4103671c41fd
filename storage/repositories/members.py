from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, case, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import FlashSession, Member, MemberSkill, Ping, PingState, SessionState
from storage.sql import rowcount


@dataclass(frozen=True)
class MentorFacts:
    """What ranking reads of a candidate mentor: plain columns, not a Member entity.

    Loading hundreds of ORM entities per request (a popular skill) was most of the CPU of routing it.
    """

    id: str
    tz: str
    hours_start: str | None
    hours_end: str | None
    weekly_cap: int | None
    last_pinged_at: datetime | None


@dataclass(frozen=True)
class CandidateRow:
    """A mentor who matched a skill and passed the availability filters SQL can apply."""

    member: MentorFacts | Member
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

    async def candidates(
        self,
        *,
        skills: Collection[str],
        requester_id: str,
        request_id: int,
        now: datetime,
        fairness_window: timedelta,
    ) -> list[CandidateRow]:
        """Mentors with one of `skills` who are not away, snoozed, in a session, the requester, or pinged already.

        Working hours (time-zone arithmetic) and the weekly cap are checked by the caller on this smaller set.
        """
        if not skills:
            return []
        in_session = exists().where(
            col(FlashSession.state) == SessionState.ACTIVE,
            or_(col(FlashSession.mentor_id) == col(Member.id), col(FlashSession.requester_id) == col(Member.id)),
        )
        already_pinged = exists().where(col(Ping.request_id) == request_id, col(Ping.mentor_id) == col(Member.id))
        stmt = (
            select(
                col(Member.id),
                col(Member.tz),
                col(Member.hours_start),
                col(Member.hours_end),
                col(Member.weekly_cap),
                col(Member.last_pinged_at),
                col(MemberSkill.skill),
                col(MemberSkill.level),
            )
            .join(MemberSkill, col(MemberSkill.member_id) == col(Member.id))
            .where(
                col(MemberSkill.skill).in_(list(skills)),
                col(Member.id) != requester_id,
                or_(
                    col(Member.away).is_(False),
                    and_(col(Member.away_until).is_not(None), col(Member.away_until) <= now),
                ),
                or_(col(Member.snoozed_until).is_(None), col(Member.snoozed_until) <= now),
                ~in_session,
                ~already_pinged,
            )
        )
        by_member: dict[str, tuple[MentorFacts, dict[str, str]]] = {}
        for mid, tz, start, end, cap, last, skill, level in (await self.s.execute(stmt)).all():
            if mid not in by_member:
                by_member[mid] = (MentorFacts(mid, tz, start, end, cap, last), {})
            by_member[mid][1][skill] = level
        if not by_member:
            return []
        ids = list(by_member)
        since = now - fairness_window
        sessions = await self._count_by_mentor(
            select(col(FlashSession.mentor_id), func.count())
            .where(col(FlashSession.mentor_id).in_(ids), col(FlashSession.started_at) >= since)
            .group_by(col(FlashSession.mentor_id))
        )
        answered_states = [PingState.ACCEPTED, PingState.DECLINED, PingState.SNOOZED]
        ping_stats: dict[str, tuple[int, int, int]] = {}
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
        for mentor_id, total, answered, accepted in rows.all():
            ping_stats[mentor_id] = (int(total or 0), int(answered or 0), int(accepted or 0))
        result = []
        for mid, (member, matched) in by_member.items():
            total, answered, accepted = ping_stats.get(mid, (0, 0, 0))
            result.append(
                CandidateRow(
                    member=member,
                    skills=matched,
                    sessions_recent=sessions.get(mid, 0),
                    pings_answered=answered,
                    pings_accepted=accepted,
                    pings_total=total,
                )
            )
        return result

    async def _count_by_mentor(self, stmt: Select[str, int]) -> dict[str, int]:
        rows = await self.s.execute(stmt)
        return {mid: int(n) for mid, n in rows.all()}

    async def mark_pinged(self, member_ids: Sequence[str], at: datetime) -> None:
        # One statement: candidates() no longer loads the Member entities, so a get() each would be a query each.
        if member_ids:
            await self.s.execute(update(Member).where(col(Member.id).in_(list(member_ids))).values(last_pinged_at=at))
