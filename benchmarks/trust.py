"""What a privacy officer and an attacker would measure: erasure, k-anonymity, abuse limits and slow clients.

- Erasure: a person with every kind of row (tests/support/erasure.py) is forgotten; every text and JSON column of
  every table, from the schema, is scanned for their user ID, their DM and group DM channels and words only they
  typed: hits before and after, and the time delete-my-data took. On each engine.
- k-anonymity: random scripts of asks, cancels, expiries and delete-my-data by two people (fewer than the
  threshold of three) against the real services; how many got a topic named in the digest (must be 0). Then the
  control: three people asking name it.
- Abuse limits: one person asks and cancels 15 times in a row with five mentors free; the most pings one mentor
  got, the requests stored and refused.
- Slow clients: a real `burst run` in HTTP mode with its default read timeout; connections that trickle their
  headers or their body a byte every half second, and how long each stays open; /healthz latency meanwhile; then
  more connections than the cap at once, and how many are refused with 503.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from sqlalchemy import func, select
from sqlmodel import col

from benchmarks.engines import Engine
from benchmarks.load_stage import burst_env, start_slack
from bot.entrypoints import demo_workspace as ws
from bot.entrypoints.local_slack import free_port
from bot.services.asking import Ask
from bot.services.privacy import PrivacyService
from config.settings import Settings
from storage.models import HelpRequest, Ping, SkillLevel
from tests.service.conftest import make_world
from tests.support.ask_scripts import Step, empty, named_topics, play
from tests.support.burst_process import BurstProcess
from tests.support.erasure import NEEDLES, PERSON, ChannelledSlack, every_kind_of_row, hits, scanned_columns

SCRIPTS, QUICK_SCRIPTS = 200, 30
SLOW_CLIENTS, QUICK_SLOW_CLIENTS = 60, 10
TRICKLE_EVERY = 0.5  # seconds between two bytes of a slow client


@dataclass
class ErasureResult:
    engine: str
    columns: int
    hits_before: int
    hits_after: int
    seconds: float


@dataclass
class AnonymityResult:
    scripts: int
    steps: int
    named_by_fewer: int
    control_named: int
    control_runs: int


@dataclass
class AbuseResult:
    cycles: int
    mentors: int
    max_pings_one_mentor: int
    stored: int
    refused: int


@dataclass
class SlowResult:
    read_timeout: float
    header_drops: list[float] = field(default_factory=list)
    body_drops: list[float] = field(default_factory=list)
    still_open: int = 0
    health_ms: list[float] = field(default_factory=list)
    cap: int = 0
    over_cap_tried: int = 0
    refused_503: int = 0


async def erasure(engine: Engine) -> ErasureResult:
    db = await engine.new_database("erasure")
    try:
        world = make_world(db, ChannelledSlack())
        await every_kind_of_row(world)
        before = len(await hits(world, NEEDLES))
        began = time.perf_counter()
        await PrivacyService(db, world.answers, world.sessions).forget(PERSON)
        seconds = time.perf_counter() - began
        after = len(await hits(world, NEEDLES))
        return ErasureResult(engine.name, len(scanned_columns()), before, after, seconds)
    finally:
        await db.dispose()


async def anonymity(engine: Engine, scripts: int, seed: int) -> AnonymityResult:
    db = await engine.new_database("anonymity")
    rng = random.Random(seed)
    world = make_world(db)
    result = AnonymityResult(scripts, 0, 0, 0, 0)
    try:
        for n in range(scripts):
            script = [_random_step(rng, people=2) for _ in range(rng.randint(1, 14))]
            result.steps += len(script)
            await empty(world)
            await play(world, script)
            if await named_topics(world, 3):
                result.named_by_fewer += 1
            if n % 10 == 0:  # the control, now and then: three people still here name their topic
                await play(world, [Step("cancel", p) for p in range(3)] + [Step("ask", p, 0) for p in range(3)])
                result.control_runs += 1
                result.control_named += "kafka" in await named_topics(world, 3)
        return result
    finally:
        await db.dispose()


def _random_step(rng: random.Random, people: int) -> Step:
    action = rng.choice(["ask", "ask", "cancel", "expire", "forget"])
    return Step(action, rng.randrange(people), rng.randrange(3))


async def abuse(engine: Engine, cycles: int = 15, mentors: int = 5) -> AbuseResult:
    db = await engine.new_database("abuse")
    try:
        world = make_world(db)  # the limits' defaults, as BURST_* leave them
        for m in range(mentors):
            await world.profiles.add_skills(f"U0MENTOR{m}", [("kafka", SkillLevel.EXPERT)])
        refused = 0
        for n in range(cycles):
            topic = ["kafka", "kafka streams", "kafka consumer lag"][n % 3]
            outcome = await world.requests.ask(Ask(requester_id="U0LOOPER", topic=topic, source="command"))
            refused += outcome.status == "limited"
            await world.requests.cancel("U0LOOPER")
        async with db.uow(readonly=True) as uow:
            counts = (
                await uow.db_session.scalars(select(func.count()).select_from(Ping).group_by(col(Ping.mentor_id)))
            ).all()
            stored = await uow.db_session.scalar(select(func.count()).select_from(HelpRequest))
        return AbuseResult(cycles, mentors, max(counts, default=0), int(stored or 0), refused)
    finally:
        await db.dispose()


async def slow_clients(database: Engine, clients: int) -> SlowResult:
    folder = Path(tempfile.mkdtemp(prefix="burst-trust-"))
    port = free_port()
    db = await database.new_database("slow")
    url = db.url
    await db.dispose()
    slack = await asyncio.to_thread(
        start_slack, folder, "local-slack", ws.workspace(mode="events", request_url=f"http://127.0.0.1:{port}/x")
    )
    burst = BurstProcess(burst_env(slack.api_url, url, port), port, folder / "burst.log")
    defaults = Settings.model_fields
    result = SlowResult(
        read_timeout=defaults["burst_http_read_timeout"].default.total_seconds(),
        cap=int(defaults["burst_http_max_connections"].default),
    )
    try:
        await asyncio.to_thread(burst.start, 60)
        head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
        body_head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 400\r\n\r\n"
        attack = [_trickle(port, b"", head) for _ in range(clients)]
        attack += [_trickle(port, body_head, b"{" * 400) for _ in range(clients)]
        health = asyncio.create_task(_health_while(port, result, duration=2 * result.read_timeout + 2))
        drops = await asyncio.gather(*attack)
        await health
        for n, seconds in enumerate(drops):
            if seconds is None:
                result.still_open += 1
            else:
                (result.header_drops if n < clients else result.body_drops).append(seconds)
        result.over_cap_tried = result.cap + 44
        result.refused_503 = await _over_cap(port, result.over_cap_tried)
    finally:
        await asyncio.to_thread(burst.stop)
        slack.stop()
    return result


async def _trickle(port: int, first: bytes, trickle: bytes) -> float | None:
    """Seconds until the server closed a connection sending `trickle` a byte per TRICKLE_EVERY, or None if it
    outlived the whole trickle."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    began = time.monotonic()
    try:
        writer.write(first)
        for byte in trickle:
            writer.write(bytes([byte]))
            await writer.drain()
            try:
                data = await asyncio.wait_for(reader.read(4096), TRICKLE_EVERY)
            except TimeoutError:
                continue
            if not data or reader.at_eof():
                return time.monotonic() - began
            while await reader.read(4096):  # an answer (408): the close follows it
                pass
            return time.monotonic() - began
        return None
    except ConnectionError:
        return time.monotonic() - began
    finally:
        writer.close()


async def _health_while(port: int, result: SlowResult, duration: float) -> None:
    deadline = time.monotonic() + duration
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            began = time.perf_counter()
            async with http.get(f"http://127.0.0.1:{port}/healthz") as answer:
                await answer.read()
            result.health_ms.append((time.perf_counter() - began) * 1_000)
            await asyncio.sleep(0.1)


async def _over_cap(port: int, count: int) -> int:
    opened = await asyncio.gather(*(asyncio.open_connection("127.0.0.1", port) for _ in range(count)))
    refused = 0
    for reader, _ in opened:
        try:
            first = await asyncio.wait_for(reader.read(64), 0.2)
        except TimeoutError:
            continue
        refused += first.startswith(b"HTTP/1.1 503")
    for _, writer in opened:
        writer.close()
    return refused


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
