"""The Web API budget: calls one whole flow makes, by method and rate-limit Tier, and what Slack's Tiers allow.

A real `burst run` (Socket Mode, SQLite) talks to local-slack through the fault proxy with no faults, which counts
every call by method. One requester and one mentor play whole flows one after another: ask (`/burst help`), the
ping, Accept, the session card, the warning, the end (with its feedback prompt), the follow-up and the mentor's
thanks. local-slack has no group DMs, so the proxy answers the open of the pair's group DM with a channel of both
(tests/support/fault_proxy.py, `group_dms`), which is Slack's shape; everything is then posted to local-slack.

Printed: calls per flow by method and Tier; calls while a session runs, between its card and its warning (Slack
calls besides the warning's own post); and, for each Tier-limited method, how many flows a minute its published
limit allows, hence how many sessions of the default length can run at once (Little's law: flows a minute x
minutes a session). chat.postMessage has no Tier (about one a second per channel, each flow posting in its own
channels), so it bounds no workspace-wide rate here. Targets: at most 10 calls a flow, 0 while a session runs,
200 concurrent sessions within Tier 3.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bot.entrypoints.demo_workspace import BOT_USER
from bot.entrypoints.local_slack import LocalSlackProcess, ensure_installed, free_port, write_workspace
from config.settings import Settings
from handlers.slack.scopes import METHODS, TIER_PER_MINUTE
from tests.support.burst_process import BurstProcess
from tests.support.chaos import ChaosSetup, burst_env
from tests.support.control import Message, SlackControl
from tests.support.fault_proxy import FaultPlan, FaultProxy
from tests.support.workload import Workload, WorkloadPlan, buttons, own_channel, text_of, topic, workspace

FLOWS = 5
QUICK_FLOWS = 2
PAIR = "C0PAIR"  # the requester + mentor group DM, as a local-slack channel
SESSION_SECONDS, WARNING_SECONDS = 12, 4
STEP_BUDGET = 60.0  # seconds to wait for the next thing a person sees
QUIET = 2.0  # seconds without a call: the flow's last call has been made
MAX_FLOW_CALLS, MAX_SESSION_CALLS, MIN_CONCURRENT = 10, 0, 200
DEFAULT_SESSION_MINUTES = Settings.model_fields["burst_session_length"].default.total_seconds() / 60


class FlowDriver:
    def __init__(self, control: SlackControl, proxy: FaultProxy, requester: str, mentor: str) -> None:
        self.control, self.proxy = control, proxy
        self.requester, self.mentor = requester, mentor

    async def wait(self, probe: Callable[[], Awaitable[Message | None]], what: str) -> Message:
        deadline = time.monotonic() + STEP_BUDGET
        while time.monotonic() < deadline:
            if found := await probe():
                return found
            await asyncio.sleep(0.1)
        raise AssertionError(f"never saw {what}")

    async def find(self, where: str, fragment: str, words: str = "", action: str | None = None) -> Message | None:
        messages = (
            await self.control.messages(where) if where.startswith("C") else await self.control.dm_messages(where)
        )
        for message in reversed(messages):
            text = text_of(message)
            if fragment in text and words in text and (action is None or action in buttons(message)):
                return message
        return None

    async def quiet(self) -> None:
        """Until no call has come for QUIET seconds (a wait measured on the proxy's own clock)."""
        idle = self.proxy.idle_for()
        while idle < QUIET:
            await asyncio.sleep(QUIET - idle)
            idle = self.proxy.idle_for()

    async def flow(self, n: int) -> tuple[Counter[str], Counter[str]]:
        """One whole flow; returns its calls by method, and the calls made between its card and its warning."""
        await self.quiet()
        before = Counter(self.proxy.record.requests)
        name = topic(n)
        bold = f"*{name}*"
        await self.control.command(self.requester, f"help {name}", channel=own_channel(self.requester))
        ping = await self.wait(lambda: self.find(self.mentor, bold, action="ping_accept"), "the ping")
        await self.control.interact(ping["channel"], ping["ts"], self.mentor, buttons(ping)["ping_accept"])
        await self.wait(lambda: self.find(PAIR, bold, action="session_end"), "the session card")
        await self.quiet()  # the accept's own calls (the ping closed, the card) are done
        started = Counter(self.proxy.record.requests)
        await self.wait(lambda: self.find(PAIR, bold, "left in your session"), "the warning")
        warned = Counter(self.proxy.record.requests)
        await self.wait(lambda: self.find(PAIR, bold, "has ended"), "the end")
        await self.wait(lambda: self.find(self.requester, bold, action="followup_solved"), "the follow-up")
        await self.wait(lambda: self.find(self.mentor, bold, ":sparkles:"), "the mentor's thanks")
        await self.quiet()
        between = warned - started
        between["chat.postMessage"] -= 1  # the warning itself, posted in the group DM
        return Counter(self.proxy.record.requests) - before, +between


async def measure(flows: int, workdir: Path) -> tuple[list[Counter[str]], list[Counter[str]]]:
    plan = WorkloadPlan(requests=flows, requesters=1, mentors=1)
    [requester], [mentor] = plan.requester_ids, plan.mentor_ids
    setup = ChaosSetup(
        plan=plan,
        database_url=f"sqlite+aiosqlite:///{workdir / 'burst.db'}",
        workdir=workdir,
        fault_rate=0.0,
        env={
            "BURST_WAVE_SIZE": "1",
            "BURST_SESSION_LENGTH": str(SESSION_SECONDS),
            "BURST_SESSION_WARNING": str(WARNING_SECONDS),
            "BURST_FOLLOWUP_DELAYS": "2",
        },
    )
    config: dict[str, Any] = workspace(plan, "socket", None)
    config["channels"].append({"id": PAIR, "name": "pair", "members": [requester, mentor, BOT_USER]})
    write_workspace(workdir / "workspace.yaml", config)
    slack = LocalSlackProcess(ensure_installed(), workdir / "workspace.yaml", free_port(), workdir / "local-slack.log")
    await asyncio.to_thread(slack.start)
    try:
        async with (
            FaultProxy(slack.api_url, FaultPlan.even(0.0), group_dms={frozenset({requester, mentor}): PAIR}) as proxy,
            SlackControl(slack.base_url) as control,
        ):
            port = free_port()
            burst = BurstProcess(burst_env(setup, proxy.api_url, port), port, workdir / "burst.log")
            await asyncio.to_thread(burst.start)
            try:
                await Workload(control, plan).setup()
                driver = FlowDriver(control, proxy, requester, mentor)
                results = [await driver.flow(n) for n in range(flows)]
            finally:
                await asyncio.to_thread(burst.stop)
    finally:
        await asyncio.to_thread(slack.stop)
    return [r[0] for r in results], [r[1] for r in results]


def per_flow(samples: list[Counter[str]]) -> dict[str, float]:
    total: Counter[str] = Counter()
    for sample in samples:
        total.update(sample)
    return {method: n / len(samples) for method, n in sorted(total.items())}


def allowed_flows_per_minute(calls: dict[str, float]) -> tuple[float, str]:
    """The flows a minute that the tightest Tier-limited method allows, and that method."""
    limits = {
        method: TIER_PER_MINUTE[METHODS[method].tier] / n
        for method, n in calls.items()
        if n > 0 and method in METHODS and METHODS[method].tier in TIER_PER_MINUTE
    }
    method = min(limits, key=lambda m: limits[m])
    return limits[method], method


async def run(console: Console, flows: int) -> None:
    with tempfile.TemporaryDirectory(prefix="burst-budget-") as tmp:
        samples, sessions = await measure(flows, Path(tmp))
    calls = per_flow(samples)
    table = Table(title=f"Web API calls per whole flow ({flows} flows, through local-slack)")
    table.add_column("method")
    table.add_column("Tier")
    table.add_column("calls / flow", justify="right")
    for method, n in calls.items():
        table.add_row(method, METHODS[method].tier if method in METHODS else "?", f"{n:g}")
    flow_total = sum(calls.values())
    table.add_row("[bold]total[/bold]", "", f"[bold]{flow_total:g}[/bold]")
    console.print(table)
    running = max(sum(s.values()) for s in sessions)
    console.print(f"calls while a session runs (card to warning, the warning's own post aside): {running}")
    rate, tightest = allowed_flows_per_minute(calls)
    tier3 = {m: n for m, n in calls.items() if m in METHODS and METHODS[m].tier == "3"}
    rate3 = min(TIER_PER_MINUTE["3"] / n for n in tier3.values()) if tier3 else float("inf")
    concurrent = rate3 * DEFAULT_SESSION_MINUTES
    console.print(
        f"Tier 3 ({TIER_PER_MINUTE['3']}/min per method) allows {rate3:.1f} flows/min "
        f"({', '.join(f'{m} {n:g}/flow' for m, n in tier3.items())}); "
        f"at {DEFAULT_SESSION_MINUTES:g}-minute sessions that is {concurrent:.0f} sessions at once"
    )
    console.print(
        f"tightest of all Tiers: {tightest} at {rate:.1f} flows/min, {rate * DEFAULT_SESSION_MINUTES:.0f} at once"
    )
    ok = flow_total <= MAX_FLOW_CALLS and running <= MAX_SESSION_CALLS and concurrent >= MIN_CONCURRENT
    console.print(
        f"targets: <= {MAX_FLOW_CALLS} calls a flow, {MAX_SESSION_CALLS} while a session runs, "
        f">= {MIN_CONCURRENT} sessions within Tier 3: {'[green]met[/green]' if ok else '[red]missed[/red]'}"
    )
