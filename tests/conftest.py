"""Shared fixtures: real databases (SQLite files and a throwaway PostgreSQL server).

Each engine's migrations run once per test run, into a template; a test that wants a migrated database gets a copy
of it (a file copy, or PostgreSQL's CREATE DATABASE ... TEMPLATE), which takes a fraction of a migration's time.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrate import upgrade
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


def migrate(url: str) -> None:
    """Alembic's env runs an event loop of its own: in a thread, clear of the tests' loop."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(upgrade, url).result()


# Sync fixtures (the async `db` looks them up by name, which an async fixture cannot serve from inside the loop).
@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (database_copy)."""
    path = tmp_path_factory.mktemp("template") / "burst.db"
    migrate(sqlite_url(path))
    return path


def database_copy(template: Path, folder: Path) -> str:
    target = folder / "burst.db"
    shutil.copyfile(template, target)
    return sqlite_url(target)


@pytest.fixture(scope="session")
def migrated_postgres_template(postgres_server: ThrowawayPostgres) -> str:
    """The name of one migrated PostgreSQL database, never connected to again: it is the template of the copies."""
    name = "migrated_template"
    migrate(postgres_server.create_database(name))
    return name


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> str:
    """Each database test runs on both engines."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def db_url(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database (for tests of the migrations themselves, and for `burst run`, which migrates)."""
    if engine == "sqlite":
        return sqlite_url(tmp_path / "burst.db")
    server: ThrowawayPostgres = request.getfixturevalue("postgres_server")
    return server.new_database("t")


@pytest.fixture
async def db(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh, migrated database."""
    if engine == "sqlite":
        url = database_copy(request.getfixturevalue("migrated_template"), tmp_path)
    else:
        server: ThrowawayPostgres = request.getfixturevalue("postgres_server")
        url = server.new_database("t", template=request.getfixturevalue("migrated_postgres_template"))
    database = Database(url)
    yield database
    await database.dispose()
