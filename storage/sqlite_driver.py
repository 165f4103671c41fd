"""SQLite through aiosqlite, one trip to the connection's thread per statement.

aiosqlite runs each call on a sqlite3 connection in a thread of its own, and SQLAlchemy's adapter makes four such
calls per statement: open a cursor, execute, fetch the rows, close the cursor. Each trip to the thread and back
costs about 0.16 ms on a 2-core machine (a thread wakes, then the event loop does), more than most of Burst's
statements take to run: `SELECT 1` took 0.92 ms through SQLAlchemy and aiosqlite, 0.17 ms in one trip. Here a
cursor does the whole statement in one trip (run it, read its rows, close the sqlite3 cursor) and answers the rest
from what that trip brought back.

Every row of a result is read in that trip, as SQLAlchemy's adapter already does for every cursor but server-side
ones, which Burst does not use (a server-side cursor here gets the same rows, read at once).

The trip also brings back whether a transaction is open, so a rollback or commit with none open (what SQLAlchemy
asks for after a read-only unit of work, which begins none) costs no trip at all.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, TypeVar

import aiosqlite
from aiosqlite.context import contextmanager

_T = TypeVar("_T")
_Description = tuple[tuple[Any, ...], ...] | None
# A statement's outcome: its description, row count, last row id and rows, and whether a transaction is open after it.
_Done = tuple[_Description, int, int | None, list[Any], bool]


class OneTripCursor:
    """The cursor SQLAlchemy's adapter drives: `execute` and `executemany` are one trip each; the rest is local."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> OneTripCursor:
        self._take(await self._connection.run(_execute, sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Sequence[Sequence[Any] | dict[str, Any]]) -> OneTripCursor:
        self._take(await self._connection.run(_executemany, sql, parameters))
        return self

    def _take(self, done: _Done) -> None:
        self.description, self.rowcount, self.lastrowid, rows, self._connection.in_transaction = done
        self._rows = deque(rows)

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return [self._rows.popleft() for _ in range(min(size or self.arraysize, len(self._rows)))]

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()


class OneTripConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors make one trip to its thread per statement."""

    in_transaction = False  # as sqlite3 said after the last statement; transactions begin only by a statement

    async def commit(self) -> None:
        if self.in_transaction:
            await super().commit()
            self.in_transaction = False

    async def rollback(self) -> None:
        if self.in_transaction:
            await super().rollback()
            self.in_transaction = False

    @contextmanager
    async def cursor(self) -> OneTripCursor:  # type: ignore[override]  # the cursor SQLAlchemy's adapter drives
        return OneTripCursor(self)

    async def run(self, fn: Callable[..., _T], *args: Any) -> _T:
        """`fn(sqlite3_connection, *args)` on the connection's thread."""
        return await self._execute(fn, self._conn, *args)  # type: ignore[no-untyped-call,no-any-return]  # aiosqlite's queue


async def connect(database: str, **kwargs: Any) -> OneTripConnection:
    """What `aiosqlite.connect` does, with a `OneTripConnection`: SQLAlchemy calls it with the arguments it made of the
    URL (handed over as `async_creator_fn` in the engine's connect_args, as its own `async_creator` is)."""
    connection = OneTripConnection(lambda: sqlite3.connect(database, **kwargs), iter_chunk_size=64)
    # As SQLAlchemy does for the connections it makes itself: a connection left open never holds up the process's exit.
    connection._thread.daemon = True
    await connection  # starts its thread and opens the file there
    return connection


def _execute(connection: sqlite3.Connection, sql: str, parameters: Sequence[Any] | dict[str, Any]) -> _Done:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows, connection.in_transaction
    finally:
        cursor.close()


def _executemany(
    connection: sqlite3.Connection, sql: str, parameters: Sequence[Sequence[Any] | dict[str, Any]]
) -> _Done:
    cursor = connection.cursor()
    try:
        cursor.executemany(sql, parameters)
        return cursor.description, cursor.rowcount, cursor.lastrowid, [], connection.in_transaction
    finally:
        cursor.close()
