"""`/burst delete-my-data`: forget a person while keeping the aggregates whole.

Rows that feed counts (requests, pings, sessions, events) stay, with the person's ID replaced by a pseudonym and
what they asked and where they talked removed (storage/repositories/privacy.py); their profile and skills go. So
last week's totals still add up, and nothing in the database leads back to them. First, what is in flight stops:
their open request is cancelled, their sessions in progress are closed (the other person is told; no follow-up
comes), and pings waiting for their answer are withdrawn so the search goes on without them.

The pseudonym is random and one per person forgotten: a shared one would merge two forgotten people into one in
counts of distinct people.
"""

from __future__ import annotations

import secrets

from bot.domain import event_kinds as ev
from bot.services.answering import AnswerService
from bot.services.sessions import SessionService
from storage.database import Database

FORGOTTEN_PREFIX = "UFORGOT"


def pseudonym() -> str:
    """A user-ID-shaped name no Slack user has, unique to one forgotten person."""
    return FORGOTTEN_PREFIX + secrets.token_hex(6).upper()


class PrivacyService:
    def __init__(self, db: Database, answers: AnswerService, sessions: SessionService) -> None:
        self.db = db
        self.answers = answers
        self.requests = answers.requests
        self.sessions = sessions

    async def forget(self, user_id: str) -> str:
        """Forget the person; returns the pseudonym their counted rows now carry."""
        await self.requests.cancel(user_id)  # stop pinging people on their behalf
        await self.sessions.close_for(user_id)
        async with self.db.uow(readonly=True) as uow:
            waiting = await uow.privacy.open_pings_of(user_id)
        for ping_id in waiting:
            await self.answers.decline(ping_id, user_id)
        alias = pseudonym()
        async with self.db.uow() as uow:
            await uow.privacy.forget(user_id, alias)
            uow.events.append(ev.DATA_DELETED)  # deliberately no actor
            await uow.commit()
        return alias
