"""Timer lateness: with `count` durable timers falling due within `window` seconds, how late does each one run?

In-process, with the real `bot.timers.Timers` (APScheduler wake-ups and claiming sweeps) on a real, migrated
database, and a registered handler that only records when it ran, so the figure is the machinery's own delay.
The rows are bulk-written as TimerRepository.schedule writes them (pending, with a due time), and each gets the
`wake_at(due)` that the scheduling service calls after its commit; the periodic sweep runs at the product's
default interval. Lateness is the handler's start minus the row's due time.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import timedelta

from benchmarks.engines import Engine, bulk_insert
from benchmarks.report import Timings
from bot.timers import Timers
from config.settings import Settings
from storage.models import TimedAction, TimerState
from storage.types import utcnow

TIMERS, QUICK_TIMERS = 10_000, 1_000
WINDOW, QUICK_WINDOW = 10.0, 3.0
LEAD = 5.0  # seconds from now to the first due time: enough to write and arm every timer first
PATIENCE = 60.0  # after the last due time, how long to wait for stragglers before counting them as missing
SETTLE = 1.0
TARGET_P99_S = 1.0
KIND = "bench"


@dataclass
class TimerResult:
    engine: str
    count: int
    window: float
    arm_seconds: float = 0.0  # writing the rows and arming the wake-ups
    lateness: Timings = field(default_factory=Timings)
    missing: int = 0  # never ran within PATIENCE
    sweep_interval: float = 0.0


async def run(engine: Engine, *, count: int = TIMERS, window: float = WINDOW) -> TimerResult:
    db = await engine.new_database(f"timers_{count}")
    interval = Settings.model_fields["burst_sweep_interval"].default
    assert isinstance(interval, timedelta)
    timers = Timers(db, sweep_interval=interval)
    result = TimerResult(engine.name, count, window, sweep_interval=interval.total_seconds())
    all_ran = asyncio.Event()

    async def record(action: TimedAction) -> None:
        result.lateness.add((utcnow() - action.due_at).total_seconds())
        if len(result.lateness.seconds) == count:
            all_ran.set()

    timers.on(KIND, record)
    first = utcnow() + timedelta(seconds=LEAD)
    dues = [first + timedelta(seconds=window * i / count) for i in range(count)]
    rows = [
        {"key": f"{KIND}:{i}", "kind": KIND, "due_at": due, "state": TimerState.PENDING, "data": {}, "attempts": 0}
        for i, due in enumerate(dues)
    ]
    try:
        began = time.perf_counter()
        await bulk_insert(db, "timed_actions", rows)
        timers.start()
        for due in dues:
            timers.wake_at(due)
        result.arm_seconds = time.perf_counter() - began
        try:
            await asyncio.wait_for(all_ran.wait(), LEAD + window + PATIENCE)
        except TimeoutError:
            result.missing = count - len(result.lateness.seconds)
        # Wake-ups due with the last timers may still be starting their (now empty) sweeps; stop() waits only for
        # sweeps already running, and one cancelled before it began would be logged as a failed job.
        await asyncio.sleep(SETTLE)
        await timers.stop()
    finally:
        await db.dispose()
    return result
