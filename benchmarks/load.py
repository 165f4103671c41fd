"""The load benchmark: a real `burst run` in HTTP mode against the bare Bolt baseline, at rising request rates.

In order, for one database engine:
1. Seed the database with mentors (benchmarks.routing's workspace) and start local-slack, Burst and the baselines
   (benchmarks.load_stage).
2. Request to first ping through local-slack, Burst and then the bare DM app (benchmarks.first_ping). Burst's pings
   from this step are what the clicks of step 4 press.
3. Warm-up: a second of load to each server, not reported (first-request costs: auth.test, pools, caches).
4. For each rate: the same signed requests to Burst and to the bare app, sent open-loop by the generator process for
   `seconds` seconds; which server goes first alternates from rate to rate, so a drift in the machine's load does
   not always favour the same one. After each run the server is given time to go quiet (its CPU idle), so the next
   run does not pay for this one's backlog; the time that took and the CPU used per request are reported too.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from benchmarks import first_ping, load_generator, routing
from benchmarks.engines import Engine
from benchmarks.load_generator import Sample, Shot
from benchmarks.load_stage import Stage, running_stage
from benchmarks.load_workload import PingMessage, Workload, kinds_in, ping_messages
from benchmarks.proc import Quiet, cpu_seconds, load_average, wait_quiet
from benchmarks.report import Timings
from bot.entrypoints import demo_workspace as ws
from tests.support.burst_process import BurstProcess
from tests.support.control import SlackControl

RATES = (50, 100, 200, 400)
SECONDS, QUICK_SECONDS = 10.0, 2.0
MENTORS, QUICK_MENTORS = 2_000, 500
FIRST_PINGS, QUICK_FIRST_PINGS = 40, 10
WARMUP_RATE, WARMUP_SECONDS = 50, 1.0
QUIET_LIMIT = 120.0
TARGET_RATE, TARGET_P99_MS, TARGET_RATIO = 200, 25.0, 1.3
BURST, BARE = "burst", "bare Bolt"


@dataclass
class Run:
    """One server at one rate."""

    server: str
    rate: int
    samples: list[Sample]
    cpu_seconds: float
    quiet: Quiet

    def latency(self, kind: str | None = None) -> Timings:
        return Timings([s.latency for s in self.samples if kind is None or s.kind == kind])

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.status != 200)

    @property
    def lateness(self) -> Timings:
        return Timings([max(0.0, s.lateness) for s in self.samples])


@dataclass
class LoadResult:
    engine: str
    mentors: int
    seconds: float
    load_before: str
    runs: list[Run] = field(default_factory=list)
    first_pings: list[first_ping.FirstPings] = field(default_factory=list)
    clicks_on: int = 0  # distinct real pings the clicks pressed
    load_after: str = ""
    logs: Path | None = None  # the processes' logs, left for a look

    def run(self, server: str, rate: int) -> Run | None:
        return next((r for r in self.runs if r.server == server and r.rate == rate), None)


async def run(
    engine: Engine,
    *,
    rates: Sequence[int] = RATES,
    seconds: float = SECONDS,
    mentors: int = MENTORS,
    first_pings: int = FIRST_PINGS,
    seed_value: int = 7,
) -> LoadResult:
    sizes = {rate: round(rate * seconds) for rate in rates}
    warmup = round(WARMUP_RATE * WARMUP_SECONDS)
    # Requesters must be in local-slack before it starts, so the pool is sized for every ask of the run up front.
    asks = 2 * first_pings + 2 * kinds_in(warmup).count("help") + sum(kinds_in(n).count("help") for n in sizes.values())
    workload = Workload(random.Random(seed_value), mentors, requesters=asks)
    db = await engine.new_database(f"load_{mentors}")
    try:
        await routing.load(db, workload.data)
    finally:
        await db.dispose()
    result = LoadResult(engine.name, mentors, seconds, load_average())
    folder = Path(tempfile.mkdtemp(prefix="burst-load-"))
    result.logs = folder
    with running_stage(folder, workload.slack_workspace, db.url, ws.BOT_USER) as stage:
        first = list(
            zip(workload.take_requesters(2 * first_pings), workload.common_topics(2 * first_pings), strict=True)
        )
        pings = await _first_pings(stage, result, first)
        result.clicks_on = len(pings)
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as generator:
            for process in (stage.burst, stage.bare):
                shots = workload.shots(workload.kinds(warmup), pings, stage.hooks_url)
                await _send(generator, stage, process, shots, WARMUP_RATE)
                await wait_quiet(_pid(process), limit=QUIET_LIMIT)
            for i, rate in enumerate(rates):
                shots = workload.shots(workload.kinds(sizes[rate]), pings, stage.hooks_url)
                order = [(BURST, stage.burst), (BARE, stage.bare)]
                for server, process in order if i % 2 == 0 else order[::-1]:
                    result.runs.append(await _measure(generator, stage, server, process, shots, rate))
    result.load_after = load_average()
    return result


def _pid(process: BurstProcess) -> int:
    assert process.process is not None, "not started"
    return process.process.pid


async def _first_pings(stage: Stage, result: LoadResult, asks: list[tuple[str, str]]) -> list[PingMessage]:
    """Burst's and the bare DM app's first-ping latency; returns the pings Burst posted (what clicks will press)."""
    half = len(asks) // 2
    async with SlackControl(stage.slack.base_url) as burst_slack, SlackControl(stage.bare_slack.base_url) as bare:
        result.first_pings.append(await first_ping.measure(BURST, burst_slack, asks[:half]))
        result.first_pings.append(await first_ping.measure(BARE, bare, asks[half:]))
        state = await burst_slack.state()
        ims = [str(c["id"]) for c in state.get("channels") or [] if c.get("is_im")]
        messages = {channel: await burst_slack.messages(channel) for channel in ims}
    return ping_messages(state, messages)


async def _send(
    generator: ProcessPoolExecutor, stage: Stage, process: BurstProcess, shots: list[Shot], rate: int
) -> list[Sample]:
    loop = asyncio.get_running_loop()
    url = stage.events_url(process)
    return await loop.run_in_executor(generator, load_generator.run_phase, url, ws.SIGNING_SECRET, shots, rate)


async def _measure(
    generator: ProcessPoolExecutor, stage: Stage, server: str, process: BurstProcess, shots: list[Shot], rate: int
) -> Run:
    pid = _pid(process)
    before = cpu_seconds(pid)
    samples = await _send(generator, stage, process, shots, rate)
    quiet = await wait_quiet(pid, limit=QUIET_LIMIT)
    return Run(server, rate, samples, cpu_seconds(pid) - before, quiet)
