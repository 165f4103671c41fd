"""Limits that keep one person from flooding mentors: how often they may ask, and how often a mentor hears from them.

Per person: at most `requests_per_hour` requests in any hour (cancelled ones count: asking and cancelling in a loop
is what floods). Per mentor: at most `pings_from_one_per_hour` pings from one requester and `pings_per_hour` in all
in any hour, and none for `cancel_cooldown` after a requester cancelled a request on the same topic that pinged
them. Pure functions over what the database recalls, so the rules read (and are tested) without Slack or SQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["HOUR", "AbuseLimits", "RecentPing", "next_ask_at", "over_limit"]

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class AbuseLimits:
    requests_per_hour: int = 10
    cancel_cooldown: timedelta = timedelta(minutes=30)
    pings_from_one_per_hour: int = 3
    pings_per_hour: int = 12

    @property
    def lookback(self) -> timedelta:
        """How far back pings matter to any rule."""
        return max(HOUR, self.cancel_cooldown)


@dataclass(frozen=True)
class RecentPing:
    mentor_id: str
    requester_id: str
    topic_key: str
    at: datetime
    cancelled_at: datetime | None  # when its request was cancelled by the requester, if it was


def next_ask_at(asked_at: Sequence[datetime], now: datetime, limits: AbuseLimits) -> datetime | None:
    """None when the person may ask now; otherwise when the oldest of their last hour's requests leaves the hour."""
    recent = sorted(t for t in asked_at if t > now - HOUR)
    if len(recent) < limits.requests_per_hour:
        return None
    return recent[len(recent) - limits.requests_per_hour] + HOUR


def over_limit(
    recent: Sequence[RecentPing], requester_id: str, topic_key: str, now: datetime, limits: AbuseLimits
) -> set[str]:
    """The mentors this request may not ping now."""
    in_hour = [p for p in recent if p.at > now - HOUR]
    overall = Counter(p.mentor_id for p in in_hour)
    from_them = Counter(p.mentor_id for p in in_hour if p.requester_id == requester_id)
    cooling = {
        p.mentor_id
        for p in recent
        if p.requester_id == requester_id
        and p.topic_key == topic_key
        and p.cancelled_at is not None
        and p.cancelled_at > now - limits.cancel_cooldown
    }
    return (
        {m for m, n in overall.items() if n >= limits.pings_per_hour}
        | {m for m, n in from_them.items() if n >= limits.pings_from_one_per_hour}
        | cooling
    )
