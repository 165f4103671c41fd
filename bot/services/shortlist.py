"""Who to ping for a request, among thousands who hold a popular skill: SQL narrows, `routing.rank` decides.

The database filters every holder of a matched skill by what it can check (away, snoozed, in a session, the
requester, pinged already, and working hours against each zone's local clock) and returns a page of the best
placed: at the asked level first, then by match quality, then longest since their last ping. Only that page is
loaded and scored in full (fairness over the last week, responsiveness, the weekly cap), so routing costs about
the same for a skill five people hold as for one five thousand hold. A page that the exact checks thin out below
the wave's size is followed by the next one. The best of a page are then screened by the signals people keep
(calendar, Do Not Disturb, status, presence: bot.services.screening), a few at a time, until the wave is full.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.domain.abuse_limits import AbuseLimits, RecentPing, over_limit
from bot.domain.availability import Busy
from bot.domain.hours import local_clocks
from bot.domain.skills import topic_key
from bot.services.routing import FAIRNESS_WINDOW, RankedCandidate, level_weights, rank
from bot.services.screening import Screen
from storage.models import HelpRequest, WantedLevel
from storage.repositories import CandidateQuery
from storage.unit_of_work import UnitOfWork

PAGE = 40
MAX_PAGES = 5
SPARE = 2  # screened beyond the wave's size, so one busy person does not cost another round of calls


@dataclass
class Choice:
    chosen: list[RankedCandidate] = field(default_factory=list)
    skipped: dict[str, Busy] = field(default_factory=dict)  # the busy, by member, among those screened


async def choose(
    uow: UnitOfWork,
    *,
    skill_scores: Mapping[str, float],
    mentor_scores: Mapping[str, float] | None = None,
    mentor_notes: Mapping[str, str] | None = None,
    level: WantedLevel,
    requester_id: str,
    request_id: int,
    now: datetime,
    want: int,
    screen: Screen | None = None,
    length: timedelta = timedelta(0),
    limits: AbuseLimits | None = None,
    request: HelpRequest | None = None,
) -> Choice:
    """The best `want` mentors to ping now, best first: holders of the matched skills and people named by their
    evidence (`mentor_scores`, with `mentor_notes` saying why in words); with a `screen`, none busy now or within
    `length`; with `limits`, none the abuse limits keep `request` from pinging now, so the wave fills from the
    rest."""
    choice = Choice()
    mentor_scores = mentor_scores or {}
    if (not skill_scores and not mentor_scores) or want <= 0:
        return choice
    query = CandidateQuery(
        quality=level_weights(skill_scores),
        prefer_level=level.skill_level,
        clocks=local_clocks(await uow.members.zones(), now),
        requester_id=requester_id,
        request_id=request_id,
        now=now,
        since=now - FAIRNESS_WINDOW,
        limit=PAGE,
        mentors=mentor_scores,
    )
    pool: list[RankedCandidate] = []
    screened: set[str] = set()
    for page in range(MAX_PAGES):
        rows = await uow.members.candidates(replace(query, offset=page * PAGE))
        ranked = rank(rows, skill_scores, level, now, mentor_scores, mentor_notes or {})
        if limits is not None and request is not None and ranked:
            refused = await _over_limit(uow, request, [c.member_id for c in ranked], now, limits)
            ranked = [c for c in ranked if c.member_id not in refused]
        pool += ranked
        pool.sort(key=lambda c: (c.tier, -c.score, c.member_id))
        if screen is not None:
            pool = await _screened(uow, screen, pool, screened, choice, want, now, length)
        if len(pool) >= want or len(rows) < PAGE:
            break
    choice.chosen = pool[:want]
    return choice


async def _over_limit(
    uow: UnitOfWork, request: HelpRequest, mentors: list[str], now: datetime, limits: AbuseLimits
) -> set[str]:
    """The mentors the abuse limits keep this request from pinging now (see bot.domain.abuse_limits)."""
    recent = [
        RecentPing(mentor, requester, topic_key(topic, skills), at, closed_at if cancelled else None)
        for mentor, requester, topic, skills, at, closed_at, cancelled in await uow.pings.recent_to(
            mentors, now - limits.lookback
        )
    ]
    return over_limit(recent, request.requester_id, topic_key(request.topic, request.skills), now, limits)


async def _screened(
    uow: UnitOfWork,
    screen: Screen,
    pool: list[RankedCandidate],
    screened: set[str],
    choice: Choice,
    want: int,
    now: datetime,
    length: timedelta,
) -> list[RankedCandidate]:
    """The pool without the busy, screening from the best down only until its first `want` are all screened."""
    while any(c.member_id not in screened for c in pool[:want]):
        batch = [c.member_id for c in pool[: want + SPARE] if c.member_id not in screened]
        busy = await screen.busy(uow, batch, now, length)
        screened.update(batch)
        choice.skipped.update(busy)
        pool = [c for c in pool if c.member_id not in busy]
    return pool
