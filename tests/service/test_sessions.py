"""Session timers through the real services and database: warning, extension and end, and nothing between."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select, text
from sqlmodel import col

from bot.runtime.timer_kinds import SessionEndDue, SessionWarningDue
from bot.services.asking import Ask
from storage.models import FlashSession, SkillLevel, TimedAction, TimerState, utcnow
from tests.service.conftest import World

MIGRATION = Path(__file__).resolve().parents[2] / "storage/migrations/versions/0007_retire_session_ticks.py"
RETIRE_TICKS = re.findall(r'"(UPDATE timed_actions[^"]+)"', MIGRATION.read_text(encoding="utf-8"))[0]


async def start_session(world: World) -> FlashSession:
    await world.profiles.add_skills("U1", [("rust", SkillLevel.EXPERT)])
    outcome = await world.requests.ask(Ask(requester_id="U0", topic="rust lifetimes", source="command"))
    async with world.db.uow(readonly=True) as uow:
        ping = (await uow.pings.for_request(outcome.request.id or 0))[0]
    assert (await world.answers.accept(ping.id or 0, "U1")).status == "accepted"
    async with world.db.uow(readonly=True) as uow:
        [flash] = await uow.sessions.active_for("U1")
    return flash


async def session_timers(world: World, session_id: int) -> list[tuple[str, str]]:
    async with world.db.uow(readonly=True) as uow:
        rows = await uow.db_session.scalars(
            select(TimedAction).where(col(TimedAction.session_id) == session_id).order_by(col(TimedAction.due_at))
        )
        return [(row.kind, row.state) for row in rows]


async def test_a_running_session_has_only_its_warning_and_end_to_wait_for(world: World) -> None:
    """No timer between start, warning and end: the card counts down in Slack's date formatting, not by edits."""
    flash = await start_session(world)
    pending = [kind for kind, state in await session_timers(world, flash.id or 0) if state == TimerState.PENDING]
    assert pending == [SessionWarningDue.KIND, SessionEndDue.KIND]

    assert (await world.sessions.extend(flash.id or 0, "U1")).status == "ok"
    pending = [kind for kind, state in await session_timers(world, flash.id or 0) if state == TimerState.PENDING]
    assert pending == [SessionWarningDue.KIND, SessionEndDue.KIND]
    assert [c["what"] for c in world.slack.named("session_changed")] == ["extended"]


async def test_a_tick_left_by_an_older_version_is_cancelled_by_the_migration(world: World) -> None:
    flash = await start_session(world)
    async with world.db.uow() as uow:
        await uow.timers.schedule("session_tick:1:0:1", "session_tick", utcnow(), session_id=flash.id)
        await uow.commit()
    async with world.db.uow() as uow:
        await uow.db_session.execute(text(RETIRE_TICKS))
        await uow.commit()
    assert ("session_tick", TimerState.CANCELLED) in await session_timers(world, flash.id or 0)
    assert await world.timers.sweep() == 0
