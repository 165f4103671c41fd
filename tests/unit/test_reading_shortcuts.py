"""The shortcuts `Understander` takes where a reading is weighed but not returned: each gives what the long way does."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.matching import Reading
from bot.domain.phrases import phrases, term_windows, topic_clauses
from bot.domain.readings import Rest, best_reading, combine
from bot.domain.similarity import Nearness, as_columns
from bot.domain.term_index import term_hits
from bot.domain.understanding import shared_understander

SKILLS = ["python", "go", "excel", "statistics", "security"]
readings = st.lists(
    st.tuples(st.sampled_from(SKILLS), st.integers(1, 1000).map(lambda n: n / 1000), st.sampled_from(["a", "b"])),
    max_size=30,
)


@given(readings, readings)
def test_the_best_reading_and_each_skills_confidence_are_combines(terms: list[Reading], near: list[Reading]) -> None:
    combined = combine([], terms, near)
    assert best_reading(terms, near) == (combined[0][1] if combined else 0.0)
    rest = Rest(0.0, lambda: [*terms, *near])
    assert rest.best_work == best_reading(terms, near)
    scores = {skill: score for skill, score, _ in combined}
    assert [rest.confidence(skill) for skill in SKILLS] == [scores.get(skill, 0.0) for skill in SKILLS]


def test_a_part_of_a_topic_reads_the_best_of_its_rows_of_the_whole_product() -> None:
    rng = np.random.default_rng(7)
    grams = ["goroutine leak", "worker pool", "pool", "leak", "goroutine"]
    vectors = rng.standard_normal((len(grams), 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = (vectors[[0, 3, 1, 2, 4, 0]] + 0.2 * rng.standard_normal((6, 16))).astype(np.float32)
    columns = as_columns(np.vstack([texts, vectors[[2]]]))  # and "pool" itself: a cosine past the cap
    whole = Nearness(grams, vectors)
    part = whole.without({"pool"})
    assert part.grams == ["goroutine leak", "leak", "goroutine"]
    alone = [Nearness([grams[row]], vectors[[row]]).best(columns) for row in range(len(grams))]
    assert np.array_equal(part.best(columns), np.max([alone[row] for row in (0, 3, 4)], axis=0))
    assert np.array_equal(whole.best(columns), np.max(alone, axis=0))
    # Each text is nearest the phrase it was made from: "pool" itself in the whole, and the part names its own.
    assert whole.nearest_phrases(columns, [6, 2]) == ["pool", "worker pool"]
    assert part.nearest_phrases(columns, [0, 4]) == ["goroutine leak", "goroutine"]


@pytest.mark.parametrize(
    "topic", ["goroutine leak in our worker pool", "vlookup returns #N/A in excel", "review my python approach"]
)
def test_readings_by_embedding_only_weighed_score_as_the_named_ones(topic: str) -> None:
    understander = shared_understander()
    clauses = topic_clauses(topic)
    grams = phrases(clauses)
    nearness = Nearness(grams, understander._embed_topic(grams))
    known, extra = understander._known(), understander._extra_terms(frozenset({"go", "golang tooling", "excel"}))
    named = understander._near_terms(known, nearness, extra, named=True)
    weighed = understander._near_terms(known, nearness, extra)
    assert named
    assert all(reason for _, _, reason in named)
    assert [(skill, score) for skill, score, _ in named] == [(skill, score) for skill, score, _ in weighed]
    hits = term_hits(known, term_windows(clauses, topic), understander.known)
    assert best_reading(hits, weighed) == combine([], hits, named)[0][1]
