"""Request -> waves -> accept / decline / expiry through the real services and database (Slack faked); and
`choose` on its own: the SQL page, the exact checks, and the next page when they thin it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlmodel import col

from bot.domain.embedding import shared_embedder
from bot.domain.understanding import Understander, Understanding
from bot.services.asking import Ask
from bot.services.routing import PAGE, PLANNED_RUNS, Choice, TopicReader, choose, warm_choosing
from storage.database import Database, UnitOfWork
from storage.models import Member, Ping, SkillLevel, TimedAction, WantedLevel, utcnow
from storage.repositories import members as members_repository
from tests.service.conftest import World, make_world


async def mentors(world: World, skills: dict[str, list[tuple[str, SkillLevel]]]) -> None:
    for user, items in skills.items():
        await world.profiles.add_skills(user, items)


async def due_now(world: World) -> None:
    """Pretend the wave timeout passed: move every pending timer to the past, then sweep like a process would."""
    async with world.db.uow() as uow:
        await uow.db_session.execute(
            update(TimedAction)
            .where(col(TimedAction.state) == "pending")
            .values(due_at=utcnow() - timedelta(seconds=1))
        )
        await uow.commit()
    await world.timers.sweep()


async def test_waves_escalate_then_the_request_expires_as_unmet_demand(world: World) -> None:
    await mentors(world, {f"U{i}": [("python", SkillLevel.EXPERT)] for i in range(5)})
    outcome = await world.requests.ask(Ask(requester_id="U0", topic="help with python", source="command"))
    assert outcome.status == "searching"
    first = {c["mentor"] for c in world.slack.named("ping")}
    assert len(first) == 2
    assert "U0" not in first  # the requester is never pinged
    await due_now(world)
    second = {c["mentor"] for c in world.slack.named("ping")} - first
    assert len(second) == 2
    assert not second & first
    await due_now(world)  # the last wave timed out
    assert world.slack.named("expired")
    async with world.db.uow(readonly=True) as uow:
        request = await uow.requests.get(outcome.request.id or 0)
        kinds = [e.kind for e in await uow.events.for_request(outcome.request.id or 0)]
    assert request is not None
    assert request.state == "expired"
    assert kinds.count("wave.sent") == 2
    assert kinds[-1] == "request.expired"
    assert {c["outcome"] for c in world.slack.named("ping_closed")} == {"expired"}


async def test_when_everyone_declines_the_next_wave_goes_at_once(world: World) -> None:
    await mentors(world, {f"U{i}": [("kubernetes", SkillLevel.EXPERT)] for i in range(1, 5)})
    outcome = await world.requests.ask(Ask(requester_id="U0", topic="k8s ingress", source="dm"))
    async with world.db.uow(readonly=True) as uow:
        pings = await uow.pings.for_request(outcome.request.id or 0)
    await world.answers.decline(pings[0].id or 0, pings[0].mentor_id)
    await world.answers.decline(pings[1].id or 0, pings[1].mentor_id, snooze=True)
    await world.timers.sweep()  # the next wave was moved to now: no waiting for the timeout
    assert len(world.slack.named("ping")) == 4


async def test_first_accept_wins_and_the_others_are_told(world: World) -> None:
    await mentors(world, {"U1": [("go", SkillLevel.EXPERT)], "U2": [("golang", SkillLevel.PEER)]})
    outcome = await world.requests.ask(Ask(requester_id="U0", topic="golang generics", source="command"))
    async with world.db.uow(readonly=True) as uow:
        pings = await uow.pings.for_request(outcome.request.id or 0)
    assert len(pings) == 2
    results = await asyncio.gather(*(world.answers.accept(p.id or 0, p.mentor_id) for p in pings))
    assert sorted(r.status for r in results) == ["accepted", "taken"]
    assert len(world.slack.named("matched")) == 1
    late = await world.answers.accept(pings[0].id or 0, "U9")
    assert late.status == "not_yours"


async def test_a_wave_interrupted_by_a_restart_is_sent_once(db: Database) -> None:
    first = make_world(db, worker="before-crash")
    await mentors(first, {f"U{i}": [("sql", SkillLevel.EXPERT)] for i in range(1, 6)})
    outcome = await first.requests.ask(Ask(requester_id="U0", topic="sql window functions", source="command"))
    # The process dies; another one starts and sweeps, perhaps twice, perhaps alongside a third.
    second, third = make_world(db, worker="after-restart"), make_world(db, worker="other")
    second.slack.calls.clear()
    await due_now(second)
    await asyncio.gather(second.timers.sweep(), third.timers.sweep())
    async with db.uow(readonly=True) as uow:
        pings = await uow.pings.for_request(outcome.request.id or 0)
    assert len(pings) == 4
    assert len({p.mentor_id for p in pings}) == 4  # nobody pinged twice
    assert len(second.slack.named("ping")) + len(third.slack.named("ping")) == 2


async def test_a_topic_no_one_knows_is_recorded_and_pings_nobody(world: World) -> None:
    await mentors(world, {"U1": [("python", SkillLevel.EXPERT)]})
    outcome = await world.requests.ask(Ask(requester_id="U0", topic="underwater basket weaving", source="command"))
    assert outcome.status == "no_match"
    assert world.slack.named("ping") == []
    assert world.slack.named("no_match") == [{"reason": "no_skill"}]


async def test_the_same_delivery_twice_makes_one_request(world: World) -> None:
    await mentors(world, {"U1": [("python", SkillLevel.EXPERT)]})
    ask = Ask(requester_id="U0", topic="python", source="command", dedup_key="cmd:trigger-1")
    results = await asyncio.gather(world.requests.ask(ask), world.requests.ask(ask))
    assert sorted(r.status for r in results) in (["duplicate", "searching"], ["already_open", "searching"])
    assert len(world.slack.named("ping")) == 1


async def test_twenty_concurrent_accepts_have_one_winner(world: World) -> None:
    mentors_ = {f"U{i:02}": [("rust", SkillLevel.EXPERT)] for i in range(1, 21)}
    await mentors(world, mentors_)
    world.requests.config = type(world.requests.config)(
        wave_size=20, wave_timeout=timedelta(minutes=3), max_waves=1, default_length_seconds=900
    )
    outcome = await world.requests.ask(Ask(requester_id="U0", topic="rust lifetimes", source="command"))
    async with world.db.uow(readonly=True) as uow:
        pings = await uow.pings.for_request(outcome.request.id or 0)
    assert len(pings) == 20
    results = await asyncio.gather(*(world.answers.accept(p.id or 0, p.mentor_id) for p in pings))
    assert sorted(r.status for r in results).count("accepted") == 1
    assert [r.status for r in results].count("taken") == 19
    assert len(world.slack.named("matched")) == 1


async def one_mentor_pinged_twice(world: World) -> tuple[Ping, Ping]:
    """U1, the only python mentor, is pinged for two requests while free."""
    await mentors(world, {"U1": [("python", SkillLevel.EXPERT)]})
    first = await world.requests.ask(Ask(requester_id="U8", topic="python typing", source="command"))
    second = await world.requests.ask(Ask(requester_id="U9", topic="python packaging", source="command"))
    async with world.db.uow(readonly=True) as uow:
        [ping1] = await uow.pings.for_request(first.request.id or 0)
        [ping2] = await uow.pings.for_request(second.request.id or 0)
    return ping1, ping2


async def test_a_mentor_already_in_a_session_cannot_take_a_second(world: World) -> None:
    ping1, ping2 = await one_mentor_pinged_twice(world)
    assert (await world.answers.accept(ping1.id or 0, "U1")).status == "accepted"
    assert (await world.answers.accept(ping2.id or 0, "U1")).status == "busy"
    async with world.db.uow(readonly=True) as uow:
        waiting = await uow.requests.get(ping2.request_id)
        [active] = await uow.sessions.active_for("U1")
    assert waiting is not None
    assert waiting.state == "open"  # still open for someone else
    await world.sessions.end(active.id or 0, "U1")
    assert (await world.answers.accept(ping2.id or 0, "U1")).status == "accepted"


async def test_an_accept_past_the_weekly_cap_is_refused(world: World) -> None:
    ping1, ping2 = await one_mentor_pinged_twice(world)
    await world.profiles.set_cap("U1", 1)
    assert (await world.answers.accept(ping1.id or 0, "U1")).status == "accepted"
    async with world.db.uow(readonly=True) as uow:
        [active] = await uow.sessions.active_for("U1")
    await world.sessions.end(active.id or 0, None)
    assert (await world.answers.accept(ping2.id or 0, "U1")).status == "cap_reached"


async def test_a_page_emptied_by_the_weekly_cap_is_followed_by_the_next(db: Database) -> None:
    async with db.uow() as uow:
        # The first page (by id, all alike otherwise) is at a cap of zero: only the exact check knows.
        for i in range(PAGE + 5):
            uow.db_session.add(Member(id=f"M{i:03}", weekly_cap=0 if i < PAGE else None))
        await uow.flush()
        for i in range(PAGE + 5):
            await uow.members.set_skill(f"M{i:03}", "python", SkillLevel.EXPERT)
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        chosen = await _first_wave(uow, {"python": 1.0})
    assert [c.member_id for c in chosen.chosen] == [f"M{PAGE + i:03}" for i in range(3)]


async def test_nobody_is_chosen_for_no_skill_or_no_want(db: Database) -> None:
    async with db.uow(readonly=True) as uow:
        none = await _first_wave(uow, {})
        zero = await _first_wave(uow, {"go": 1.0}, want=0)
    assert none.chosen == zero.chosen == []


class _WritesWhileReading(TopicReader):
    """A reader that, mid-read, has another task store a change and waits for it to commit."""

    def __init__(self, write: Callable[[], Coroutine[Any, Any, object]]) -> None:
        super().__init__(Understander(shared_embedder()))
        self.write = write
        self.wrote = False

    async def read(self, uow: UnitOfWork, topic: str) -> Understanding:
        # Were this read inside the ask's writing unit of work, SQLite's one writer turn would be held by the ask
        # and the other task's write would never begin: the cap only turns that hang into a failure.
        await asyncio.wait_for(asyncio.create_task(self.write()), timeout=30)
        self.wrote = True
        return await super().read(uow, topic)


async def test_an_ask_reads_its_topic_without_holding_the_writers_turn(world: World) -> None:
    """Reading a topic is the longest step of an ask; other writers (claims, accepts, timers) go on meanwhile."""
    await mentors(world, {"U1": [("python", SkillLevel.EXPERT)]})
    reader = _WritesWhileReading(lambda: world.profiles.add_skills("U0OTHER", [("rust", SkillLevel.PEER)]))
    world.requests.reader = reader
    outcome = await world.requests.ask(Ask(requester_id="U0ASK", topic="pandas groupby", source="command"))
    assert reader.wrote
    assert outcome.status == "searching"


async def test_warming_up_compiles_every_shape_a_request_can_take(db: Database) -> None:
    """After `warm_choosing` (run at start-up), no request builds the candidates' statement: each shape is cached."""
    async with db.uow() as uow:
        uow.db_session.add(Member(id="U0ZONED", tz="Europe/Paris"))
        await uow.commit()
    members_repository._statement.cache_clear()  # as in a fresh process
    await warm_choosing(db, 3)
    built = members_repository._statement.cache_info().misses
    skills = {"python": 0.9, "go": 0.8, "sql": 0.7}
    for count in range(1, 4):
        for named in ({}, {"U0ZONED": 0.6}):
            async with db.uow(readonly=True) as uow:
                await _first_wave(uow, dict(list(skills.items())[:count]), named)
    assert members_repository._statement.cache_info().misses == built


@pytest.mark.parametrize("engine", ["postgresql"])  # SQLite keeps no plans between runs of a statement
async def test_warming_up_leaves_postgresql_no_request_to_plan(db: Database) -> None:
    """PostgreSQL plans a prepared statement's first PLANNED_RUNS runs itself: after `warm_choosing`, a request's
    candidates are read with the plan kept, and none is planned again (about 2 ms each, the tail of routing)."""
    async with db.uow() as uow:
        for member_id, skill in (("U0PY", "python"), ("U0GO", "go")):
            await uow.members.get_or_create(member_id)
            await uow.flush()
            await uow.members.set_skill(member_id, skill, SkillLevel.EXPERT)
        await uow.commit()
    await warm_choosing(db, 2)
    async with db.uow(readonly=True) as uow:
        chosen = await _first_wave(uow, {"python": 0.9})
        plans = (
            await uow.db_session.execute(
                text(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                    " WHERE statement LIKE 'WITH zone_clock%' ORDER BY generic_plans + custom_plans DESC"
                )
            )
        ).all()
    assert [c.member_id for c in chosen.chosen] == ["U0PY"]
    assert plans, "the candidates' statement is a prepared statement of this connection"
    assert all(custom == PLANNED_RUNS for _, custom in plans)
    assert max(generic for generic, _ in plans) >= 2  # the warm-up's last run, and the request's


async def _first_wave(
    uow: UnitOfWork, skills: dict[str, float], named: dict[str, float] | None = None, want: int = 3
) -> Choice:
    """The first wave of a request of U0ASKER's for `skills` (and mentors `named` by their evidence), at any level."""
    return await choose(
        uow,
        skill_scores=skills,
        mentor_scores=named,
        level=WantedLevel.ANY,
        requester_id="U0ASKER",
        request_id=1,
        now=utcnow(),
        want=want,
    )
