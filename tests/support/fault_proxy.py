"""A fake of Slack's network: an aiohttp server between Burst and local-slack's Web API that injects faults.

Burst's SLACK_API_URL points at the proxy (`api_url`); the proxy forwards `/api/<method>` to local-slack. At the
configured rates, decided per request with a seeded random generator, it answers instead of forwarding:

- `429` HTTP 429 with a JSON `{"ok": false, "error": "ratelimited"}` and a whole-second `Retry-After`, as Slack does;
- `500` HTTP 500 with a plain-text body, `503` HTTP 503 with an HTML body (both shapes Slack's edge really serves);
- `drop` closes the connection without answering;
- `slow` waits (a second or so) and then forwards, so the answer is right but late;
- `lost` forwards a chat.postMessage or chat.update, so Slack acts on it, then closes the connection instead of
  answering (other methods pass untouched).

Every other fault is decided *before* forwarding: a failed or dropped request never reached local-slack. `lost` is
real Slack failing *after* acting. The Web API takes no idempotency key, so a blind retry posts the message twice;
Burst stamps each message it owes with a key (a block_id) and, when an answer is lost, looks for that key in the
channel before posting again. What the proxy measures is whether Burst retries what failed, waits as long as it is
told to, and never doubles or loses work.

local-slack has no group DMs (it answers a conversations.open of several people with a 1:1 DM). A run that wants
Slack's shape can hand the proxy `group_dms`: channels of local-slack, by the set of people, that it answers such an
open with; everything posted there then goes to local-slack as usual.

`apps.connections.open` (Socket Mode's handshake) always passes untouched, and the websocket it hands out goes to
local-slack directly: reconnecting a socket is slack_sdk's work, not Burst's, and a start-up that fails on an
injected fault would test the harness rather than the bot. Events API deliveries do not pass here at all.

The proxy also watches for retries. A retry is the same request again (method, query and body), but nothing in it
says which earlier attempt it repeats: with a shared HTTP session it may come on any connection, and another call can
send an identical request (two DMs opened to one person at once). So a failed attempt counts as retried when an
identical request comes after it (or, for a message Burst stamps with a key, a later post or edit of that message:
its newer text supersedes the failed one), and for each 429 the retry is taken to be the first identical request
that came at least Retry-After later, within a few seconds of it; only if none did is an earlier one taken for it,
and counted as not having waited. A client that ignores Retry-After retries at once and has no later twin, so it is
caught.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import time
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web

from handlers.slack.gateway import stamp_of
from tests.support.ports import free_port

KINDS = ("429", "500", "503", "drop", "slow", "lost")
FAILING = frozenset({"429", "500", "503", "drop"})  # never reached Slack: each must be retried
LOSABLE = frozenset({"chat.postMessage", "chat.update"})  # what `lost` applies to
EXEMPT = frozenset({"apps.connections.open"})
RETRY_GRACE = 5.0  # seconds after its Retry-After within which a retry after a 429 is expected
_FORWARDED_HEADERS = ("Authorization", "Content-Type")


@dataclass(frozen=True)
class FaultPlan:
    """How often each kind of fault is injected (a probability per request) and how long its waits are."""

    rates: Mapping[str, float]
    retry_after: tuple[int, int] = (1, 2)  # whole seconds, as Slack sends them
    slow_seconds: tuple[float, float] = (0.5, 1.5)
    exempt: frozenset[str] = EXEMPT
    # Instead of rates: the faults of each request's first attempts, in order (a retry is the same request).
    script: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = (set(self.rates) | set(self.script)) - set(KINDS)
        if unknown or any(r < 0 for r in self.rates.values()) or sum(self.rates.values()) > 1:
            raise ValueError(f"rates are probabilities of {', '.join(KINDS)} summing to at most 1: {self.rates}")

    @classmethod
    def even(cls, total: float) -> FaultPlan:
        """`total` of all requests faulted, split evenly over the kinds."""
        return cls({kind: total / len(KINDS) for kind in KINDS})


@dataclass
class RateLimited:
    """One 429 answered, and when (if ever) the same request came back."""

    method: str
    key: tuple[str, str]
    at: float
    retry_after: int
    waited: float | None = None  # seconds from the 429 to its retry, once the proxy has stopped

    @property
    def honoured(self) -> bool:
        return self.waited is not None and self.waited >= self.retry_after


@dataclass
class FaultRecord:
    """What the proxy saw and did; counters are keyed by Web API method."""

    requests: Counter[str] = field(default_factory=Counter)
    forwarded: Counter[str] = field(default_factory=Counter)
    injected: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, method)
    retries: Counter[str] = field(default_factory=Counter)  # by the kind of fault the retried attempt met
    rate_limits: list[RateLimited] = field(default_factory=list)

    def injected_by_kind(self) -> Counter[str]:
        by_kind: Counter[str] = Counter()
        for (kind, _), n in self.injected.items():
            by_kind[kind] += n
        return by_kind

    @property
    def faults(self) -> int:
        return sum(self.injected.values())

    @property
    def failures(self) -> int:
        """Faults the client had to retry (everything but slow answers)."""
        return sum(n for (kind, _), n in self.injected.items() if kind in FAILING)

    @property
    def retried_429(self) -> list[RateLimited]:
        return [r for r in self.rate_limits if r.waited is not None]

    @property
    def early_429(self) -> list[RateLimited]:
        return [r for r in self.retried_429 if not r.honoured]


def _stamp(method: str, body: bytes) -> tuple[str, str] | None:
    """(method, the key Burst stamps a message with) for a post or edit of a keyed message, else None."""
    if method not in LOSABLE:
        return None
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    stamp = stamp_of(payload) if isinstance(payload, dict) else None
    return (method, stamp) if stamp else None


class FaultProxy:
    """`async with FaultProxy(upstream_api_url, plan, seed) as proxy:` then point SLACK_API_URL at proxy.api_url."""

    def __init__(
        self,
        upstream: str,
        plan: FaultPlan,
        seed: int = 0,
        port: int | None = None,
        group_dms: Mapping[frozenset[str], str] | None = None,
    ) -> None:
        self.upstream = upstream if upstream.endswith("/") else upstream + "/"
        self.plan = plan
        self.group_dms = dict(group_dms or {})
        self.port = port or free_port()
        self.record = FaultRecord()
        self._random = random.Random(seed)
        self._failed: dict[tuple[str, str], deque[str]] = {}  # failed attempts not yet repeated, by request
        self._stamped: dict[tuple[str, str], list[tuple[str, str]]] = {}  # failed requests by (method, message key)
        self._arrivals: dict[tuple[str, str], list[float]] = {}  # when requests that met a 429 came again
        self._attempts: Counter[tuple[str, str]] = Counter()
        self._last_request = time.monotonic()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    async def start(self) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle)
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        self._pair_rate_limits()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def idle_for(self) -> float:
        """Seconds since the last request: a client still retrying something comes back within a few."""
        return time.monotonic() - self._last_request

    # --- one request ----------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        body = await request.read()
        digest = hashlib.sha256(request.query_string.encode() + b"\n" + body).hexdigest()
        key = (method, digest)
        now = self._last_request = time.monotonic()
        self.record.requests[method] += 1
        self._note_retry(key, _stamp(method, body), now)

        kind = self._draw(key)
        if kind == "lost" and method not in LOSABLE:
            kind = None
        if kind is not None:
            self.record.injected[(kind, method)] += 1
        if kind == "lost":
            await self._forward(request, method, body)
            assert request.transport is not None
            request.transport.abort()  # Slack acted; its answer never arrives
            return web.Response()
        if kind == "slow":
            await asyncio.sleep(self._random.uniform(*self.plan.slow_seconds))
        elif kind is not None:
            return self._fail(request, kind, key, _stamp(method, body), now)
        if method == "conversations.open" and (group := self._group_dm(request, body)):
            return web.json_response({"ok": True, "channel": {"id": group}})
        return await self._forward(request, method, body)

    def _group_dm(self, request: web.Request, body: bytes) -> str | None:
        if not self.group_dms:
            return None
        args = dict(request.query) | {k: v for k, v in parse_qsl(body.decode(errors="replace"))}
        return self.group_dms.get(frozenset(u for u in str(args.get("users", "")).split(",") if u))

    def _draw(self, key: tuple[str, str]) -> str | None:
        if key[0] in self.plan.exempt:
            return None
        if self.plan.script:
            attempt = self._attempts[key]
            self._attempts[key] += 1
            return self.plan.script[attempt] if attempt < len(self.plan.script) else None
        roll = self._random.random()
        for kind in KINDS:
            roll -= self.plan.rates.get(kind, 0.0)
            if roll < 0:
                return kind
        return None

    def _note_retry(self, key: tuple[str, str], stamp: tuple[str, str] | None, now: float) -> None:
        # A later version of a keyed message (its post or edit with newer text, as when the status moved on
        # before the retry) is that message again: Burst posts by key, and the newer text supersedes the old.
        candidates = [key] + ([k for k in self._stamped.get(stamp, []) if k != key] if stamp else [])
        if waiting := next((self._failed[k] for k in candidates if self._failed.get(k)), None):
            self.record.retries[waiting.popleft()] += 1
        if key in self._arrivals:
            self._arrivals[key].append(now)

    def _fail(
        self, request: web.Request, kind: str, key: tuple[str, str], stamp: tuple[str, str] | None, now: float
    ) -> web.StreamResponse:
        self._failed.setdefault(key, deque()).append(kind)
        if stamp is not None:
            self._stamped.setdefault(stamp, []).append(key)
        if kind == "drop":
            assert request.transport is not None
            request.transport.abort()
            return web.Response()  # never written: the connection is gone
        if kind == "429":
            limited = RateLimited(key[0], key, now, self._random.randint(*self.plan.retry_after))
            self.record.rate_limits.append(limited)
            self._arrivals.setdefault(key, [])
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(limited.retry_after)}
            )
        if kind == "500":
            return web.Response(status=500, text="Internal Server Error")
        return web.Response(status=503, text="<html><body>Service Unavailable</body></html>", content_type="text/html")

    def _pair_rate_limits(self) -> None:
        """Find each 429's retry among the identical requests that came after it (see the module docstring)."""
        taken: set[tuple[tuple[str, str], float]] = set()
        for limited in sorted(self.record.rate_limits, key=lambda r: r.at):
            later = [t for t in self._arrivals.get(limited.key, []) if t > limited.at and (limited.key, t) not in taken]
            due = limited.at + limited.retry_after
            waited = [t for t in later if due <= t <= due + RETRY_GRACE] or [t for t in later if t < due] or later
            if waited:
                taken.add((limited.key, waited[0]))
                limited.waited = waited[0] - limited.at

    async def _forward(self, request: web.Request, method: str, body: bytes) -> web.Response:
        assert self._client is not None, "start() first"
        headers = {h: request.headers[h] for h in _FORWARDED_HEADERS if h in request.headers}
        async with self._client.request(
            request.method, self.upstream + method, params=request.query, data=body, headers=headers
        ) as answer:
            payload = await answer.read()
            self.record.forwarded[method] += 1
            kind = answer.headers.get("Content-Type", "application/json")
            return web.Response(status=answer.status, body=payload, headers={"Content-Type": kind})
