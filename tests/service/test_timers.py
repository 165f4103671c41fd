"""Durable timers: due actions run once across two processes (two engines, two pools), and failures retry."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from sqlalchemy import event, select
from sqlmodel import col

from bot.runtime.ports import redelivering
from bot.runtime.timer_kinds import TimedKind, schedule
from bot.runtime.timers import Timers
from storage.database import Database
from storage.models import TimedAction, TimerState, utcnow


@dataclass(frozen=True)
class Job(TimedKind):
    KIND: ClassVar[str] = "count"
    n: int

    @property
    def key(self) -> str:
        return f"job:{self.n}"


@dataclass(frozen=True)
class Flaky(TimedKind):
    KIND: ClassVar[str] = "flaky"

    @property
    def key(self) -> str:
        return "flaky"


@dataclass(frozen=True)
class Long(TimedKind):
    KIND: ClassVar[str] = "long"

    @property
    def key(self) -> str:
        return "long"


async def _jobs_due(db: Database, count: int) -> None:
    """`count` jobs, due a second ago."""
    now = utcnow()
    async with db.uow() as uow:
        for i in range(count):
            await schedule(uow, Job(i), now - timedelta(seconds=1))
        await uow.commit()


async def test_due_actions_run_once_across_two_processes(db: Database) -> None:
    await _jobs_due(db, 120)
    ran: Counter[str] = Counter()

    async def count(job: Job) -> None:
        await asyncio.sleep(0.001)
        ran[job.key] += 1

    other = Database(db.url)  # a second process has its own engine and connections
    try:
        first, second = (
            Timers(db, sweep_interval=timedelta(seconds=60)),
            Timers(other, sweep_interval=timedelta(seconds=60)),
        )
        first.on(Job, count)
        second.on(Job, count)
        await asyncio.gather(first.sweep(), second.sweep(), first.sweep(), second.sweep())
    finally:
        await other.dispose()
    assert len(ran) == 120
    assert set(ran.values()) == {1}
    async with db.uow(readonly=True) as uow:
        assert await uow.timers.pending_count() == 0


async def test_actions_that_finish_together_are_marked_done_in_one_write_each_after_its_handler(db: Database) -> None:
    await _jobs_due(db, 60)
    finishes: list[int] = []

    def count_finishes(conn: object, cursor: object, statement: str, params: object, *rest: object) -> None:
        # A write that sets done_at: the claim's UPDATE names it too, but only after WHERE (in RETURNING).
        if (
            statement.lstrip().upper().startswith("UPDATE TIMED_ACTIONS")
            and "DONE_AT" in statement.upper().split("WHERE")[0]
        ):
            finishes.append(1)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count_finishes)
    ran: list[int] = []

    async def record(job: Job) -> None:
        ran.append(job.n)

    timers = Timers(db, sweep_interval=timedelta(seconds=60))
    timers.on(Job, record)
    try:
        assert await timers.sweep() == 60
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count_finishes)
    assert sorted(ran) == list(range(60))
    # The sweep returns once every action's row is written: none is left running.
    async with db.uow(readonly=True) as uow:
        assert await uow.timers.pending_count() == 0
        states = Counter(state for (state,) in (await uow.db_session.execute(select(col(TimedAction.state)))).all())
    assert states == Counter({TimerState.DONE: 60})
    # One write per action was 60; actions that end while a write is under way share the next one.
    assert 1 <= len(finishes) < 60


async def test_a_failing_action_is_retried_with_backoff_then_kept(db: Database) -> None:
    now = utcnow()
    async with db.uow() as uow:
        await schedule(uow, Flaky(), now - timedelta(seconds=1))
        await uow.commit()
    again: list[bool] = []  # whether each run knew it ran again (its first may have sent some of its messages)

    async def flaky(_: Flaky) -> None:
        again.append(redelivering.get())
        if len(again) < 2:
            raise RuntimeError("Slack is down")

    timers = Timers(db, sweep_interval=timedelta(seconds=60))
    timers.on(Flaky, flaky)
    await timers.sweep()
    async with db.uow(readonly=True) as uow:
        row = await uow.timers.get("flaky")
    assert row is not None
    assert row.state == "pending"
    assert row.due_at > utcnow()  # backed off
    async with db.uow() as uow:
        await uow.timers.reschedule("flaky", utcnow() - timedelta(seconds=1))
        await uow.commit()
    await timers.sweep()
    async with db.uow(readonly=True) as uow:
        done = await uow.timers.get("flaky")
    assert done is not None
    assert done.state == "done"
    assert done.attempts == 2
    assert again == [False, True]


async def test_a_long_action_keeps_its_claim_while_it_runs_so_no_other_process_runs_it_too(db: Database) -> None:
    async with db.uow() as uow:
        await schedule(uow, Long(), utcnow() - timedelta(seconds=1))
        await uow.commit()
    release = asyncio.Event()
    ran: list[str] = []

    async def slow(_: Long) -> None:  # e.g. a DM that Slack keeps rate limiting
        ran.append("first")
        await release.wait()

    async def quick(_: Long) -> None:
        ran.append("second")

    other = Database(db.url)
    try:
        lease = timedelta(seconds=2)
        first = Timers(db, sweep_interval=timedelta(seconds=60), lease=lease, worker="first")
        second = Timers(other, sweep_interval=timedelta(seconds=60), lease=lease, worker="second")
        first.on(Long, slow)
        second.on(Long, quick)
        running = asyncio.create_task(first.sweep())
        claimed = await _until(lambda: _row(db, "long", "running"))
        assert claimed.lease_until is not None
        # Until the first claim would have run out but for its renewals (asyncio's clock is not the wall clock:
        # a little more, then checked).
        await asyncio.sleep((claimed.lease_until - utcnow()).total_seconds() + 0.05)
        assert utcnow() > claimed.lease_until
        renewed = await _row(db, "long", "running")
        assert renewed is not None
        assert renewed.lease_until is not None
        assert renewed.lease_until > utcnow()
        assert await second.sweep() == 0
        release.set()
        assert await running == 1
    finally:
        await other.dispose()
    assert ran == ["first"]


async def _row(db: Database, key: str, state: str) -> TimedAction | None:
    async with db.uow(readonly=True) as uow:
        row = await uow.timers.get(key)
    return row if row is not None and row.state == state else None


async def _until(probe: Callable[[], Awaitable[TimedAction | None]]) -> TimedAction:
    for _ in range(200):
        if found := await probe():
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("the timed action was never claimed")


async def test_stopping_lets_a_periodic_job_in_flight_finish_rather_than_cancelling_it(db: Database) -> None:
    """A digest check running when the process is told to stop completes (it may be posting): APScheduler's own
    shutdown would cancel it mid-write, and log the cancellation as a job's failure."""
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[bool] = []

    async def digest_check() -> None:
        started.set()
        await release.wait()
        async with db.uow(readonly=True) as uow:  # the database is still there for it
            await uow.timers.pending_count()
        finished.append(True)

    timers = Timers(db, sweep_interval=timedelta(seconds=60))
    timers.start()
    timers.add_interval("digest-retry", timedelta(minutes=5), digest_check, first=utcnow())
    await asyncio.wait_for(started.wait(), timeout=30)
    stopping = asyncio.create_task(timers.stop())
    await asyncio.sleep(0)  # stop() has paused the scheduler and waits on the job
    assert not stopping.done()
    release.set()
    await asyncio.wait_for(stopping, timeout=30)
    assert finished == [True]
