"""PostgreSQL's pool: a connection that went away while it sat idle is replaced on its way out, so no request fails
for it; one used moments ago goes out unchecked (the ping cost three round trips on every checkout)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage import database as database_module
from storage.database import Database
from tests.support.postgres import ThrowawayPostgres

pytestmark = pytest.mark.postgres


@pytest.fixture
async def db(postgres_server: ThrowawayPostgres, migrated_postgres_template: str) -> AsyncIterator[Database]:
    database = Database(postgres_server.new_database("pool", template=migrated_postgres_template))
    yield database
    await database.dispose()


async def backend_pid(db: Database) -> int:
    async with db.uow(readonly=True) as uow:
        return int(await uow.db_session.scalar(text("SELECT pg_backend_pid()")) or 0)


async def end_backend(db: Database, pid: int) -> None:
    """End one server process from outside the pool, as a server restart or a firewall dropping it would."""
    other = Database(db.url)
    try:
        async with other.engine.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()


async def test_a_connection_that_died_while_idle_is_replaced_unseen(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = await backend_pid(db)  # the pool's one connection
    await end_backend(db, pid)
    monkeypatch.setattr(database_module, "PING_IDLE_AFTER", 0.0)  # every pooled connection counts as idle now
    assert await backend_pid(db) not in (pid, 0)  # the dead one was pinged, thrown away, and another served


async def test_a_connection_used_moments_ago_goes_out_unchecked(db: Database) -> None:
    pid = await backend_pid(db)
    await end_backend(db, pid)
    # Not idle long enough to be pinged: its first statement finds it gone. SQLAlchemy reads that as a disconnect
    # and empties the pool, so the next unit of work gets a live connection.
    with pytest.raises(DBAPIError) as failed:
        await backend_pid(db)
    assert failed.value.connection_invalidated
    assert await backend_pid(db) not in (pid, 0)
