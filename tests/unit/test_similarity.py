"""`PhraseConfidence` gives each confidence its definition gives: the share of the way a cosine goes from SIMILAR_FLOOR
to SIMILAR_FULL, capped there, times the phrase's weight, floored at 0 in a column's best."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.matching import specificity
from bot.domain.similarity import SIMILAR_FLOOR, SIMILAR_FULL, PhraseConfidence, as_columns

GRAMS = ["goroutine leak", "worker pool", "pool", "leak", "the"]  # weights from 1 down to a stop word's


def _unit(rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
    unit: npt.NDArray[np.float32] = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return unit


def _defined(phrases: npt.NDArray[np.float32], texts: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """Phrases x texts, as the calibration defines it (before the floor at 0), in double precision."""
    cosine = phrases.astype(np.float64) @ texts.astype(np.float64).T
    weights = np.array([specificity(g) for g in GRAMS])[:, None]
    return weights * (np.minimum(cosine, SIMILAR_FULL) - SIMILAR_FLOOR) / (SIMILAR_FULL - SIMILAR_FLOOR)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), noise=st.sampled_from([0.0, 0.05, 0.2, 0.5, 2.0]))
def test_each_confidence_is_its_definition(seed: int, noise: float) -> None:
    """Texts at every distance from the phrases, some of them the phrases themselves (a cosine past the cap)."""
    rng = np.random.default_rng(seed)
    phrases = _unit(rng.standard_normal((len(GRAMS), 16)))
    texts = _unit(phrases[rng.integers(0, len(GRAMS), 40)] + noise * rng.standard_normal((40, 16)))
    reading = PhraseConfidence(GRAMS, phrases)
    product = reading.product(as_columns(texts))
    defined = _defined(phrases, texts)
    np.testing.assert_allclose(reading.best(product), np.maximum(defined.max(axis=0), 0.0), atol=1e-5)
    rows = [0, 2, 4]
    np.testing.assert_allclose(reading.best(product, rows), np.maximum(defined[rows].max(axis=0), 0.0), atol=1e-5)
    # The phrase nearest each column: the first of the best by the definition (its place among `rows`, when given).
    indexes = [0, 17, 39]
    capped = np.minimum(defined, np.array([specificity(g) for g in GRAMS])[:, None])
    for found, expected in (
        (reading.nearest_rows(product, indexes), capped[:, indexes]),
        (reading.nearest_rows(product, indexes, rows), capped[np.ix_(rows, indexes)]),
    ):
        for place, row in enumerate(found):
            assert expected[row, place] >= expected[:, place].max() - 1e-5


def test_a_text_past_the_cap_counts_its_phrase_weight_and_no_more() -> None:
    rng = np.random.default_rng(3)
    phrases = _unit(rng.standard_normal((len(GRAMS), 16)))
    reading = PhraseConfidence(GRAMS, phrases)
    # Each phrase itself (cosine 1, past SIMILAR_FULL) is found at its own weight, however weak: "the" is no surer
    # than its weight, and "goroutine leak" is not surer than certain.
    best = reading.best(reading.product(as_columns(phrases)))
    np.testing.assert_allclose(best, [specificity(g) for g in GRAMS], atol=1e-6)
    assert best[0] == best.max() <= 1.0


def test_an_empty_text_scores_nothing() -> None:
    """A text that embeds to zeros (a code kept out of reading by embedding) is a zero column: never near anything."""
    phrases = _unit(np.random.default_rng(5).standard_normal((len(GRAMS), 16)))
    reading = PhraseConfidence(GRAMS, phrases)
    assert not reading.best(reading.product(as_columns(np.zeros((3, 16), dtype=np.float32)))).any()
