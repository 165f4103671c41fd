"""The delivery ledger on both engines: one claim per key however many deliveries race, and old keys pruned."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from bot.runtime.work_gate import KEEP, DeliveryLedger
from storage.database import Database
from storage.models import SlackDelivery, utcnow


async def test_a_key_is_claimed_once_even_by_racing_deliveries(db: Database) -> None:
    ledger = DeliveryLedger(db)
    claims = await asyncio.gather(*(ledger.first("event:Ev1") for _ in range(5)))
    assert sorted(claims) == [False, False, False, False, True]
    assert await ledger.first("event:Ev2")


async def test_keys_older_than_any_redelivery_are_pruned(db: Database) -> None:
    async with db.uow() as uow:
        uow.db_session.add(SlackDelivery(key="event:old", received_at=utcnow() - KEEP - timedelta(minutes=1)))
        uow.db_session.add(SlackDelivery(key="event:recent", received_at=utcnow() - timedelta(minutes=5)))
        await uow.commit()
    assert await DeliveryLedger(db).first("event:new")
    async with db.uow(readonly=True) as uow:
        kept = set(await uow.db_session.scalars(select(col(SlackDelivery.key))))
    assert kept == {"event:recent", "event:new"}
