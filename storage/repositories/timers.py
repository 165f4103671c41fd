from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import TimedAction, TimerState, dialect, rowcount


class TimerRepository:
    """Durable timers. `claim_due` is the only way an action starts running, so it runs once across processes."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def schedule(
        self,
        key: str,
        kind: str,
        due_at: datetime,
        *,
        request_id: int | None = None,
        session_id: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Insert a pending action; scheduling the same key twice keeps the first (a redelivery is harmless)."""
        values = {
            "key": key,
            "kind": kind,
            "due_at": due_at,
            "state": TimerState.PENDING,
            "request_id": request_id,
            "session_id": session_id,
            "data": data or {},
            "attempts": 0,
        }
        await self.s.execute(self._insert_new(values))

    def _insert_new(self, values: dict[str, Any]) -> Any:
        """An INSERT that does nothing when the key exists (both dialects' ON CONFLICT DO NOTHING)."""
        insert = pg_insert if dialect(self.s) == "postgresql" else sqlite_insert
        return insert(TimedAction).values(**values).on_conflict_do_nothing(index_elements=["key"])

    async def add_claimed(
        self,
        key: str,
        kind: str,
        now: datetime,
        worker: str,
        lease_until: datetime,
        *,
        request_id: int | None = None,
        session_id: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> TimedAction | None:
        """Insert an action already running under `worker`'s lease, as if claimed at once (see bot.runtime.timers.owe).

        None when the key exists: the step that owes it ran before.
        """
        values = {
            "key": key,
            "kind": kind,
            "due_at": now,
            "state": TimerState.RUNNING,
            "request_id": request_id,
            "session_id": session_id,
            "data": data or {},
            "claimed_by": worker,
            "lease_until": lease_until,
            "attempts": 1,
        }
        stmt = self._insert_new(values).returning(TimedAction)
        added: TimedAction | None = await self.s.scalar(stmt, execution_options={"synchronize_session": False})
        return added

    async def get(self, key: str) -> TimedAction | None:
        return await self.s.scalar(select(TimedAction).where(col(TimedAction.key) == key))

    async def reschedule(self, key: str, due_at: datetime) -> bool:
        """Move a still-pending action (e.g. the next wave, when everyone declined)."""
        result = await self.s.execute(
            update(TimedAction)
            .where(col(TimedAction.key) == key, col(TimedAction.state) == TimerState.PENDING)
            .values(due_at=due_at)
        )
        return rowcount(result) == 1

    async def cancel_for_request(self, request_id: int, kinds: tuple[str, ...]) -> None:
        await self._cancel(col(TimedAction.request_id) == request_id, kinds)

    async def cancel_for_session(self, session_id: int, kinds: tuple[str, ...]) -> None:
        await self._cancel(col(TimedAction.session_id) == session_id, kinds)

    async def _cancel(self, owner: ColumnElement[bool], kinds: tuple[str, ...]) -> None:
        await self.s.execute(
            update(TimedAction)
            .where(owner, col(TimedAction.state) == TimerState.PENDING, col(TimedAction.kind).in_(kinds))
            .values(state=TimerState.CANCELLED)
        )

    async def claim_due(self, worker: str, now: datetime, lease: timedelta, limit: int = 100) -> list[TimedAction]:
        """Atomically take what is due: pending rows, and running rows whose worker's lease ran out (it died).

        PostgreSQL: `FOR UPDATE SKIP LOCKED` lets processes claim disjoint rows without waiting on each other.
        SQLite: the write transaction began IMMEDIATE, so claims are already serialised.
        """
        due = or_(
            (col(TimedAction.state) == TimerState.PENDING) & (col(TimedAction.due_at) <= now),
            (col(TimedAction.state) == TimerState.RUNNING) & (col(TimedAction.lease_until) < now),
        )
        pick = select(col(TimedAction.id)).where(due).order_by(col(TimedAction.due_at)).limit(limit)
        if dialect(self.s) == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        stmt = (
            update(TimedAction)
            .where(col(TimedAction.id).in_(pick.scalar_subquery()))
            .values(
                state=TimerState.RUNNING,
                claimed_by=worker,
                lease_until=now + lease,
                attempts=col(TimedAction.attempts) + 1,
            )
            .returning(TimedAction)
        )
        rows = await self.s.scalars(stmt, execution_options={"synchronize_session": False})
        return list(rows)

    async def finish_all(self, action_ids: Sequence[int], worker: str, at: datetime) -> int:
        """Mark done those of the running actions this worker still holds; how many were."""
        result = await self.s.execute(
            update(TimedAction)
            .where(col(TimedAction.id).in_(list(action_ids)), col(TimedAction.claimed_by) == worker)
            .where(col(TimedAction.state) == TimerState.RUNNING)
            .values(state=TimerState.DONE, done_at=at)
        )
        return rowcount(result)

    async def renew(self, action_id: int, worker: str, lease_until: datetime) -> bool:
        """Extend a running action's lease, if this worker still holds it."""
        result = await self.s.execute(
            update(TimedAction)
            .where(col(TimedAction.id) == action_id, col(TimedAction.claimed_by) == worker)
            .where(col(TimedAction.state) == TimerState.RUNNING)
            .values(lease_until=lease_until)
        )
        return rowcount(result) == 1

    async def retry_later(self, action_id: int, worker: str, due_at: datetime, give_up: bool) -> None:
        await self.s.execute(
            update(TimedAction)
            .where(col(TimedAction.id) == action_id, col(TimedAction.claimed_by) == worker)
            .values(state=TimerState.FAILED if give_up else TimerState.PENDING, due_at=due_at, lease_until=None)
        )

    async def next_due(self) -> datetime | None:
        return await self.s.scalar(
            select(col(TimedAction.due_at))
            .where(col(TimedAction.state) == TimerState.PENDING)
            .order_by(col(TimedAction.due_at))
            .limit(1)
        )

    async def pending_count(self) -> int:
        from sqlalchemy import func

        return int(
            await self.s.scalar(
                select(func.count()).select_from(TimedAction).where(col(TimedAction.state) == TimerState.PENDING)
            )
            or 0
        )
