"""Storage on both engines: schema, atomic claims under concurrency, candidate filters, the event log."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from bot.services.routing import level_weights
from storage.database import Database, UnitOfWork
from storage.migrate import upgrade, upgrade_async
from storage.models import (
    NEVER_PINGED,
    CalendarFeed,
    FlashSession,
    HelpRequest,
    Member,
    MemberSkill,
    Ping,
    RequestState,
    SessionState,
    SkillLevel,
    WantedLevel,
    utcnow,
)
from storage.repositories import CandidateQuery, CandidateRow

TABLES = {
    "members",
    "member_skills",
    "help_requests",
    "pings",
    "flash_sessions",
    "feedback",
    "interaction_events",
    "timed_actions",
    "digest_runs",
}


async def test_migrations_create_every_table_and_rerun_cleanly(db: Database) -> None:
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert names >= TABLES
    await upgrade_async(db.url)  # a second upgrade (a restart) is a no-op


async def test_the_migrations_build_exactly_the_models(db: Database) -> None:
    """A model change without its migration (or the reverse) shows up here, on both engines."""

    def diff(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, SQLModel.metadata))

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_a_mentor_has_one_active_session_at_a_time(db: Database) -> None:
    first, second, third = await _request(db, "U1"), await _request(db, "U2"), await _request(db, "U3")
    now = utcnow()

    def session(request_id: int, state: SessionState = SessionState.ACTIVE) -> FlashSession:
        return FlashSession(
            request_id=request_id, requester_id="U", mentor_id="M", state=state, ends_at=now + timedelta(minutes=15)
        )

    async with db.uow() as uow:
        uow.db_session.add_all([session(first, SessionState.ENDED), session(second)])
        await uow.commit()
    async with db.uow() as uow:
        uow.db_session.add(session(third))
        with pytest.raises(IntegrityError):
            await uow.commit()


async def _request(db: Database, requester: str = "U0REQ", topic: str = "python") -> int:
    async with db.uow() as uow:
        request = uow.requests.add(HelpRequest(requester_id=requester, topic=topic, skills={topic: 1.0}))
        await uow.commit()
    assert request.id is not None
    return request.id


async def test_states_and_levels_are_stored_as_the_same_text_and_read_back_as_enum_members(db: Database) -> None:
    request_id = await _request(db)
    async with db.uow() as uow:
        await uow.members.get_or_create("U0M")
        await uow.flush()
        await uow.members.set_skill("U0M", "python", SkillLevel.EXPERT)
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        stored = (await uow.db_session.execute(text("SELECT state, level FROM help_requests"))).one()
        level = await uow.db_session.scalar(text("SELECT level FROM member_skills"))
        request = await uow.requests.get(request_id)
        [skill] = await uow.members.skills_of("U0M")
    assert (tuple(stored), level) == (("open", "any"), "expert")
    assert request is not None
    assert (request.state, request.level, skill.level) == (RequestState.OPEN, WantedLevel.ANY, SkillLevel.EXPERT)
    assert {type(request.state), type(request.level), type(skill.level)} == {RequestState, WantedLevel, SkillLevel}


async def test_first_accept_wins_among_twenty_concurrent_claims(db: Database) -> None:
    request_id = await _request(db)

    async def claim(i: int) -> bool:
        async with db.uow() as uow:
            won = await uow.requests.claim_match(request_id, f"U0M{i:02}", utcnow())
            await uow.commit()
            return won

    results = await asyncio.gather(*(claim(i) for i in range(20)))
    assert sum(results) == 1
    async with db.uow(readonly=True) as uow:
        request = await uow.requests.get(request_id)
    assert request is not None
    assert request.state == "matched"
    assert request.mentor_id == f"U0M{results.index(True):02}"


async def test_due_timers_are_claimed_once_by_racing_workers(db: Database) -> None:
    now = utcnow()
    async with db.uow() as uow:
        for i in range(60):
            await uow.timers.schedule(f"t:{i}", "test", now - timedelta(seconds=1))
        await uow.timers.schedule("t:0", "test", now)  # same key again: ignored
        await uow.timers.schedule("later", "test", now + timedelta(hours=1))
        await uow.commit()

    async def worker(name: str) -> list[str]:
        got: list[str] = []
        while True:
            async with db.uow() as uow:
                batch = await uow.timers.claim_due(name, utcnow(), timedelta(minutes=1), limit=7)
                await uow.commit()
            if not batch:
                return got
            got.extend(a.key for a in batch)

    claimed = await asyncio.gather(*(worker(f"w{i}") for i in range(4)))
    keys = [k for batch in claimed for k in batch]
    assert sorted(keys) == sorted(f"t:{i}" for i in range(60))  # every one, none twice, not the future one


async def test_a_dead_workers_lease_is_reclaimed(db: Database) -> None:
    now = utcnow()
    async with db.uow() as uow:
        await uow.timers.schedule("k", "test", now - timedelta(seconds=5))
        await uow.commit()
    async with db.uow() as uow:
        first = await uow.timers.claim_due("dead", now, timedelta(seconds=1))
        await uow.commit()
    assert [a.key for a in first] == ["k"]
    async with db.uow() as uow:
        assert await uow.timers.claim_due("alive", now, timedelta(seconds=1)) == []  # lease still held
    async with db.uow() as uow:
        again = await uow.timers.claim_due("alive", now + timedelta(seconds=2), timedelta(seconds=1))
        await uow.commit()
    assert [(a.key, a.attempts, a.claimed_by) for a in again] == [("k", 2, "alive")]
    async with db.uow() as uow:
        assert await uow.timers.finish_all([again[0].id or 0], "dead", now) == 0  # the old worker can't finish it
        assert await uow.timers.finish_all([again[0].id or 0], "alive", now) == 1
        await uow.commit()


async def test_candidates_skip_the_unavailable(db: Database) -> None:
    now = utcnow()
    request_id = await _request(db, requester="U0REQ")
    other_request = await _request(db, requester="U0OTHER", topic="go")
    async with db.uow() as uow:
        people: dict[str, dict[str, Any]] = {
            "U0REQ": {},
            "U0FREE": {},
            "U0AWAY": {"away": True},
            "U0BACK": {"away": True, "away_until": now - timedelta(minutes=1)},
            "U0SNOOZE": {"snoozed_until": now + timedelta(minutes=30)},
            "U0BUSY": {},
            "U0PINGED": {},
        }
        for uid, attrs in people.items():
            uow.db_session.add(Member(id=uid, **attrs))
        await uow.flush()
        for uid in people:
            await uow.members.set_skill(uid, "python", SkillLevel.EXPERT)
        await uow.members.set_skill("U0FREE", "postgresql", SkillLevel.PEER)
        uow.pings.add(Ping(request_id=request_id, mentor_id="U0PINGED"))
        uow.sessions.add(
            FlashSession(
                request_id=other_request,
                requester_id="U0OTHER",
                mentor_id="U0BUSY",
                ends_at=now + timedelta(minutes=9),
            )
        )
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        rows = await _candidates(uow, request_id, {"python": 1.0, "postgresql": 0.9})
    by_id = {r.member.id: r for r in rows}
    assert set(by_id) == {"U0FREE", "U0BACK"}
    assert by_id["U0FREE"].skills == {"python": "expert", "postgresql": "peer"}


async def _candidates(
    uow: UnitOfWork,
    request_id: int,
    scores: dict[str, float],
    *,
    clocks: dict[str, str] | None = None,
    prefer_level: SkillLevel | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
    meetings_until: datetime | None = None,
) -> list[CandidateRow]:
    now = now or utcnow()
    query = CandidateQuery(
        quality=level_weights(scores),
        prefer_level=prefer_level,
        clocks=clocks or {},
        requester_id="U0REQ",
        request_id=request_id,
        now=now,
        since=now - timedelta(days=7),
        limit=limit,
        offset=offset,
        meetings_until=meetings_until,
    )
    return await uow.members.candidates(query)


async def test_candidates_say_who_has_a_calendar_interval_within_the_window(db: Database) -> None:
    """The page flags who the calendar has busy in [now, meetings_until), so a wave reads only their calendars; an
    interval that ends at the window's start or starts at its end does not count."""
    request_id = await _request(db)
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    until = now + timedelta(minutes=15)
    intervals = {
        "U0NOW": (now - timedelta(minutes=5), now + timedelta(minutes=10)),
        "U0SOON": (now + timedelta(minutes=10), now + timedelta(hours=1)),
        "U0ENDED": (now - timedelta(hours=1), now),
        "U0LATER": (until, until + timedelta(minutes=30)),
        "U0NOCAL": None,
    }
    async with db.uow() as uow:
        for uid, interval in intervals.items():
            await uow.members.get_or_create(uid)
            await uow.flush()
            await uow.members.set_skill(uid, "go", SkillLevel.PEER)
            if interval is not None:
                uow.calendars.add(CalendarFeed(member_id=uid, url_secret="sealed"))
                await uow.flush()
                await uow.calendars.replace_busy(uid, [interval])
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        window = await _candidates(uow, request_id, {"go": 1.0}, now=now, meetings_until=until)
        instant = await _candidates(uow, request_id, {"go": 1.0}, now=now)
    assert {r.member.id for r in window if r.in_meeting} == {"U0NOW", "U0SOON"}
    assert {r.member.id for r in instant if r.in_meeting} == {"U0NOW"}  # no window: in a meeting at `now`
    assert {r.member.id for r in window} == set(intervals)


async def test_candidates_outside_their_working_hours_are_left_out_in_sql(db: Database) -> None:
    request_id = await _request(db)
    people = {
        "U0DAY": ("Europe/Berlin", "09:00", "17:30"),  # 10:15 there: in
        "U0EVENING": ("Europe/Berlin", "18:00", "22:00"),  # out
        "U0NIGHT": ("Asia/Tokyo", "22:00", "06:00"),  # overnight span, 02:15 there: in
        "U0NIGHTOFF": ("Asia/Tokyo", "06:00", "22:00"),  # out
        "U0NOHOURS": ("Asia/Tokyo", None, None),  # no hours: any time
        "U0ELSEWHERE": ("America/Lima", "09:00", "10:00"),  # zone not in the clocks: the caller checks it
    }
    async with db.uow() as uow:
        for uid, (tz, start, end) in people.items():
            uow.db_session.add(Member(id=uid, tz=tz, hours_start=start, hours_end=end))
        await uow.flush()
        for uid in people:
            await uow.members.set_skill(uid, "rust", SkillLevel.PEER)
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        clocks = {"Europe/Berlin": "10:15", "Asia/Tokyo": "02:15"}
        rows = await _candidates(uow, request_id, {"rust": 1.0}, clocks=clocks)
        assert set(await uow.members.zones()) >= {"Europe/Berlin", "Asia/Tokyo", "America/Lima"}
    assert {r.member.id for r in rows} == {"U0DAY", "U0NIGHT", "U0NOHOURS", "U0ELSEWHERE"}


async def test_candidates_come_in_pages_by_level_quality_and_longest_since_a_ping(db: Database) -> None:
    request_id = await _request(db)
    now = utcnow()
    async with db.uow() as uow:
        # (skill, level, pinged minutes ago or None)
        people = {
            "U0A": ("go", SkillLevel.PEER, None),
            "U0B": ("go", SkillLevel.EXPERT, 5),
            "U0C": ("go", SkillLevel.EXPERT, None),
            "U0D": ("go", SkillLevel.EXPERT, 60),
            "U0E": ("golang-ish", SkillLevel.EXPERT, None),  # a weaker match
        }
        for uid, (_, _, ago) in people.items():
            pinged = None if ago is None else now - timedelta(minutes=ago)
            uow.db_session.add(Member(id=uid, last_pinged_at=pinged))
        await uow.flush()
        for uid, (skill, level, _) in people.items():
            await uow.members.set_skill(uid, skill, level)
        await uow.commit()
    scores = {"go": 1.0, "golang-ish": 0.5}
    async with db.uow(readonly=True) as uow:
        order = [r.member.id for r in await _candidates(uow, request_id, scores)]
        peers_first = [r.member.id for r in await _candidates(uow, request_id, scores, prefer_level=SkillLevel.PEER)]
        pages = [
            [r.member.id for r in await _candidates(uow, request_id, scores, limit=2, offset=offset)]
            for offset in (0, 2, 4)
        ]
    assert order == ["U0C", "U0D", "U0B", "U0A", "U0E"]  # expert 1.0 (never, then longest ago), peer 0.85, 0.5
    assert peers_first[0] == "U0A"
    assert pages == [["U0C", "U0D"], ["U0B", "U0A"], ["U0E"]]


async def test_a_ping_sends_a_mentor_behind_everyone_else_for_every_skill_they_hold(db: Database) -> None:
    """Routing orders by the copy of the last ping on each skill row: mark_pinged and set_skill keep it current."""
    request_id = await _request(db)
    async with db.uow() as uow:
        for uid in ("U0A", "U0B"):
            uow.db_session.add(Member(id=uid))
            await uow.flush()
            await uow.members.set_skill(uid, "go", SkillLevel.EXPERT)
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        before = [r.member.id for r in await _candidates(uow, request_id, {"go": 1.0})]
    async with db.uow() as uow:
        await uow.members.mark_pinged(["U0A"], utcnow())
        for uid in ("U0A", "U0B"):  # a skill added after the ping carries it too
            await uow.members.set_skill(uid, "zig", SkillLevel.EXPERT)
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        after = [r.member.id for r in await _candidates(uow, request_id, {"go": 1.0})]
        zig = [r.member.id for r in await _candidates(uow, request_id, {"zig": 1.0})]
        pinged = await uow.members.get("U0A")
    assert before == ["U0A", "U0B"]  # never pinged: by id
    assert after == ["U0B", "U0A"]
    assert zig == ["U0B", "U0A"]
    assert pinged is not None
    assert pinged.last_pinged_at is not None


async def test_the_routing_migration_copies_each_members_last_ping_onto_their_skills(db_url: str) -> None:
    await asyncio.to_thread(upgrade, db_url, "0004")
    pinged = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    database = Database(db_url)
    try:
        async with database.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO members (id, display_name, tz, away, thanks_opt_in, last_pinged_at, created_at) "
                    "VALUES ('U0P', '', 'UTC', false, false, :at, :at), ('U0N', '', 'UTC', false, false, NULL, :at)"
                ),
                {"at": pinged.replace(tzinfo=None)},
            )
            await conn.execute(
                text(
                    "INSERT INTO member_skills (member_id, skill, level) "
                    "VALUES ('U0P', 'go', 'peer'), ('U0P', 'rust', 'expert'), ('U0N', 'go', 'peer')"
                )
            )
        await upgrade_async(db_url)
        async with database.uow(readonly=True) as uow:
            copies = {
                (s.member_id, s.skill): s.last_pinged_at for s in await uow.db_session.scalars(select(MemberSkill))
            }
    finally:
        await database.dispose()
    assert copies == {("U0P", "go"): pinged, ("U0P", "rust"): pinged, ("U0N", "go"): NEVER_PINGED}


async def test_event_log_keeps_order_and_ids(db: Database) -> None:
    request_id = await _request(db)
    async with db.uow() as uow:
        for kind in ("request.created", "wave.sent", "ping.sent", "request.matched"):
            uow.events.append(kind, actor_id="U0X", request_id=request_id, note=kind)
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        events = await uow.events.for_request(request_id)
    assert [e.kind for e in events] == ["request.created", "wave.sent", "ping.sent", "request.matched"]
    assert all(e.data == {"note": e.kind} and e.at.tzinfo is not None for e in events)


async def test_nothing_is_stored_without_commit(db: Database) -> None:
    async with db.uow() as uow:
        uow.requests.add(HelpRequest(requester_id="U0A", topic="x"))
        await uow.flush()
    async with db.uow(readonly=True) as uow:
        assert await uow.requests.open_for("U0A") == []
