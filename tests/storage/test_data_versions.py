"""The data version and the per-process cache it keeps valid: what every request reads is never stale.

Two `Database` objects on one database stand for two Burst processes: each has its own cache.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text, update
from sqlmodel import col

from storage.database import MATCHING, Database
from storage.models import DataVersion, Member, MemberSkill, SkillLevel, utcnow


async def _version(db: Database) -> int:
    async with db.uow(readonly=True) as uow:
        found = await uow.db_session.scalar(select(col(DataVersion.version)).where(col(DataVersion.name) == MATCHING))
        return int(found or 0)


async def _mentor(db: Database, member_id: str, *skills: str, tz: str = "UTC") -> None:
    async with db.uow() as uow:
        uow.db_session.add(Member(id=member_id, tz=tz))
        await uow.flush()
        for skill in skills:
            await uow.members.set_skill(member_id, skill, SkillLevel.PEER)
        await uow.commit()


async def _vocabulary(db: Database) -> frozenset[str]:
    async with db.uow(readonly=True) as uow:
        return await uow.members.vocabulary()


async def _zones(db: Database) -> tuple[str, ...]:
    async with db.uow(readonly=True) as uow:
        return await uow.members.zones()


async def test_every_change_matching_reads_moves_the_version(db: Database) -> None:
    await _mentor(db, "U1", "go")
    changes = {
        "a skill added": "INSERT INTO member_skills (member_id, skill, level, last_pinged_at) "
        "VALUES ('U1', 'rust', 'peer', CURRENT_TIMESTAMP)",
        "a skill renamed": "UPDATE member_skills SET skill = 'golang' WHERE skill = 'go'",
        "a skill removed": "DELETE FROM member_skills WHERE skill = 'rust'",
        "a member's zone changed": "UPDATE members SET tz = 'Asia/Tokyo' WHERE id = 'U1'",
        "evidence added": "INSERT INTO mentor_evidence (member_id, kind, text, created_at) "
        "VALUES ('U1', 'about', 'I can help with hiring', CURRENT_TIMESTAMP)",
        "evidence removed": "DELETE FROM mentor_evidence",
        "a member added": "INSERT INTO members (id, display_name, tz, away, thanks_opt_in, created_at) "
        "VALUES ('U2', '', 'UTC', false, false, CURRENT_TIMESTAMP)",
        "a member removed (and their skills with them)": "DELETE FROM members WHERE id = 'U1'",
    }
    for what, statement in changes.items():
        before = await _version(db)
        async with db.uow() as uow:
            await uow.db_session.execute(text(statement))
            await uow.commit()
        assert await _version(db) > before, what


async def test_what_matching_does_not_read_leaves_the_version(db: Database) -> None:
    """A wave marks everyone it pinged: that must not throw every process's cache away."""
    await _mentor(db, "U1", "go")
    before = await _version(db)
    async with db.uow() as uow:
        await uow.members.mark_pinged(["U1"], utcnow())
        await uow.members.set_skill("U1", "go", SkillLevel.EXPERT)  # a new level: the skill is still held
        await uow.db_session.execute(update(Member).where(col(Member.id) == "U1").values(display_name="Ada", tz="UTC"))
        await uow.commit()
    assert await _version(db) == before


async def test_a_skill_added_by_another_process_is_read_on_the_next_request(db: Database) -> None:
    other = Database(db.url)
    try:
        await _mentor(db, "U1", "go", tz="Europe/Berlin")
        assert await _vocabulary(db) == {"go"}
        assert await _vocabulary(db) == {"go"}  # kept
        assert await _zones(db) == ("Europe/Berlin",)
        await _mentor(other, "U2", "rust", tz="Asia/Tokyo")
        assert await _vocabulary(db) == {"go", "rust"}
        assert set(await _zones(db)) == {"Europe/Berlin", "Asia/Tokyo"}
        async with other.uow() as uow:
            await uow.members.remove_skill("U1", "go")
            await uow.commit()
        assert await _vocabulary(db) == {"rust"}
    finally:
        await other.dispose()


async def test_a_unit_of_work_sees_its_own_changes_and_keeps_nothing_it_rolled_back(db: Database) -> None:
    await _mentor(db, "U1", "go")
    assert await _vocabulary(db) == {"go"}
    async with db.uow() as uow:
        assert await uow.members.vocabulary() == {"go"}  # read through the cache before writing
        await uow.members.set_skill("U1", "rust", SkillLevel.PEER)
        assert await uow.members.vocabulary() == {"go", "rust"}  # its own change, not the kept value
        # leaving without commit() rolls back
    assert await _vocabulary(db) == {"go"}
    async with db.uow() as uow:
        await uow.members.set_skill("U1", "rust", SkillLevel.PEER)
        await uow.commit()
        assert await uow.members.vocabulary() == {"go", "rust"}  # read on after its commit: a new transaction
    assert await _vocabulary(db) == {"go", "rust"}


async def test_a_change_written_as_sql_text_counts_as_a_write(db: Database) -> None:
    await _mentor(db, "U1", "go")
    assert await _vocabulary(db) == {"go"}
    async with db.uow() as uow:
        assert await uow.members.vocabulary() == {"go"}
        await uow.db_session.execute(text("UPDATE member_skills SET skill = 'golang' WHERE skill = 'go'"))
        assert await uow.members.vocabulary() == {"golang"}
    assert await _vocabulary(db) == {"go"}


async def test_concurrent_profile_edits_all_commit(db: Database) -> None:
    """Every skill change bumps the same row: on PostgreSQL it is taken at commit, after every other lock, so edits
    that also touch each other's rows queue rather than deadlock."""
    members = [f"U{n}" for n in range(8)]
    for member in members:
        await _mentor(db, member)
    before = await _version(db)

    async def edit(n: int) -> None:
        async with db.uow() as uow:
            await uow.members.set_skill(members[n], f"skill {n}", SkillLevel.PEER)
            await uow.members.mark_pinged([members[(n + 1) % len(members)], members[n]], utcnow())
            await uow.commit()

    await asyncio.gather(*(edit(n) for n in range(len(members))))
    assert await _vocabulary(db) == {f"skill {n}" for n in range(len(members))}
    assert await _version(db) > before


@pytest.mark.parametrize("engine", ["postgresql"])
async def test_on_postgresql_one_transaction_moves_the_version_once(db: Database) -> None:
    await _mentor(db, "U1")
    before = await _version(db)
    async with db.uow() as uow:
        for skill in ("go", "rust", "sql"):
            uow.db_session.add(MemberSkill(member_id="U1", skill=skill))
        await uow.commit()
    assert await _version(db) == before + 1
