"""GET /metrics (Prometheus text), GET /readyz and GET /healthz of the real Bolt app's HTTP server, after real flows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.entrypoints.app import build_app
from bot.entrypoints.server import http_app
from tests.app.flows import add_mentor, ended, in_session, person
from tests.support.fake_web_api import FakeWebApi
from tests.support.in_process import InProcessBurst, Transport, settings
from tests.support.ports import free_port

Client = TestClient[web.Request, web.Application]


@pytest.fixture
def transport() -> Transport:
    """HTTP mode: the server then has the events endpoint and checks Slack with auth.test."""
    return "http"


@pytest.fixture
async def http(burst: InProcessBurst) -> AsyncIterator[Client]:
    async with TestClient(TestServer(http_app(burst.app, burst.services, None))) as client:
        yield client


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_count_requests_accepts_sessions_calls_and_429s(
    burst: InProcessBurst, fake_api: FakeWebApi, http: Client
) -> None:
    fake_api.rate_limit("chat.update", 1)  # the accepted ping's update meets one 429, then goes through
    await ended(burst)
    response = await http.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    got = samples(await response.text())
    assert got[("burst_requests_total", (("outcome", "created"),))] == 1
    assert got[("burst_requests_total", (("outcome", "matched"),))] == 1
    assert got[("burst_time_to_first_accept_seconds_count", ())] == 1
    assert got[("burst_sessions_running", ())] == 0  # it ended
    assert got[("burst_slack_api_calls_total", (("method", "chat.postMessage"),))] >= 3
    assert got[("burst_slack_api_rate_limited_total", (("method", "chat.update"),))] == 1
    assert got[("burst_work_backlog", ())] == 0
    assert got[("burst_timer_lateness_seconds_count", ())] >= 1  # the follow-up's timer


async def test_sessions_running_is_read_from_the_database_at_scrape_time(burst: InProcessBurst, http: Client) -> None:
    await in_session(burst)
    got = samples(await (await http.get("/metrics")).text())
    assert got[("burst_sessions_running", ())] == 1


async def test_readyz_says_the_database_and_slack_answer(http: Client) -> None:
    response = await http.get("/readyz")
    assert response.status == 200
    assert await response.json() == {"database": "ok", "slack": "ok"}


async def test_readyz_names_what_does_not_answer(tmp_path: Path) -> None:
    nowhere = FakeWebApi()
    nowhere.port = free_port()  # never started: nothing listens there
    app, services = build_app(settings(nowhere, f"sqlite+aiosqlite:///{tmp_path}/missing/burst.db", "http"))
    try:
        async with TestClient(TestServer(http_app(app, services, None))) as client:
            response = await client.get("/readyz")
            assert response.status == 503
            assert await response.json() == {"database": "down", "slack": "down"}
    finally:
        await services.db.dispose()


async def test_healthz_counts_the_work_under_way_until_it_is_done(
    burst: InProcessBurst, fake_api: FakeWebApi, http: Client
) -> None:
    """What a test waits on to know that nothing more is to happen now (tests/support/quiet.py)."""
    await add_mentor(burst, person("mentor"), "rust")
    assert (await (await http.get("/healthz")).json())["work"] == 0
    before = asyncio.all_tasks()
    with fake_api.hold("chat.postMessage") as release:
        assert (await burst.answer(burst.command(person("asker"), "help me with rust")))[0] == 200
        assert (await (await http.get("/healthz")).json())["work"] == 1  # the request's listener, held by Slack
        release.set()
        work = {t for t in asyncio.all_tasks() - before if not t.done() and t is not asyncio.current_task()}
        await asyncio.gather(*work)
    health = await (await http.get("/healthz")).json()
    assert (health["status"], health["work"]) == ("ok", 0)
