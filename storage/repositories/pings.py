from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Ping, PingState
from storage.sql import rowcount


class PingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    def add(self, ping: Ping) -> Ping:
        self.s.add(ping)
        return ping

    async def get(self, ping_id: int) -> Ping | None:
        return await self.s.get(Ping, ping_id)

    async def for_request(self, request_id: int) -> list[Ping]:
        rows = await self.s.scalars(select(Ping).where(col(Ping.request_id) == request_id).order_by(col(Ping.id)))
        return list(rows)

    async def find(self, request_id: int, mentor_id: str) -> Ping | None:
        return await self.s.scalar(
            select(Ping).where(col(Ping.request_id) == request_id, col(Ping.mentor_id) == mentor_id)
        )

    async def answer(self, ping_id: int, state: str, at: datetime) -> bool:
        """Record a mentor's answer to a ping still waiting for one; False if it was answered or closed already."""
        result = await self.s.execute(
            update(Ping)
            .where(col(Ping.id) == ping_id, col(Ping.state) == PingState.SENT)
            .values(state=state, responded_at=at)
        )
        return rowcount(result) == 1

    async def close_open(self, request_id: int, state: str, except_ids: Collection[int] = ()) -> list[Ping]:
        """Mark every still-waiting ping of a request (taken or expired) and return them for message updates."""
        pings = [p for p in await self.for_request(request_id) if p.state == PingState.SENT and p.id not in except_ids]
        for p in pings:
            p.state = state
        return pings

    async def set_message(self, ping_id: int, channel_id: str, ts: str) -> None:
        await self.s.execute(update(Ping).where(col(Ping.id) == ping_id).values(channel_id=channel_id, message_ts=ts))
