from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import (
    CalendarBusy,
    CalendarFeed,
    Feedback,
    FlashSession,
    HelpRequest,
    InteractionEvent,
    Member,
    Ping,
)


class PrivacyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def forget(self, user_id: str, pseudonym: str) -> None:
        """Delete the profile (skills cascade); put a pseudonym where the ID fed counts; drop free text."""
        s = self.s
        # Their calendar address and busy times go first and explicitly, whatever the engine does with cascades.
        await s.execute(delete(CalendarBusy).where(col(CalendarBusy.member_id) == user_id))
        await s.execute(delete(CalendarFeed).where(col(CalendarFeed.member_id) == user_id))
        await s.execute(delete(Member).where(col(Member.id) == user_id))
        await s.execute(
            update(HelpRequest)
            .where(col(HelpRequest.requester_id) == user_id)
            .values(requester_id=pseudonym, details="")
        )
        await s.execute(update(HelpRequest).where(col(HelpRequest.mentor_id) == user_id).values(mentor_id=pseudonym))
        await s.execute(update(Ping).where(col(Ping.mentor_id) == user_id).values(mentor_id=pseudonym))
        await s.execute(
            update(FlashSession).where(col(FlashSession.requester_id) == user_id).values(requester_id=pseudonym)
        )
        await s.execute(update(FlashSession).where(col(FlashSession.mentor_id) == user_id).values(mentor_id=pseudonym))
        await s.execute(update(FlashSession).where(col(FlashSession.ended_by) == user_id).values(ended_by=pseudonym))
        await s.execute(update(Feedback).where(col(Feedback.member_id) == user_id).values(member_id=pseudonym, note=""))
        await s.execute(
            update(InteractionEvent).where(col(InteractionEvent.actor_id) == user_id).values(actor_id=pseudonym)
        )
