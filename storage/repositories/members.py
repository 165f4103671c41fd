"""Members: who they are, the skills they hold, the candidates a wave reads from them, and the calendars they keep
(a feed each and the busy intervals read from it, which screen a wave's candidates)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import (
    delete,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped
from sqlmodel import col

from storage.models import NEVER_PINGED, CalendarBusy, CalendarFeed, Member, MemberSkill, SkillLevel, rowcount
from storage.repositories.shortlist_sql import PING_RECORD, CandidateQuery, page_statement, shortlist

if TYPE_CHECKING:  # the unit of work makes the repositories, handing members its cached reads
    from storage.database import CachedReads

Kept = TypeVar("Kept", frozenset[str], tuple[str, ...])  # kept values are shared between requests: immutable


@dataclass(frozen=True)
class CandidateRow:
    """A mentor who matched a skill and passed the availability filters SQL can apply."""

    member: Member
    skills: dict[str, SkillLevel]  # matched skill -> level
    sessions_recent: int  # sessions as mentor in the fairness window
    pings_answered: int
    pings_accepted: int
    pings_total: int


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
        """One page of the best-placed mentors who can be pinged now, with what the final ranking needs.

        `_shortlist` picks the page; one more query loads it: the members, which of the matched skills each holds at
        which level, their recent sessions and their ping record.
        """
        if not query.quality and not query.mentors:
            return []
        ids = await self._shortlist(query)
        if not ids:
            return []
        loaded = await self.s.execute(
            page_statement(),
            {
                "ids": ids,
                "skills": sorted({skill for skill, _ in query.quality}),
                "since": query.since,
                "record_since": query.now - PING_RECORD,
            },
        )
        rows: dict[str, CandidateRow] = {}
        for member, skill, level, n, total, answered, accepted in loaded.all():
            row = rows.setdefault(
                member.id,
                CandidateRow(
                    member=member,
                    skills={},
                    sessions_recent=int(n or 0),
                    pings_answered=int(answered or 0),
                    pings_accepted=int(accepted or 0),
                    pings_total=int(total or 0),
                ),
            )
            if skill is not None:
                row.skills[skill] = level
        return [rows[mid] for mid in ids if mid in rows]

    async def _shortlist(self, query: CandidateQuery) -> list[str]:
        """The ids of one page, best placed first: at the asked level, by match quality, longest since a ping."""
        statement, params = shortlist(query)
        return list(await self.s.scalars(statement, params))

    async def mark_pinged(self, member_ids: Sequence[str], at: datetime) -> None:
        """Their last ping, on the member and on the copies routing orders by."""
        if not member_ids:
            return
        ids = list(member_ids)
        await self.s.execute(update(Member).where(col(Member.id).in_(ids)).values(last_pinged_at=at))
        await self.s.execute(update(MemberSkill).where(col(MemberSkill.member_id).in_(ids)).values(last_pinged_at=at))


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
