"""Shared fixtures: real databases (SQLite files and a throwaway PostgreSQL server)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrate import upgrade_async
from tests.support.postgres import ThrowawayPostgres, ensure_postgres_installed


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ThrowawayPostgres]:
    if ensure_postgres_installed() is None:
        reason = "PostgreSQL server binaries not found: every PostgreSQL test is SKIPPED"
        if os.environ.get("CI"):
            pytest.fail(reason + " (and CI must run them)")
        pytest.skip(reason)
    server = ThrowawayPostgres()
    server.start()
    yield server
    server.stop()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each engine."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "burst.db")
    server: ThrowawayPostgres = request.getfixturevalue("postgres_server")
    return server.new_database("t")


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    await upgrade_async(db_url)
    database = Database(db_url)
    yield database
    await database.dispose()
