"""The managers' weekly digest: numbers for a week, compared with the week before, posted once per period.

The period is the seven days before a BURST_DIGEST_CRON fire time, labelled with the ISO week it starts in
(in BURST_TIMEZONE). Posting claims a `digest_runs` row keyed by that label, so several processes, or a restart
that catches up on a missed week, post it once.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import structlog
from apscheduler.triggers.cron import CronTrigger

from bot.domain import event_kinds as ev
from bot.domain.skills import topic_key
from bot.services import followups as fu
from storage.database import Database
from storage.models import RequestState, utcnow

log = structlog.get_logger(__name__)
WEEK = timedelta(days=7)
CATCH_UP = 4  # weeks back a returning Burst still posts digests for; older ones would be news to nobody
CLAIM_LEASE = timedelta(minutes=10)  # a claim this old that never posted belonged to a process that died
RETRY_EVERY = timedelta(minutes=5)  # how often each process looks for a due digest besides the cron


@dataclass(frozen=True)
class WeekStats:
    requests: int = 0
    matched: int = 0
    unmet: int = 0
    seconds_to_accept: list[float] = field(default_factory=list)
    sessions: int = 0
    minutes: float = 0.0
    top_topics: list[tuple[str, int]] = field(default_factory=list)
    unmet_topics: list[tuple[str, int]] = field(default_factory=list)  # only topics asked by enough people
    unmet_other: int = 0  # unmet requests on topics too rare to name
    helpful: int = 0
    not_helpful: int = 0
    solved: int = 0
    stuck: int = 0
    thanks: list[tuple[str, int]] = field(default_factory=list)  # opted-in mentors and their sessions

    @property
    def match_rate(self) -> float | None:
        decided = self.matched + self.unmet
        return self.matched / decided if decided else None

    @property
    def median_accept(self) -> float | None:
        return statistics.median(self.seconds_to_accept) if self.seconds_to_accept else None

    @property
    def p90_accept(self) -> float | None:
        return percentile(self.seconds_to_accept, 90)


@dataclass(frozen=True)
class Digest:
    period: str
    start: datetime
    end: datetime
    this: WeekStats
    last: WeekStats
    min_askers: int = 3  # a topic asked by fewer distinct people is only counted, never named

    @property
    def week_of(self) -> str:
        """How people name the period: "week of 16 Nov" (the ISO label, "2026-W47", stays the key)."""
        return f"week of {self.start.day} {self.start:%b}"


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile: always one of the observed values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


class DigestPoster(Protocol):
    async def post_digest(self, channel: str, digest: Digest) -> bool: ...


@dataclass(frozen=True)
class DigestConfig:
    channel: str | None
    cron: str
    zone: ZoneInfo
    min_askers: int = 3


class DigestService:
    def __init__(self, db: Database, poster: DigestPoster | None, config: DigestConfig, worker: str) -> None:
        """`poster` None: a service that only builds digests (`burst digest --preview` needs no Slack)."""
        self.db = db
        self.poster = poster
        self.config = config
        self.worker = worker

    def trigger(self) -> CronTrigger:
        return CronTrigger.from_crontab(self.config.cron, timezone=self.config.zone)

    def fires(self, now: datetime, within: timedelta) -> list[datetime]:
        """The scheduled times in (now - within, now], oldest first."""
        trigger, found = self.trigger(), []
        probe = trigger.get_next_fire_time(None, now - within)
        while probe is not None and probe <= now:
            found.append(probe)
            probe = trigger.get_next_fire_time(probe, probe + timedelta(seconds=1))
        return found

    def period(self, end: datetime) -> tuple[str, datetime, datetime]:
        start = end - WEEK
        year, week, _ = start.astimezone(self.config.zone).isocalendar()
        return f"{year}-W{week:02}", start, end

    async def build(self, end: datetime | None = None) -> Digest:
        end = end or utcnow()
        label, start, end = self.period(end)
        this, last = await self._week(start, end), await self._week(start - WEEK, start)
        return Digest(label, start, end, this, last, self.config.min_askers)

    async def _week(self, start: datetime, end: datetime) -> WeekStats:
        async with self.db.uow(readonly=True) as uow:
            repo = uow.digests
            requests = await repo.requests_between(start, end)
            sessions = await repo.sessions_between(start, end)
            helpful, not_helpful = await repo.feedback_between(start, end)
            answers = list((await repo.latest_by_session(ev.FOLLOWUP_ANSWERED, start, end)).values())
            per_mentor = Counter(str(s.mentor_id) for s in sessions)
            opted_in = await repo.thanked_names(list(per_mentor))
        topics: Counter[str] = Counter()
        askers: dict[str, set[str]] = defaultdict(set)
        unmet_askers: dict[str, set[str]] = defaultdict(set)
        unmet_counts: Counter[str] = Counter()
        matched, unmet, waits = 0, 0, []
        for r in requests:
            # A forgotten person's requests have no topic left: they count in the totals, never toward naming one,
            # so asking, deleting one's data and asking again cannot make one person look like several.
            key = topic_key(r.topic, r.skills, r.gap)
            if key:
                topics[key] += 1
                askers[key].add(r.requester_id)
            if r.state == RequestState.MATCHED:
                matched += 1
                if r.matched_at is not None:
                    waits.append((r.matched_at - r.created_at).total_seconds())
            elif r.state == RequestState.EXPIRED:
                unmet += 1
                if key:
                    unmet_counts[key] += 1
                    unmet_askers[key].add(r.requester_id)
        # A topic only a person or two asked about could name them: such topics show as counts, never by name.
        named = self.config.min_askers
        shown = [(t, n) for t, n in unmet_counts.most_common() if len(unmet_askers[t]) >= named]
        popular = [(t, n) for t, n in topics.most_common() if len(askers[t]) >= named]
        minutes = sum(((s.ended_at or s.ends_at) - s.started_at).total_seconds() / 60 for s in sessions)
        return WeekStats(
            requests=len(requests),
            matched=matched,
            unmet=unmet,
            seconds_to_accept=waits,
            sessions=len(sessions),
            minutes=round(minutes, 1),
            top_topics=popular[:5],
            unmet_topics=shown[:10],
            unmet_other=unmet - sum(n for _, n in shown[:10]),
            helpful=helpful,
            not_helpful=not_helpful,
            solved=sum(1 for a in answers if a.get("outcome") == fu.SOLVED),
            stuck=sum(1 for a in answers if a.get("outcome") == fu.STUCK),
            thanks=[(m, n) for m, n in per_mentor.most_common() if m in opted_in][:10],
        )

    async def post_due(self, now: datetime | None = None) -> list[str]:
        """Post every scheduled digest of the last few weeks that no process has posted yet, oldest first.

        Runs on the cron, at start-up (weeks missed while Burst was down) and every few minutes (a post that failed,
        or whose process died holding the claim, is tried again). Returns the labels it posted.
        """
        if not self.config.channel:
            return []
        now = now or utcnow()
        async with self.db.uow(readonly=True) as uow:
            first = await uow.digests.first_event_at()
            due = []
            for end in self.fires(now, CATCH_UP * WEEK):
                label = self.period(end)[0]
                if first is not None and first < end and await uow.digests.unposted(label):
                    due.append((end, label))
        posted = [await self.post(end, label, now=now) for end, label in due]
        return [label for label in posted if label]

    async def post(
        self, end: datetime, label: str | None = None, *, force: bool = False, now: datetime | None = None
    ) -> str | None:
        """Claim the period and post. `force` (an admin's `digest post`) posts without claiming."""
        assert self.config.channel
        assert self.poster is not None, "a preview-only digest service cannot post"
        label = label or self.period(end)[0]
        now = now or utcnow()
        if not force:
            async with self.db.uow() as uow:
                won = await uow.digests.claim(label, self.worker, now, CLAIM_LEASE)
                await uow.commit()
            if not won:
                return None
        digest = await self.build(end)
        posted = await self.poster.post_digest(self.config.channel, digest)
        async with self.db.uow() as uow:
            if not force:
                # A failed post gives the period back, so the next sweep or restart tries again.
                await (uow.digests.mark_posted(label, utcnow()) if posted else uow.digests.release(label))
            uow.events.append(ev.DIGEST_POSTED if posted else ev.DIGEST_FAILED, period=label, forced=force)
            await uow.commit()
        log.info("digest", period=label, posted=posted)
        return label if posted else None
