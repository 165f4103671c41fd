"""Faults and crashes: the scripted workload through a Slack that fails one Web API call in ten.

Each scenario starts its own local-slack with the workload's people, the fault proxy in front of its Web API, and real
`burst run` processes on a fresh database (tests/support/chaos.py); the workload asks, answers pings, lets sessions
and follow-ups run out (tests/support/workload.py); then the invariants are checked against the database and
local-slack's log (tests/support/invariants.py). The crash scenarios also SIGKILL a random process at random moments
and start it again. CI runs the same code at a dozen requests (tests/e2e/test_faults.py, test_crash.py).
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tests.support.chaos import ChaosResult, ChaosSetup, run_chaos
from tests.support.fault_proxy import FAILING, KINDS
from tests.support.postgres import ThrowawayPostgres, ensure_postgres_installed
from tests.support.workload import WorkloadPlan

REQUESTS = 200
QUICK_REQUESTS = 20
FAULT_RATE = 0.10
KILLS = 20

Cell = Callable[[ChaosResult], str]


@dataclass(frozen=True)
class Scenario:
    name: str
    engine: str
    processes: int = 1
    kills: int = 0

    @property
    def mode(self) -> str:
        # Several processes sit behind a balancer, which only the Events API allows; crashes use it throughout.
        return "events" if self.kills or self.processes > 1 else "socket"


def scenarios(engines: Sequence[str], crash: bool, kills: int) -> list[Scenario]:
    if not crash:
        return [Scenario(f"faults, {engine}", engine) for engine in engines]
    found = [Scenario(f"crash, {engine}", engine, kills=kills) for engine in engines]
    if "postgresql" in engines:
        found.append(Scenario("crash, 2 x postgresql", "postgresql", processes=2, kills=kills))
    return found


def plan_for(requests: int, seed: int) -> WorkloadPlan:
    """A requester asks one question after another; mentors outnumber them so sessions rarely leave nobody free."""
    requesters = max(2, min(20, requests // 8))
    return WorkloadPlan(requests=requests, requesters=requesters, mentors=requesters + requesters // 5 + 2, seed=seed)


async def run(
    console: Console, engines: Sequence[str], *, crash: bool, requests: int, kills: int, seed: int, rate: float
) -> None:
    plan = plan_for(requests, seed)
    console.print(
        f"[dim]{plan.requests} requests by {plan.requesters} requesters to {plan.mentors} mentors, "
        f"{rate:.0%} of Web API calls faulted; load average before: {_load()}[/]"
    )
    server: ThrowawayPostgres | None = None
    results: list[tuple[Scenario, ChaosResult]] = []
    with tempfile.TemporaryDirectory(prefix="burst-chaos-") as folder:
        try:
            for number, scenario in enumerate(scenarios(engines, crash, kills)):
                if scenario.engine == "postgresql" and server is None:
                    server = await _postgres(console)
                    if server is None:
                        continue
                workdir = Path(folder) / f"run{number}"
                url = (
                    server.create_database(f"chaos{number}")
                    if scenario.engine == "postgresql" and server is not None
                    else f"sqlite+aiosqlite:///{workdir / 'burst.db'}"
                )
                setup = ChaosSetup(
                    plan,
                    url,
                    workdir,
                    fault_rate=rate,
                    mode=scenario.mode,
                    processes=scenario.processes,
                    kills=scenario.kills,
                    kill_every=(3.0, 9.0),
                    drain_budget=300.0,
                )
                with console.status(f"chaos: {scenario.name}"):
                    result = await run_chaos(setup)
                results.append((scenario, result))
                console.print(f"  {scenario.name}: {result.verdict.summary(limit=0).splitlines()[0]}", style="dim")
        finally:
            if server is not None:
                await asyncio.to_thread(server.stop)
    print_results(console, results)
    console.print(f"[dim]load average after: {_load()}[/]")


async def _postgres(console: Console) -> ThrowawayPostgres | None:
    if await asyncio.to_thread(ensure_postgres_installed) is None:
        console.print("[yellow]PostgreSQL server binaries not found: its scenarios are skipped[/]")
        return None
    server = ThrowawayPostgres()
    await asyncio.to_thread(server.start)
    return server


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def print_results(console: Console, results: Sequence[tuple[Scenario, ChaosResult]]) -> None:
    table = Table(title="Fault and crash runs: every flow through a Slack that fails (figures per run)")
    table.add_column("", no_wrap=True)
    for scenario, _ in results:
        table.add_column(scenario.name, justify="right", no_wrap=True)
    rows: list[tuple[str, Cell]] = [
        ("requests", lambda r: f"{r.verdict.requests:,}"),
        ("final states", lambda r: ", ".join(f"{k} {v}" for k, v in sorted(r.verdict.states.items()))),
        ("flows completed", lambda r: f"{r.verdict.flows_completed:,}"),
        ("Web API calls", lambda r: f"{r.faults.requests.total():,}"),
        ("faults injected", _injected),
        *((f"  {kind}", _kind(kind)) for kind in KINDS),
        ("retries seen", lambda r: f"{sum(r.faults.retries.values()):,} of {r.faults.failures:,} failed"),
        ("Retry-After honoured", _honoured),
        ("failed, never retried", lambda r: f"{r.faults.failures - sum(r.faults.retries[k] for k in FAILING):,}"),
        ("kills (SIGKILL)", lambda r: f"{r.kills}"),
        ("duplicates", lambda r: _red_unless_zero(len(r.verdict.duplicates))),
        ("lost", lambda r: _red_unless_zero(len(r.verdict.lost))),
        ("stuck", lambda r: _red_unless_zero(len(r.verdict.stuck))),
        ("people gave up waiting", lambda r: f"{len(r.seen.gave_up)}"),
        ("clicks (again after no change)", lambda r: f"{r.seen.clicks:,} ({r.seen.reclicks:,})"),
        ("workload time", lambda r: f"{r.workload_seconds:,.0f} s"),
        ("wall time", lambda r: f"{r.wall_seconds:,.0f} s"),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(result) for _, result in results))
    console.print(table)
    for scenario, result in results:
        verdict = result.verdict
        for why, n in Counter(result.seen.gave_up.values()).most_common():
            console.print(f"[yellow]{scenario.name}: {n} request(s) given up on: {why}[/]")
        for name, items in (("duplicate", verdict.duplicates), ("lost", verdict.lost), ("stuck", verdict.stuck)):
            for what, n in Counter(_what(item) for item in items).most_common():
                console.print(f"[red]{scenario.name}: {name}: {n} x {what}[/]")


_IDS = re.compile(r"^request \d+ \([^)]*\): |\b(?:[UDC][0-9A-Z]{5,}|\d+)\b")


def _what(problem: str) -> str:
    """A problem without its ids, so problems of one kind are counted together."""
    return _IDS.sub(lambda m: "" if m.group().startswith("request") else "#", problem)


def _injected(result: ChaosResult) -> str:
    faults = result.faults
    return f"{faults.faults:,} ({faults.faults / max(faults.requests.total(), 1):.1%} of calls)"


def _kind(kind: str) -> Cell:
    return lambda r: f"{r.faults.injected_by_kind()[kind]:,}"


def _honoured(result: ChaosResult) -> str:
    kept = result.rate_limits_waited_out()
    retried = [r for r in kept if r.waited is not None]
    cut = len(result.faults.rate_limits) - len(kept)
    if not retried:
        return "no 429 retried"
    least = min((r.waited or 0) - r.retry_after for r in retried)
    honoured = sum(r.honoured for r in retried)
    return f"{honoured} of {len(retried)} (min margin {least:+.2f} s)" + (f"; {cut} cut short by a kill" if cut else "")


def _red_unless_zero(count: int) -> str:
    return f"[red]{count}[/]" if count else "0"
