from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Feedback, FlashSession, HelpRequest, SessionState, rowcount


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    def add(self, flash: FlashSession) -> FlashSession:
        self.s.add(flash)
        return flash

    async def get(self, session_id: int, *, lock: bool = False) -> FlashSession | None:
        """`lock`: hold the row until the commit (PostgreSQL; SQLite's write transactions are serial already)."""
        return await self.s.get(FlashSession, session_id, with_for_update=lock or None)

    async def with_request(self, session_id: int) -> tuple[FlashSession, HelpRequest] | None:
        """A session and the request it answers, in one query."""
        row = (
            await self.s.execute(
                select(FlashSession, HelpRequest)
                .join(HelpRequest, col(HelpRequest.id) == col(FlashSession.request_id))
                .where(col(FlashSession.id) == session_id)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def count_active(self) -> int:
        total = await self.s.scalar(
            select(func.count()).select_from(FlashSession).where(col(FlashSession.state) == SessionState.ACTIVE)
        )
        return int(total or 0)

    async def active_for(self, member_id: str) -> list[FlashSession]:
        rows = await self.s.scalars(
            select(FlashSession).where(
                col(FlashSession.state) == SessionState.ACTIVE,
                (col(FlashSession.mentor_id) == member_id) | (col(FlashSession.requester_id) == member_id),
            )
        )
        return list(rows)

    async def mark_ended(self, session_id: int, at: datetime, by: str | None) -> bool:
        """End an active session; False if it had ended already (a timer and a click may race)."""
        result = await self.s.execute(
            update(FlashSession)
            .where(col(FlashSession.id) == session_id, col(FlashSession.state) == SessionState.ACTIVE)
            .values(state=SessionState.ENDED, ended_at=at, ended_by=by)
        )
        return rowcount(result) == 1

    async def feedback_of(self, session_id: int, member_id: str) -> Feedback | None:
        return await self.s.scalar(
            select(Feedback).where(col(Feedback.session_id) == session_id, col(Feedback.member_id) == member_id)
        )

    async def count_as_mentor(self, member_id: str, since: datetime | None = None) -> int:
        """Sessions this person has given (since a moment, for the weekly cap), for the thank-you's running count."""
        query = select(func.count()).select_from(FlashSession).where(col(FlashSession.mentor_id) == member_id)
        if since is not None:
            query = query.where(col(FlashSession.started_at) >= since)
        return int(await self.s.scalar(query) or 0)
