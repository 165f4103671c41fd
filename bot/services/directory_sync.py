"""Keeping members' Slack time zones and names current, so working hours are read in the right zone.

A person's zone is fetched when they use Burst, but mentors imported from a CSV, and people who move or travel,
may never do. So the whole directory is walked (users.list, a page of 200 at a time) at start-up and every six
hours, and right after an import. Each walk is a durable timer keyed by its six-hour slot, so one process does it
per slot however many run; an import's walk has a key of its own.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from bot.runtime import timer_kinds
from bot.runtime.ports import Directory, Waker
from bot.runtime.timer_kinds import DirectorySyncDue
from storage.database import Database, UnitOfWork
from storage.models import utcnow

EVERY = DirectorySyncDue.EVERY
log = structlog.get_logger(__name__)


def slot_start(now: datetime) -> datetime:
    return timer_kinds.slot_start(now, EVERY)


async def schedule(uow: UnitOfWork, due: datetime, *, after_import: bool = False) -> None:
    """A walk due at `due`: the one of its six-hour slot (scheduling it twice is one row), or an import's own."""
    await timer_kinds.schedule(uow, DirectorySyncDue(due, after_import), due)


class DirectorySync:
    def __init__(self, db: Database, directory: Directory, waker: Waker) -> None:
        self.db = db
        self.directory = directory
        self.waker = waker

    async def start(self) -> None:
        """At start-up: the current slot's walk, now, unless some process did it already."""
        now = utcnow()
        async with self.db.uow() as uow:
            await schedule(uow, now)
            await uow.commit()
        self.waker.wake_at(now)

    async def on_timer(self, due: DirectorySyncDue) -> None:
        updated = await self.sync()
        following = slot_start(due.due_at) + EVERY
        async with self.db.uow() as uow:
            await schedule(uow, following)
            await uow.commit()
        self.waker.wake_at(following)
        log.info("directory synced", members_updated=updated)

    async def sync(self) -> int:
        """Update the zone and name of every member the directory lists; returns how many were known."""
        updated = 0
        async for page in self.directory.everyone():
            now = utcnow()
            async with self.db.uow() as uow:
                known = await uow.members.by_ids(list(page))
                for member in known:
                    profile = page[member.id]
                    member.tz, member.display_name, member.profile_checked_at = profile.tz, profile.name, now
                await uow.commit()
            updated += len(known)
        return updated
