"""`/burst delete-my-data`: forget a person while keeping the aggregates whole.

Rows that feed counts (requests, pings, sessions, events) stay, with the person's ID replaced by a pseudonym and
their free text removed; their profile and skills go. So last week's digest still adds up, and nothing in it
leads back to them.
"""

from __future__ import annotations

from bot import event_kinds as ev
from bot.requests import RequestService
from storage.database import Database

FORGOTTEN = "U_FORGOTTEN"


class PrivacyService:
    def __init__(self, db: Database, requests: RequestService) -> None:
        self.db = db
        self.requests = requests

    async def forget(self, user_id: str) -> None:
        await self.requests.cancel(user_id)  # stop pinging people on their behalf
        async with self.db.uow() as uow:
            await uow.privacy.forget(user_id, FORGOTTEN)
            uow.events.append(ev.DATA_DELETED)  # deliberately no actor
            await uow.commit()
