"""Reading a topic against this workspace: the skills its mentors hold and what they said or showed they know.

`TopicReader` keeps the evidence index (`bot.domain.evidence`) current for its process. While the database's data
version stands (storage.versioned_cache) nothing it reads changed; when it moves, a two-number fingerprint of the
evidence table says whether rows came or went, and only rows not seen before are loaded, so a profile edited in another
process is matched on the next request. Embeddings are computed once per row.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.evidence import EmbeddedItem, EvidenceIndex, EvidenceItem, EvidenceKind, embed_item
from bot.domain.understanding import Understander, Understanding
from storage.database import Database
from storage.models import MentorEvidence
from storage.types import utcnow
from storage.unit_of_work import UnitOfWork

REBUILD_EVERY = timedelta(hours=1)
"""Helped-with evidence fades with age; the index is rebuilt this often even when no row changed."""


class TopicReader:
    def __init__(self, understander: Understander) -> None:
        self.understander = understander
        self._embedded: dict[int, EmbeddedItem] = {}
        self._top = 0
        self._index: EvidenceIndex | None = None
        self._built_at = datetime.min.replace(tzinfo=UTC)
        self._version: int | None = None  # the data version the index was last checked at

    @property
    def semantic(self) -> bool:
        """Whether the embedding model is loaded (False: lexical and knowledge-term matching only)."""
        return self.understander.semantic

    async def warm(self, db: Database) -> None:
        """Build what reading needs for this workspace (term and evidence embeddings) before the first request."""
        async with db.uow(readonly=True) as uow:
            await self.read(uow, "warm up")

    async def read(self, uow: UnitOfWork, topic: str) -> Understanding:
        """What `topic` needs in this workspace now (see `Understander.understand`)."""
        vocabulary = await uow.members.vocabulary()
        return self.understander.understand(topic, vocabulary, await self.evidence(uow))

    async def evidence(self, uow: UnitOfWork) -> EvidenceIndex:
        now = utcnow()
        version = await uow.cached.version()
        fresh = self._index is not None and now - self._built_at <= REBUILD_EVERY
        if fresh and version is not None and version == self._version:
            assert self._index is not None
            return self._index
        count, top = await uow.evidence.fingerprint()
        changed = False
        if top > self._top:
            for row in await uow.evidence.after(self._top):
                assert row.id is not None
                self._embedded[row.id] = embed_item(_item(row), self.understander.embedder)
            self._top, changed = top, True
        if count != len(self._embedded):  # rows went (a new about text, an erasure): forget those
            alive = set(await uow.evidence.ids())
            self._embedded = {k: v for k, v in self._embedded.items() if k in alive}
            changed = True
        if changed or self._index is None or now - self._built_at > REBUILD_EVERY:
            self._index = EvidenceIndex(list(self._embedded.values()), now)
            self._built_at = now
        self._version = version
        return self._index


def _item(row: MentorEvidence) -> EvidenceItem:
    return EvidenceItem(row.member_id, EvidenceKind(row.kind), row.text, row.created_at)
