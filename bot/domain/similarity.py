"""One calibration from an embedding's cosine similarity to a match confidence, shared by skills and evidence, and
a topic's phrases read against a table of embedded texts with it (`Nearness`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from bot.domain.embedding import Vectors
from bot.domain.matching import specificity

SIMILAR_FLOOR = 0.6
SIMILAR_FULL = 0.9
"""Cosine similarity of a topic phrase and a term maps linearly onto a confidence between these two."""
SEMANTIC_CEILING = 0.55
"""An embedding alone never reaches the certainty of a name or a term found in the topic."""


def as_columns(vectors: Vectors) -> Vectors:
    """Embedded texts (one per row) as the columns `PhraseConfidence.product` multiplies: contiguous, with a row of
    ones beneath, through which the product subtracts each phrase's floor itself."""
    columns = np.ones((vectors.shape[1] + 1, len(vectors)), dtype=np.float32)
    columns[:-1] = vectors.T
    return columns


class PhraseConfidence:
    """How near each phrase of a topic is to each of some embedded texts (knowledge terms, a mentor's evidence): the
    share of the way from SIMILAR_FLOOR to SIMILAR_FULL its cosine goes, times the phrase's specificity (its weight, in
    (0, 1]), floored at 0. The caller scales a best confidence by SEMANTIC_CEILING.

    The product with a few thousand texts is the largest piece of work in reading a topic, so it is one matrix product
    and one pass over its result: each phrase's scale and floor go into the phrase's row (against the ones beneath the
    columns, see `as_columns`), and the cap at SIMILAR_FULL, which a cosine rarely passes, is applied only to the
    columns whose best could have passed it."""

    def __init__(self, grams: Sequence[str], vectors: Vectors) -> None:
        self.weights = np.array([specificity(g) for g in grams], dtype=np.float32)
        scale = self.weights / np.float32(SIMILAR_FULL - SIMILAR_FLOOR)
        self._rows = np.empty((len(vectors), vectors.shape[1] + 1), dtype=np.float32)
        self._rows[:, :-1] = vectors * scale[:, None]
        self._rows[:, -1] = -scale * np.float32(SIMILAR_FLOOR)

    def product(self, columns: Vectors) -> Vectors:
        """Phrases x `columns` (from `as_columns`): each confidence before the cap at its phrase's weight and the floor
        at 0. Read it through `best` and `column`."""
        return self._rows @ columns

    def best(self, product: Vectors, rows: Sequence[int] | None = None) -> Vectors:
        """Each column's confidence: the best over the phrases (those of `rows`, when given), capped, floored at 0."""
        if rows is None:
            best: Vectors = product.max(axis=0)
            weights = self.weights
        else:  # the best of some rows, taken in place rather than copying them out
            best = product[rows[0]].copy()
            for row in rows[1:]:
                np.maximum(best, product[row], out=best)
            picked = np.asarray(rows, dtype=np.intp)
            weights = self.weights[picked]
        # A phrase's confidence passes its weight only where its cosine passes SIMILAR_FULL: only a column whose best
        # passes the smallest weight can hold one, and only those are read again with the caps.
        over = np.flatnonzero(best > weights.min())
        if len(over):
            part = product[:, over] if rows is None else product[np.ix_(picked, over)]
            best[over] = np.minimum(part, weights[:, None]).max(axis=0)
        np.maximum(best, 0.0, out=best)
        return best

    def nearest_rows(self, product: Vectors, indexes: Sequence[int], rows: Sequence[int] | None = None) -> list[int]:
        """For each column of `indexes`, the phrase nearest it (its place among `rows`, when given): the first of the
        best, by confidence capped at the phrase's weight."""
        picked = np.asarray(indexes, dtype=np.intp)
        if rows is None:
            part = np.minimum(product[:, picked], self.weights[:, None])
        else:
            chosen = np.asarray(rows, dtype=np.intp)
            part = np.minimum(product[np.ix_(chosen, picked)], self.weights[chosen][:, None])
        found: list[int] = part.argmax(axis=0).tolist()
        return found


class Nearness:
    """How near each phrase of a topic is to each term of a table (`PhraseConfidence` against its columns), a product
    computed once per table and topic: the topic read again without some of its words reads rows of the same products.
    They are the largest piece of work in reading a topic."""

    def __init__(
        self,
        grams: Iterable[str],
        vectors: Vectors | None,
        rows_of: tuple[Nearness, list[int]] | None = None,
    ) -> None:
        self.grams = list(grams)
        self.vectors = vectors if vectors is not None and len(self.grams) else None
        self._rows_of = rows_of  # (the whole topic's, these phrases' rows in it)
        # The phrases' weights are computed once, for every table read; a part of the topic reads the whole's rows.
        self._phrases = (
            PhraseConfidence(self.grams, self.vectors) if self.vectors is not None and rows_of is None else None
        )
        self._products: dict[int, tuple[Vectors, Vectors]] = {}

    def _product(self, columns: Vectors) -> tuple[PhraseConfidence, Vectors, list[int] | None]:
        """The whole topic's phrases, their product with `columns`, and these phrases' rows of it (None: all of them);
        only called when `vectors` is not None."""
        if self._rows_of is not None:
            whole, rows = self._rows_of
            phrases, product, _ = whole._product(columns)
            return phrases, product, rows
        assert self._phrases is not None
        found = self._products.get(id(columns))
        if found is None or found[0] is not columns:
            found = self._products[id(columns)] = (columns, self._phrases.product(columns))
        return self._phrases, found[1], None

    def best(self, columns: Vectors) -> Vectors:
        """Each column's best confidence over the phrases, floored at 0; only called when `vectors` is not None."""
        phrases, product, rows = self._product(columns)
        return phrases.best(product, rows)

    def nearest_phrases(self, columns: Vectors, indexes: Sequence[int]) -> list[str]:
        """For each column of `indexes`, the phrase nearest it; only called when `vectors` is not None."""
        phrases, product, rows = self._product(columns)
        return [self.grams[row] for row in phrases.nearest_rows(product, indexes, rows)]

    def without(self, words: set[str]) -> Nearness:
        """The phrases that have none of `words`."""
        keep = [i for i, gram in enumerate(self.grams) if words.isdisjoint(gram.split())]
        vectors = self.vectors[keep] if self.vectors is not None and keep else None
        return Nearness([self.grams[i] for i in keep], vectors, (self, keep))
