from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import CalendarBusy, CalendarFeed
from storage.types import rowcount

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
