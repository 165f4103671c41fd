"""Who to ping, in what order: pure functions over candidate rows, no I/O.

Score (0..1, higher first) =
  0.45 x match quality (the best skill match, a level that fits counts more)
+ 0.25 x fairness (fewer sessions in the last week)
+ 0.15 x time since their last ping (a day or more counts in full)
+ 0.15 x responsiveness (smoothed share of pings answered, accepts counting more)
A requested level (expert or peer) is a tier, not a weight: people at that level come first, the others follow
so a request still finds someone when no one at the asked level is free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.domain.hours import WorkingHours, is_within_hours
from storage.models import SkillLevel, WantedLevel
from storage.repositories import CandidateRow

FAIRNESS_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class RankedCandidate:
    member_id: str
    score: float
    tier: int  # 0: the asked level, 1: the fallback level
    reason: str


def member_hours(start: str | None, end: str | None) -> WorkingHours | None:
    if not start or not end:
        return None
    return WorkingHours(time.fromisoformat(start), time.fromisoformat(end))


def available_now(row: CandidateRow, now: datetime) -> bool:
    """What SQL cannot cheaply decide: within working hours in the mentor's zone, and under the weekly cap."""
    m = row.member
    if not is_within_hours(member_hours(m.hours_start, m.hours_end), now, m.tz):
        return False
    return m.weekly_cap is None or row.sessions_recent < m.weekly_cap


def rank(
    rows: Sequence[CandidateRow],
    skill_scores: Mapping[str, float],
    level: WantedLevel,
    now: datetime,
    mentor_scores: Mapping[str, float] | None = None,
    mentor_notes: Mapping[str, str] | None = None,
) -> list[RankedCandidate]:
    ranked: list[RankedCandidate] = []
    for row in rows:
        if not available_now(row, now):
            continue
        ranked.append(_score(row, skill_scores, level, now, mentor_scores or {}, mentor_notes or {}))
    ranked.sort(key=lambda c: (c.tier, -c.score, c.member_id))
    return ranked


LEVEL_FACTOR = {SkillLevel.EXPERT: 1.0, SkillLevel.PEER: 0.85}


def level_weights(skill_scores: Mapping[str, float]) -> dict[tuple[str, SkillLevel], float]:
    """Match quality of holding each matched skill at each level: what the shortlist query orders by."""
    return {
        (skill, level): score * factor
        for skill, score in skill_scores.items()
        for level, factor in LEVEL_FACTOR.items()
    }


def _score(
    row: CandidateRow,
    skill_scores: Mapping[str, float],
    level: WantedLevel,
    now: datetime,
    mentor_scores: Mapping[str, float],
    mentor_notes: Mapping[str, str],
) -> RankedCandidate:
    best_skill, best = "", 0.0
    wanted = level.skill_level
    at_level = wanted is None
    for skill, skill_level in row.skills.items():
        quality = skill_scores.get(skill, 0.0) * LEVEL_FACTOR[skill_level]
        if quality > best:
            best_skill, best = skill, quality
        at_level = at_level or skill_level == wanted
    evidence = mentor_scores.get(row.member.id, 0.0)
    fairness = 1.0 / (1.0 + row.sessions_recent)
    last = row.member.last_pinged_at
    rest = 1.0 if last is None else min((now - last) / timedelta(days=1), 1.0)
    # Laplace smoothing: a newcomer starts at 2/3 instead of 0 or 1.
    responsiveness = (row.pings_answered + row.pings_accepted + 1) / (2 * row.pings_total + 2 + 1)
    quality = max(best, evidence)
    score = 0.45 * quality + 0.25 * fairness + 0.15 * max(rest, 0.0) + 0.15 * min(responsiveness, 1.0)
    return RankedCandidate(row.member.id, round(score, 4), 0 if at_level else 1, why_you(row, best_skill, mentor_notes))


def why_you(row: CandidateRow, skill: str, notes: Mapping[str, str]) -> str:
    """Why this person was asked, as a colleague would say it: what they know, and what their profile or their past
    sessions say. Never a score or a rate."""
    parts = []
    if skill:
        parts.append(f"you know {skill}" + (" (expert)" if row.skills.get(skill) == SkillLevel.EXPERT else ""))
    if note := notes.get(row.member.id):
        parts.append(note)
    return "; ".join(parts)
