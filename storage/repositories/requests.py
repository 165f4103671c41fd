from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import LIVE_REQUEST_STATES, HelpRequest, RequestState
from storage.types import rowcount


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

    async def asked_since(self, requester_id: str, since: datetime) -> list[datetime]:
        """When this person asked, for each request since `since` (cancelled and expired ones included)."""
        rows = await self.s.scalars(
            select(col(HelpRequest.created_at)).where(
                col(HelpRequest.requester_id) == requester_id, col(HelpRequest.created_at) > since
            )
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
