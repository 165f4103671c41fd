"""The App Home's "What Burst sees right now" and its calendar field, through the real Bolt app: what it reads
(Do Not Disturb, a status, a calendar), connecting from the form (bad addresses answered next to the field) and
disconnecting from the button."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from handlers.home_signals import CALENDAR_MODAL, HOME_CALENDAR, HOME_CALENDAR_OFF, URL_BLOCK
from tests.app.flows import ok, person
from tests.conftest import database_copy
from tests.support.fake_web_api import FakeWebApi
from tests.support.ics_server import IcsServer, busy_now
from tests.support.in_process import Delivery, InProcessBurst, Transport


@pytest.fixture
async def burst(
    fake_api: FakeWebApi, migrated_template: Path, tmp_path: Path, transport: Transport
) -> AsyncIterator[InProcessBurst]:
    app = InProcessBurst.build(
        fake_api, database_copy(migrated_template, tmp_path), transport, burst_calendar_allow_local=True
    )
    yield app
    await app.close()


@pytest.fixture
async def ics_server() -> AsyncIterator[IcsServer]:
    async with IcsServer() as served:
        yield served


def published(delivery: Delivery) -> str:
    views = [c.args["view"] for c in delivery.calls if c.method == "views.publish"]
    assert views, "the App Home was not published"
    return json.dumps(views[-1])


async def open_home(burst: InProcessBurst, user: str) -> str:
    return published(ok(await burst.deliver(burst.event({"type": "app_home_opened", "user": user, "tab": "home"}))))


def url_form(address: str) -> dict[str, Any]:
    return {URL_BLOCK: {URL_BLOCK: {"type": "plain_text_input", "value": address}}}


async def test_the_home_says_what_burst_reads_from_slack(burst: InProcessBurst, fake_api: FakeWebApi) -> None:
    user = person("home")
    ends = int(time.time()) + 1800
    fake_api.dnd[user] = {"dnd_enabled": True, "next_dnd_start_ts": ends - 3600, "next_dnd_end_ts": ends}
    fake_api.profiles[user] = {"status_text": "In a meeting", "status_emoji": ":spiral_calendar_pad:"}
    home = await open_home(burst, user)
    assert f"Do Not Disturb until <!date^{ends}^{{time}}" in home
    assert "Your status (:spiral_calendar_pad: In a meeting) reads as busy" in home
    assert "No calendar connected" in home
    assert HOME_CALENDAR in home


async def test_a_calendar_connected_from_the_home_form_shows_there_and_the_button_forgets_it(
    burst: InProcessBurst, ics_server: IcsServer
) -> None:
    user = person("home")
    ics_server.calendars["mine.ics"] = busy_now(minutes=50)
    saved = ok(await burst.deliver(burst.submit(user, CALENDAR_MODAL, url_form(ics_server.url("mine.ics")))))
    told = [c.args["text"] for c in saved.calls if c.method == "chat.postMessage"]
    assert any("Calendar connected (http://127.0.0.1/…)" in t for t in told), told
    home = published(saved)
    assert "You're busy in your calendar until" in home
    assert "mine.ics" not in home
    gone = ok(await burst.deliver(burst.click(user, HOME_CALENDAR_OFF, "off")))
    assert "No calendar connected" in published(gone)
    async with burst.services.db.uow(readonly=True) as uow:
        assert await uow.calendars.feed(user) is None


@pytest.mark.parametrize("address", ["", "ftp://example.com/cal.ics", "not a url", "https://"])
async def test_a_bad_address_is_answered_next_to_the_field(burst: InProcessBurst, address: str) -> None:
    delivery = ok(await burst.deliver(burst.submit(person("home"), CALENDAR_MODAL, url_form(address))))
    assert delivery.ack_json.get("response_action") == "errors"
    assert URL_BLOCK in delivery.ack_json["errors"]
