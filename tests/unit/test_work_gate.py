"""bot.runtime.work_gate: one piece of work at a time, a wait on Slack lets the next one run, a slot always comes back.

The gate's patience runs on a clock the tests move by hand, and the tests wait for what they assert (a piece
waiting, a log line) by letting the event loop run, never for an amount of real time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.runtime.work_gate import PATIENCE, WorkGate

_LOOP_TURNS = 1_000


class _Call:
    def __init__(self, due: float, callback: Callable[[], object]) -> None:
        self.due, self.callback, self.cancelled = due, callback, False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """bot.runtime.work_gate.Clock whose time moves only by `advance`."""

    def __init__(self) -> None:
        self.now = 0.0
        self._calls: list[_Call] = []

    def call_later(self, delay: float, callback: Callable[[], object]) -> _Call:
        call = _Call(self.now + delay, callback)
        self._calls.append(call)
        return call

    @property
    def pending(self) -> int:
        return sum(not c.cancelled for c in self._calls)

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [c for c in self._calls if c.due <= self.now and not c.cancelled]
        self._calls = [c for c in self._calls if c not in due and not c.cancelled]
        for call in sorted(due, key=lambda c: c.due):
            call.callback()


async def until(condition: Callable[[], bool]) -> None:
    """Let the event loop run until `condition` holds (every task that can go on has, many times over)."""
    for _ in range(_LOOP_TURNS):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"still false after {_LOOP_TURNS} turns of the event loop")


async def _piece(gate: WorkGate, name: str, log: list[str], body: asyncio.Future[None] | None = None) -> None:
    await gate.enter()
    log.append(f"{name} runs")
    if body is not None:
        await body
    await asyncio.sleep(0)
    log.append(f"{name} done")


async def test_pieces_run_one_at_a_time_in_the_order_they_came() -> None:
    gate, log = WorkGate(slots=1), list[str]()
    first_may_end: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    tasks = [asyncio.create_task(_piece(gate, "a", log, first_may_end))]
    tasks += [asyncio.create_task(_piece(gate, name, log)) for name in ("b", "c")]
    await until(lambda: gate.waiting == 2)
    assert log == ["a runs"]
    first_may_end.set_result(None)
    await asyncio.gather(*tasks)
    assert log == ["a runs", "a done", "b runs", "b done", "c runs", "c done"]


async def test_a_piece_that_fails_gives_its_slot_back() -> None:
    gate = WorkGate(slots=1)

    async def failing() -> None:
        await gate.enter()
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await asyncio.create_task(failing())
    await asyncio.wait_for(asyncio.create_task(_piece(gate, "next", [])), 1)


async def test_a_long_wait_on_slack_lets_the_next_piece_run_and_then_takes_its_turn_back() -> None:
    clock = ManualClock()
    gate, log = WorkGate(slots=1, clock=clock), list[str]()
    slack_answers: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def calls_slack() -> None:
        await gate.enter()
        log.append("a calls slack")
        async with gate.outside():
            await slack_answers
        log.append("a goes on")

    a = asyncio.create_task(calls_slack())
    await until(lambda: clock.pending == 1)
    b = asyncio.create_task(_piece(gate, "b", log))
    await until(lambda: gate.waiting == 1)
    assert log == ["a calls slack"]  # within its patience, a keeps the slot
    clock.advance(PATIENCE)  # a has waited past its patience: b gets the slot
    await until(b.done)
    assert log == ["a calls slack", "b runs", "b done"]
    slack_answers.set_result(None)
    await a
    assert log[-1] == "a goes on"


async def test_a_quick_call_to_slack_keeps_the_slot() -> None:
    clock = ManualClock()
    gate, log = WorkGate(slots=1, clock=clock), list[str]()

    async def quick() -> None:
        await gate.enter()
        async with gate.outside():
            await asyncio.sleep(0)
        log.append("a goes on")

    a = asyncio.create_task(quick())
    await asyncio.sleep(0)
    b = asyncio.create_task(_piece(gate, "b", log))
    await asyncio.gather(a, b)
    assert log == ["a goes on", "b runs", "b done"]
    assert clock.pending == 0  # the call's patience was called off when it answered


async def test_tasks_a_piece_starts_share_its_one_slot_and_it_comes_back_once() -> None:
    clock = ManualClock()
    gate = WorkGate(slots=1, clock=clock)
    answers = [asyncio.get_running_loop().create_future() for _ in range(3)]

    async def one_call(answer: asyncio.Future[None]) -> None:
        async with gate.outside():
            await answer

    async def fans_out() -> None:
        await gate.enter()
        calls = asyncio.gather(*(one_call(a) for a in answers))
        await until(lambda: clock.pending == len(answers))
        clock.advance(PATIENCE)
        for a in answers:
            a.set_result(None)
        await calls

    await asyncio.create_task(fans_out())
    # One slot, free again: two pieces in a row each get it at once (a leaked or doubled slot would show here).
    log: list[str] = []
    await asyncio.wait_for(asyncio.gather(_piece(gate, "x", log), _piece(gate, "y", log)), 1)
    assert log == ["x runs", "x done", "y runs", "y done"]


async def test_a_timed_action_holds_its_slot_for_its_block_only() -> None:
    gate, log = WorkGate(slots=1), list[str]()
    action_may_end, b_ended = asyncio.Event(), asyncio.Event()

    async def timed_action() -> None:
        async with gate.slot():
            log.append("action runs")
            await action_may_end.wait()
        log.append("action left its slot")
        await b_ended.wait()  # its task goes on after the block

    action = asyncio.create_task(timed_action())
    await until(lambda: log == ["action runs"])
    b = asyncio.create_task(_piece(gate, "b", log))
    await until(lambda: gate.waiting == 1)
    assert log == ["action runs"]
    action_may_end.set()
    await until(b.done)  # b runs while the action's task is still going
    b_ended.set()
    await action
    assert log == ["action runs", "action left its slot", "b runs", "b done"]


async def test_tasks_of_one_piece_coming_back_while_another_piece_runs_wait_for_one_slot_not_two() -> None:
    """Two tasks of a piece both waiting for its slot once held it and waited again for ever (a chaos run hung)."""
    clock = ManualClock()
    gate, log = WorkGate(slots=1, clock=clock), list[str]()
    answers = [asyncio.get_running_loop().create_future() for _ in range(2)]
    other_may_end: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def one_call(answer: asyncio.Future[None]) -> None:
        async with gate.outside():
            await answer
        log.append("call done")

    async def fans_out() -> None:
        await gate.enter()
        await asyncio.gather(*(one_call(a) for a in answers))
        log.append("piece done")

    piece = asyncio.create_task(fans_out())
    await until(lambda: clock.pending == len(answers))
    clock.advance(PATIENCE)  # both calls waited long enough: the slot is free
    other = asyncio.create_task(_piece(gate, "other", log, other_may_end))
    await until(lambda: log == ["other runs"])
    for a in answers:  # both come back while "other" holds the only slot
        a.set_result(None)
    await until(lambda: gate.waiting == 1)  # one waits for the slot, the other for that one
    assert log == ["other runs"]
    other_may_end.set_result(None)
    await asyncio.wait_for(asyncio.gather(piece, other), 1)
    assert log[-1] == "piece done"
    after: list[str] = []
    await asyncio.wait_for(_piece(gate, "next", after), 1)  # and the slot came back
    assert after == ["next runs", "next done"]


async def test_a_timed_action_started_from_a_listeners_context_is_a_piece_of_its_own() -> None:
    gate, log = WorkGate(slots=1), list[str]()
    listener_may_end: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    spawned: list[asyncio.Task[None]] = []

    async def timed_action() -> None:
        async with gate.slot():
            log.append("action runs")

    async def listener() -> None:
        await gate.enter()
        spawned.append(asyncio.create_task(timed_action()))  # inherits the listener's context
        await listener_may_end
        log.append("listener done")

    task = asyncio.create_task(listener())
    await until(lambda: gate.waiting == 1)
    assert log == []  # the action waits for a slot of its own instead of riding on the listener's
    listener_may_end.set_result(None)
    await asyncio.wait_for(asyncio.gather(task, *spawned), 1)
    assert log == ["listener done", "action runs"]


async def test_a_backoff_pause_lets_the_next_piece_run() -> None:
    """gate.sleep (a keyed post waiting before it tries Slack again) is not work: another piece runs meanwhile."""
    clock = ManualClock()
    gate = WorkGate(slots=1, clock=clock)
    other_ran = asyncio.Event()

    async def backing_off() -> None:
        await gate.enter()
        await gate.sleep(60)

    async def other() -> None:
        await gate.enter()
        other_ran.set()

    pausing = asyncio.create_task(backing_off())
    await until(lambda: clock.pending == 1)
    clock.advance(PATIENCE)  # the pause has lasted longer than a call's patience
    await asyncio.wait_for(other(), 5)  # behind a slot held for the whole pause this would time out
    assert other_ran.is_set()
    pausing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pausing
