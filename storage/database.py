"""The async engine and session factory for SQLite (embedded default) and PostgreSQL (scale, several processes),
and on SQLite the writers' queue: one writer at a time in a process, queued in asyncio (`WriterLock`) rather than
in SQLite's busy handler.

SQLite lets one transaction write at a time. Without the queue, the other writers waited inside SQLite's busy
handler, which sleeps from 1 up to 100 ms between attempts: under load a writer often slept on long after the lock
was free, each holding a pooled connection and a thread meanwhile, and the backlog fed on itself. Queued here, the
next writer begins the moment the last one commits (`python -m benchmarks load` shows the acks' tail it saves).
SQLite still arbitrates between processes; this only orders one process's own writers. A unit of work holds it
from its BEGIN IMMEDIATE to its commit.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.models import InteractionEvent, install_printable
from storage.unit_of_work import UnitOfWork, VersionedCache

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
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _tune_sqlite(self.engine)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)
        self._writer = WriterLock() if self.is_sqlite else None
        self._cache = VersionedCache()  # skills held, zones, evidence: see storage.unit_of_work
        # Told the interaction events of each unit of work that committed (operational metrics count them).
        self.on_commit: list[Callable[[Sequence[InteractionEvent]], None]] = []

    def uow(self, *, readonly: bool = False) -> UnitOfWork:
        return UnitOfWork(
            self._sessions,
            readonly=readonly,
            execution_options={READONLY: readonly},
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
    Read-only units of work begin deferred so they never wait for a writer (WAL lets them read alongside).
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
        readonly = conn.get_execution_options().get(READONLY, False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


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
