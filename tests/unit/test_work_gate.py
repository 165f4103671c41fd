"""bot.work_gate: one piece of work at a time, a wait on Slack lets the next one run, a slot always comes back."""

from __future__ import annotations

import asyncio

import pytest

from bot import work_gate
from bot.work_gate import WorkGate


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
    await asyncio.sleep(0.05)
    assert log == ["a runs"]
    assert gate.waiting == 2
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
    gate, log = WorkGate(slots=1), list[str]()
    slack_answers: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def calls_slack() -> None:
        await gate.enter()
        log.append("a calls slack")
        async with gate.outside():
            await slack_answers
        log.append("a goes on")

    a = asyncio.create_task(calls_slack())
    await asyncio.sleep(0)
    b = asyncio.create_task(_piece(gate, "b", log))
    await asyncio.sleep(work_gate.PATIENCE * 3)  # a has waited past its patience: b got the slot
    assert log == ["a calls slack", "b runs", "b done"]
    slack_answers.set_result(None)
    await asyncio.gather(a, b)
    assert log[-1] == "a goes on"


async def test_a_quick_call_to_slack_keeps_the_slot() -> None:
    gate, log = WorkGate(slots=1), list[str]()

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


async def test_tasks_a_piece_starts_share_its_one_slot_and_it_comes_back_once() -> None:
    gate = WorkGate(slots=1)
    answers = [asyncio.get_running_loop().create_future() for _ in range(3)]

    async def one_call(answer: asyncio.Future[None]) -> None:
        async with gate.outside():
            await answer

    async def fans_out() -> None:
        await gate.enter()
        calls = asyncio.gather(*(one_call(a) for a in answers))
        await asyncio.sleep(work_gate.PATIENCE * 3)
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
    action_may_end = asyncio.Event()

    async def timed_action() -> None:
        async with gate.slot():
            log.append("action runs")
            await action_may_end.wait()
        log.append("action left its slot")
        await asyncio.sleep(0.02)

    action = asyncio.create_task(timed_action())
    await asyncio.sleep(0)
    b = asyncio.create_task(_piece(gate, "b", log))
    await asyncio.sleep(0.02)
    assert log == ["action runs"]
    action_may_end.set()
    await asyncio.wait_for(asyncio.gather(action, b), 1)
    assert log[:3] == ["action runs", "action left its slot", "b runs"]


async def test_tasks_of_one_piece_coming_back_while_another_piece_runs_wait_for_one_slot_not_two() -> None:
    """Two tasks of a piece both waiting for its slot once held it and waited again for ever (a chaos run hung)."""
    gate, log = WorkGate(slots=1), list[str]()
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
    await asyncio.sleep(work_gate.PATIENCE * 3)  # both calls waited long enough: the slot is free
    other = asyncio.create_task(_piece(gate, "other", log, other_may_end))
    await asyncio.sleep(0.01)
    for a in answers:  # both come back while "other" holds the only slot
        a.set_result(None)
    await asyncio.sleep(0.01)
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
    await asyncio.sleep(0.02)
    assert log == []  # the action waits for a slot of its own instead of riding on the listener's
    listener_may_end.set_result(None)
    await asyncio.wait_for(asyncio.gather(task, *spawned), 1)
    assert log == ["listener done", "action runs"]


async def test_a_backoff_pause_lets_the_next_piece_run() -> None:
    """gate.sleep (a keyed post waiting before it tries Slack again) is not work: another piece runs meanwhile."""
    gate = WorkGate(slots=1)
    other_ran = asyncio.Event()

    async def backing_off() -> None:
        await gate.enter()
        await gate.sleep(60)

    async def other() -> None:
        await gate.enter()
        other_ran.set()

    pausing = asyncio.create_task(backing_off())
    await asyncio.sleep(0)
    await asyncio.wait_for(other(), 5)  # behind a slot held for the whole pause this would time out
    assert other_ran.is_set()
    pausing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pausing
