"""Members' time zones kept current from Slack's directory: once per six-hour slot, and right after an import."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from bot.runtime.timer_kinds import DirectorySyncDue, loaded
from bot.services import directory_sync as ds
from bot.services.directory_sync import DirectorySync
from bot.services.importer import import_mentors
from storage.database import Database
from storage.models import Member, TimedAction, TimerState, utcnow
from tests.support.fakes import NoWaker, RecordingSlack


async def sync_rows(db: Database) -> list[TimedAction]:
    async with db.uow(readonly=True) as uow:
        return list(
            await uow.db_session.scalars(
                select(TimedAction)
                .where(col(TimedAction.kind) == DirectorySyncDue.KIND)
                .order_by(col(TimedAction.due_at))
            )
        )


async def test_known_members_get_their_slack_zone_once_a_slot_and_strangers_are_not_added(db: Database) -> None:
    report = await import_mentors(db, "user,skills\nU0AKI,python\nU0BEA,go\nU0CAL,rust\n")
    assert report.imported == 3
    slack = RecordingSlack(
        zones={"U0AKI": "Asia/Tokyo", "U0BEA": "Europe/Berlin", "U0CAL": "America/Lima", "U0ZED": "UTC"}
    )
    sync = DirectorySync(db, slack, NoWaker())

    assert await sync.sync() == 3
    assert [args["page"] for name, args in slack.calls if name == "users.list"] == [0, 1]  # two people a page
    async with db.uow(readonly=True) as uow:
        members = {m.id: m for m in await uow.db_session.scalars(select(Member))}
    assert {m: members[m].tz for m in members} == {
        "U0AKI": "Asia/Tokyo",
        "U0BEA": "Europe/Berlin",
        "U0CAL": "America/Lima",
    }
    assert all(m.profile_checked_at is not None for m in members.values())


async def test_each_slot_is_walked_once_and_schedules_the_next(db: Database) -> None:
    await import_mentors(db, "user,skills\nU0AKI,python\n")
    [after_import] = await sync_rows(db)
    assert after_import.key.startswith(f"{DirectorySyncDue.KIND}:import:")

    waker = NoWaker()
    sync = DirectorySync(db, RecordingSlack(zones={"U0AKI": "Asia/Tokyo"}), waker)
    await sync.start()
    await sync.start()  # a second process, or a restart within the slot: the same row
    slot = ds.slot_start(utcnow())
    keys = [r.key for r in await sync_rows(db)]
    assert keys.count(f"{DirectorySyncDue.KIND}:{slot:%Y-%m-%dT%H}") == 1

    row = next(r for r in await sync_rows(db) if r.key == f"{DirectorySyncDue.KIND}:{slot:%Y-%m-%dT%H}")
    await sync.on_timer(loaded(DirectorySyncDue, row))
    following = [r for r in await sync_rows(db) if r.due_at == slot + ds.EVERY]
    assert [r.key for r in following] == [f"{DirectorySyncDue.KIND}:{slot + ds.EVERY:%Y-%m-%dT%H}"]
    assert following[0].state == TimerState.PENDING
    assert waker.wakes[-1] == slot + ds.EVERY
    assert ds.slot_start(slot + ds.EVERY - timedelta(seconds=1)) == slot
