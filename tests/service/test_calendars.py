"""Calendars through the real service and database, served by a local HTTP server: connect, refresh with ETags,
skip the busy, say why, forget; the address sealed and the titles never stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlmodel import col

from bot.runtime.timer_kinds import CalendarRefreshDue
from bot.services.asking import Ask
from bot.services.calendar_fetch import CalendarAddressError, CalendarFetcher
from bot.services.calendar_secret import CalendarSecrets
from bot.services.calendars import WINDOW, CalendarService
from bot.services.privacy import PrivacyService
from storage.database import Database
from storage.models import CalendarBusy, CalendarFeed, SkillLevel, TimedAction, utcnow
from tests.service.conftest import World
from tests.support.ics_server import IcsServer, busy_now, ics

FIXTURES = Path(__file__).parent.parent / "unit" / "calendars"
SECRET_PATH = "calendar/ical/someone.example.com/private-5ecret7oken/basic.ics"


@pytest.fixture
async def server() -> AsyncIterator[IcsServer]:
    async with IcsServer() as served:
        yield served


def service(world: World) -> CalendarService:
    return CalendarService(
        world.db, CalendarFetcher(allow_local=True), CalendarSecrets("test key"), world.timers, timedelta(minutes=15)
    )


async def test_connecting_stores_busy_times_only_and_the_address_sealed(world: World, server: IcsServer) -> None:
    server.calendars[SECRET_PATH] = busy_now()
    calendars = service(world)
    connected = await calendars.connect("U0MENTOR", server.url(SECRET_PATH))
    assert connected.busy == 1
    assert connected.hint == "http://127.0.0.1/…"
    async with world.db.uow(readonly=True) as uow:
        feed = await uow.calendars.feed("U0MENTOR")
        dump = [str(row) for row in (await uow.db_session.execute(text("SELECT * FROM calendar_busy"))).all()]
        dump += [str(row) for row in (await uow.db_session.execute(text("SELECT * FROM calendar_feeds"))).all()]
    assert feed is not None
    assert CalendarSecrets("test key").open(feed.url_secret) == server.url(SECRET_PATH)
    assert CalendarSecrets("another key").open(feed.url_secret) is None
    stored = " ".join(dump)
    for secret in ("private-5ecret7oken", "Secret planning", "Someone Private", "private@example.com"):
        assert secret not in stored
    state = await calendars.state("U0MENTOR")
    assert state is not None
    assert state.busy_until is not None
    assert state.busy_until > utcnow()


async def test_a_refresh_asks_with_the_etag_and_an_unchanged_calendar_costs_a_304(
    world: World, server: IcsServer
) -> None:
    server.calendars["a.ics"] = busy_now()
    calendars = service(world)
    await calendars.connect("U0MENTOR", server.url("a.ics"))
    await calendars.refresh_all()
    assert (server.full, server.unchanged) == (1, 1)
    now = utcnow().replace(microsecond=0)
    server.calendars["a.ics"] = ics((now + timedelta(hours=3), now + timedelta(hours=4)))  # the meeting moved
    await calendars.refresh_all()
    assert (server.full, server.unchanged) == (2, 1)
    state = await calendars.state("U0MENTOR")
    assert state is not None
    assert state.busy_until is None
    assert state.next_busy == now + timedelta(hours=3)


async def test_a_feed_that_fails_keeps_its_busy_times_and_says_why(world: World, server: IcsServer) -> None:
    server.calendars["b.ics"] = busy_now()
    calendars = service(world)
    await calendars.connect("U0MENTOR", server.url("b.ics"))
    del server.calendars["b.ics"]
    await calendars.refresh_all()
    state = await calendars.state("U0MENTOR")
    assert state is not None
    assert state.failure == "the calendar server refused the address (HTTP 404)"
    assert state.busy_until is not None


async def test_a_bad_address_or_a_page_that_is_not_a_calendar_is_refused_and_nothing_is_kept(
    world: World, server: IcsServer
) -> None:
    server.calendars["page.ics"] = b"<html>Sign in to see this calendar</html>"
    calendars = service(world)
    with pytest.raises(ValueError, match="iCalendar"):
        await calendars.connect("U0MENTOR", server.url("page.ics"))
    with pytest.raises(CalendarAddressError, match="couldn't read that calendar"):
        await calendars.connect("U0MENTOR", server.url("missing.ics"))
    async with world.db.uow(readonly=True) as uow:
        assert await uow.calendars.feed("U0MENTOR") is None


async def test_a_mentor_busy_in_their_calendar_is_skipped_and_the_refresh_runs_on_its_durable_timer(
    world: World, server: IcsServer
) -> None:
    await world.profiles.add_skills("U0BUSY", [("python", SkillLevel.EXPERT)])
    await world.profiles.add_skills("U0FREE", [("python", SkillLevel.EXPERT)])
    server.calendars["busy.ics"] = busy_now()
    calendars = service(world)
    await calendars.connect("U0BUSY", server.url("busy.ics"))
    await world.requests.ask(Ask(requester_id="U0ASKER", topic="python", source="command"))
    assert {c["mentor"] for c in world.slack.named("ping")} == {"U0FREE"}
    await calendars.start()
    async with world.db.uow(readonly=True) as uow:
        timers = list(
            await uow.db_session.scalars(select(TimedAction).where(col(TimedAction.kind) == CalendarRefreshDue.KIND))
        )
    assert len(timers) == 1


async def test_when_everyone_is_in_a_meeting_the_requester_is_told_and_the_next_wave_waits_for_the_first_free(
    world: World, server: IcsServer
) -> None:
    calendars = service(world)
    now = utcnow().replace(microsecond=0)
    for user, minutes in (("U0ONE", 30), ("U0TWO", 70)):
        await world.profiles.add_skills(user, [("rust", SkillLevel.PEER)])
        server.calendars[f"{user}.ics"] = ics((now - timedelta(minutes=5), now + timedelta(minutes=minutes)))
        await calendars.connect(user, server.url(f"{user}.ics"))
    outcome = await world.requests.ask(Ask(requester_id="U0ASKER", topic="rust", source="command"))
    assert not world.slack.named("ping")
    (told,) = world.slack.named("all_busy")
    assert told["busy"] == 2
    assert told["why"] == "in meetings"
    assert told["retry_at"] == now + timedelta(minutes=30, seconds=15)
    async with world.db.uow(readonly=True) as uow:
        wave = await uow.timers.get(f"wave:{outcome.request.id}:2")
    assert wave is not None
    assert wave.due_at == told["retry_at"]


async def test_delete_my_data_forgets_the_calendar(world: World, server: IcsServer) -> None:
    server.calendars["c.ics"] = busy_now()
    await service(world).connect("U0GONE", server.url("c.ics"))
    await PrivacyService(world.db, world.answers, world.sessions).forget("U0GONE")
    async with world.db.uow(readonly=True) as uow:
        assert await uow.db_session.scalar(select(CalendarFeed).where(col(CalendarFeed.member_id) == "U0GONE")) is None
        assert await uow.db_session.scalar(select(CalendarBusy).where(col(CalendarBusy.member_id) == "U0GONE")) is None


async def test_without_allow_local_only_public_https_addresses_are_fetched(server: IcsServer, db: Database) -> None:
    server.calendars["d.ics"] = busy_now()
    fetcher = CalendarFetcher(allow_local=False)
    # By name: resolved, and loopback is not a public address.
    fetched = await fetcher.fetch(f"https://localhost:{server.port}/d.ics")
    assert fetched.outcome == "failed"
    assert server.full == 0


async def test_a_real_recurring_calendar_file_served_over_http_is_expanded_in_its_time_zone(
    world: World, server: IcsServer
) -> None:
    """The Google-style fixture: a weekday stand-up at 09:30 Berlin time with exceptions, a free lunch, a
    cancelled review. Served now, its next two days are the stand-ups (08:30 UTC in winter time), nothing else."""
    server.calendars["standup.ics"] = (FIXTURES / "weekly_standup.ics").read_bytes()
    await service(world).connect("U0STANDUP", server.url("standup.ics"))
    # Compared away from the window's edges, where the connect's own clock clips.
    start, end = utcnow() + timedelta(minutes=1), utcnow() + WINDOW - timedelta(minutes=1)
    async with world.db.uow(readonly=True) as uow:
        stored = (await uow.calendars.busy(["U0STANDUP"], start, end)).get("U0STANDUP", [])
    expected = []
    for offset in range(4):
        begin = datetime.combine((start + timedelta(days=offset)).date(), time(8, 30), tzinfo=UTC)
        if begin.weekday() < 5 and begin >= start and begin + timedelta(minutes=30) <= end:
            expected.append((begin, begin + timedelta(minutes=30)))
    assert [(s, e) for s, e in stored if s >= start and e <= end] == expected
