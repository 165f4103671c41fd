"""The SQLite writer lock (storage.database): one writer at a time, in arrival order, re-entrant for its holder."""

from __future__ import annotations

import asyncio

from storage.database import WriterLock


async def test_writers_take_turns_in_arrival_order() -> None:
    lock, order = WriterLock(), []

    async def write(name: str) -> None:
        await lock.acquire()
        order.append(f"{name} in")
        await asyncio.sleep(0)  # the others' turn: they would get in now were the lock not held
        order.append(f"{name} out")
        lock.release()

    await asyncio.gather(write("a"), write("b"), write("c"))
    assert order == ["a in", "a out", "b in", "b out", "c in", "c out"]


async def test_the_holding_task_may_take_it_again_and_others_wait_for_the_last_release() -> None:
    lock, seen = WriterLock(), []

    async def other() -> None:
        await lock.acquire()
        seen.append("other")
        lock.release()

    await lock.acquire()
    await lock.acquire()  # a unit of work inside another, same task: no deadlock
    waiting = asyncio.create_task(other())
    lock.release()
    await asyncio.sleep(0)  # the other task's turn: it would take the lock now were it free
    assert seen == []  # still held once
    lock.release()
    await waiting
    assert seen == ["other"]
