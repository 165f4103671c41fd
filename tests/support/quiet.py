"""Waiting until Burst has nothing left to do now, so an end-to-end test can assert that something did not happen.

Burst acts on what people do and on its timers. Once every process reports no work under way (`work` in /healthz
counts the listeners and timed actions its work gate holds) and no timed action is running or due, nothing more
happens until a pending timer falls due or someone acts. The timers are read before and after the processes: an
action that ran in between changes its row, and the look is repeated. What `settled` returns is what is still to
come: the pending timed actions, which a test checks for what must not (or must) happen later.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from storage.database import Database
from storage.models import TimedAction, TimerState, utcnow
from tests.support.burst_process import BurstProcess

_POLL = 0.1


@dataclass(frozen=True)
class Timer:
    key: str
    kind: str
    state: str
    due_at: datetime
    attempts: int
    request_id: int | None
    session_id: int | None


async def timers(database_url: str) -> list[Timer]:
    """Every timed action in the database, in the order they were made."""
    db = Database(database_url)
    try:
        async with db.uow(readonly=True) as uow:
            rows = await uow.db_session.scalars(select(TimedAction).order_by(col(TimedAction.id)))
            return [Timer(r.key, r.kind, r.state, r.due_at, r.attempts, r.request_id, r.session_id) for r in rows]
    finally:
        await db.dispose()


def health_of(process: BurstProcess) -> dict[str, Any] | None:
    """What the process's /healthz says, or None while it does not answer healthy."""
    try:
        with urllib.request.urlopen(process.health_url, timeout=5) as answer:
            health = json.loads(answer.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return health if isinstance(health, dict) and health.get("status") == "ok" else None


def work_of(process: BurstProcess) -> int | None:
    """The process's work under way (listeners and timed actions), or None while it does not answer healthy."""
    health = health_of(process)
    return None if health is None else int(health["work"])


def _active(found: list[Timer]) -> list[Timer]:
    now = utcnow()
    return [t for t in found if t.state == TimerState.RUNNING or (t.state == TimerState.PENDING and t.due_at <= now)]


async def quiet_now(database_url: str, processes: Sequence[BurstProcess]) -> list[Timer] | None:
    """The pending timed actions if nothing runs or is due in any of `processes` right now, else None."""
    before = await timers(database_url)
    if _active(before):
        return None
    work = [await asyncio.to_thread(work_of, p) for p in processes]
    if any(w != 0 for w in work) or await timers(database_url) != before:
        return None
    return [t for t in before if t.state == TimerState.PENDING]


async def settled(
    database_url: str,
    *processes: BurstProcess,
    timeout: float = 30,  # noqa: ASYNC109 -- a polling budget; on expiry the error says what was still going on
) -> list[Timer]:
    """Wait until nothing runs or is due in any of `processes`; returns the pending timed actions (what is to come)."""
    deadline = time.monotonic() + timeout
    while True:
        if (pending := await quiet_now(database_url, processes)) is not None:
            return pending
        if time.monotonic() > deadline:
            before = await timers(database_url)
            work = [await asyncio.to_thread(work_of, p) for p in processes]
            raise AssertionError(
                f"Burst did not settle within {timeout:g}s: work under way per process {work}, "
                f"timed actions running or due {[(t.key, t.state, t.due_at.isoformat()) for t in _active(before)]}"
            )
        await asyncio.sleep(_POLL)
