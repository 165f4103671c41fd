"""One calibration from an embedding's cosine similarity to a match confidence, shared by skills and evidence."""

from __future__ import annotations

SIMILAR_FLOOR = 0.6
SIMILAR_FULL = 0.9
"""Cosine similarity of a topic phrase and a term maps linearly onto a confidence between these two."""
SEMANTIC_CEILING = 0.55
"""An embedding alone never reaches the certainty of a name or a term found in the topic."""


def similarity_confidence(cosine: float) -> float:
    """A cosine similarity as a confidence in [0, SEMANTIC_CEILING]: 0 up to SIMILAR_FLOOR."""
    share = (cosine - SIMILAR_FLOOR) / (SIMILAR_FULL - SIMILAR_FLOOR)
    return round(min(max(share, 0.0), 1.0) * SEMANTIC_CEILING, 3)
