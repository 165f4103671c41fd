"""Durable timers: rows in `timed_actions` are the truth; APScheduler only decides *when to look*.

Every process runs a periodic sweep, and arms a one-off wake-up at each due time it learns of. A sweep claims
what is due with one atomic UPDATE (see TimerRepository.claim_due) and runs the handler for each claimed row. So
an action due while Burst was down runs when it comes back, and an action runs once however many processes race.
A claim is a lease that the claiming process renews while the handler runs (Slack's retries can take a while), so
only a dead process's claim runs out, and its actions are taken over a few sweeps later.
A handler that fails is retried with backoff; the row is kept for inspection when it finally gives up.
Each kind of action is a dataclass of bot.runtime.timer_kinds; `on` names the handler that runs it, given its typed
payload.

A row is finished only after its handler returned, Slack messages included; so a run that follows one that died
(or failed) part-way has `bot.runtime.ports.redelivering` set, and the notifier sends only what Slack lacks. Listener
steps that owe messages record them with `owe` in their own commit, as a row this process already holds, and send them
themselves `settling` it (the row finished, or left to a retry).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import math
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, Protocol

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import SQLAlchemyError

from bot.runtime.ports import redelivering
from bot.runtime.timer_kinds import K, Owing, TimedKind, loaded, stored
from bot.runtime.work_gate import WorkGate
from storage.database import Database, UnitOfWork
from storage.models import TimedAction, utcnow

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 6
CLAIM_BATCH = 100
LEASE_SWEEPS = 4  # a claim lasts this many sweep intervals unless renewed
MIN_LEASE = timedelta(seconds=5)
BATCHES_IN_FLIGHT = 3  # per sweep: at most 300 actions running at once, however many fell due together
WAKE_SLOT = 0.05  # seconds: wake-ups due within one slot share a sweep


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Route(Protocol):
    @property
    def kind(self) -> type[TimedKind]: ...

    async def __call__(self, row: TimedAction) -> None: ...


@dataclass(frozen=True)
class _Route(Generic[K]):
    """Runs the handler of one kind of action with the payload of its row."""

    kind: type[K]
    handler: Callable[[K], Awaitable[None]]

    async def __call__(self, row: TimedAction) -> None:
        await self.handler(loaded(self.kind, row))


class _Finishing:
    """Marks actions done, those that finish together in one transaction.

    One commit per action made the commits, not the handlers, the limit when thousands fall due at once: actions
    finishing while a write is under way wait for the next, which takes them all. Each caller still returns only
    once its row is written, so a finished action means what it did before.
    """

    def __init__(self, db: Database, worker: str) -> None:
        self.db = db
        self.worker = worker
        # By action: one waiter, or two when a lapsed claim let this worker run the same row again meanwhile.
        self._waiting: dict[int, list[asyncio.Future[None]]] = {}
        self._writer: asyncio.Task[None] | None = None

    async def finish(self, action_id: int) -> None:
        done = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(action_id, []).append(done)
        if self._writer is None or self._writer.done():
            # In a context of its own: not the first caller's (its place in the work gate, its log fields).
            self._writer = asyncio.create_task(self._write(), context=contextvars.Context())
        await done

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            waiters = [done for waiting in batch.values() for done in waiting]
            try:
                async with self.db.uow() as uow:
                    await uow.timers.finish_all(list(batch), self.worker, utcnow())
                    await uow.commit()
            except Exception as exc:  # each waiting action's own finish raises it, as a write of its own would
                for done in waiters:
                    if not done.done():
                        done.set_exception(exc)
            except BaseException:  # cancelled (the process is stopping): so is every action waiting on a write
                waiters += [done for waiting in self._waiting.values() for done in waiting]
                self._waiting = {}
                for done in waiters:
                    done.cancel()
                raise
            else:
                for done in waiters:
                    if not done.done():
                        done.set_result(None)


class Timers:
    def __init__(
        self,
        db: Database,
        *,
        sweep_interval: timedelta,
        lease: timedelta | None = None,
        worker: str | None = None,
        gate: WorkGate | None = None,
        on_late: Callable[[float], None] | None = None,
    ) -> None:
        self.db = db
        self._on_late = on_late  # told how late each action ran (operational metrics)
        self._gate = gate or WorkGate()  # shared with the listeners' work after their ack (bot.runtime.work_gate)
        self.worker = worker or worker_name()
        self.sweep_interval = sweep_interval
        self.lease = lease or max(MIN_LEASE, LEASE_SWEEPS * sweep_interval)
        self._routes: dict[str, Route] = {}
        self._scheduler: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._finishing = _Finishing(db, self.worker)

    def on(self, kind: type[K], handler: Callable[[K], Awaitable[None]]) -> None:
        """Run `handler` with the payload of each action of `kind` that falls due."""
        route: _Route[K] = _Route(kind, handler)
        self._routes[kind.KIND] = route

    def handled(self) -> set[type[TimedKind]]:
        return {route.kind for route in self._routes.values()}

    def start(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._scheduler.add_job(
            self._scheduled_sweep,
            "interval",
            seconds=self.sweep_interval.total_seconds(),
            id="sweep",
            max_instances=1,
            coalesce=True,
            next_run_time=utcnow(),  # once at start: catch up on what fell due while we were down
        )
        self._scheduler.start()

    def add_cron(self, job_id: str, trigger: CronTrigger, func: Callable[[], Awaitable[object]]) -> None:
        assert self._scheduler is not None, "start() first"
        self._scheduler.add_job(
            self._tracked(func), trigger, id=job_id, max_instances=1, coalesce=True, misfire_grace_time=None
        )

    def add_interval(
        self, job_id: str, every: timedelta, func: Callable[[], Awaitable[object]], *, first: datetime
    ) -> None:
        assert self._scheduler is not None, "start() first"
        self._scheduler.add_job(
            self._tracked(func),
            "interval",
            seconds=every.total_seconds(),
            id=job_id,
            max_instances=1,
            coalesce=True,
            next_run_time=first,
        )

    async def stop(self) -> None:
        """Stop firing, then let jobs in flight finish: a claimed action left half-done would wait for its lease, and
        a digest cut off mid-post would be posted again by the next process."""
        if self._scheduler is None:
            return
        self._scheduler.pause()  # no new jobs; APScheduler's shutdown would cancel the ones in flight
        if self._running:
            await asyncio.wait(self._running, timeout=10)
        self._scheduler.shutdown(wait=False)
        self._scheduler = None

    def _tracked(self, func: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
        """`func` as a job whose run `stop` waits for."""

        async def run() -> None:
            task = asyncio.current_task()
            assert task is not None
            self._running.add(task)
            try:
                await func()
            finally:
                self._running.discard(task)

        return run

    async def _scheduled_sweep(self) -> None:
        await self._tracked(self.sweep)()

    def wake_at(self, due_at: datetime) -> None:
        """Sweep at `due_at` (call after the commit that scheduled something), or up to WAKE_SLOT after it.

        Wake-ups within one slot share a sweep (one job id per slot). One sweep each queued a claiming transaction
        per timer: a burst of timers falling due together left thousands of sweeps that found nothing, draining long
        after, and on PostgreSQL some failed waiting for a pooled connection (`benchmarks scale` falls them due).
        """
        if self._scheduler is None:
            return  # not serving (a CLI command): the next process's sweep will pick it up
        slot = math.ceil(max(due_at, utcnow()).timestamp() / WAKE_SLOT)
        # In an empty context: APScheduler arms its loop timer from here, and every job it starts later would
        # otherwise run in a copy of the caller's context (a listener's place in the work gate, its log fields).
        contextvars.Context().run(
            self._scheduler.add_job,
            self._scheduled_sweep,
            "date",
            run_date=datetime.fromtimestamp(slot * WAKE_SLOT, UTC),
            id=f"wake:{slot}",
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    async def owe(self, uow: UnitOfWork, message: K) -> Owing[K] | None:
        """See bot.runtime.ports.Outbox.owe: held under this worker's lease from the start, so no sweep races
        `settling`."""
        now = utcnow()
        row = stored(message)
        added = await uow.timers.add_claimed(
            row.key,
            row.kind,
            now,
            self.worker,
            now + self.lease,
            request_id=row.request_id,
            session_id=row.session_id,
            data=row.data,
        )
        return Owing(added, message) if added is not None else None

    @contextlib.asynccontextmanager
    async def settling(self, owing: Owing[TimedKind]) -> AsyncIterator[None]:
        """See bot.runtime.ports.Outbox.settling: in the caller's place in the work gate (it holds one already)."""
        async with self._holding(owing.row):
            yield

    async def sweep(self) -> int:
        """Claim and run everything due; returns how many actions ran, once they all have.

        The next batch is claimed while earlier ones still run (up to BATCHES_IN_FLIGHT at once), so the actions
        of a busy moment start when due rather than each batch waiting for the last one's slowest action.
        """
        total = 0
        running: list[asyncio.Future[list[None]]] = []
        try:
            while True:
                async with self.db.uow() as uow:
                    claimed = await uow.timers.claim_due(self.worker, utcnow(), self.lease, CLAIM_BATCH)
                    await uow.commit()
                if not claimed:
                    return total
                total += len(claimed)
                running.append(asyncio.gather(*(self._run(action) for action in claimed)))
                if len(claimed) < CLAIM_BATCH:
                    return total
                if len(running) >= BATCHES_IN_FLIGHT:
                    await running.pop(0)
        finally:
            await asyncio.gather(*running)

    async def _run(self, action: TimedAction) -> None:
        route = self._routes.get(action.kind)
        async with self._holding(action), self._gate.slot():
            if route is None:
                raise LookupError(f"no handler for timed action kind {action.kind!r}")
            await route(action)

    @contextlib.asynccontextmanager
    async def _holding(self, action: TimedAction) -> AsyncIterator[None]:
        """Around an action's handler: keep its claim meanwhile; then finish its row, or on a failure (logged, not
        raised) leave it to a retry with backoff."""
        assert action.id is not None
        late = (utcnow() - action.due_at).total_seconds()
        log.debug("timed action", key=action.key, attempt=action.attempts, late_s=round(late, 3))
        if self._on_late is not None:
            self._on_late(late)
        finished = asyncio.Event()
        keeper = asyncio.create_task(self._keep_claim(action.id, finished))
        again = redelivering.set(action.attempts > 1)
        try:
            try:
                yield
            finally:
                redelivering.reset(again)
        except Exception:  # a boundary: log with traceback, keep the row, retry with backoff
            log.exception("timed action failed", key=action.key, attempt=action.attempts)
            give_up = action.attempts >= MAX_ATTEMPTS
            retry_at = utcnow() + timedelta(seconds=min(2**action.attempts, 300))
            async with self.db.uow() as uow:
                await uow.timers.retry_later(action.id, self.worker, retry_at, give_up)
                await uow.commit()
            if not give_up:
                self.wake_at(retry_at)
        else:
            await self._finishing.finish(action.id)
        finally:
            finished.set()
            await keeper

    async def _keep_claim(self, action_id: int, finished: asyncio.Event) -> None:
        """Renew the lease every third of it until the handler is done."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), self.lease.total_seconds() / 3)
            if finished.is_set():
                return
            try:
                async with self.db.uow() as uow:
                    await uow.timers.renew(action_id, self.worker, utcnow() + self.lease)
                    await uow.commit()
            except SQLAlchemyError as exc:  # the claim may lapse; the handlers are safe to run again
                log.warning("timer lease not renewed", action=action_id, error=repr(exc)[:200])
