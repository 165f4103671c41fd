"""The unit of work: one transaction, the repositories that share it, and an explicit commit.

Repositories never commit; a service decides when a change is whole. Leaving the block without `commit()` rolls
back, so an exception half-way stores nothing. Each repository is made the first time the block uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import InteractionEvent
from storage.repositories import (
    CalendarRepository,
    DeliveryRepository,
    DigestRepository,
    EventRepository,
    EvidenceRepository,
    MemberRepository,
    PingRepository,
    PrivacyRepository,
    RequestRepository,
    SessionRepository,
    TimerRepository,
)
from storage.types import dialect
from storage.versioned_cache import CachedReads, VersionedCache

if TYPE_CHECKING:  # the Database makes units of work, handing each its writer lock
    from storage.database import WriterLock


class UnitOfWork:
    db_session: AsyncSession

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        *,
        readonly: bool,
        execution_options: dict[str, Any],
        writer: WriterLock | None = None,
        on_commit: Sequence[Callable[[Sequence[InteractionEvent]], None]] = (),
        cache: VersionedCache | None = None,
    ) -> None:
        self._factory = factory
        self._cache = cache or VersionedCache()
        self._on_commit = on_commit
        self._readonly = readonly
        self._execution_options = execution_options
        self._writer = writer  # SQLite: held from BEGIN IMMEDIATE to the commit (storage.database.WriterLock)
        self._holding = False

    async def __aenter__(self) -> Self:
        if self._writer is not None:
            await self._writer.acquire()
            self._holding = True
        self.db_session = self._factory()
        try:
            # Fix the connection's options before its transaction begins (SQLite picks BEGIN vs BEGIN IMMEDIATE).
            await self.db_session.connection(execution_options=self._execution_options)
        except BaseException:
            await self.db_session.close()
            self._release()
            raise
        return self

    @cached_property
    def cached(self) -> CachedReads:
        """Reads of what every request needs and rarely changes, through the process's cache (see its module)."""
        return CachedReads(self.db_session, self._cache)

    @cached_property
    def members(self) -> MemberRepository:
        return MemberRepository(self.db_session, self.cached)

    @cached_property
    def requests(self) -> RequestRepository:
        return RequestRepository(self.db_session)

    @cached_property
    def pings(self) -> PingRepository:
        return PingRepository(self.db_session)

    @cached_property
    def sessions(self) -> SessionRepository:
        return SessionRepository(self.db_session)

    @cached_property
    def events(self) -> EventRepository:
        return EventRepository(self.db_session)

    @cached_property
    def evidence(self) -> EvidenceRepository:
        return EvidenceRepository(self.db_session)

    @cached_property
    def timers(self) -> TimerRepository:
        return TimerRepository(self.db_session)

    @cached_property
    def digests(self) -> DigestRepository:
        return DigestRepository(self.db_session)

    @cached_property
    def privacy(self) -> PrivacyRepository:
        return PrivacyRepository(self.db_session)

    @cached_property
    def calendars(self) -> CalendarRepository:
        return CalendarRepository(self.db_session)

    @cached_property
    def deliveries(self) -> DeliveryRepository:
        return DeliveryRepository(self.db_session)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() rolls back whatever was not committed, and (unlike rollback()) leaves loaded objects readable.
        try:
            await self.db_session.close()
        finally:
            self._release()

    async def commit(self) -> None:
        if self._readonly:
            raise RuntimeError("commit on a read-only unit of work")
        await self.db_session.commit()
        self._release()  # the write transaction is over; what the block does next (tell Slack) needs no lock
        committed = self.events.take_appended() if "events" in self.__dict__ else []
        for tell in self._on_commit:
            tell(committed)

    def _release(self) -> None:
        if self._holding and self._writer is not None:
            self._holding = False
            self._writer.release()

    async def flush(self) -> None:
        await self.db_session.flush()

    @property
    def dialect(self) -> str:
        return dialect(self.db_session)
