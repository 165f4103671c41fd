"""A process killed in the middle of a timed action, and what the next process does when it takes the action over.

A kill is a fake Slack that raises `Killed` at a chosen call, right after the message went out (the worst moment:
the message exists, the timer row does not say so). `Killed` is a BaseException, like the SIGKILL it stands for:
nothing in Burst catches it. The action's row is left running under the dead worker's lease; the test lets that
lease run out, as time would, and a second world (the next process) sweeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col

from bot.sessions import WARNING
from storage.database import Database
from storage.models import FlashSession, HelpRequest, TimedAction, TimerState
from storage.types import utcnow
from tests.service.conftest import make_world
from tests.service.test_sessions import start_session
from tests.support.fakes import RecordingSlack


class Killed(BaseException):
    """The process died here."""


@dataclass
class DyingSlack(RecordingSlack):
    die_after: str = ""  # the call after which the process dies, once

    def _maybe_die(self, call: str) -> None:
        if call == self.die_after:
            self.die_after = ""
            raise Killed(call)

    async def follow_up(self, request: HelpRequest, flash: FlashSession, index: int) -> None:
        await super().follow_up(request, flash, index)
        self._maybe_die("follow_up")

    async def session_changed(self, request: HelpRequest, flash: FlashSession, what: str) -> None:
        await super().session_changed(request, flash, what)
        self._maybe_die(f"session_changed:{what}")


async def lease_runs_out(db: Database) -> None:
    async with db.uow() as uow:
        await uow.session.execute(
            update(TimedAction)
            .where(col(TimedAction.state) == TimerState.RUNNING)
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )
        await uow.commit()


async def test_a_follow_up_sent_just_before_a_kill_is_not_sent_again_by_the_next_process(db: Database) -> None:
    dying = DyingSlack(die_after="follow_up")
    world = make_world(db, dying, worker="dead")
    flash = await start_session(world)
    assert (await world.sessions.end(flash.id or 0, "U0")).status == "ok"  # the first follow-up is due at once
    with pytest.raises(Killed):
        await world.timers.sweep()
    assert len(dying.named("follow_up")) == 1

    await lease_runs_out(db)
    after = make_world(db, RecordingSlack(), worker="next")
    await after.timers.sweep()
    assert after.slack.named("follow_up") == []
    async with db.uow(readonly=True) as uow:
        kinds = [e.kind for e in await uow.events.for_request(flash.request_id)]
        row = await uow.timers.get(f"followup:{flash.id}:0")
    assert kinds.count("followup.sent") == 1
    assert row is not None
    assert row.state == TimerState.DONE


async def test_a_warning_sent_just_before_a_kill_is_not_sent_again_by_the_next_process(db: Database) -> None:
    dying = DyingSlack(die_after="session_changed:warning")
    world = make_world(db, dying, worker="dead")
    flash = await start_session(world)
    async with db.uow() as uow:
        await uow.session.execute(
            update(TimedAction).where(col(TimedAction.kind) == WARNING).values(due_at=utcnow() - timedelta(seconds=1))
        )
        await uow.commit()
    with pytest.raises(Killed):
        await world.timers.sweep()

    await lease_runs_out(db)
    after = make_world(db, RecordingSlack(), worker="next")
    await after.timers.sweep()
    assert [c for c in after.slack.named("session_changed") if c["what"] == "warning"] == []
    async with db.uow(readonly=True) as uow:
        kinds = [e.kind for e in await uow.events.for_request(flash.request_id)]
    assert kinds.count("session.warned") == 1
