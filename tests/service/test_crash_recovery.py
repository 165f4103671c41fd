"""A process killed in the middle of a step, and what the next process does about it.

A kill is `Killed`, a BaseException like the SIGKILL it stands for (nothing in Burst catches it), raised by a fake
Slack just before a message goes out (the step committed, Slack has nothing) or right after (Slack has it, the
database does not say so), or by the database driver just before a chosen statement. A timed action's row is then
left running under the dead worker's lease; the test lets that lease run out, as time would, and a second world
(the next process, talking to the same Slack) sweeps. Every message owed is then in Slack exactly once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlmodel import col

from bot.runtime.ports import MessageRef
from bot.runtime.timer_kinds import SessionWarningDue
from bot.services.asking import Ask
from storage.database import Database
from storage.models import FlashSession, HelpRequest, PingState, SkillLevel, TimedAction, TimerState, utcnow
from tests.service.conftest import make_world
from tests.service.test_sessions import start_session
from tests.support.fakes import RecordingSlack


class Killed(BaseException):
    """The process died here."""


@dataclass
class DyingSlack(RecordingSlack):
    die_after: str = ""  # the call after which the process dies, once
    die_before: str = ""  # the call before which it dies, once

    def _maybe_die(self, call: str, before: bool) -> None:
        if call == (self.die_before if before else self.die_after):
            self.die_before, self.die_after = ("", self.die_after) if before else (self.die_before, "")
            raise Killed(call)

    async def ping_closed(self, ref: MessageRef, request: HelpRequest, outcome: PingState) -> None:
        self._maybe_die("ping_closed", before=True)
        await super().ping_closed(ref, request, outcome)
        self._maybe_die("ping_closed", before=False)

    async def matched(self, request: HelpRequest, flash: FlashSession) -> list[MessageRef]:
        self._maybe_die("matched", before=True)
        refs = await super().matched(request, flash)
        self._maybe_die("matched", before=False)
        return refs

    async def ping(self, mentor_id: str, request: HelpRequest, ping_id: int, reason: str) -> MessageRef | None:
        self._maybe_die("ping", before=True)
        ref = await super().ping(mentor_id, request, ping_id, reason)
        self._maybe_die("ping", before=False)
        return ref

    async def expired(self, request: HelpRequest, asked: int) -> MessageRef | None:
        self._maybe_die("expired", before=True)
        return await super().expired(request, asked)

    async def follow_up(self, request: HelpRequest, flash: FlashSession, index: int) -> None:
        self._maybe_die("follow_up", before=True)
        await super().follow_up(request, flash, index)
        self._maybe_die("follow_up", before=False)

    async def session_changed(self, request: HelpRequest, flash: FlashSession, what: str) -> None:
        self._maybe_die(f"session_changed:{what}", before=True)
        await super().session_changed(request, flash, what)
        self._maybe_die(f"session_changed:{what}", before=False)


async def lease_runs_out(db: Database) -> None:
    async with db.uow() as uow:
        await uow.db_session.execute(
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
    after = make_world(db, dying, worker="next")
    await after.timers.sweep()
    assert len(dying.named("follow_up")) == 1
    assert len(dying.named("thank_mentor")) == 1
    async with db.uow(readonly=True) as uow:
        kinds = [e.kind for e in await uow.events.for_request(flash.request_id)]
        rows = [await uow.timers.get(k) for k in (f"followup:{flash.id}:0", f"tell_followup:{flash.id}:0")]
    assert kinds.count("followup.sent") == 1
    assert [r.state if r else None for r in rows] == [TimerState.DONE, TimerState.DONE]


async def test_a_follow_up_owed_when_the_process_died_is_sent_by_the_next_one(db: Database) -> None:
    dying = DyingSlack(die_before="follow_up")
    world = make_world(db, dying, worker="dead")
    flash = await start_session(world)
    assert (await world.sessions.end(flash.id or 0, "U0")).status == "ok"
    with pytest.raises(Killed):
        await world.timers.sweep()
    assert dying.named("follow_up") == []

    await lease_runs_out(db)
    await make_world(db, dying, worker="next").timers.sweep()
    assert [c["index"] for c in dying.named("follow_up")] == [0]
    assert len(dying.named("thank_mentor")) == 1


async def test_a_warning_sent_just_before_a_kill_is_not_sent_again_by_the_next_process(db: Database) -> None:
    dying = DyingSlack(die_after="session_changed:warning")
    world = make_world(db, dying, worker="dead")
    flash = await start_session(world)
    async with db.uow() as uow:
        await uow.db_session.execute(
            update(TimedAction)
            .where(col(TimedAction.kind) == SessionWarningDue.KIND)
            .values(due_at=utcnow() - timedelta(seconds=1))
        )
        await uow.commit()
    with pytest.raises(Killed):
        await world.timers.sweep()

    await lease_runs_out(db)
    after = make_world(db, dying, worker="next")
    await after.timers.sweep()
    assert [c for c in dying.named("session_changed") if c["what"] == "warning"] == [
        {"what": "warning", "session": flash.id}
    ]
    async with db.uow(readonly=True) as uow:
        kinds = [e.kind for e in await uow.events.for_request(flash.request_id)]
    assert kinds.count("session.warned") == 1


async def test_a_session_end_owed_when_the_process_died_is_told_by_the_next_one(db: Database) -> None:
    dying = DyingSlack(die_before="session_changed:ended")
    world = make_world(db, dying, worker="dead")
    flash = await start_session(world)
    with pytest.raises(Killed):
        await world.sessions.end(flash.id or 0, "U1")

    await lease_runs_out(db)
    await make_world(db, dying, worker="next").timers.sweep()
    assert [c["what"] for c in dying.named("session_changed")] == ["ended"]


async def test_a_request_whose_process_died_before_its_first_wave_gets_it_from_the_next_process(db: Database) -> None:
    dying_db = Database(db.url)

    def die_before_the_wave(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("UPDATE help_requests SET wave"):
            raise Killed("between storing the request and sending its first wave")

    event.listen(dying_db.engine.sync_engine, "before_cursor_execute", die_before_the_wave)
    try:
        dying = make_world(dying_db, worker="dead")
        await dying.profiles.add_skills("U1", [("rust", SkillLevel.EXPERT)])
        with pytest.raises(Killed):
            await dying.requests.ask(Ask(requester_id="U0", topic="rust lifetimes", source="command"))
    finally:
        await dying_db.dispose()
    assert dying.slack.named("ping") == []

    after = make_world(db, worker="next")
    await after.timers.sweep()
    assert after.slack.named("ping") == []  # still held by the process that died, until its lease runs out
    await lease_runs_out(db)
    await after.timers.sweep()
    assert [c["mentor"] for c in after.slack.named("ping")] == ["U1"]


@dataclass
class SlowStatusSlack(RecordingSlack):
    """Slack taking its time over the first status message ("looking for someone"), until `answer` is set."""

    answer: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: asyncio.Event = field(default_factory=asyncio.Event)

    async def searching(self, request: HelpRequest, asked: int, wave: int) -> MessageRef | None:
        if not asked:
            self.waiting.set()
            await self.answer.wait()
        return await super().searching(request, asked, wave)


async def test_a_sweep_while_the_first_status_message_is_on_its_way_leaves_the_first_wave_to_the_ask(
    db: Database,
) -> None:
    """A sweep running the first wave meanwhile would find no status message stored and post a second one."""
    slack = SlowStatusSlack()
    world = make_world(db, slack)
    await world.profiles.add_skills("U1", [("rust", SkillLevel.EXPERT)])
    asking = asyncio.create_task(world.requests.ask(Ask(requester_id="U0", topic="rust lifetimes", source="dm")))
    await slack.waiting.wait()
    assert await world.timers.sweep() == 0  # the first wave is the ask's to run
    slack.answer.set()
    outcome = await asking
    assert outcome.status == "searching"
    assert [c["mentor"] for c in slack.named("ping")] == ["U1"]
    assert len(slack.named("looking")) == 1
    assert await world.timers.sweep() == 0  # nothing of the first wave is left to run


async def test_two_runs_of_one_wave_at_once_ping_one_wave(db: Database) -> None:
    """The direct run after an ask and the sweep of its durable first wave can race in two processes."""
    first = make_world(db, worker="first")
    for user in ("U1", "U2", "U3", "U4"):
        await first.profiles.add_skills(user, [("rust", SkillLevel.EXPERT)])
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
        await world.profiles.add_skills(user, [("rust", SkillLevel.EXPERT)])
    outcome = await world.requests.ask(Ask(requester_id="U0", topic="rust", source="command"))
    async with db.uow(readonly=True) as uow:
        ping = (await uow.pings.for_request(outcome.request.id or 0))[0]
    with pytest.raises(Killed):
        await world.answers.accept(ping.id or 0, ping.mentor_id)
    assert dying.named("matched")

    await lease_runs_out(db)
    await make_world(db, dying, worker="next").timers.sweep()
    assert len(dying.named("matched")) == 1
    assert {c["outcome"] for c in dying.named("ping_closed")} == {"accepted", "taken"}


async def test_a_match_owed_when_the_process_died_is_announced_by_the_next_one(db: Database) -> None:
    dying = DyingSlack(die_before="matched")
    world = make_world(db, dying, worker="dead")
    await world.profiles.add_skills("U1", [("rust", SkillLevel.EXPERT)])
    outcome = await world.requests.ask(Ask(requester_id="U0", topic="rust", source="command"))
    async with db.uow(readonly=True) as uow:
        ping = (await uow.pings.for_request(outcome.request.id or 0))[0]
    with pytest.raises(Killed):
        await world.answers.accept(ping.id or 0, ping.mentor_id)
    assert dying.named("matched") == []

    await lease_runs_out(db)
    await make_world(db, dying, worker="next").timers.sweep()
    assert [c["mentor"] for c in dying.named("matched")] == ["U1"]
    async with db.uow(readonly=True) as uow:
        [flash] = await uow.sessions.active_for("U1")
    assert flash.cards, "the cards the next process posted are stored, so ticks and the end can update them"


async def test_pings_of_a_wave_cut_short_by_a_kill_are_sent_once_by_the_next_process(db: Database) -> None:
    dying = DyingSlack(die_after="ping")
    world = make_world(db, dying, worker="dead")
    for user in ("U1", "U2"):
        await world.profiles.add_skills(user, [("rust", SkillLevel.EXPERT)])
    with pytest.raises(Killed):  # the first ping went out; the second did not, nor was the first one's ts stored
        await world.requests.ask(Ask(requester_id="U0", topic="rust", source="command"))

    await lease_runs_out(db)
    await make_world(db, dying, worker="next").timers.sweep()
    assert sorted(c["mentor"] for c in dying.named("ping")) == ["U1", "U2"]
    assert len(dying.named("searching")) == 1
    async with db.uow(readonly=True) as uow:
        [request] = await uow.requests.open_for("U0")
        pings = await uow.pings.for_request(request.id or 0)
    assert all(p.message_ts for p in pings)


async def test_a_ping_posted_just_before_a_kill_loses_its_buttons_once_its_request_closed(db: Database) -> None:
    dying = DyingSlack(die_after="ping")
    world = make_world(db, dying, worker="dead")
    await world.profiles.add_skills("U1", [("rust", SkillLevel.EXPERT)])
    with pytest.raises(Killed):  # posted; its place never stored
        await world.requests.ask(Ask(requester_id="U0", topic="rust", source="command"))
    after = make_world(db, dying, worker="next")
    assert await after.requests.cancel("U0") is not None  # nothing to rewrite that it knows of

    await lease_runs_out(db)
    await after.timers.sweep()
    assert [c["outcome"] for c in dying.named("ping_closed")] == ["expired"]
    assert len(dying.named("ping")) == 1
    assert dying.named("searching") == [], "no 'searching' note for a request cancelled meanwhile"


async def test_an_expiry_owed_when_the_process_died_is_told_by_the_next_one(db: Database) -> None:
    dying = DyingSlack(die_before="expired")
    world = make_world(db, dying, worker="dead")
    await world.profiles.add_skills("U1", [("rust", SkillLevel.EXPERT)])
    outcome = await world.requests.ask(Ask(requester_id="U0", topic="rust", source="command"))
    with pytest.raises(Killed):
        await world.requests.expire(outcome.request.id or 0)

    await lease_runs_out(db)
    await make_world(db, dying, worker="next").timers.sweep()
    assert dying.named("expired") == [{"request": outcome.request.id}]
    # An update, not a post: sent again by the next process, and Slack shows it the same.
    assert {c["outcome"] for c in dying.named("ping_closed")} == {"expired"}


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
