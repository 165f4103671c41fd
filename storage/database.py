"""The database, and the transactions taken on it.

`Database` owns the async engine and session factory for SQLite (embedded default) and PostgreSQL (scale, several
processes), and on SQLite the writers' queue: one writer at a time in a process, queued in asyncio (`WriterLock`)
rather than in SQLite's busy handler. It hands out units of work.

SQLite lets one transaction write at a time. Without the queue, the other writers waited inside SQLite's busy
handler, which sleeps from 1 up to 100 ms between attempts: under load a writer often slept on long after the lock
was free, each holding a pooled connection and a thread meanwhile, and the backlog fed on itself. Queued here, the
next writer begins the moment the last one commits (`python -m benchmarks load` shows the acks' tail it saves).
SQLite still arbitrates between processes; this only orders one process's own writers. A unit of work holds it
from its BEGIN IMMEDIATE to its commit.

A unit of work (`UnitOfWork`) is one transaction, the repositories that share it, and an explicit commit; what
units of work keep between them is `uow.cached`. A read-only one never writes (`ReadOnlyWrite`) and begins no
transaction: each statement reads its own snapshot, without the BEGIN and ROLLBACK round trips (see `Database.uow`).

Repositories never commit; a service decides when a change is whole. Leaving the block without `commit()` rolls
back, so an exception half-way stores nothing. Each repository is made the first time the block uses it.

What every request reads and rarely changes is kept per process while the database's data version stands.
Each request reads the skills mentors hold, the time zones members are in and the mentors' evidence. Database
triggers bump the `matching` row of data_versions whenever any of them changes, from whichever process or path
wrote it (migration 0010), so a value read at version N is still the truth while the version is N.

`VersionedCache` belongs to a `Database` (one per process and database). `CachedReads` is its view for one unit of
work: it reads the version once, before any data it caches, so a value is never kept under a version newer than the
data it was read from (a value read a little later than its version only costs one reload too many). A unit of work
that has written anything reads afresh and keeps nothing: its own uncommitted changes must neither be hidden from it
nor be kept for others, in case it rolls back.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy import event, make_url, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlmodel import col

from storage import sqlite_driver
from storage.models import DataVersion, InteractionEvent, dialect, install_printable
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

READONLY = "burst_readonly"


class Database:
    """Owns the engine; hands out units of work."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        install_printable()
        private_sqlite_file(url)
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            # One trip to the connection's thread per statement, not four (storage.sqlite_driver).
            kwargs["connect_args"] = {"timeout": 30, "async_creator_fn": sqlite_driver.connect}
        else:
            # Last in, first out: the connections a steady load needs stay warm, and the rest sit idle (see
            # `_ping_when_idle`, which stands in for pool_pre_ping).
            kwargs.update(pool_size=10, max_overflow=20, pool_use_lifo=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _tune_sqlite(self.engine)
        else:
            _ping_when_idle(self.engine)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)
        self._writer = WriterLock() if self.is_sqlite else None
        self._cache = VersionedCache()  # skills held, zones, evidence: see `CachedReads`
        # Told the interaction events of each unit of work that committed (operational metrics count them).
        self.on_commit: list[Callable[[Sequence[InteractionEvent]], None]] = []

    def uow(self, *, readonly: bool = False) -> UnitOfWork:
        options: dict[str, Any] = {READONLY: readonly}
        # A read-only unit of work has no BEGIN and ROLLBACK: two of the four or five round trips of a typical read.
        # Each statement reads its own snapshot, which nothing read together here needs to share (a cached read is
        # kept under the data version read before it, so it is never newer than its version says). Writing is
        # refused (`ReadOnlyWrite`). SQLite's begins no transaction (`_tune_sqlite`); its driver's isolation level
        # stays as it is, since setting it back after each read would turn the driver's own BEGIN back on.
        if readonly and not self.is_sqlite:
            options["isolation_level"] = "AUTOCOMMIT"
        return UnitOfWork(
            self._sessions,
            readonly=readonly,
            execution_options=options,
            writer=None if readonly else self._writer,
            on_commit=self.on_commit,
            cache=self._cache,
        )

    async def answers(self) -> bool:
        """The database takes a query now (readiness)."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()


def private_sqlite_file(url: str) -> None:
    """Create a SQLite database file readable by its owner alone (0600), or make an existing one so.

    SQLite gives the -wal and -shm files it creates the database file's own permissions, so they follow. Without
    this the file took the process's umask, typically 0644: every account on the machine could read what was asked.
    """
    if not url.startswith("sqlite"):
        return
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    if not path.parent.is_dir():
        return  # SQLite will say so itself
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            file.chmod(0o600)


def _tune_sqlite(engine: AsyncEngine) -> None:
    """WAL, a busy timeout, foreign keys, and write transactions that BEGIN IMMEDIATE.

    pysqlite's own implicit BEGIN is deferred: two writers would both read, then one fails to upgrade its lock with
    "database is locked" despite the busy timeout. Taking the write lock up front makes writers queue instead.
    Read-only units of work begin no transaction: each statement reads its own snapshot, as on PostgreSQL (see
    `Database.uow`), never waiting for a writer (WAL lets them read alongside), and a BEGIN is not a trip to the
    connection's thread before their first read.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if not conn.get_execution_options().get(READONLY, False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


PING_IDLE_AFTER = 10.0
"""Seconds a pooled PostgreSQL connection may sit unused before it is checked on its way out of the pool."""
_IDLE_SINCE = "burst_idle_since"  # in a pooled connection's info: when it was last returned


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Check a PostgreSQL connection before use when it sat unused in the pool for a while.

    A server restart or a firewall dropping idle connections must not fail a request. pool_pre_ping guarded every
    checkout, and asyncpg's ping is three round trips (BEGIN, an empty query, ROLLBACK): more than half of what a
    unit of work reading one row cost. A connection used moments ago is almost surely alive, and if the server went
    away meanwhile the failing statement is a disconnect, on which SQLAlchemy discards the whole pool.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _taken(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < PING_IDLE_AFTER:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # dead: the pool throws it away and checks out another (three tries)
            raise DisconnectionError("an idle pooled connection did not answer") from error


class WriterLock:
    """An asyncio lock that the task holding it may take again (a unit of work opened inside another)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._depth = 0

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            self._depth += 1
            return
        await self._lock.acquire()
        self._owner, self._depth = task, 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()


R = TypeVar("R")


def _repository(make: Callable[[AsyncSession], R]) -> cached_property[R]:
    """A repository of the unit of work, made on its session the first time the block uses it, then kept."""

    def made(uow: UnitOfWork) -> R:
        return make(uow.db_session)

    return cached_property(made)


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
        self._writer = writer  # SQLite: held from BEGIN IMMEDIATE to the commit (`WriterLock`)
        self._holding = False

    async def __aenter__(self) -> Self:
        if self._writer is not None:
            await self._writer.acquire()
            self._holding = True
        self.db_session = self._factory()
        self.db_session.info[READONLY] = self._readonly
        try:
            # Fix the connection's options before its transaction begins (SQLite: BEGIN IMMEDIATE, or none to read).
            await self.db_session.connection(execution_options=self._execution_options)
        except BaseException:
            await self.db_session.close()
            self._release()
            raise
        return self

    @cached_property
    def cached(self) -> CachedReads:
        """What every request reads and rarely changes, through the process's cache (see the module docstring)."""
        return CachedReads(self.db_session, self._cache)

    @cached_property
    def members(self) -> MemberRepository:
        return MemberRepository(self.db_session, self.cached)

    requests = _repository(RequestRepository)
    pings = _repository(PingRepository)
    sessions = _repository(SessionRepository)
    events = _repository(EventRepository)
    evidence = _repository(EvidenceRepository)
    timers = _repository(TimerRepository)
    digests = _repository(DigestRepository)
    privacy = _repository(PrivacyRepository)
    calendars = _repository(CalendarRepository)
    deliveries = _repository(DeliveryRepository)

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


T = TypeVar("T")

MATCHING = "matching"
# Session.info keys, dropped when the transaction ends: it has written something; the version it reads at.
_WROTE, _VERSION = "burst_wrote", "burst_data_version"


class VersionedCache:
    """Values by name, each with the data version it was read at."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[int, Any]] = {}


class CachedReads:
    """One unit of work's reads through a `VersionedCache`."""

    def __init__(self, session: AsyncSession, cache: VersionedCache) -> None:
        self._session = session
        self._cache = cache

    async def version(self) -> int | None:
        """The data version this unit of work reads at; None once it has written (nothing it reads may be kept)."""
        info = self._session.sync_session.info
        if self._has_written():
            return None
        if _VERSION not in info:  # once per transaction (a unit of work that commits and reads on reads again)
            # On the session's connection, as every request reads it: a plain row, without the ORM's loading.
            connection = await self._session.connection()
            found = await connection.scalar(select(col(DataVersion.version)).where(col(DataVersion.name) == MATCHING))
            info[_VERSION] = int(found or 0)
        return int(info[_VERSION])

    async def kept(self, key: str, kind: type[T]) -> T | None:
        """The value kept under `key` if it was read at this unit of work's version, else None (read it, then
        `keep` it)."""
        version = await self.version()
        held = self._cache.values.get(key)
        if version is None or held is None or held[0] != version:
            return None
        assert isinstance(held[1], kind)
        return held[1]

    def keep(self, key: str, value: object) -> None:
        """Keep `value`, just read, under the version `kept` read (unless this unit of work has written since)."""
        version = self._session.sync_session.info.get(_VERSION)
        if version is not None and not self._has_written():
            self._cache.values[key] = (int(version), value)

    def _has_written(self) -> bool:
        sync = self._session.sync_session
        return bool(sync.info.get(_WROTE) or sync.new or sync.dirty or sync.deleted)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush: UOWTransaction) -> None:
    session.info[_WROTE] = True


class ReadOnlyWrite(RuntimeError):
    """A read-only unit of work tried to write (it begins no transaction: a write would stay)."""


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if session.info.get(READONLY) and (session.new or session.deleted or any(map(session.is_modified, session.dirty))):
        raise ReadOnlyWrite("a read-only unit of work cannot write")


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.session.info.get(READONLY) and (state.is_insert or state.is_update or state.is_delete):
        raise ReadOnlyWrite("a read-only unit of work cannot write")
    if not state.is_select:  # an INSERT, UPDATE or DELETE, or SQL text, which could be any of them
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction: the next one starts clean
        session.info.pop(_WROTE, None)
        session.info.pop(_VERSION, None)
