"""A read-only unit of work reads and never writes: on PostgreSQL it reads in autocommit (no BEGIN or ROLLBACK round
trips), where a write would stay, so every write it attempts is refused, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlmodel import col

from storage.database import Database, ReadOnlyWrite
from storage.models import Member


async def test_a_read_only_unit_of_work_reads(db: Database) -> None:
    async with db.uow() as uow:
        uow.db_session.add(Member(id="U0READER", display_name="Reader"))
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        member = await uow.members.get("U0READER")
    assert member is not None
    assert member.display_name == "Reader"


async def test_a_read_only_unit_of_work_cannot_write(db: Database) -> None:
    async with db.uow() as uow:
        uow.db_session.add(Member(id="U0KEPT", display_name="Kept"))
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        uow.db_session.add(Member(id="U0ADDED"))
        with pytest.raises(ReadOnlyWrite):
            await uow.members.get("U0KEPT")  # the query flushes the new member first
    async with db.uow(readonly=True) as uow:
        with pytest.raises(ReadOnlyWrite):
            await uow.db_session.execute(
                update(Member).where(col(Member.id) == "U0KEPT").values(display_name="Changed")
            )
    async with db.uow(readonly=True) as uow:
        kept = await uow.members.get("U0KEPT")
        assert kept is not None
        kept.display_name = "Edited"
        with pytest.raises(ReadOnlyWrite):
            await uow.db_session.flush()
    async with db.uow(readonly=True) as uow:
        assert await uow.members.get("U0ADDED") is None
        kept = await uow.members.get("U0KEPT")
    assert kept is not None
    assert kept.display_name == "Kept"
