"""A process killed in the middle of a step, and what the next process does about it.

A kill is `Killed`, a BaseException like the SIGKILL it stands for (nothing in Burst catches it), raised by a fake
Slack right after a message went out (the worst moment: the message exists, the timer row does not say so), or by
the database driver just before a chosen statement. A timed action's row is then left running under the dead
worker's lease; the test lets that lease run out, as time would, and a second world (the next process) sweeps.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlmodel import col

from bot.ports import MessageRef
from bot.requests import Ask
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

    async def ping_closed(self, ref: MessageRef, request: HelpRequest, outcome: str, mentor_id: str) -> None:
        await super().ping_closed(ref, request, outcome, mentor_id)
        self._maybe_die("ping_closed")

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


async def test_a_request_whose_process_died_before_its_first_wave_gets_it_from_the_next_process(db: Database) -> None:
    dying_db = Database(db.url)

    def die_before_the_wave(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("UPDATE help_requests SET wave"):
            raise Killed("between storing the request and sending its first wave")

    event.listen(dying_db.engine.sync_engine, "before_cursor_execute", die_before_the_wave)
    try:
        dying = make_world(dying_db, worker="dead")
        await dying.profiles.add_skills("U1", [("rust", "expert")])
        with pytest.raises(Killed):
            await dying.requests.ask(Ask(requester_id="U0", topic="rust lifetimes", source="command"))
    finally:
        await dying_db.dispose()
    assert dying.slack.named("ping") == []

    after = make_world(db, worker="next")
    await after.timers.sweep()
    assert [c["mentor"] for c in after.slack.named("ping")] == ["U1"]


async def test_two_runs_of_one_wave_at_once_ping_one_wave(db: Database) -> None:
    """The direct run after an ask and the sweep of its durable first wave can race in two processes."""
    first = make_world(db, worker="first")
    for user in ("U1", "U2", "U3", "U4"):
        await first.profiles.add_skills(user, [("rust", "expert")])
    async with db.uow() as uow:
        request = uow.requests.add(HelpRequest(requester_id="U0", topic="rust", skills={"rust": 1.0}, source="dm"))
        await uow.commit()
    other = Database(db.url)
    try:
        second = make_world(other, worker="second")
        await asyncio.gather(first.requests.run_wave(request.id or 0, 1), second.requests.run_wave(request.id or 0, 1))
    finally:
        await other.dispose()
    assert len(first.slack.named("ping")) + len(second.slack.named("ping")) == 2
    async with db.uow(readonly=True) as uow:
        kinds = [e.kind for e in await uow.events.for_request(request.id or 0)]
    assert kinds.count("wave.sent") == 1


async def test_after_an_accept_the_pair_is_put_in_touch_before_the_other_pings_are_tidied(db: Database) -> None:
    """Each Slack call after the accept's commit is a window for a kill; the session card matters most."""
    dying = DyingSlack(die_after="ping_closed")
    world = make_world(db, dying)
    for user in ("U1", "U2"):
        await world.profiles.add_skills(user, [("rust", "expert")])
    outcome = await world.requests.ask(Ask(requester_id="U0", topic="rust", source="command"))
    async with db.uow(readonly=True) as uow:
        ping = (await uow.pings.for_request(outcome.request.id or 0))[0]
    with pytest.raises(Killed):
        await world.requests.accept(ping.id or 0, ping.mentor_id)
    assert dying.named("matched")


async def test_the_mentor_is_thanked_with_the_first_follow_up_sent_even_when_a_later_one_went_first(
    db: Database,
) -> None:
    """After a restart, follow-ups that fell due while Burst was down run together, in any order."""
    world = make_world(db)
    flash = await start_session(world)
    assert (await world.sessions.end(flash.id or 0, "U0")).status == "ok"
    async with db.uow() as uow:  # the second follow-up is due too, and goes first
        await uow.timers.reschedule(f"followup:{flash.id}:0", utcnow() + timedelta(hours=1))
        await uow.timers.reschedule(f"followup:{flash.id}:1", utcnow() - timedelta(seconds=1))
        await uow.commit()
    await world.timers.sweep()
    assert (await world.followups.answer(flash.id or 0, "U0", "solved")).status == "ok"
    async with db.uow() as uow:
        await uow.timers.reschedule(f"followup:{flash.id}:0", utcnow() - timedelta(seconds=1))
        await uow.commit()
    await world.timers.sweep()
    assert [c["index"] for c in world.slack.named("follow_up")] == [1]
    assert len(world.slack.named("thank_mentor")) == 1


async def test_two_follow_ups_due_at_once_thank_the_mentor_once(db: Database) -> None:
    world = make_world(db, worker="first")
    flash = await start_session(world)
    assert (await world.sessions.end(flash.id or 0, "U0")).status == "ok"
    async with db.uow() as uow:
        await uow.timers.reschedule(f"followup:{flash.id}:1", utcnow() - timedelta(seconds=1))
        await uow.commit()
    other = Database(db.url)
    try:
        second = make_world(other, worker="second")
        await asyncio.gather(world.timers.sweep(), second.timers.sweep())
    finally:
        await other.dispose()
    assert len(world.slack.named("follow_up") + second.slack.named("follow_up")) == 2
    assert len(world.slack.named("thank_mentor") + second.slack.named("thank_mentor")) == 1
