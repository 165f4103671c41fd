"""What a delivery passes before it runs: its claim, then a work slot (a timed action needs only the slot).

The claim: each Slack delivery is acted on once, however often Slack delivers it. Slack redelivers what it thinks
went unanswered: Events API retries, Socket Mode redeliveries after a reconnect, and a retry may reach another
process. A handler claims the delivery's id right after its ack and before it acts; a redelivery finds the claim and
is dropped, so nobody sees a second reply, ping or session end. The claim comes after the ack so the ack stays free
of database work. What a delivery creates keeps its own natural key as well (a request's dedup key, a ping per
request and mentor), so a claim lost to a crash cannot double anything either.

The slot sets how much work runs at once in one Burst process: one piece at a time, the rest wait their turn. Work
here is what follows an ack (a listener's database and Web API calls) and every timed action (a wave, a session's
end, a follow-up). On one event loop, each running piece's next step is queued ahead of the next request's ack, so
under a burst of requests the acks themselves slowed down, several times over a bare Bolt app's
(`python -m benchmarks load` measures both). Admitting one piece at a time keeps the loop's queue short, so an ack
waits behind one step at most; the rest wait on a semaphore, which costs no CPU, in the order they came. A piece
waiting on Slack lets the next one run (`outside`), so what is serialised is the process's CPU and database work,
which one event loop serialises anyway; what is lost is overlapping one piece's database round trip with another's
CPU. Work is delayed under overload, never dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, Protocol, TypeVar

import structlog

from storage.database import Database
from storage.models import utcnow

log = structlog.get_logger(__name__)
T = TypeVar("T")


# Slack redelivers within minutes (the Events API after about 1 and 5 minutes); older claims are pruned.
KEEP = timedelta(hours=1)


class DeliveryLedger:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def first(self, key: str) -> bool:
        """True for the first delivery with this key, False for every redelivery of it."""
        now = utcnow()
        async with self.db.uow() as uow:
            fresh = await uow.deliveries.claim(key, now)
            if fresh:
                await uow.deliveries.forget_before(now - KEEP)
            await uow.commit()
        return fresh


# One slot: a second one finished a backlog a little sooner but doubled the acks' tail (`benchmarks load`).
SLOTS = 1
# How long a call to Slack may wait before its slot goes to someone else.
PATIENCE = 0.02
# A backlog this deep is worth a warning: the process is short of CPU for the traffic it gets.
WARN_BACKLOG = 500


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    """When a call to Slack has waited long enough to give its slot up: the event loop's clock, or a test's."""

    def call_later(self, delay: float, callback: Callable[[], object]) -> Cancellable: ...


class LoopClock:
    def call_later(self, delay: float, callback: Callable[[], object]) -> Cancellable:
        return asyncio.get_running_loop().call_later(delay, callback)


class _Piece:
    """One piece of work: holds one slot at most, shared by the tasks it starts."""

    __slots__ = ("ended", "holding", "taking")

    def __init__(self) -> None:
        self.holding = False
        self.ended = False
        # While one of its tasks waits for a slot, the others wait for that one: two waiting on the semaphore for
        # one piece would leave the second waiting behind the slot the first got, for good.
        self.taking: asyncio.Future[None] | None = None


class WorkGate:
    """Slots for work that is running; a piece waiting on Slack gives its slot up meanwhile (`outside`).

    A piece is known by a context variable rather than by its task, so the tasks it starts (a wave sending its pings
    side by side) act for it: any of them waiting on Slack may give the piece's slot up, and whichever goes on
    first takes it back.
    """

    def __init__(self, slots: int = SLOTS, clock: Clock | None = None) -> None:
        self._slots = asyncio.Semaphore(slots)
        self._clock = clock or LoopClock()
        self._piece: ContextVar[_Piece | None] = ContextVar(f"work_piece_{id(self)}", default=None)
        self._waiting = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._blocks = 0

    @property
    def waiting(self) -> int:
        return self._waiting

    @property
    def busy(self) -> int:
        """Pieces of work started and not over (listeners' tasks, timed actions' blocks), running or waiting: none
        in a process that is idle."""
        return len(self._tasks) + self._blocks

    def spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run `work` in a task of its own, kept until it ends so a stop can wait for it (`drain`)."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self) -> None:
        """Wait for the work running or waiting now to finish (bound it with a timeout)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks))

    async def enter(self) -> None:
        """A slot for the rest of the calling task (a listener after its ack), given back however the task ends."""
        task = asyncio.current_task()
        if task is None or self._piece.get() is not None:
            return
        piece = _Piece()
        await self._take(piece)
        self._piece.set(piece)  # the task runs in its own copy of the context: this ends with it
        task.add_done_callback(lambda _: self._end(piece))

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """A slot for the duration of a block (a timed action's handler): always a piece of its own."""
        piece = _Piece()
        self._blocks += 1
        try:
            await self._take(piece)
            token = self._piece.set(piece)
            try:
                yield
            finally:
                self._piece.reset(token)
        finally:
            self._blocks -= 1
            self._end(piece)

    @asynccontextmanager
    async def outside(self) -> AsyncIterator[None]:
        """Around a call to Slack: once it has waited PATIENCE, the slot goes to someone else until it answers.

        A slot held across network waits would leave the process idle on real Slack (a tenth of a second a call)
        and let two slow calls (a 429 asking for 30 s) stop all work. A quick call (local Slack, a few ms) keeps its
        slot: the CPU it spends building the request and reading the answer is work like any other.
        """
        piece = self._piece.get()
        if piece is None:
            yield
            return
        later = self._clock.call_later(PATIENCE, lambda: self._give_back(piece)) if piece.holding else None
        try:
            yield
        finally:
            if later is not None:
                later.cancel()
            task = asyncio.current_task()
            if not piece.holding and not (task is not None and task.cancelling()):
                await self._take(piece)

    async def sleep(self, seconds: float) -> None:
        """A pause that is not work (a backoff before trying Slack again): the slot goes to someone else meanwhile."""
        async with self.outside():
            await asyncio.sleep(seconds)

    async def _take(self, piece: _Piece) -> None:
        if piece.holding or piece.ended:
            return
        if piece.taking is not None:
            await asyncio.shield(piece.taking)
            return
        piece.taking = asyncio.get_running_loop().create_future()
        self._waiting += 1
        if self._waiting == WARN_BACKLOG:
            log.warning("work is backing up", waiting=self._waiting)
        try:
            await self._slots.acquire()
            if piece.ended:  # the piece is over (its task ended meanwhile)
                self._slots.release()
            else:
                piece.holding = True
        finally:
            self._waiting -= 1
            piece.taking.set_result(None)
            piece.taking = None

    def _give_back(self, piece: _Piece) -> None:
        if piece.holding:
            piece.holding = False
            self._slots.release()

    def _end(self, piece: _Piece) -> None:
        piece.ended = True
        self._give_back(piece)
