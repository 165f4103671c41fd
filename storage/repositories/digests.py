"""Aggregates for the weekly digest. Every query is bounded by a time range on an indexed column."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import DigestRun, Feedback, FlashSession, HelpRequest, InteractionEvent, Member, dialect, rowcount


class DigestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def claim(self, period: str, worker: str, now: datetime, lease: timedelta) -> bool:
        """Take the period: insert its row, or take over a claim older than `lease` that never posted.

        Only one process wins either way: the primary key decides the insert, a conditional UPDATE the takeover.
        """
        insert = pg_insert if dialect(self.s) == "postgresql" else sqlite_insert
        result = await self.s.execute(
            insert(DigestRun)
            .values(period=period, state="running", claimed_by=worker, claimed_at=now)
            .on_conflict_do_nothing(index_elements=["period"])
        )
        if rowcount(result) == 1:
            return True
        stale = await self.s.execute(
            update(DigestRun)
            .where(
                col(DigestRun.period) == period,
                col(DigestRun.state) == "running",
                col(DigestRun.claimed_at) < now - lease,
            )
            .values(claimed_by=worker, claimed_at=now)
        )
        return rowcount(stale) == 1

    async def unposted(self, period: str) -> bool:
        """No process has posted the period yet (it may be claimed, by a live process or a dead one)."""
        run = await self.s.get(DigestRun, period)
        return run is None or run.state != "posted"

    async def requests_between(self, start: datetime, end: datetime) -> Sequence[Any]:
        """(state, topic, skills, requester, anonymous, created_at, matched_at, gap) of the requests in the window."""
        rows = await self.s.execute(
            select(
                col(HelpRequest.state),
                col(HelpRequest.topic),
                col(HelpRequest.skills),
                col(HelpRequest.requester_id),
                col(HelpRequest.anonymous),
                col(HelpRequest.created_at),
                col(HelpRequest.matched_at),
                col(HelpRequest.gap),
            ).where(col(HelpRequest.created_at) >= start, col(HelpRequest.created_at) < end)
        )
        return rows.all()

    async def sessions_between(self, start: datetime, end: datetime) -> Sequence[Any]:
        rows = await self.s.execute(
            select(
                col(FlashSession.mentor_id),
                col(FlashSession.started_at),
                col(FlashSession.ended_at),
                col(FlashSession.ends_at),
            ).where(col(FlashSession.started_at) >= start, col(FlashSession.started_at) < end)
        )
        return rows.all()

    async def feedback_between(self, start: datetime, end: datetime) -> tuple[int, int]:
        rows = await self.s.execute(
            select(col(Feedback.helpful), func.count())
            .where(col(Feedback.created_at) >= start, col(Feedback.created_at) < end)
            .group_by(col(Feedback.helpful))
        )
        counts = {bool(helpful): int(n) for helpful, n in rows.all()}
        return counts.get(True, 0), counts.get(False, 0)

    async def latest_by_session(self, kind: str, start: datetime, end: datetime) -> dict[int, dict[str, Any]]:
        """Each session's last event of `kind` in the window: a requester may answer "still stuck", then "solved"."""
        rows = await self.s.execute(
            select(col(InteractionEvent.session_id), col(InteractionEvent.data))
            .where(
                col(InteractionEvent.kind) == kind,
                col(InteractionEvent.at) >= start,
                col(InteractionEvent.at) < end,
                col(InteractionEvent.session_id).is_not(None),
            )
            .order_by(col(InteractionEvent.at), col(InteractionEvent.id))
        )
        return {int(session_id): data for session_id, data in rows}

    async def count_events(self, kind: str, start: datetime, end: datetime) -> int:
        return int(
            await self.s.scalar(
                select(func.count())
                .select_from(InteractionEvent)
                .where(
                    col(InteractionEvent.kind) == kind,
                    col(InteractionEvent.at) >= start,
                    col(InteractionEvent.at) < end,
                )
            )
            or 0
        )

    async def thanked_names(self, member_ids: Sequence[str]) -> set[str]:
        """Of these mentors, the ones who opted in to being named."""
        if not member_ids:
            return set()
        rows = await self.s.scalars(
            select(col(Member.id)).where(col(Member.id).in_(list(member_ids)), col(Member.thanks_opt_in).is_(True))
        )
        return set(rows)

    async def mark_posted(self, period: str, at: datetime) -> None:
        run = await self.s.get(DigestRun, period)
        if run is not None:
            run.state, run.posted_at = "posted", at

    async def first_event_at(self) -> datetime | None:
        return await self.s.scalar(select(func.min(col(InteractionEvent.at))))

    async def release(self, period: str) -> None:
        run = await self.s.get(DigestRun, period)
        if run is not None:
            await self.s.delete(run)
