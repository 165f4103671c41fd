"""A help request and its pings: the request from asked to matched or closed, wave by wave, and each mentor's ping
about it, from sent to answered."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import LIVE_REQUEST_STATES, HelpRequest, Ping, PingState, RequestState, rowcount

# UPDATE ... RETURNING hands back rows as they are now, also for pings this session had loaded before.
_FRESH = {"synchronize_session": False, "populate_existing": True}


class RequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    def add(self, request: HelpRequest) -> HelpRequest:
        self.s.add(request)
        return request

    async def get(self, request_id: int) -> HelpRequest | None:
        return await self.s.get(HelpRequest, request_id)

    async def by_dedup_key(self, key: str) -> HelpRequest | None:
        return await self.s.scalar(select(HelpRequest).where(col(HelpRequest.dedup_key) == key))

    async def asked_since(self, requester_id: str, since: datetime) -> list[HelpRequest]:
        """This person's requests since `since`, oldest first (cancelled and expired ones included)."""
        rows = await self.s.scalars(
            select(HelpRequest)
            .where(col(HelpRequest.requester_id) == requester_id, col(HelpRequest.created_at) > since)
            .order_by(col(HelpRequest.created_at))
        )
        return list(rows)

    async def open_for(self, requester_id: str) -> list[HelpRequest]:
        rows = await self.s.scalars(
            select(HelpRequest)
            .where(col(HelpRequest.requester_id) == requester_id, col(HelpRequest.state).in_(LIVE_REQUEST_STATES))
            .order_by(col(HelpRequest.created_at))
        )
        return list(rows)

    async def claim_match(self, request_id: int, mentor_id: str, at: datetime) -> bool:
        """First accept wins: one conditional UPDATE; the rowcount says who won, across processes."""
        result = await self.s.execute(
            update(HelpRequest)
            .where(col(HelpRequest.id) == request_id, col(HelpRequest.state) == RequestState.OPEN)
            .values(state=RequestState.MATCHED, mentor_id=mentor_id, matched_at=at)
        )
        return rowcount(result) == 1

    async def close(self, request_id: int, state: RequestState, at: datetime) -> bool:
        """Move a live request (open, or asking which skill was meant) to a final state (expired, cancelled); False if
        it was no longer live."""
        result = await self.s.execute(
            update(HelpRequest)
            .where(col(HelpRequest.id) == request_id, col(HelpRequest.state).in_(LIVE_REQUEST_STATES))
            .values(state=state, closed_at=at)
        )
        return rowcount(result) == 1

    async def set_wave(self, request_id: int, wave: int) -> bool:
        """Move the request on to `wave`; False if it is there already (another run of the same wave won)."""
        result = await self.s.execute(
            update(HelpRequest).where(col(HelpRequest.id) == request_id, col(HelpRequest.wave) < wave).values(wave=wave)
        )
        return rowcount(result) == 1

    async def set_status_message(self, request_id: int, channel: str, ts: str) -> None:
        """Remember where the requester's status message is, so each later step edits it instead of posting."""
        await self.s.execute(
            update(HelpRequest).where(col(HelpRequest.id) == request_id).values(status_channel=channel, status_ts=ts)
        )

    async def recent_for(self, member_id: str, limit: int = 5) -> list[HelpRequest]:
        """The person's latest requests, as requester or as the mentor who took them."""
        rows = await self.s.scalars(
            select(HelpRequest)
            .where((col(HelpRequest.requester_id) == member_id) | (col(HelpRequest.mentor_id) == member_id))
            .order_by(col(HelpRequest.created_at).desc())
            .limit(limit)
        )
        return list(rows)


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

    async def answer(self, ping_id: int, state: PingState, at: datetime, *, waiting_only: bool = True) -> Ping | None:
        """Record a mentor's answer; None if the ping was answered or closed already (unless not `waiting_only`).

        The ping comes back as it is after the update, with its message if that is known by now: a ping answered
        while its DM was still being sent is rewritten by whichever side learns of the other second (see
        `set_message`), and an UPDATE waits for a concurrent one on the same row, so one of them always does.
        """
        stmt = update(Ping).where(col(Ping.id) == ping_id)
        if waiting_only:
            stmt = stmt.where(col(Ping.state) == PingState.SENT)
        rows = await self.s.scalars(stmt.values(state=state, responded_at=at).returning(Ping), execution_options=_FRESH)
        return rows.one_or_none()

    async def close_open(self, request_id: int, state: PingState, except_ids: Collection[int] = ()) -> list[Ping]:
        """Mark every still-waiting ping of a request (taken or expired) and return them for message updates."""
        stmt = update(Ping).where(col(Ping.request_id) == request_id, col(Ping.state) == PingState.SENT)
        if except_ids:
            stmt = stmt.where(col(Ping.id).not_in(list(except_ids)))
        return list(await self.s.scalars(stmt.values(state=state).returning(Ping), execution_options=_FRESH))

    async def set_message(self, ping_id: int, channel_id: str, ts: str) -> PingState | None:
        """Remember where the ping's DM is; returns the ping's state, so a ping answered meanwhile gets rewritten."""
        result = await self.s.execute(
            update(Ping)
            .where(col(Ping.id) == ping_id)
            .values(channel_id=channel_id, message_ts=ts)
            .returning(col(Ping.state))
        )
        return result.scalar_one_or_none()

    async def recent_to(self, mentor_ids: Collection[str], since: datetime) -> Sequence[Any]:
        """(mentor_id, requester_id, topic, skills, at, cancelled_at) of the pings these mentors got since `since`,
        for the abuse limits; read off the (mentor_id, created_at) index."""
        if not mentor_ids:
            return []
        cancelled = col(HelpRequest.state) == RequestState.CANCELLED
        rows = await self.s.execute(
            select(
                col(Ping.mentor_id),
                col(HelpRequest.requester_id),
                col(HelpRequest.topic),
                col(HelpRequest.skills),
                col(Ping.created_at),
                col(HelpRequest.closed_at),
                cancelled,
            )
            .join(HelpRequest, col(HelpRequest.id) == col(Ping.request_id))
            .where(col(Ping.mentor_id).in_(list(mentor_ids)), col(Ping.created_at) > since)
        )
        return rows.all()
