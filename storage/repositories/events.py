"""What happened: the interaction log, and which Slack deliveries were seen (claimed by Slack's id for each, so a
redelivery is recognised in whichever process it reaches; pruned once too old to be redelivered)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import InteractionEvent, SlackDelivery, dialect, rowcount, utcnow


class EventRepository:
    """The interaction log. Append-only: there is deliberately no update method."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session
        self._appended: list[InteractionEvent] = []

    def take_appended(self) -> list[InteractionEvent]:
        """The events appended since the last call (the unit of work hands them on once committed)."""
        taken, self._appended = self._appended, []
        return taken

    def append(
        self,
        kind: str,
        *,
        actor_id: str | None = None,
        request_id: int | None = None,
        session_id: int | None = None,
        at: datetime | None = None,
        **data: Any,
    ) -> InteractionEvent:
        event = InteractionEvent(
            kind=kind,
            actor_id=actor_id,
            request_id=request_id,
            session_id=session_id,
            at=at or utcnow(),
            data=data,
        )
        self.s.add(event)
        self._appended.append(event)
        return event

    async def for_request(self, request_id: int) -> list[InteractionEvent]:
        rows = await self.s.scalars(
            select(InteractionEvent)
            .where(col(InteractionEvent.request_id) == request_id)
            .order_by(col(InteractionEvent.id))
        )
        return list(rows)

    async def since(self, since: datetime, *, limit: int | None = None) -> list[InteractionEvent]:
        stmt = (
            select(InteractionEvent)
            .where(col(InteractionEvent.at) >= since)
            .order_by(col(InteractionEvent.at), col(InteractionEvent.id))
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(await self.s.scalars(stmt))

    async def has_followup_answer(self, session_id: int, outcome: str) -> bool:
        rows = await self.s.scalars(
            select(col(InteractionEvent.data)).where(
                col(InteractionEvent.session_id) == session_id, col(InteractionEvent.kind) == "followup.answered"
            )
        )
        return any(data.get("outcome") == outcome for data in rows)

    async def logged(self, session_id: int, kinds: Collection[str], **data: Any) -> bool:
        """Whether one of `kinds` is logged for the session with these data values (a step that happens once)."""
        rows = await self.s.scalars(
            select(col(InteractionEvent.data)).where(
                col(InteractionEvent.session_id) == session_id, col(InteractionEvent.kind).in_(list(kinds))
            )
        )
        return any(all(row.get(k) == v for k, v in data.items()) for row in rows)

    async def page(self, since: datetime, after_id: int, limit: int) -> list[InteractionEvent]:
        """One page of the log in id order (keyset pagination: steady cost however deep the export goes)."""
        rows = await self.s.scalars(
            select(InteractionEvent)
            .where(col(InteractionEvent.at) >= since, col(InteractionEvent.id) > after_id)
            .order_by(col(InteractionEvent.id))
            .limit(limit)
        )
        return list(rows)


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
