"""Operational metrics of one Burst process, in Prometheus' text format at GET /metrics (bot.entrypoints.server).

Requests by outcome and time to first accept are read off the interaction events each committed unit of work
appended (so a rolled-back step counts nothing); Web API calls and 429s are counted by the client
(handlers.slack.gateway, bot.entrypoints.app); timer lateness by the timers; sessions running and the work backlog are
read when scraped. Counters are this process's own since it started, as Prometheus expects; sessions running is the
database's figure, the same from every process.
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.domain import event_kinds as ev
from bot.runtime.work_gate import WorkGate
from storage.database import Database
from storage.models import InteractionEvent

OUTCOMES = {
    ev.REQUEST_CREATED: "created",
    ev.REQUEST_MATCHED: "matched",
    ev.REQUEST_EXPIRED: "expired",
    ev.REQUEST_NO_MATCH: "no_match",
    ev.REQUEST_CANCELLED: "cancelled",
}
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "burst_requests", "Help requests by outcome (created, matched, expired, no_match, cancelled)",
            ["outcome"], registry=self.registry,
        )  # fmt: skip
        self.time_to_accept = Histogram(
            "burst_time_to_first_accept_seconds", "From a request to the accept that matched it",
            buckets=(5, 15, 30, 60, 120, 180, 300, 600, 900), registry=self.registry,
        )  # fmt: skip
        self.sessions_running = Gauge("burst_sessions_running", "Flash sessions active now", registry=self.registry)
        self.web_api_calls = Counter(
            "burst_slack_api_calls", "Web API calls, retries included, by method", ["method"], registry=self.registry
        )
        self.rate_limited = Counter(
            "burst_slack_api_rate_limited", "Web API answers of 429 (rate limited), by method", ["method"],
            registry=self.registry,
        )  # fmt: skip
        self.backlog = Gauge(
            "burst_work_backlog",
            "Pieces of work waiting for their turn (bot.runtime.work_gate)",
            registry=self.registry,
        )
        self.timer_lateness = Histogram(
            "burst_timer_lateness_seconds", "How late a timed action ran after it fell due",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60), registry=self.registry,
        )  # fmt: skip

    def committed(self, events: Sequence[InteractionEvent]) -> None:
        for event in events:
            if outcome := OUTCOMES.get(event.kind):
                self.requests.labels(outcome).inc()
            if event.kind == ev.REQUEST_MATCHED and isinstance(seconds := event.data.get("seconds_to_accept"), float):
                self.time_to_accept.observe(seconds)

    def web_api_call(self, method: str) -> None:
        self.web_api_calls.labels(method).inc()

    def web_api_429(self, method: str) -> None:
        self.rate_limited.labels(method).inc()

    def timer_ran(self, late_seconds: float) -> None:
        self.timer_lateness.observe(max(0.0, late_seconds))

    async def exposition(self, db: Database, gate: WorkGate) -> bytes:
        """The text Prometheus scrapes, with the figures read at scrape time brought up to date first."""
        async with db.uow(readonly=True) as uow:
            self.sessions_running.set(await uow.sessions.count_active())
        self.backlog.set(gate.waiting)
        return generate_latest(self.registry)
