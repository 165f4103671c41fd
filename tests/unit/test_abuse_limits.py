"""The abuse limits' rules, on what the database recalls: when a person may ask again, which mentors to leave alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.abuse_limits import HOUR, AbuseLimits, RecentPing, next_ask_at, over_limit

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LIMITS = AbuseLimits(requests_per_hour=3, cancel_cooldown=timedelta(minutes=30), pings_from_one_per_hour=2,
                     pings_per_hour=4)  # fmt: skip


def minutes_ago(n: float) -> datetime:
    return NOW - timedelta(minutes=n)


def test_a_person_under_the_cap_may_ask() -> None:
    assert next_ask_at([minutes_ago(50), minutes_ago(10)], NOW, LIMITS) is None
    assert next_ask_at([minutes_ago(70), minutes_ago(65), minutes_ago(61), minutes_ago(5)], NOW, LIMITS) is None


def test_at_the_cap_they_may_ask_when_the_oldest_counted_request_leaves_the_hour() -> None:
    asked = [minutes_ago(5), minutes_ago(40), minutes_ago(20), minutes_ago(59)]
    assert next_ask_at(asked, NOW, LIMITS) == minutes_ago(40) + HOUR  # the third most recent, 40 minutes ago


def ping(
    mentor: str, requester: str = "UR", topic: str = "kafka", at: float = 10, cancelled: float | None = None
) -> RecentPing:
    return RecentPing(mentor, requester, topic, minutes_ago(at), None if cancelled is None else minutes_ago(cancelled))


def test_a_mentor_hears_from_one_requester_at_most_so_often() -> None:
    recent = [ping("UM1", at=50), ping("UM1", at=5), ping("UM2", at=5), ping("UM3", at=70), ping("UM3", at=65)]
    assert over_limit(recent, "UR", "python", NOW, LIMITS) == {"UM1"}
    assert over_limit(recent, "UOTHER", "python", NOW, LIMITS) == set()


def test_a_mentor_hears_from_everyone_at_most_so_often() -> None:
    recent = [ping("UM1", requester=f"UR{i}", at=10 + i) for i in range(4)] + [ping("UM2", requester="UR9")]
    assert over_limit(recent, "UNEW", "python", NOW, LIMITS) == {"UM1"}


def test_after_a_cancel_the_same_topic_leaves_its_mentors_alone_for_the_cooldown() -> None:
    recent = [ping("UM1", at=20, cancelled=19), ping("UM2", at=50, cancelled=45)]
    assert over_limit(recent, "UR", "kafka", NOW, LIMITS) == {"UM1"}  # UM2's cancel is past the 30 minutes
    assert over_limit(recent, "UR", "python", NOW, LIMITS) == set()  # another topic
    assert over_limit(recent, "UOTHER", "kafka", NOW, LIMITS) == set()  # another person
