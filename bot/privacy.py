"""`/burst delete-my-data`: forget a person while keeping the aggregates whole.

Rows that feed counts (requests, pings, sessions, events) stay, with the person's ID replaced by a pseudonym and
their free text removed; their profile and skills go. So last week's digest still adds up, and nothing in it
leads back to them. The pseudonym is random and one per person forgotten: a shared one would merge two forgotten
people into one, and change counts of distinct people (the digest's "asked by at least three people").
"""

from __future__ import annotations

import secrets

from bot import event_kinds as ev
from bot.requests import RequestService
from storage.database import Database

FORGOTTEN_PREFIX = "UFORGOT"


def pseudonym() -> str:
    """A user-ID-shaped name no Slack user has, unique to one forgotten person."""
    return FORGOTTEN_PREFIX + secrets.token_hex(6).upper()


class PrivacyService:
    def __init__(self, db: Database, requests: RequestService) -> None:
        self.db = db
        self.requests = requests

    async def forget(self, user_id: str) -> str:
        """Forget the person; returns the pseudonym their counted rows now carry."""
        await self.requests.cancel(user_id)  # stop pinging people on their behalf
        alias = pseudonym()
        async with self.db.uow() as uow:
            await uow.privacy.forget(user_id, alias)
            uow.events.append(ev.DATA_DELETED)  # deliberately no actor
            await uow.commit()
        return alias
