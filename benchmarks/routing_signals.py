"""The availability signals routing reads, at benchmark scale: Slack's DND, status and presence served by the fake
Web API of the tests (as Slack documents them), and calendar busy intervals in the database.

A share of the mentors is busy by each signal, so a wave screens past some of them, as it would in a real
workspace. The fake Web API runs in a process of its own, as Slack would: in a thread of this one, its work would
compete with routing for the interpreter and be counted as routing's. The reader's clock is virtual and moves on
by REQUEST_SPACING per request: its caches and its per-method Tier budgets then behave as they would with a
request that often, however fast the benchmark runs.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from benchmarks.population import member_id
from bot.domain.availability import Readings, SignalSwitches
from bot.services.routing import Screen
from handlers.slack.signals import SlackSignalReader
from tests.support.fake_web_api import FakeWebApi

REQUEST_SPACING = 5.0  # virtual seconds between requests: 12 a minute, a busy hour in a large workspace
DND_SHARE, STATUS_SHARE, AWAY_SHARE, CALENDAR_SHARE = 0.10, 0.05, 0.15, 0.20
SIGNAL_METHODS = ("dnd.teamInfo", "users.info", "users.getPresence")


@dataclass
class TimedReader:
    """The real reader, timed: what routing waits on Slack for is not ranking."""

    reader: SlackSignalReader
    waited: float = 0.0

    async def read(self, user_ids: Sequence[str], now: datetime) -> dict[str, Readings]:
        started = time.perf_counter()
        try:
            return await self.reader.read(user_ids, now)
        finally:
            self.waited += time.perf_counter() - started


class CountingClient(AsyncWebClient):
    """Counts the Web API calls it makes, by method."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.counted: Counter[str] = Counter()

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        self.counted[api_method] += 1
        return await super().api_call(api_method, **kwargs)


@dataclass
class Signals:
    server: multiprocessing.process.BaseProcess
    client: CountingClient
    timed: TimedReader
    screen: Screen
    http: aiohttp.ClientSession
    clock: list[float] = field(default_factory=lambda: [0.0])

    def next_request(self) -> None:
        self.clock[0] += REQUEST_SPACING
        self.timed.waited = 0.0

    def calls(self) -> Counter[str]:
        return Counter({m: n for m, n in self.client.counted.items() if m in SIGNAL_METHODS})

    async def stop(self) -> None:
        await self.http.close()
        self.server.terminate()
        self.server.join(10)


def _serve(api: FakeWebApi, ports: Any) -> None:
    api.start()
    ports.put(api.port)
    multiprocessing.Event().wait()  # until terminated


def start(rng: random.Random, mentors: int, now: datetime) -> Signals:
    api = FakeWebApi()
    epoch = int(now.timestamp())
    for n in range(mentors):
        roll, user = rng.random(), member_id(n)
        if roll < DND_SHARE:
            api.dnd[user] = {"dnd_enabled": True, "next_dnd_start_ts": epoch - 600, "next_dnd_end_ts": epoch + 1800}
        elif roll < DND_SHARE + STATUS_SHARE:
            api.profiles[user] = {"status_text": "In a meeting", "status_emoji": ":spiral_calendar_pad:"}
        elif roll < DND_SHARE + STATUS_SHARE + AWAY_SHARE:
            api.presence[user] = "away"
    context = multiprocessing.get_context("fork")  # the child gets the signals set above
    ports = context.Queue()
    server = context.Process(target=_serve, args=(api, ports), daemon=True)
    server.start()
    api.port = int(ports.get(timeout=30))
    clock = [0.0]
    # One HTTP session kept alive between calls, as `burst run` gives its clients: without one, slack_sdk opens a
    # connection per call, and that work would be counted as routing's.
    http = aiohttp.ClientSession()
    client = CountingClient(token="xoxb-benchmark", base_url=api.api_url, session=http, retry_handlers=[], timeout=5)
    timed = TimedReader(SlackSignalReader(client, SignalSwitches(), clock=lambda: clock[0]))
    return Signals(server, client, timed, Screen(timed, SignalSwitches()), http, clock)


def calendar_rows(rng: random.Random, mentors: int, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """A fifth of the mentors with a calendar: a meeting or two in the next hours, some of them now."""
    feeds, busy = [], []
    for n in range(mentors):
        if rng.random() >= CALENDAR_SHARE:
            continue
        user = member_id(n)
        feeds.append(
            {
                "member_id": user,
                "url_secret": "sealed",
                "url_hint": "https://calendar.example/…",
                "fetched_at": now,
                "read_at": now,
                "created_at": now,
            }
        )
        for _ in range(rng.randint(1, 3)):
            start = now + timedelta(minutes=rng.randint(-60, 480))
            busy.append(
                {"member_id": user, "starts_at": start, "ends_at": start + timedelta(minutes=rng.choice((30, 60)))}
            )
    return {"calendar_feeds": feeds, "calendar_busy": [{"id": i, **row} for i, row in enumerate(busy, start=1)]}
