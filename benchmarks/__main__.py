"""Burst's performance benchmarks: routing and the digest at workspace scale, a real `burst run` under load, and
every flow through a Slack that fails and a Burst that crashes.

Run from the repository root with the project's virtualenv:

    .venv/bin/python -m benchmarks routing      # routing one request, 1,000 / 10,000 / 100,000 mentors
    .venv/bin/python -m benchmarks digest       # the weekly digest over 10,000 / 100,000 / 1,000,000 events
    .venv/bin/python -m benchmarks load         # acks at 50 / 100 / 200 / 400 requests/s against bare Bolt; first ping
    .venv/bin/python -m benchmarks scale        # RSS and start-up at 10,000 members / 1,000,000 events; timer lateness
    .venv/bin/python -m benchmarks all          # routing, digest, load and scale
    .venv/bin/python -m benchmarks all --quick  # small sizes, short runs: a smoke run
    .venv/bin/python -m benchmarks matching     # first-wave hit, wrong pings, unanswerable pinged on the labelled set
    .venv/bin/python -m benchmarks chaos        # 200 requests through local-slack with 10% of Web API calls faulted
    .venv/bin/python -m benchmarks chaos --crash  # the same with SIGKILLs: SQLite, PostgreSQL, 2 processes on one PG
    .venv/bin/python -m benchmarks budget       # Web API calls per whole flow by method and Tier; what Tier 3 allows
    .venv/bin/python -m benchmarks parsers      # each parser of user text, worst time over hostile 10-100 KB inputs
    .venv/bin/python -m benchmarks trust        # erasure, k-anonymity, abuse limits, slow HTTP clients
    .venv/bin/python -m benchmarks request_path # the modules and transactions one `/burst help pandas` goes through

Options: `--sizes 1000,50000` (mentors for routing, events for digest), `--engines sqlite,postgresql` (routing and
digest default to both, load and scale to SQLite), `--requests N` (routing requests per size), `--runs N` (digest
builds per size), `--explain` (query plans of the largest size, EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN
on SQLite), `--rates 50,100` and `--seconds S` (load), `--members N`, `--events N`, `--timers N` (scale), `--seed N`;
for chaos `--crash`, `--kills N` (per crash run) and `--fault-rate 0.1`; `--requests N` is also chaos's workload size.
`chaos` runs on SQLite unless `--engines` says otherwise; `chaos --crash` on both engines.

What is measured, and why this way:
- Each size runs on a fresh database, migrated with the real migrations: SQLite in a temporary file, PostgreSQL on a
  throwaway server (tests/support/postgres.py, installed from the Debian package when missing and running as root).
- Data is generated in Python with a fixed seed and bulk loaded (Core executemany on SQLite, COPY on PostgreSQL),
  then ANALYZEd (VACUUM ANALYZE on PostgreSQL), so plans are those of a database that has been running a while.
- Routing: per request, the wall time of reading the topic (`TopicReader.read`) and
  `bot.services.routing.choose(...)` (the SQL shortlist, the exact ranking of it and the availability screen) inside
  one unit of work, less the time spent waiting for Slack's answers (Burst's own work); p50 / p95 / max over ~50
  topics, two thirds drawn by skill popularity (Zipf: "python" is everywhere) and a third from the rare tail. Target:
  under 20 ms at 10,000 mentors.
- Digest: the median of 5 `DigestService.build(end)` calls after one warm-up, and each repository query alone.
  Target: under 1 s at 1,000,000 events on PostgreSQL.
- Chaos: real `burst run` processes behind the fault proxy (429 with Retry-After, 500, 503, dropped connections, slow
  answers, in equal shares); scripted requesters and mentors act through local-slack. Printed: requests, flows
  completed, faults by kind, retries seen, Retry-After honoured, duplicates, lost and stuck (each must be 0; under
  SIGKILL a message whose step committed just before the kill is lost rather than doubled), wall time. See
  benchmarks/chaos.py.
- Parsers (benchmarks/parsers.py): intents, the /burst grammar, durations, hours, skill names and a CSV row, each
  fed crafted 10 KB and 100 KB inputs (runs of what its patterns repeat, then a tail that fails them); the fastest
  of 5 runs per input, the worst input per parser. Target: under 5 ms.
- Trust (benchmarks/trust.py): what delete-my-data leaves (hits of the person's id, channels and words in every
  text and JSON column, before and after, each engine), random ask/cancel/expire/delete scripts by two people and
  whether the digest names a topic, 15 ask/cancel cycles and the most pings one mentor got, and slow HTTP clients
  against a real `burst run` (how long they stay connected, /healthz meanwhile, connections past the cap refused).
- Budget (benchmarks/budget.py): whole flows one after another through local-slack behind the fault proxy with no
  faults, which counts every Web API call by method; per flow by method and Tier, the calls while a session runs,
  and the flows a minute and concurrent sessions Slack's published Tier limits allow. Targets: at most 10 calls a
  flow, none while a session runs, 200 sessions at once within Tier 3.
- Load (benchmarks/load.py): a real `burst run` in HTTP mode against local-slack in events mode, and a bare Bolt
  AsyncApp served the same way (benchmarks/bare_bolt.py); a separate generator process sends them the same signed
  slash commands and Decline clicks open-loop at each rate. Ack p50 / p99 / errors of each, their ratio, and the
  time from a slash command through local-slack to the first ping. Targets: ack p99 under 25 ms at 200/s and
  within 1.3x of bare Bolt.
- Scale (benchmarks/scale.py, benchmarks/timer_lateness.py): start-up (process start to /healthz 200; a first start
  on an empty cache folder, then a restart that reads the knowledge index back) and VmRSS of
  `burst run` over 10,000 members and 1,000,000 events; lateness of 10,000 timers falling due within 10 s.
  Targets: under 5 s, under 150 MB, p99 under 1 s.
Benchmarks print; they assert nothing and are not collected by pytest (they live outside tests/). Timings are
wall-clock on this machine, with the database on the same host: compare runs, not absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from benchmarks import (
    budget,
    chaos,
    digest,
    load,
    matching,
    parsers,
    request_path,
    routing,
    scale,
    timer_lateness,
    trust,
)
from benchmarks.engines import ENGINES, SQLITE, Engine, open_engines
from benchmarks.report import count, ms, verdict
from benchmarks.serving_tables import print_load, print_scale, print_timers
from bot.runtime import logs

ROUTING_SIZES = (1_000, 10_000, 100_000)
DIGEST_SIZES = (10_000, 100_000, 1_000_000)
QUICK_ROUTING_SIZES = (500, 2_000)
QUICK_DIGEST_SIZES = (5_000, 20_000)

console = Console()
R = TypeVar("R")
if not console.is_terminal:  # piped to a file: do not squeeze the tables into 80 columns
    console = Console(width=200)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Burst performance benchmarks.")
    parser.add_argument(
        "which",
        choices=(
            "routing",
            "digest",
            "load",
            "scale",
            "all",
            "chaos",
            "matching",
            "budget",
            "parsers",
            "trust",
            "request_path",
        ),
    )
    parser.add_argument("--sizes", type=_sizes, help="comma-separated sizes: mentors (routing) or events (digest)")
    parser.add_argument(
        "--engines", type=_engines, help="comma-separated: sqlite,postgresql (load and scale default to sqlite)"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes and short runs: a smoke run")
    parser.add_argument("--rates", type=_sizes, help="load: requests per second, comma-separated")
    parser.add_argument("--seconds", type=float, help="load: seconds sent at each rate")
    parser.add_argument("--members", type=int, help="scale: members in the workspace")
    parser.add_argument("--events", type=int, help="scale: interaction events in the database")
    parser.add_argument("--timers", type=int, help="scale: timed actions falling due")
    parser.add_argument("--requests", type=int, help="routing: requests timed per size; chaos: workload requests")
    parser.add_argument("--runs", type=int, default=digest.RUNS, help="digest builds timed per size")
    parser.add_argument("--explain", action="store_true", help="print query plans for the largest size")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the generated data")
    parser.add_argument("--crash", action="store_true", help="chaos: SIGKILL and restart Burst during the workload")
    parser.add_argument("--kills", type=int, default=chaos.KILLS, help="chaos --crash: kills per run")
    parser.add_argument("--data", type=Path, default=matching.DATA, help="matching: folder with the labelled set")
    parser.add_argument(
        "--misses", action="store_true", help="matching: list each miss, and each unanswerable request that pinged"
    )
    parser.add_argument(
        "--renamed", action="store_true", help="matching: the mentors' skills under other names (renamed.yaml)"
    )
    parser.add_argument("--no-model", action="store_true", help="matching: without the embedding model (fallback)")
    parser.add_argument("--fault-rate", type=float, default=chaos.FAULT_RATE, help="chaos: share of calls faulted")
    return parser.parse_args(argv)


def _sizes(text: str) -> list[int]:
    try:
        return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes are whole numbers separated by commas, not {text!r}") from None


def _engines(text: str) -> list[str]:
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in ENGINES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"engines are {', '.join(ENGINES)}; got {text!r}")
    return names


async def main(args: argparse.Namespace) -> None:
    began = time.perf_counter()
    if args.which == "matching":
        scores = await matching.run(
            console, args.data, show_misses=args.misses, model=not args.no_model, renamed=args.renamed
        )
        overall = next(s for s in scores if s.name == "all")
        print(f"matching: {overall.line()}")  # the last line, in a fixed form other tools read
        return
    if args.which == "parsers":
        with console.status("parsers: hostile inputs of 10 KB and 100 KB"):
            print_parsers(parsers.run())
        return
    if args.which == "trust":
        await trust_benchmark(args)
        console.print(f"[dim]total {time.perf_counter() - began:,.0f} s[/]")
        return
    if args.which == "chaos":
        await chaos.run(
            console,
            args.engines or (list(ENGINES) if args.crash else ["sqlite"]),
            crash=args.crash,
            requests=args.requests or (chaos.QUICK_REQUESTS if args.quick else chaos.REQUESTS),
            kills=args.kills,
            seed=args.seed,
            rate=args.fault_rate,
        )
        console.print(f"[dim]total {time.perf_counter() - began:,.0f} s[/]")
        return
    if args.which == "request_path":
        await request_path.run(console)
        return
    if args.which == "budget":
        await budget.run(console, args.requests or (budget.QUICK_FLOWS if args.quick else budget.FLOWS))
        return
    if args.which in ("routing", "digest", "all"):
        await database_benchmarks(args)
    if args.which in ("load", "all"):
        async with serving_engines(args) as engines:
            await load_benchmark(args, engines)
    if args.which in ("scale", "all"):
        async with serving_engines(args) as engines:
            await scale_benchmark(args, engines)
    console.print(f"[dim]total {time.perf_counter() - began:,.0f} s[/]")


@asynccontextmanager
async def serving_engines(args: argparse.Namespace) -> AsyncIterator[list[Engine]]:
    warnings: list[str] = []
    async with open_engines(args.engines or [SQLITE], warnings) as engines:
        for line in warnings:
            console.print(f"[yellow]{line}[/]")
        yield engines


async def load_benchmark(args: argparse.Namespace, engines: Sequence[Engine]) -> None:
    results = []
    for engine in engines:
        with console.status(f"load: a real burst run against bare Bolt on {engine.name}"):
            result = await load.run(
                engine,
                rates=args.rates or load.RATES,
                seconds=args.seconds or (load.QUICK_SECONDS if args.quick else load.SECONDS),
                mentors=load.QUICK_MENTORS if args.quick else load.MENTORS,
                first_pings=load.QUICK_FIRST_PINGS if args.quick else load.FIRST_PINGS,
                seed_value=args.seed,
            )
        results.append(result)
    print_load(console, results)


async def scale_benchmark(args: argparse.Namespace, engines: Sequence[Engine]) -> None:
    members = args.members or (scale.QUICK_MEMBERS if args.quick else scale.MEMBERS)
    events = args.events or (scale.QUICK_EVENTS if args.quick else scale.EVENTS)
    timers = args.timers or (timer_lateness.QUICK_TIMERS if args.quick else timer_lateness.TIMERS)
    window = timer_lateness.QUICK_WINDOW if args.quick else timer_lateness.WINDOW
    sizes, lateness = [], []
    for engine in engines:
        with console.status(f"scale: {members:,} members, {events:,} events on {engine.name}"):
            sizes.append(await scale.run(engine, members=members, events=events, seed_value=args.seed))
        with console.status(f"scale: {timers:,} timers on {engine.name}"):
            lateness.append(await timer_lateness.run(engine, count=timers, window=window))
    print_scale(console, sizes)
    print_timers(console, lateness)


async def database_benchmarks(args: argparse.Namespace) -> None:
    warnings: list[str] = []
    async with open_engines(args.engines or list(ENGINES), warnings) as engines:
        for line in warnings:
            console.print(f"[yellow]{line}[/]")
        if args.which in ("routing", "all"):
            sizes = args.sizes or (QUICK_ROUTING_SIZES if args.quick else ROUTING_SIZES)

            async def route(engine: Engine, size: int) -> routing.RoutingResult:
                return await routing.run(
                    engine,
                    size,
                    requests=args.requests or routing.REQUESTS,
                    seed_value=args.seed,
                    with_plans=args.explain and size == max(sizes),
                )

            print_routing(
                await across("routing", "mentors", sizes, engines, route, lambda r: f"{ms(r.work.p50)} ms p50")
            )
        if args.which in ("digest", "all"):
            sizes = args.sizes or (QUICK_DIGEST_SIZES if args.quick else DIGEST_SIZES)

            async def build(engine: Engine, size: int) -> digest.DigestResult:
                return await digest.run(
                    engine, size, runs=args.runs, seed_value=args.seed, with_plans=args.explain and size == max(sizes)
                )

            print_digest(
                await across("digest", "events", sizes, engines, build, lambda d: f"{ms(d.build.p50)} ms median")
            )


async def across(
    name: str,
    unit: str,
    sizes: Sequence[int],
    engines: Sequence[Engine],
    run: Callable[[Engine, int], Awaitable[R]],
    summary: Callable[[R], str],
) -> list[R]:
    """One benchmark at every size on every engine, each run's headline printed as it finishes."""
    results = []
    for size in sizes:
        for engine in engines:
            with console.status(f"{name}: {size:,} {unit} on {engine.name}"):
                result = await run(engine, size)
            results.append(result)
            console.print(f"  {name} {engine.name} {size:,}: {summary(result)}", style="dim")
    return results


def print_routing(results: Sequence[routing.RoutingResult]) -> None:
    table = Table(title="Routing one request, ms: reading the topic + choose() in one unit of work")
    for name in ("engine", "mentors", "seed s", "holders p50", "holders max", "match", "ranking", "Slack wait"):
        table.add_column(name, justify="right", no_wrap=True)
    for name in ("work p50", "work p95", "work max", "common p50", "rare p50", "with Slack p95", "errors"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column(f"target < {ms(routing.TARGET_MS)} ms @ {routing.TARGET_MENTORS:,}", no_wrap=True)
    for r in results:
        counts = r.candidate_counts
        table.add_row(
            r.engine,
            f"{r.mentors:,}",
            f"{r.seed_seconds:,.1f}",
            count(statistics.median(counts) if counts else math.nan),
            count(max(counts) if counts else math.nan),
            ms(r.match.p50),
            ms(r.ranking.p50),
            ms(r.slack_wait.p50),
            f"[bold]{ms(r.work.p50)}[/]",
            ms(r.work.p95),
            ms(r.work.max),
            ms(r.by_class["common"].p50) if "common" in r.by_class else "—",
            ms(r.by_class["rare"].p50) if "rare" in r.by_class else "—",
            ms(r.total.p95),
            f"[red]{len(r.errors)}[/]" if r.errors else "0",
            (
                f"p50 {verdict(r.work.p50, routing.TARGET_MS)}  p95 {verdict(r.work.p95, routing.TARGET_MS)}"
                if r.mentors == routing.TARGET_MENTORS
                else ""
            ),
        )
    console.print(table)
    for r in results:
        if r.slack_calls:
            waves = len(r.slack_calls)
            per_method = ", ".join(f"{m} {n / waves:.1f}" for m, n in sorted(r.slack_by_method.items()))
            console.print(
                f"{r.engine} {r.mentors:,} mentors, signals on: ranking (choose() less waiting on Slack) "
                f"p50 {ms(r.ranking.p50)} ms, p95 {ms(r.ranking.p95)} ms (without the signals "
                f"p50 {ms(r.unscreened.p50)} ms, p95 {ms(r.unscreened.p95)} ms); Web API calls a wave: "
                f"mean {statistics.mean(r.slack_calls):.1f}, max {max(r.slack_calls)} ({per_method} a wave); "
                f"busy mentors screened past a wave: mean {statistics.mean(r.skipped):.1f}"
            )
    for r in results:
        if r.rows:
            shown = ", ".join(f"{k} {v:,}" for k, v in r.rows.items())
            skill, share = r.top_skill_share
            console.print(
                f"[dim]{r.engine} {r.mentors:,} mentors, rows: {shown}; {share:.0%} of mentors know {skill}[/]"
            )
        for error in r.errors[:3]:
            console.print(f"[red]{r.engine} {r.mentors:,}: {error}[/]")
    print_plans([p for r in results for p in [(f"{r.engine} {r.mentors:,} mentors", *x) for x in r.plans]])


def print_digest(results: Sequence[digest.DigestResult]) -> None:
    runs = len(results[0].build.seconds) if results else 0
    table = Table(title=f"Weekly digest build, ms (median of {runs} runs; query columns: one week, each query alone)")
    for name in ("engine", "events", "requests", "sessions", "seed s", "build p50", "min", "max"):
        table.add_column(name, justify="right", no_wrap=True)
    query_names = list(results[0].queries) if results else []
    for name in query_names:
        table.add_column(name.replace("_between", "").replace("event_data", "events"), justify="right", no_wrap=True)
    table.add_column(f"< {digest.TARGET_SECONDS:g} s @ {digest.TARGET_EVENTS:,} (postgresql)", no_wrap=True)
    for r in results:
        target = (
            verdict(r.build.p50, digest.TARGET_SECONDS * 1_000)
            if r.events == digest.TARGET_EVENTS and r.engine == "postgresql"
            else ""
        )
        table.add_row(
            r.engine,
            f"{r.events:,}",
            f"{r.rows.get('help_requests', 0):,}",
            f"{r.rows.get('flash_sessions', 0):,}",
            f"{r.seed_seconds:,.1f}",
            f"[bold]{ms(r.build.p50)}[/]",
            ms(r.build.min),
            ms(r.build.max),
            *(ms(r.queries[n].p50) if n in r.queries else "—" for n in query_names),
            target,
        )
    console.print(table)
    print_plans([p for r in results for p in [(f"{r.engine} {r.events:,} events", *x) for x in r.plans]])


async def trust_benchmark(args: argparse.Namespace) -> None:
    logs.configure("WARNING")  # the services run in this process: their step-by-step log is not the figure
    warnings: list[str] = []
    async with open_engines(args.engines or list(ENGINES), warnings) as engines:
        for line in warnings:
            console.print(f"[yellow]{line}[/]")
        erased = []
        for engine in engines:
            with console.status(f"trust: erasure on {engine.name}"):
                erased.append(await trust.erasure(engine))
        sqlite = next(e for e in engines if e.name == SQLITE) if any(e.name == SQLITE for e in engines) else engines[0]
        scripts = trust.QUICK_SCRIPTS if args.quick else trust.SCRIPTS
        with console.status(f"trust: {scripts} ask/cancel/expire/delete scripts on {sqlite.name}"):
            anonymity = await trust.anonymity(sqlite, scripts, args.seed)
        with console.status("trust: 15 ask/cancel cycles"):
            abuse = await trust.abuse(sqlite)
        clients = trust.QUICK_SLOW_CLIENTS if args.quick else trust.SLOW_CLIENTS
        with console.status(f"trust: {clients} + {clients} slow clients against burst run"):
            slow = await trust.slow_clients(sqlite, clients)
    print_trust(erased, anonymity, abuse, slow)


def print_trust(
    erased: Sequence[trust.ErasureResult],
    anonymity: trust.AnonymityResult,
    abuse: trust.AbuseResult,
    slow: trust.SlowResult,
) -> None:
    table = Table(title="Erasure: every text and JSON column scanned for the person's id, channels and words")
    for name in ("engine", "columns scanned", "hits before", "hits after", "delete-my-data ms", "target"):
        table.add_column(name, justify="right", no_wrap=True)
    for e in erased:
        ok = "[green]✓ 0[/]" if e.hits_after == 0 else f"[red]✗ {e.hits_after}[/]"
        table.add_row(e.engine, str(e.columns), str(e.hits_before), f"[bold]{e.hits_after}[/]", ms(e.seconds * 1e3), ok)
    console.print(table)
    a = anonymity
    console.print(
        f"k-anonymity: {a.scripts} random scripts ({a.steps} asks, cancels, expiries, deletions) by 2 people: "
        f"[bold]{a.named_by_fewer}[/] named a topic (target 0); control, 3 people: named {a.control_named} of "
        f"{a.control_runs}"
    )
    b = abuse
    console.print(
        f"Abuse limits: {b.cycles} ask/cancel cycles, {b.mentors} mentors free: most pings one mentor got "
        f"[bold]{b.max_pings_one_mentor}[/] (target ≤ 3); {b.stored} requests stored, {b.refused} refused with a "
        "time to ask again"
    )
    s = slow
    drops = s.header_drops + s.body_drops
    console.print(
        f"Slow clients (read timeout {s.read_timeout:g} s): {len(s.header_drops)} trickling headers dropped after "
        f"median {trust.median(s.header_drops):.1f} s, {len(s.body_drops)} trickling bodies after "
        f"{trust.median(s.body_drops):.1f} s (max {max(drops, default=float('nan')):.1f} s), [bold]{s.still_open}[/] "
        f"outlived their trickle; /healthz meanwhile p50 {trust.median(s.health_ms):.1f} ms, max "
        f"{max(s.health_ms, default=float('nan')):.1f} ms; {s.over_cap_tried} connections at once: "
        f"{s.refused_503} refused with 503 (cap {s.cap})"
    )


def print_parsers(results: Sequence[parsers.ParserResult]) -> None:
    table = Table(title="Parsers of user text: worst time over hostile inputs, ms (fastest of 5 runs per input)")
    for name in ("parser", "inputs", "worst ms", "worst input", f"target < {parsers.TARGET_MS:g} ms"):
        table.add_column(name, justify="right" if name in ("inputs", "worst ms") else "left", no_wrap=True)
    for r in results:
        worst = f"[bold]{r.worst_ms:.2f}[/]"
        table.add_row(r.parser, f"{r.inputs:,}", worst, r.worst_input, verdict(r.worst_ms, parsers.TARGET_MS))
    console.print(table)


def print_plans(plans: Sequence[tuple[str, str, str, str]]) -> None:
    for where, what, sql, plan in plans:
        console.print(Panel(f"[cyan]{sql}[/]\n\n{plan}", title=f"{where}: {what}", title_align="left", expand=False))


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
