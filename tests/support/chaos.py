"""One fault (and optionally crash) run: local-slack, the fault proxy, real `burst run` processes, the workload, checks.

The same run serves the CI tests (tests/e2e/test_faults.py, test_crash.py) at a dozen requests and
`python -m benchmarks chaos` at two hundred. Burst talks to Slack only through the proxy. With `kills`, a killer
SIGKILLs a random process at random moments while the workload runs (and after it, until it has made them all) and
starts it again shortly after. At the end the run waits until every flow has played out (or a budget is spent), stops
Burst, and checks the invariants (tests/support/invariants.py) against the database and local-slack's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.entrypoints.local_slack import LocalSlackProcess, ensure_installed, write_workspace
from tests.support.balancer import Balancer
from tests.support.burst_process import NO_ABUSE_LIMITS, BurstProcess
from tests.support.control import SlackControl
from tests.support.fault_proxy import RETRY_GRACE, FaultPlan, FaultProxy, FaultRecord, RateLimited
from tests.support.invariants import Verdict, check, posted_messages, read_database, unfinished
from tests.support.ports import free_port
from tests.support.quiet import quiet_now
from tests.support.workload import APP_TOKEN, SIGNING_SECRET, Seen, Workload, WorkloadPlan, workspace

# Second-long timers, so a whole flow (waves, session, two follow-ups) takes some fifteen seconds.
TIMERS = {
    "BURST_WAVE_SIZE": "2",
    "BURST_WAVE_TIMEOUT": "6",
    "BURST_MAX_WAVES": "3",
    "BURST_SESSION_LENGTH": "8",
    "BURST_SESSION_WARNING": "3",
    "BURST_FOLLOWUP_DELAYS": "2,4",
    "BURST_SWEEP_INTERVAL": "1",
    **NO_ABUSE_LIMITS,
    # Reading Slack's availability signals is best effort by design: a refused or rate-limited reading is no
    # signal, never retried, so it would break the run's count of "every failed call retried". Those readings have
    # their own fault tests against the fake Web API (tests/app/test_slack_signals.py).
    "BURST_RESPECT_DND": "false",
    "BURST_RESPECT_STATUS": "false",
    "BURST_RESPECT_PRESENCE": "false",
}
FOLLOWUPS = len(TIMERS["BURST_FOLLOWUP_DELAYS"].split(","))
LOG_WINDOW = 1_000  # entries local-slack's /_control/log returns at most
QUIET = 4.0  # seconds without a Web API call, besides idle processes, before a run's calls are counted


@dataclass(frozen=True)
class ChaosSetup:
    plan: WorkloadPlan
    database_url: str
    workdir: Path
    fault_rate: float = 0.10
    mode: str = "socket"  # or "events" (HTTP mode); two processes need "events"
    processes: int = 1
    kills: int = 0
    kill_every: tuple[float, float] = (4.0, 12.0)  # seconds between kills, drawn at random
    drain_budget: float = 120.0
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass
class ChaosResult:
    verdict: Verdict
    faults: FaultRecord
    seen: Seen
    kill_times: list[float]  # time.monotonic() of each SIGKILL
    workload_seconds: float
    wall_seconds: float
    unfinished: int  # flows and timers not played out when the drain budget ran out
    logs: list[Path]

    @property
    def kills(self) -> int:
        return len(self.kill_times)

    def rate_limits_waited_out(self) -> list[RateLimited]:
        """The 429s whose wait no kill cut short: a process killed while waiting never sends its retry, and an
        identical call from the process that replaced it would pass for an early one."""
        return [
            r
            for r in self.faults.rate_limits
            if not any(r.at < k <= r.at + r.retry_after + RETRY_GRACE for k in self.kill_times)
        ]


def burst_env(setup: ChaosSetup, api_url: str, port: int) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-local",
        "SLACK_API_URL": api_url,
        "SLACK_APP_TOKEN": APP_TOKEN if setup.mode == "socket" else "",
        "SLACK_SIGNING_SECRET": "" if setup.mode == "socket" else SIGNING_SECRET,
        "DATABASE_URL": setup.database_url,
        "BURST_HTTP_PORT": str(port),
        "BURST_TIMEZONE": "UTC",
        "BURST_ADMINS": "",
        "BURST_DIGEST_CHANNEL": "",
        "BURST_LOG_LEVEL": "INFO",
        **TIMERS,
    }
    env.update(setup.env)
    return env


@contextlib.asynccontextmanager
async def _front(setup: ChaosSetup, ports: list[int]) -> AsyncIterator[str | None]:
    """The Events API request URL: the one process, or a balancer over several; None in Socket Mode."""
    if setup.mode == "socket":
        yield None
    elif len(ports) == 1:
        yield f"http://127.0.0.1:{ports[0]}/slack/events"
    else:
        async with Balancer(ports) as balancer:
            yield balancer.url


class LogCollector:
    """local-slack keeps only its last 1,000 log entries, so the run reads the log every second and keeps them all."""

    def __init__(self, control: SlackControl) -> None:
        self.control = control
        self.entries: dict[str, dict[str, Any]] = {}  # by entry id, in arrival order
        self.gaps = 0

    async def collect(self) -> None:
        fresh = await self.control.log()
        if self.entries and fresh and fresh[0].get("id") not in self.entries and len(fresh) >= LOG_WINDOW:
            self.gaps += 1  # the oldest entry returned is new: some between it and the last read were dropped
        for entry in fresh:
            self.entries.setdefault(str(entry.get("id")), entry)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.collect()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)
        await self.collect()


async def run_chaos(setup: ChaosSetup) -> ChaosResult:
    if setup.processes > 1 and setup.mode != "events":
        raise ValueError("several processes serve through a balancer, so they need the Events API mode")
    began = time.monotonic()
    setup.workdir.mkdir(parents=True, exist_ok=True)
    ports = [free_port() for _ in range(setup.processes)]
    async with _front(setup, ports) as request_url:
        config = setup.workdir / "workspace.yaml"
        write_workspace(config, workspace(setup.plan, setup.mode, request_url))
        slack = LocalSlackProcess(ensure_installed(), config, free_port(), setup.workdir / "local-slack.log")
        await asyncio.to_thread(slack.start)
        try:
            return await _run(setup, slack, ports, began)
        finally:
            await asyncio.to_thread(slack.stop)


async def _run(setup: ChaosSetup, slack: LocalSlackProcess, ports: list[int], began: float) -> ChaosResult:
    plan = FaultPlan.even(setup.fault_rate)
    async with FaultProxy(slack.api_url, plan, seed=setup.plan.seed) as proxy, SlackControl(slack.base_url) as control:
        bursts = [
            BurstProcess(burst_env(setup, proxy.api_url, port), port, setup.workdir / f"burst-{i}.log")
            for i, port in enumerate(ports)
        ]
        collector = LogCollector(control)
        collecting = asyncio.Event()
        collecting_task = asyncio.create_task(collector.run(collecting))
        try:
            await asyncio.gather(*(asyncio.to_thread(b.start) for b in bursts))
            workload = Workload(control, setup.plan)
            await workload.setup()
            started = time.monotonic()
            stop = asyncio.Event()
            killer = asyncio.create_task(_kill_now_and_then(bursts, setup, stop))
            try:
                seen = await workload.run()
            except BaseException:
                stop.set()
                await killer
                raise
            workload_seconds = time.monotonic() - started
            # Every kill asked for happens: on a slow machine the workload can be over before the last ones, which
            # then land while its flows' last timers (session ends, follow-ups) play out.
            kills = await killer
            left = await _drain(setup, proxy, bursts)
        finally:
            await asyncio.gather(*(asyncio.to_thread(b.stop) for b in bursts))
            collecting.set()
            await collecting_task
        if collector.gaps:
            raise AssertionError(f"local-slack's log overflowed {collector.gaps} times between reads: checks are blind")
        state = await control.state()
        ims = [c for c in state.get("channels") or [] if c.get("is_im")]
        shown = [m for c in ims for m in await control.messages(str(c["id"]))]
    dms = {member: str(c["id"]) for c in ims for member in c.get("members") or []}
    snap = await read_database(setup.database_url)
    verdict = check(snap, posted_messages(collector.entries.values(), dms), shown, dms, seen, FOLLOWUPS)
    return ChaosResult(
        verdict=verdict,
        faults=proxy.record,
        seen=seen,
        kill_times=kills,
        workload_seconds=workload_seconds,
        wall_seconds=time.monotonic() - began,
        unfinished=left,
        logs=[b.log_path for b in bursts],
    )


async def _kill_now_and_then(bursts: list[BurstProcess], setup: ChaosSetup, stop: asyncio.Event) -> list[float]:
    """SIGKILL a random process at random moments, start it again soon after, until `setup.kills` kills (or a
    `stop`: the run failed); returns when (monotonic) it killed."""
    rng = random.Random(f"{setup.plan.seed}:kills")
    kills: list[float] = []
    while len(kills) < setup.kills:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), rng.uniform(*setup.kill_every))
        if stop.is_set():
            break
        victim = rng.choice(bursts)
        kills.append(time.monotonic())
        await asyncio.to_thread(victim.kill)
        await asyncio.sleep(rng.uniform(0.2, 2.0))
        await asyncio.to_thread(victim.start)
    return kills


async def _drain(setup: ChaosSetup, proxy: FaultProxy, bursts: list[BurstProcess]) -> int:
    """Wait until no request is open, no session active and no timer left to run, every process is idle (a call
    waiting to be tried again, however long its backoff, is work under way), and Burst has not talked to Slack for
    a few seconds (what slack_sdk does outside Burst's work, such as a socket's reconnect); returns what was left."""
    deadline = time.monotonic() + setup.drain_budget

    async def done() -> bool:
        return proxy.idle_for() >= QUIET and await quiet_now(setup.database_url, bursts) is not None

    left = await unfinished(setup.database_url)
    while (left or not await done()) and time.monotonic() < deadline:
        await asyncio.sleep(1)
        left = await unfinished(setup.database_url)
    return left
