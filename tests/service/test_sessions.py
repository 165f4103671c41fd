"""Session timers through the real services and database: the card's minute ticks, extension and end."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlmodel import col

from bot.requests import Ask
from bot.sessions import TICK
from storage.models import FlashSession, TimedAction, TimerState
from storage.types import utcnow
from tests.service.conftest import World


async def start_session(world: World) -> FlashSession:
    await world.profiles.add_skills("U1", [("rust", "expert")])
    outcome = await world.requests.ask(Ask(requester_id="U0", topic="rust lifetimes", source="command"))
    async with world.db.uow(readonly=True) as uow:
        ping = (await uow.pings.for_request(outcome.request.id or 0))[0]
    assert (await world.requests.accept(ping.id or 0, "U1")).status == "accepted"
    async with world.db.uow(readonly=True) as uow:
        [flash] = await uow.sessions.active_for("U1")
    return flash


async def ticks(world: World, state: str = TimerState.PENDING) -> list[TimedAction]:
    async with world.db.uow(readonly=True) as uow:
        rows = await uow.session.scalars(
            select(TimedAction)
            .where(col(TimedAction.kind) == TICK, col(TimedAction.state) == state)
            .order_by(col(TimedAction.due_at))
        )
        return list(rows)


async def tick_falls_due(world: World) -> None:
    """Pretend a minute passed for the pending tick only (the warning and end stay in the future), then sweep."""
    async with world.db.uow() as uow:
        await uow.session.execute(
            update(TimedAction)
            .where(col(TimedAction.kind) == TICK, col(TimedAction.state) == TimerState.PENDING)
            .values(due_at=utcnow() - timedelta(seconds=1))
        )
        await uow.commit()
    assert await world.timers.sweep() == 1


async def test_the_card_is_refreshed_once_a_minute_while_the_session_runs(world: World) -> None:
    flash = await start_session(world)
    [first] = await ticks(world)
    assert first.key == f"{TICK}:{flash.id}:0:1"
    assert first.due_at == flash.started_at + timedelta(minutes=1)

    await tick_falls_due(world)
    assert [c["what"] for c in world.slack.named("session_changed")] == ["tick"]
    [second] = await ticks(world)
    assert second.key == f"{TICK}:{flash.id}:0:2"  # the chain moves on even though no real minute passed
    assert second.due_at == flash.started_at + timedelta(minutes=2)

    assert (await world.sessions.end(flash.id or 0, "U0")).status == "ok"
    assert await ticks(world) == []
    assert [t.key for t in await ticks(world, TimerState.CANCELLED)] == [second.key]


async def test_no_refresh_is_scheduled_past_the_end_and_an_extension_restarts_the_chain(world: World) -> None:
    flash = await start_session(world)
    # A session with under a minute to go gets no further tick.
    async with world.db.uow() as uow:
        stored = await uow.sessions.get(flash.id or 0)
        assert stored is not None
        stored.ends_at = flash.started_at + timedelta(seconds=90)
        await uow.commit()
    await tick_falls_due(world)
    assert await ticks(world) == []

    assert (await world.sessions.extend(flash.id or 0, "U1")).status == "ok"
    [restarted] = await ticks(world)
    assert restarted.due_at > utcnow()
    assert restarted.due_at < flash.started_at + timedelta(seconds=90) + timedelta(minutes=10)
