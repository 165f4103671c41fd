"""Who to ping for a request, among thousands who hold a popular skill: SQL narrows, `routing.rank` decides.

The database filters every holder of a matched skill by what it can check (away, snoozed, in a session, the
requester, pinged already, and working hours against each zone's local clock) and returns a page of the best
placed: at the asked level first, then by match quality, then longest since their last ping. Only that page is
loaded and scored in full (fairness over the last week, responsiveness, the weekly cap), so routing costs about
the same for a skill five people hold as for one five thousand hold. A page that the exact checks thin out below
the wave's size is followed by the next one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime

from bot.hours import local_clocks
from bot.routing import ANY_LEVEL, FAIRNESS_WINDOW, RankedCandidate, level_weights, rank
from storage.repositories import CandidateQuery
from storage.unit_of_work import UnitOfWork

PAGE = 40
MAX_PAGES = 5


async def choose(
    uow: UnitOfWork,
    *,
    skill_scores: Mapping[str, float],
    level: str,
    requester_id: str,
    request_id: int,
    now: datetime,
    want: int,
    refuse: Callable[[list[str]], Awaitable[set[str]]] | None = None,
) -> list[RankedCandidate]:
    """The best `want` mentors to ping now, best first; `refuse` names those of a page that may not be pinged
    (the abuse limits), so the wave fills from the rest."""
    if not skill_scores or want <= 0:
        return []
    query = CandidateQuery(
        quality=level_weights(skill_scores),
        prefer_level=None if level == ANY_LEVEL else level,
        clocks=local_clocks(await uow.members.zones(), now),
        requester_id=requester_id,
        request_id=request_id,
        now=now,
        since=now - FAIRNESS_WINDOW,
        limit=PAGE,
    )
    chosen: list[RankedCandidate] = []
    for page in range(MAX_PAGES):
        rows = await uow.members.candidates(replace(query, offset=page * PAGE))
        ranked = rank(rows, skill_scores, level, now)
        if refuse is not None and ranked:
            refused = await refuse([c.member_id for c in ranked])
            ranked = [c for c in ranked if c.member_id not in refused]
        chosen += ranked
        if len(chosen) >= want or len(rows) < PAGE:
            break
    chosen.sort(key=lambda c: (c.tier, -c.score, c.member_id))
    return chosen[:want]
