"""Every row of every table, to show that something changed nothing in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import SQLModel

from storage.database import Database

Snapshot = dict[str, list[dict[str, Any]]]


async def snapshot(db: Database) -> Snapshot:
    tables: Snapshot = {}
    async with db.uow(readonly=True) as uow:
        for table in SQLModel.metadata.sorted_tables:
            rows = await uow.db_session.execute(select(table))
            tables[table.name] = sorted((dict(row._mapping) for row in rows), key=repr)
    return tables


def changes(before: Snapshot, after: Snapshot) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Per table, the rows that appeared and the rows that went (an update shows as both); empty when equal."""
    diff: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, []), after.get(name, [])
        added, removed = [r for r in new if r not in old], [r for r in old if r not in new]
        if added or removed:
            diff[name] = {"added": added, "removed": removed}
    return diff
