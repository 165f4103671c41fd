"""A person's own picture: open requests, sessions running now, recent bursts (for `/burst status` and App Home)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database
from storage.models import FlashSession, HelpRequest


@dataclass(frozen=True)
class Overview:
    open_requests: list[HelpRequest]
    active_sessions: list[FlashSession]
    recent: list[HelpRequest]


async def overview(db: Database, user_id: str, recent: int = 5) -> Overview:
    async with db.uow(readonly=True) as uow:
        return Overview(
            open_requests=await uow.requests.open_for(user_id),
            active_sessions=await uow.sessions.active_for(user_id),
            recent=await uow.requests.recent_for(user_id, recent),
        )
