"""One calibration from an embedding's cosine similarity to a match confidence, shared by skills and evidence."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from bot.domain.embedding import Vectors
from bot.domain.matching import specificity

SIMILAR_FLOOR = 0.6
SIMILAR_FULL = 0.9
"""Cosine similarity of a topic phrase and a term maps linearly onto a confidence between these two."""
SEMANTIC_CEILING = 0.55
"""An embedding alone never reaches the certainty of a name or a term found in the topic."""


def phrase_confidence(grams: Sequence[str], vectors: Vectors) -> Callable[[Vectors], Vectors]:
    """How near each phrase of a topic is to each of some embedded texts (knowledge terms, a mentor's evidence), as
    shares of the way from SIMILAR_FLOOR to SIMILAR_FULL weighted by the phrase's specificity, before the floor at 0:
    take the best of a column, floor it at 0, and scale it by SEMANTIC_CEILING."""
    # confidence = clip((cosine - FLOOR) / (FULL - FLOOR), 0, 1) * weight, computed in as few passes over the
    # phrases x terms matrix as possible: it is the largest piece of work in reading a topic. The weights
    # (specificity, in (0, 1]) scale the phrases before the product; the cap at FULL is taken per row, and the
    # floor at 0 once on the best of each column (clipping commutes with taking the maximum).
    weights = np.array([specificity(g) for g in grams], dtype=np.float32)[:, None]
    scale = weights / np.float32(SIMILAR_FULL - SIMILAR_FLOOR)
    scaled = vectors * scale
    cap = scale * np.float32(SIMILAR_FULL)

    def confidence(columns: Vectors) -> Vectors:  # phrases x columns
        found = scaled @ columns
        # Against a whole matrix of caps rather than the column of them broadcast: numpy's minimum is vectorised for
        # the one and not the other, and the matrix costs less to fill than the broadcast costs to run.
        np.minimum(found, np.broadcast_to(cap, found.shape).copy(), out=found)
        found -= scale * np.float32(SIMILAR_FLOOR)
        return found

    return confidence
