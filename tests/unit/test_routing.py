"""Availability in each mentor's own hours and ranking: plain data in, an ordered list out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services.routing import available_now, rank
from storage.models import SkillLevel, WantedLevel
from storage.repositories import CandidateMember, CandidateRow

# 14:00 UTC: 15:00 in Berlin, 09:00 in New York, 23:00 in Tokyo.
NOW = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)


def row(
    uid: str,
    skills: dict[str, SkillLevel] | None = None,
    *,
    tz: str = "UTC",
    hours: tuple[str, str] | None = None,
    cap: int | None = None,
    sessions: int = 0,
    answered: int = 0,
    accepted: int = 0,
    total: int = 0,
    last_ping: datetime | None = None,
) -> CandidateRow:
    member = CandidateMember(uid, tz, hours[0] if hours else None, hours[1] if hours else None, cap, last_ping)
    return CandidateRow(member, skills or {"python": SkillLevel.EXPERT}, sessions, answered, accepted, total)


def test_working_hours_are_read_in_the_mentors_own_zone() -> None:
    assert available_now(row("A", tz="Europe/Berlin", hours=("09:00", "17:00")), NOW)
    assert available_now(row("B", tz="America/New_York", hours=("09:00", "17:00")), NOW)
    assert not available_now(row("C", tz="Asia/Tokyo", hours=("09:00", "17:00")), NOW)
    assert available_now(row("D", tz="Asia/Tokyo", hours=("22:00", "02:00")), NOW)  # overnight
    assert available_now(row("E", tz="Asia/Tokyo"), NOW)  # no hours set: any time


def test_the_weekly_cap_holds() -> None:
    assert not available_now(row("A", cap=2, sessions=2), NOW)
    assert available_now(row("B", cap=2, sessions=1), NOW)


def test_fairness_puts_whoever_mentored_least_first() -> None:
    ranked = rank([row("BUSY", sessions=4), row("FRESH", sessions=0)], {"python": 1.0}, WantedLevel.ANY, NOW)
    assert [c.member_id for c in ranked] == ["FRESH", "BUSY"]


def test_a_better_match_beats_a_weaker_one() -> None:
    rows = [row("RELATED", {"python": SkillLevel.EXPERT}), row("EXACT", {"pandas": SkillLevel.EXPERT})]
    ranked = rank(rows, {"pandas": 1.0, "python": 0.6}, WantedLevel.ANY, NOW)
    assert ranked[0].member_id == "EXACT"


def test_the_asked_level_comes_first_and_the_other_is_the_fallback() -> None:
    rows = [row("EXPERT", {"python": SkillLevel.EXPERT}, sessions=3), row("PEER", {"python": SkillLevel.PEER})]
    assert [c.member_id for c in rank(rows, {"python": 1.0}, WantedLevel.PEER, NOW)] == ["PEER", "EXPERT"]
    assert [c.member_id for c in rank(rows, {"python": 1.0}, WantedLevel.EXPERT, NOW)] == ["EXPERT", "PEER"]
    only_experts = rank([row("EXPERT", {"python": SkillLevel.EXPERT})], {"python": 1.0}, WantedLevel.PEER, NOW)
    assert [c.tier for c in only_experts] == [1]  # still found, as a fallback


def test_responsive_and_rested_mentors_rank_higher() -> None:
    responsive = row("R", answered=9, accepted=5, total=10, last_ping=NOW - timedelta(days=3))
    silent = row("S", answered=0, accepted=0, total=10, last_ping=NOW - timedelta(minutes=5))
    assert [c.member_id for c in rank([silent, responsive], {"python": 1.0}, WantedLevel.ANY, NOW)] == ["R", "S"]


def test_the_unavailable_are_left_out_and_every_choice_is_explained() -> None:
    ranked = rank([row("OUT", cap=0), row("IN")], {"python": 1.0}, WantedLevel.ANY, NOW)
    assert [c.member_id for c in ranked] == ["IN"]
    assert "python (expert)" in ranked[0].reason
