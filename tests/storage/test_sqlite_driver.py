"""SQLite statements make one trip to the connection's thread (storage.sqlite_driver), and everything SQLAlchemy reads
off a cursor still arrives: rows, the ids of inserted rows, the count of rows changed, errors as SQLAlchemy's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.sqlite_driver import OneTripConnection


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'trips.db'}")
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)"))
    yield database
    await database.dispose()


@pytest.fixture
def count_trips(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[str]]:
    """Call it to start counting: each trip to a connection's thread is added to the list it returns, by what ran."""

    def start() -> list[str]:
        trips: list[str] = []
        real = aiosqlite.Connection._execute

        async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
            trips.append(getattr(fn, "__name__", repr(fn)))
            return await real(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        return trips

    return start


async def test_a_statement_is_one_trip_to_the_connections_thread(
    db: Database, count_trips: Callable[[], list[str]]
) -> None:
    async with db.engine.connect() as connection:
        trips = count_trips()
        rows = (await connection.execute(text("SELECT 1 UNION ALL SELECT 2"))).all()
    assert [tuple(r) for r in rows] == [(1,), (2,)]
    # BEGIN; the SELECT, its rows and closing its cursor; the rollback as the connection goes back to the pool.
    # (aiosqlite's own cursors took four trips for each statement.)
    assert trips == ["_execute", "_execute", "rollback"]


async def test_a_read_only_unit_of_work_makes_one_trip_per_statement_and_none_to_begin_or_end(
    db: Database, count_trips: Callable[[], list[str]]
) -> None:
    async with db.uow() as uow:
        await uow.db_session.execute(text("INSERT INTO notes (body) VALUES ('kept')"))
        await uow.commit()
    trips = count_trips()
    async with db.uow(readonly=True) as uow:
        first = await uow.db_session.scalar(text("SELECT body FROM notes"))
        count = await uow.db_session.scalar(text("SELECT count(*) FROM notes"))
    assert (first, count) == ("kept", 1)
    assert trips == ["_execute", "_execute"]  # no BEGIN, and no ROLLBACK with no transaction open
    trips.clear()
    async with db.uow() as uow:  # a writer's transaction still begins, and is still rolled back when not committed
        await uow.db_session.execute(text("INSERT INTO notes (body) VALUES ('dropped')"))
    assert trips == ["_execute", "_execute", "rollback"]
    async with db.uow(readonly=True) as uow:
        assert await uow.db_session.scalar(text("SELECT count(*) FROM notes")) == 1


async def test_inserted_ids_changed_counts_and_many_rows_arrive(db: Database) -> None:
    async with db.engine.begin() as connection:
        inserted = await connection.execute(text("INSERT INTO notes (body) VALUES ('first')"))
        assert inserted.lastrowid == 1
        many = await connection.execute(
            text("INSERT INTO notes (body) VALUES (:body)"), [{"body": f"note {i}"} for i in range(500)]
        )
        assert many.rowcount == 500
        changed = await connection.execute(text("UPDATE notes SET body = body || '!' WHERE id > 400"))
        assert changed.rowcount == 101
        bodies = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).scalars().all()
    assert len(bodies) == 501
    assert bodies[0] == "first"
    assert bodies[-1] == "note 499!"


async def test_an_error_is_sqlalchemys_and_the_connection_goes_on(db: Database) -> None:
    async with db.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)
        await connection.execute(text("INSERT INTO notes (body) VALUES ('once')"))
        with pytest.raises(IntegrityError):
            await connection.execute(text("INSERT INTO notes (body) VALUES ('once')"))
        await connection.rollback()
        assert (await connection.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 0
