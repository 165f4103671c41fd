"""Act on each Slack delivery once, however often Slack delivers it.

Slack redelivers what it thinks went unanswered: Events API retries, Socket Mode redeliveries after a reconnect,
and a retry may reach another process. A handler claims the delivery's id right after its ack and before it acts;
a redelivery finds the claim and is dropped, so nobody sees a second reply, ping or session end. The claim comes
after the ack so the ack stays free of database work. What a delivery creates keeps its own natural key as well
(a request's dedup key, a ping per request and mentor), so a claim lost to a crash cannot double anything either.
"""

from __future__ import annotations

from datetime import timedelta

from storage.database import Database
from storage.types import utcnow

# Slack redelivers within minutes (the Events API after about 1 and 5 minutes); older claims are pruned.
KEEP = timedelta(hours=1)


class DeliveryLedger:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def first(self, key: str) -> bool:
        """True for the first delivery with this key, False for every redelivery of it."""
        now = utcnow()
        async with self.db.uow() as uow:
            fresh = await uow.deliveries.claim(key, now)
            if fresh:
                await uow.deliveries.forget_before(now - KEEP)
            await uow.commit()
        return fresh
