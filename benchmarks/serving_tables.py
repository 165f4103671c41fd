"""The printed figures of the serving benchmarks (load and scale), with their targets beside them."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from benchmarks import load, scale, timer_lateness
from benchmarks.load_workload import MIX
from benchmarks.report import ms, verdict


def print_load(console: Console, results: Sequence[load.LoadResult]) -> None:
    for r in results:
        _print_acks(console, r)
        _print_ratios(console, r)
        _print_kinds(console, r)
        _print_first_pings(console, r)
        console.print(
            f"[dim]{r.engine}: machine load average before {r.load_before}, after {r.load_after}; "
            f"clicks pressed Decline on {r.clicks_on} real pings; process logs in {r.logs}[/]"
        )


def _print_acks(console: Console, r: load.LoadResult) -> None:
    mix = ", ".join(f"1/{len(MIX)} {kind}" for kind in MIX)
    table = Table(
        title=f"Ack latency (HTTP response), ms: open loop, {r.seconds:g} s per rate, {r.engine}, "
        f"{r.mentors:,} mentors; mix {mix}"
    )
    for name in ("rate /s", "server", "sent", "errors", "p50", "p99", "max", "CPU ms/req", "quiet after s"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("sender late p99", justify="right", no_wrap=True)
    for run in r.runs:
        latency = run.latency()
        quiet = f"{run.quiet.seconds:,.1f}" + ("" if run.quiet.settled else " (still busy)")
        table.add_row(
            str(run.rate),
            run.server,
            f"{len(run.samples):,}",
            f"[red]{run.errors}[/]" if run.errors else "0",
            ms(latency.p50),
            f"[bold]{ms(latency.pct(99))}[/]",
            ms(latency.max),
            ms(run.cpu_seconds * 1_000 / max(1, len(run.samples))),
            quiet,
            ms(run.lateness.pct(99)),
        )
    console.print(table)


def _print_ratios(console: Console, r: load.LoadResult) -> None:
    table = Table(title=f"Burst against bare Bolt ({r.engine}), same requests, same machine")
    for name in ("rate /s", "Burst p50", "bare p50", "p50 ratio", "Burst p99", "bare p99", "p99 ratio"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column(
        f"targets @ {load.TARGET_RATE}/s: p99 < {ms(load.TARGET_P99_MS)} ms, ratio ≤ {load.TARGET_RATIO:g}",
        no_wrap=True,
    )
    for rate in dict.fromkeys(run.rate for run in r.runs):
        burst, bare = r.run(load.BURST, rate), r.run(load.BARE, rate)
        if burst is None or bare is None:
            continue
        b, base = burst.latency(), bare.latency()
        p50_ratio, p99_ratio = _ratio(b.p50, base.p50), _ratio(b.pct(99), base.pct(99))
        target = ""
        if rate == load.TARGET_RATE:
            target = f"p99 {verdict(b.pct(99), load.TARGET_P99_MS)}  ratio {_ratio_verdict(p99_ratio)}"
        table.add_row(
            str(rate),
            ms(b.p50),
            ms(base.p50),
            f"{p50_ratio:.2f}x",
            ms(b.pct(99)),
            ms(base.pct(99)),
            f"[bold]{p99_ratio:.2f}x[/]",
            target,
        )
    console.print(table)


def _ratio(value: float, base: float) -> float:
    return value / base if base > 0 else math.nan


def _ratio_verdict(ratio: float) -> str:
    if math.isnan(ratio):
        return "[yellow]no data[/]"
    ok = ratio <= load.TARGET_RATIO
    return (
        f"[green]✓ {ratio:.2f}x ≤ {load.TARGET_RATIO:g}x[/]"
        if ok
        else f"[red]✗ {ratio:.2f}x > {load.TARGET_RATIO:g}x[/]"
    )


def _print_kinds(console: Console, r: load.LoadResult) -> None:
    table = Table(title=f"Burst's ack by kind of request, p50 / p99 ms ({r.engine})")
    table.add_column("rate /s", justify="right")
    for kind in MIX:
        table.add_column(kind, justify="right", no_wrap=True)
    for run in r.runs:
        if run.server == load.BURST:
            cells = [run.latency(kind) for kind in MIX]
            table.add_row(str(run.rate), *(f"{ms(t.p50)} / {ms(t.pct(99))}" for t in cells))
    console.print(table)


def _print_first_pings(console: Console, r: load.LoadResult) -> None:
    table = Table(
        title=f"Request to first ping through local-slack, ms ({r.engine}): slash command delivered -> "
        "the app's first DM, on local-slack's clock, one request at a time"
    )
    for name in ("app", "requests", "pinged", "p50", "p99", "max"):
        table.add_column(name, justify="right", no_wrap=True)
    for f in r.first_pings:
        pinged = len(f.latency.seconds)
        table.add_row(
            f.app,
            str(pinged + len(f.misses)),
            str(pinged),
            f"[bold]{ms(f.latency.p50)}[/]",
            ms(f.latency.pct(99)),
            ms(f.latency.max),
        )
    console.print(table)
    for f in r.first_pings:
        for miss in f.misses[:3]:
            console.print(f"[yellow]{f.app}: {miss}[/]")


def print_scale(console: Console, results: Sequence[scale.ScaleResult]) -> None:
    table = Table(title="A real `burst run` over a big workspace: start-up and memory")
    columns = ("engine", "members", "events", "seed s", "first start s", "restart s", "RSS started MB", "RSS after MB")
    for name in (*columns, "peak MB"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column(
        f"targets @ {scale.MEMBERS:,} / {scale.EVENTS:,}: restart < {scale.TARGET_STARTUP_S:g} s, "
        f"RSS after start-up < {scale.TARGET_RSS_MB:g} MB",
        no_wrap=True,
    )
    for r in results:
        full = r.members == scale.MEMBERS and r.events == scale.EVENTS
        target = (
            f"restart {verdict(r.startup_seconds * 1_000, scale.TARGET_STARTUP_S * 1_000)} ms  "
            f"RSS {verdict(r.rss_started, scale.TARGET_RSS_MB)} MB"
            if full
            else ""
        )
        table.add_row(
            r.engine,
            f"{r.members:,}",
            f"{r.events:,}",
            f"{r.seed_seconds:,.0f}",
            f"{r.first_startup_seconds:.2f}",
            f"[bold]{r.startup_seconds:.2f}[/]",
            f"[bold]{r.rss_started:,.0f}[/]",
            f"{r.rss_after:,.0f}",
            f"{r.rss_peak:,.0f}",
            target,
        )
    console.print(table)
    for r in results:
        shown = ", ".join(f"{k} {v:,}" for k, v in r.rows.items())
        asked = ", ".join(f"{text} {status} {ms(took)} ms" for text, status, took in r.requests)
        console.print(f"[dim]{r.engine} rows: {shown}[/]")
        console.print(f"[dim]{r.engine} requests after start-up (one at a time, ack ms): {asked}[/]")
        console.print(f"[dim]{r.engine} process logs in {r.logs}[/]")


def print_timers(console: Console, results: Sequence[timer_lateness.TimerResult]) -> None:
    table = Table(
        title="Timer lateness, ms: in-process, the real Timers on a real database, a handler that records when it ran"
    )
    for name in ("engine", "timers", "due within s", "armed in s", "ran", "p50", "p99", "max", "drained in s"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column(
        f"target @ {timer_lateness.TIMERS:,}: p99 < {timer_lateness.TARGET_P99_S * 1_000:,.0f} ms", no_wrap=True
    )
    for r in results:
        late = r.lateness
        target = verdict(late.pct(99), timer_lateness.TARGET_P99_S * 1_000) if r.count == timer_lateness.TIMERS else ""
        ran = f"{len(late.seconds):,}" + (f" [red]({r.missing:,} never)[/]" if r.missing else "")
        table.add_row(
            r.engine,
            f"{r.count:,}",
            f"{r.window:g}",
            f"{r.arm_seconds:.2f}",
            ran,
            ms(late.p50),
            f"[bold]{ms(late.pct(99))}[/]",
            ms(late.max),
            f"{r.drain_seconds:,.1f}",
            target,
        )
    console.print(table)
    for r in results:
        if r.scheduler_complaints:
            said = ", ".join(f"{n:,} {kind}" for kind, n in r.scheduler_complaints.most_common())
            console.print(f"[yellow]{r.engine}: APScheduler warnings and errors during the run: {said}[/]")
    if results:
        console.print(
            f"[dim]each timer also got its wake_at(due), as the services do; the periodic sweep ran every "
            f"{results[0].sweep_interval:g} s (the default BURST_SWEEP_INTERVAL); drained: until the sweeps the "
            "wake-ups had queued were all done[/]"
        )
