from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import SlackDelivery
from storage.types import dialect, rowcount


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def claim(self, key: str, at: datetime) -> bool:
        """Record a delivery; False when it was already recorded (the primary key decides, across processes)."""
        insert = pg_insert if dialect(self.s) == "postgresql" else sqlite_insert
        result = await self.s.execute(
            insert(SlackDelivery).values(key=key, received_at=at).on_conflict_do_nothing(index_elements=["key"])
        )
        return rowcount(result) == 1

    async def forget_before(self, before: datetime) -> None:
        await self.s.execute(delete(SlackDelivery).where(col(SlackDelivery.received_at) < before))
