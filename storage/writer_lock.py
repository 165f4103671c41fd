"""One SQLite writer at a time in a process, queued in asyncio rather than in SQLite's busy handler.

SQLite lets one transaction write at a time. Without this, the other writers waited inside SQLite's busy handler,
which sleeps from 1 up to 100 ms between attempts: under load a writer often slept on long after the lock was
free, each holding a pooled connection and a thread meanwhile, and the backlog fed on itself. Queued here, the
next writer begins the moment the last one commits (`python -m benchmarks load` shows the acks' tail it saves).
SQLite still arbitrates between processes; this only
orders one process's own writers. A unit of work holds it from its BEGIN IMMEDIATE to its commit.
"""

from __future__ import annotations

import asyncio


class WriterLock:
    """An asyncio lock that the task holding it may take again (a unit of work opened inside another)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._depth = 0

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            self._depth += 1
            return
        await self._lock.acquire()
        self._owner, self._depth = task, 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()
