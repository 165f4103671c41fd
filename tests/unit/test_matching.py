"""The matcher on realistic phrasings, aliases, typos, related skills and words that only look like skills."""

from __future__ import annotations

import time

import pytest

from bot.matching import LexicalMatcher, explain
from tests.unit.matching_cases import CASES, VOCABULARY

MATCHER = LexicalMatcher()


def test_there_are_at_least_a_hundred_phrasings() -> None:
    assert len(CASES) >= 100


@pytest.mark.parametrize(("topic", "expected", "forbidden"), CASES, ids=[c[0][:40] for c in CASES])
def test_a_phrasing_reaches_the_right_skills(topic: str, expected: set[str], forbidden: set[str]) -> None:
    found = MATCHER.match(topic, VOCABULARY)
    top = {m.skill for m in found[:3]}
    assert expected <= top, explain(found)
    assert not forbidden & {m.skill for m in found}, explain(found)


def test_related_skills_come_after_the_asked_one_at_a_discount() -> None:
    found = MATCHER.match("pandas groupby", VOCABULARY)
    assert [m.skill for m in found[:2]] == ["pandas", "python"]
    assert found[1].score < found[0].score
    assert "related to pandas" in found[1].reason


def test_only_skills_someone_has_are_returned() -> None:
    assert [m.skill for m in MATCHER.match("help with kubernetes and docker", ["docker"])] == ["docker"]


def test_matching_is_fast_on_a_large_vocabulary() -> None:
    vocabulary = VOCABULARY + [f"skill{i}" for i in range(5000)]
    MATCHER.match("warm the index", vocabulary)
    started = time.perf_counter()
    for topic, _, _ in CASES * 3:
        MATCHER.match(topic, vocabulary)
    per_call_ms = (time.perf_counter() - started) * 1000 / (len(CASES) * 3)
    print(f"matcher: {per_call_ms:.3f} ms per topic over a {len(vocabulary)}-skill vocabulary")
