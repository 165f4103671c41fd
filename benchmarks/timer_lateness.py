"""Timer lateness: with `count` durable timers falling due within `window` seconds, how late does each one run?

In-process, with the real `bot.runtime.timers.Timers` (APScheduler wake-ups and claiming sweeps) on a real, migrated
database, and a registered handler that only records when it ran, so the figure is the machinery's own delay.
The rows are bulk-written as TimerRepository.schedule writes them (pending, with a due time), and each gets the
`wake_at(due)` that the scheduling service calls after its commit; the periodic sweep runs at the product's
default interval. Lateness is the handler's start minus the row's due time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar

from benchmarks.engines import Engine, bulk_insert
from benchmarks.report import Timings
from bot.runtime import logs
from bot.runtime.timer_kinds import TimedKind
from bot.runtime.timers import Timers
from config.settings import Settings
from storage.models import TimerState, utcnow

TIMERS, QUICK_TIMERS = 10_000, 1_000
WINDOW, QUICK_WINDOW = 10.0, 3.0
LEAD = 5.0  # seconds from now to the first due time: enough to write and arm every timer first
PATIENCE = 60.0  # after the last due time, how long to wait for stragglers before counting them as missing
DRAIN_LIMIT = 60.0
TARGET_P99_S = 1.0


@dataclass(frozen=True)
class BenchDue(TimedKind):
    """A timer that only records how late it ran."""

    KIND: ClassVar[str] = "bench"
    KEY: ClassVar[tuple[str, ...]] = ("n",)
    due_at: datetime
    n: int


@dataclass
class TimerResult:
    engine: str
    count: int
    window: float
    arm_seconds: float = 0.0  # writing the rows and arming the wake-ups
    lateness: Timings = field(default_factory=Timings)
    missing: int = 0  # never ran within PATIENCE
    drain_seconds: float = 0.0  # after the last ran, until the wake-ups' sweeps still queued had all finished
    scheduler_complaints: Counter[str] = field(default_factory=Counter)  # APScheduler's warnings and errors, by kind
    sweep_interval: float = 0.0


async def run(engine: Engine, *, count: int = TIMERS, window: float = WINDOW) -> TimerResult:
    # Unconfigured, structlog would print the debug line Timers writes per action; `burst run` filters it out too.
    logs.configure("WARNING")
    db = await engine.new_database(f"timers_{count}_{round(window * 1_000)}ms")
    interval = Settings.model_fields["burst_sweep_interval"].default
    assert isinstance(interval, timedelta)
    timers = Timers(db, sweep_interval=interval)
    result = TimerResult(engine.name, count, window, sweep_interval=interval.total_seconds())
    all_ran = asyncio.Event()

    async def record(due: BenchDue) -> None:
        result.lateness.add((utcnow() - due.due_at).total_seconds())
        if len(result.lateness.seconds) == count:
            all_ran.set()

    timers.on(BenchDue, record)
    first = utcnow() + timedelta(seconds=LEAD)
    dues = [first + timedelta(seconds=window * i / count) for i in range(count)]
    rows = [
        {
            "key": f"{BenchDue.KIND}:{i}",
            "kind": BenchDue.KIND,
            "due_at": due,
            "state": TimerState.PENDING,
            "data": {"n": i},
            "attempts": 0,
        }
        for i, due in enumerate(dues)
    ]
    complaints = _Complaints(result.scheduler_complaints)
    scheduler_log = logging.getLogger("apscheduler")
    scheduler_log.addHandler(complaints)
    scheduler_log.propagate = False  # counted and summed up in the table, not thousands of tracebacks
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
        result.drain_seconds = await _drain()
        await timers.stop()
    finally:
        scheduler_log.removeHandler(complaints)
        scheduler_log.propagate = True
        await db.dispose()
    return result


class _Complaints(logging.Handler):
    """Counts what APScheduler says went wrong: missed run times, skipped and failed jobs (e.g. a pool timeout)."""

    def __init__(self, into: Counter[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        kind = next((k for k in ("missed", "skipped", "raised") if k in message), "other")
        exc = record.exc_info[1] if record.exc_info else None
        self.into[f"{kind} ({type(exc).__name__})" if exc else kind] += 1


async def _drain() -> float:
    """Wait until this is the only task left: the sweeps that wake-ups queued, now finding nothing, have finished.

    stop() waits only for sweeps already running; one cancelled before it began would be logged as a failed job.
    """
    began = time.perf_counter()
    while time.perf_counter() - began < DRAIN_LIMIT:
        if len(asyncio.all_tasks()) <= 1:
            break
        await asyncio.sleep(0.05)
    return time.perf_counter() - began
