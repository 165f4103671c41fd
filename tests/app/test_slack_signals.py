"""Slack's own availability signals against a Web API that answers dnd.teamInfo, users.info and users.getPresence
as Slack documents them: who is skipped and why, the switches, the cache, 429s and a method that is not there."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.models import PingState, TimedAction
from tests.app.flows import add_mentor, ask, person
from tests.conftest import database_copy
from tests.support.fake_web_api import FakeWebApi
from tests.support.in_process import InProcessBurst, Transport

HOUR = 3600


def dnd_now(api: FakeWebApi, user: str, ends_in: int = HOUR) -> int:
    now = int(time.time())
    api.dnd[user] = {"dnd_enabled": True, "next_dnd_start_ts": now - HOUR, "next_dnd_end_ts": now + ends_in}
    return now + ends_in


@pytest.fixture
async def build(
    fake_api: FakeWebApi, migrated_template: Path, tmp_path: Path, transport: Transport
) -> AsyncIterator[Any]:
    built: list[InProcessBurst] = []

    def make(**overrides: Any) -> InProcessBurst:
        folder = tmp_path / str(len(built))
        folder.mkdir()
        app = InProcessBurst.build(fake_api, database_copy(migrated_template, folder), transport, **overrides)
        built.append(app)
        return app

    yield make
    for app in built:
        await app.close()


async def pinged(burst: InProcessBurst, request_id: int | None) -> set[str]:
    async with burst.services.db.uow(readonly=True) as uow:
        return {p.mentor_id for p in await uow.pings.for_request(request_id or 0) if p.state == PingState.SENT}


async def mentors(burst: InProcessBurst, skill: str, *roles: str) -> list[str]:
    people = [person(role) for role in roles]
    for user in people:
        await add_mentor(burst, user, f"{skill}:expert")
    return people


async def test_mentors_on_dnd_on_holiday_or_away_are_skipped_and_the_free_one_is_pinged(
    build: Any, fake_api: FakeWebApi
) -> None:
    burst = build()
    on_dnd, holiday, away, free = await mentors(burst, "rust", "dnd", "holiday", "away", "free")
    dnd_now(fake_api, on_dnd)
    fake_api.profiles[holiday] = {"status_text": "Vacationing", "status_emoji": ":palm_tree:", "status_expiration": 0}
    fake_api.presence[away] = "away"
    request = await ask(burst, person("asker"), "rust")
    assert await pinged(burst, request.id) == {free}
    # One dnd.teamInfo for the whole batch; presence only for those DND and status left free.
    teaminfo = [c for c in fake_api.calls if c.method == "dnd.teamInfo" and on_dnd in c.args.get("users", "")]
    assert len(teaminfo) == 1
    presence_asked = {c.args.get("user") for c in fake_api.named("users.getPresence")}
    assert presence_asked & {on_dnd, holiday, away, free} == {away, free}


async def test_an_expired_status_or_a_dnd_window_later_today_does_not_skip_anyone(
    build: Any, fake_api: FakeWebApi
) -> None:
    burst = build()
    earlier, tonight = await mentors(burst, "elixir", "earlier", "tonight")
    past = int(time.time()) - 60
    fake_api.profiles[earlier] = {
        "status_text": "Out sick",
        "status_emoji": ":face_with_thermometer:",
        "status_expiration": past,
    }
    later = int(time.time()) + 6 * HOUR
    fake_api.dnd[tonight] = {"dnd_enabled": True, "next_dnd_start_ts": later, "next_dnd_end_ts": later + HOUR}
    request = await ask(burst, person("asker"), "elixir")
    assert await pinged(burst, request.id) == {earlier, tonight}


async def test_each_signal_can_be_turned_off(build: Any, fake_api: FakeWebApi) -> None:
    burst = build(burst_respect_dnd=False, burst_respect_status=False, burst_respect_presence=False)
    on_dnd, sick = await mentors(burst, "haskell", "dnd", "sick")
    dnd_now(fake_api, on_dnd)
    fake_api.profiles[sick] = {"status_text": "Out sick", "status_emoji": ":face_with_thermometer:"}
    fake_api.presence[sick] = "away"
    fake_api.clear()
    request = await ask(burst, person("asker"), "haskell")
    assert await pinged(burst, request.id) == {on_dnd, sick}
    assert not fake_api.named("dnd.teamInfo", "users.getPresence")


async def test_when_everyone_is_busy_the_requester_hears_why_and_when_burst_tries_again(
    build: Any, fake_api: FakeWebApi
) -> None:
    burst = build()
    first, second = await mentors(burst, "ocaml", "first", "second")
    ends = dnd_now(fake_api, first, ends_in=1800)
    dnd_now(fake_api, second, ends_in=HOUR)
    requester = person("asker")
    request = await ask(burst, requester, "ocaml")
    assert await pinged(burst, request.id) == set()
    told = [c for c in fake_api.named("chat.postMessage") if c.args.get("channel") in (f"D{requester}", requester)]
    text = told[-1].args["text"]
    assert "2 people who know *ocaml* are on Do Not Disturb right now; I'll try again at" in text
    assert "/burst cancel" in text
    async with burst.services.db.uow(readonly=True) as uow:
        retry = await uow.timers.get(f"wave:{request.id}:2")
        state = (await uow.requests.get(request.id or 0)).state
    assert isinstance(retry, TimedAction)
    assert retry.due_at == datetime.fromtimestamp(ends, UTC) + timedelta(seconds=15)
    assert state == "open"


async def test_a_rate_limited_method_is_no_signal_and_rests_until_retry_after(build: Any, fake_api: FakeWebApi) -> None:
    burst = build()
    on_dnd, away = await mentors(burst, "erlang", "dnd", "away")
    dnd_now(fake_api, on_dnd)
    fake_api.presence[away] = "away"
    fake_api.clear()
    retry_after = 120  # a wave that waited it out would take two minutes; one that did not, seconds on a busy machine
    with (
        fake_api.rate_limited("dnd.teamInfo", retry_after),
        fake_api.rate_limited("users.getPresence", retry_after),
    ):
        started = time.monotonic()
        request = await ask(burst, person("asker"), "erlang")
        assert time.monotonic() - started < retry_after / 2, "a 429 held the wave"
        assert await pinged(burst, request.id) == {on_dnd, away}  # no reading: they may be pinged
        asked = (len(fake_api.named("dnd.teamInfo")), len(fake_api.named("users.getPresence")))
        assert asked == (1, 2)
        await ask(burst, person("asker"), "erlang")
    assert (len(fake_api.named("dnd.teamInfo")), len(fake_api.named("users.getPresence"))) == asked, (
        "called again within Retry-After"
    )


async def test_readings_are_cached_between_waves(build: Any, fake_api: FakeWebApi) -> None:
    burst = build()
    await mentors(burst, "fortran", "only")
    fake_api.clear()
    await ask(burst, person("asker"), "fortran")
    read = (len(fake_api.named("dnd.teamInfo")), len(fake_api.named("users.getPresence")))
    assert read == (1, 1)
    await ask(burst, person("asker"), "fortran")
    assert (len(fake_api.named("dnd.teamInfo")), len(fake_api.named("users.getPresence"))) == read


async def test_a_method_the_workspace_does_not_have_is_no_signal_and_not_asked_again(
    build: Any, fake_api: FakeWebApi
) -> None:
    burst = build()
    (mentor,) = await mentors(burst, "cobol", "only")
    fake_api.clear()
    with fake_api.missing("dnd.teamInfo"):
        first = await ask(burst, person("asker"), "cobol")
        assert await pinged(burst, first.id) == {mentor}
        calls = len(fake_api.named("dnd.teamInfo"))
        await ask(burst, person("asker"), "cobol")
    assert len(fake_api.named("dnd.teamInfo")) == calls == 1
