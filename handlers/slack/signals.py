"""Reading Slack's availability signals for a wave's candidates: dnd.teamInfo, users.info, users.getPresence.

Best effort by design: a wave must not wait on them, nor fail for them. So each method
- answers from a short cache (a person's DND, status and presence change by the minute, not by the second);
- spends at most its Tier's rate (a token bucket per method); past it, the person simply has no reading;
- is switched off for this process, with one log line, when the workspace does not have it or does not allow it
  (`unknown_method`, `not_allowed`, `missing_scope`...): local-slack implements none of them;
- after a 429 is not called again until its Retry-After has passed (the client here does not retry 429s: a stale
  or missing reading is better than a wave held for half a minute).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import structlog
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.availability import Dnd, Readings, SignalSwitches, Status, dnd_busy, status_busy
from handlers.slack.gateway import SLACK_FAILURES, why

log = structlog.get_logger(__name__)

TEAM_INFO_BATCH: Final = 50  # dnd.teamInfo reads at most 50 users a call
# Errors that mean "this workspace or token will not answer this method": ask no more, treat it as no signal.
NOT_AVAILABLE: Final = frozenset(
    {
        "unknown_method",
        "not_allowed",
        "not_allowed_token_type",
        "missing_scope",
        "no_permission",
        "method_deprecated",
        "feature_not_enabled",
        "team_access_not_granted",
    }
)


@dataclass(frozen=True)
class MethodLimit:
    per_minute: int  # the method's Tier: 2 is 20+ a minute, 3 is 50+, 4 is 100+
    ttl: float  # seconds a reading is reused


LIMITS: Final[dict[str, MethodLimit]] = {
    "dnd.teamInfo": MethodLimit(per_minute=20, ttl=60.0),
    "users.info": MethodLimit(per_minute=100, ttl=120.0),
    "users.getPresence": MethodLimit(per_minute=50, ttl=60.0),
}


@dataclass
class _Method:
    """One Web API method's budget, cache and whether it is there at all."""

    name: str
    limit: MethodLimit
    clock: Callable[[], float]
    tokens: float = 0.0
    refilled: float = 0.0
    resting_until: float = 0.0  # after a 429
    missing: bool = False
    cache: dict[str, tuple[float, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tokens, self.refilled = float(self.limit.per_minute), self.clock()

    def cached(self, user: str) -> tuple[bool, Any]:
        hit = self.cache.get(user)
        if hit is None or self.clock() - hit[0] > self.limit.ttl:
            return False, None
        return True, hit[1]

    def remember(self, user: str, value: Any) -> None:
        self.cache[user] = (self.clock(), value)

    def may_call(self) -> bool:
        now = self.clock()
        if self.missing or now < self.resting_until:
            return False
        rate = self.limit.per_minute / 60.0
        self.tokens = min(float(self.limit.per_minute), self.tokens + (now - self.refilled) * rate)
        self.refilled = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True

    def failed(self, exc: Exception) -> None:
        code = why(exc)
        if isinstance(exc, SlackApiError) and exc.response.status_code == 429:
            retry_after = float(exc.response.headers.get("Retry-After", exc.response.headers.get("retry-after", 30)))
            self.resting_until = self.clock() + retry_after
            log.info("slack signal rate-limited", method=self.name, retry_after=retry_after)
        elif code in NOT_AVAILABLE:
            self.missing = True
            log.warning("slack signal unavailable, read as no signal", method=self.name, error=code)
        else:
            log.info("slack signal not read", method=self.name, error=code)


class SlackSignalReader:
    """Implements bot.domain.availability.SlackSignals."""

    def __init__(
        self, client: AsyncWebClient, switches: SignalSwitches, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.client = client
        self.switches = switches
        self.methods = {name: _Method(name, limit, clock) for name, limit in LIMITS.items()}

    async def read(self, user_ids: Sequence[str], now: datetime) -> dict[str, Readings]:
        """Each person's readings; presence only for those DND and status leave free (it is one call a person)."""
        users = list(dict.fromkeys(user_ids))
        dnd: dict[str, Dnd | None] = {}
        status: dict[str, Status | None] = {}
        presence: dict[str, str | None] = {}
        await asyncio.gather(
            self._dnd(users, dnd) if self.switches.dnd else _nothing(),
            self._per_user("users.info", users, status, self._status) if self.switches.status else _nothing(),
        )
        if self.switches.presence:
            free = [u for u in users if not _says_busy(dnd.get(u), status.get(u), now)]
            await self._per_user("users.getPresence", free, presence, self._presence)
        return {u: Readings(dnd=dnd.get(u), status=status.get(u), presence=presence.get(u)) for u in users}

    async def _dnd(self, users: list[str], into: dict[str, Dnd | None]) -> None:
        method = self.methods["dnd.teamInfo"]
        wanted = []
        for user in users:
            hit, value = method.cached(user)
            if hit:
                into[user] = value
            else:
                wanted.append(user)
        for start in range(0, len(wanted), TEAM_INFO_BATCH):
            batch = wanted[start : start + TEAM_INFO_BATCH]
            if not method.may_call():
                return
            try:
                answer = await self.client.dnd_teamInfo(users=batch)
            except SLACK_FAILURES as exc:
                method.failed(exc)
                return
            found: dict[str, Any] = answer.get("users") or {}
            for user in batch:
                value = _dnd_of(found[user]) if isinstance(found.get(user), dict) else None
                method.remember(user, value)
                into[user] = value

    async def _per_user(
        self,
        name: str,
        users: list[str],
        into: dict[str, Any],
        one: Callable[[str], Awaitable[Any]],
    ) -> None:
        method = self.methods[name]
        asked = []
        for user in users:
            hit, value = method.cached(user)
            if hit:
                into[user] = value
            elif method.may_call():
                asked.append(user)
        answers = await asyncio.gather(*(one(user) for user in asked), return_exceptions=True)
        for user, answer in zip(asked, answers, strict=True):
            if isinstance(answer, SLACK_FAILURES):
                method.failed(answer)
                continue
            if isinstance(answer, BaseException):
                raise answer
            method.remember(user, answer)
            into[user] = answer

    async def _status(self, user: str) -> Status | None:
        answer = await self.client.users_info(user=user)
        profile = (answer.get("user") or {}).get("profile") or {}
        text, emoji = str(profile.get("status_text") or ""), str(profile.get("status_emoji") or "")
        if not text and not emoji:
            return None
        expiration = int(profile.get("status_expiration") or 0)  # 0: the status does not expire
        return Status(text, emoji, _at(expiration) if expiration else None)

    async def _presence(self, user: str) -> str | None:
        answer = await self.client.users_getPresence(user=user)
        presence = answer.get("presence")
        return str(presence) if presence in ("active", "away") else None


async def _nothing() -> None:
    return None


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _dnd_of(raw: dict[str, Any]) -> Dnd:
    def ts(key: str) -> datetime | None:
        value = raw.get(key)
        return _at(float(value)) if isinstance(value, int | float) and value > 0 else None

    snoozed = bool(raw.get("snooze_enabled"))
    return Dnd(
        enabled=bool(raw.get("dnd_enabled")),
        next_start=ts("next_dnd_start_ts"),
        next_end=ts("next_dnd_end_ts"),
        snooze_end=ts("snooze_endtime") if snoozed else None,
    )


def _says_busy(dnd: Dnd | None, status: Status | None, now: datetime) -> bool:
    return bool((dnd and dnd_busy(dnd, now)) or (status and status_busy(status, now)))
