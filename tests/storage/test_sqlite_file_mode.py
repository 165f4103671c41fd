"""A SQLite database and its -wal and -shm files are readable by their owner alone (0600), whatever the umask,
whether the file is made by a migration or by Burst itself, and an existing file made too open is tightened."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrate import upgrade_async
from storage.models import Member


@pytest.fixture
def open_umask() -> Iterator[None]:
    before = os.umask(0o022)  # the usual default: files 0644, readable by every account
    yield
    os.umask(before)


def modes(path: Path) -> dict[str, int]:
    found = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return {f.name: stat.S_IMODE(f.stat().st_mode) for f in found if f.exists()}


@pytest.mark.usefixtures("open_umask")
async def test_a_new_database_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    path = tmp_path / "burst.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_async(url)
    db = Database(url)
    async with db.uow() as uow:  # a write with the connection open: the -wal and -shm files exist now
        uow.db_session.add(Member(id="U0PRIVATE"))
        await uow.commit()
        assert set(modes(path)) == {"burst.db", "burst.db-wal", "burst.db-shm"}
        assert set(modes(path).values()) == {0o600}
    await db.dispose()


@pytest.mark.usefixtures("open_umask")
async def test_an_existing_open_database_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    db = Database(f"sqlite+aiosqlite:///{path}")
    assert modes(path) == {"old.db": 0o600}
    await db.dispose()
