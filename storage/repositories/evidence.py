"""Mentor evidence rows: about texts, topics helped with, suggestions. Read incrementally by id for matching."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import MentorEvidence, utcnow

ABOUT = "about"


class EvidenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, member_id: str, kind: str, text: str, request_id: int | None = None) -> MentorEvidence:
        row = MentorEvidence(member_id=member_id, kind=kind, text=text, request_id=request_id, created_at=utcnow())
        self.session.add(row)
        return row

    async def learn(self, member_id: str, kind: str, text: str, request_id: int) -> bool:
        """Record what a request taught about a mentor, once per (mentor, kind, request); False if known already."""
        known = await self.session.scalar(
            select(col(MentorEvidence.id)).where(
                col(MentorEvidence.request_id) == request_id,
                col(MentorEvidence.member_id) == member_id,
                col(MentorEvidence.kind) == kind,
            )
        )
        if known is not None:
            return False
        self.add(member_id, kind, text, request_id)
        return True

    async def set_about(self, member_id: str, text: str) -> None:
        """Replace the member's about text ("" removes it). A new row, never an edit: readers load by id."""
        await self.session.execute(
            delete(MentorEvidence).where(col(MentorEvidence.member_id) == member_id, col(MentorEvidence.kind) == ABOUT)
        )
        if text:
            self.add(member_id, ABOUT, text)

    async def about_of(self, member_id: str) -> str:
        found = await self.session.scalar(
            select(col(MentorEvidence.text))
            .where(col(MentorEvidence.member_id) == member_id, col(MentorEvidence.kind) == ABOUT)
            .order_by(col(MentorEvidence.id).desc())
            .limit(1)
        )
        return found or ""

    async def fingerprint(self) -> tuple[int, int]:
        """(rows, highest id): a reader that has both has everything; fewer rows than it holds means a deletion."""
        count, top = (await self.session.execute(select(func.count(), func.max(col(MentorEvidence.id))))).one()
        return int(count), int(top or 0)

    async def after(self, last_id: int) -> list[MentorEvidence]:
        rows = await self.session.scalars(
            select(MentorEvidence).where(col(MentorEvidence.id) > last_id).order_by(col(MentorEvidence.id))
        )
        return list(rows)

    async def ids(self) -> Sequence[int]:
        return list(await self.session.scalars(select(col(MentorEvidence.id))))
