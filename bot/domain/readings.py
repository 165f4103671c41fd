"""How the readings of one topic (skill, confidence, why) become one confidence per skill.

Every reader of a topic (names, knowledge terms, bags of words, embeddings) gives readings; `combine` weighs them
together (noisy-or: independent signs add up) and ranks the skills. The rest are the same arithmetic taken where a
reading is weighed but not returned: the best confidence alone (`best_reading`), or a topic read without some of
its words (`Rest`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from itertools import chain

from bot.domain.matching import Reading


def rank(reading: Reading) -> tuple[float, str]:
    """Readings sort best first, then by skill."""
    return -reading[1], reading[0]


def combine(lexical: Sequence[Reading], terms: Sequence[Reading], near: Sequence[Reading]) -> list[Reading]:
    """One confidence per skill from the readers (names; terms and bags of words; embeddings), best first.

    Independent signs add up (noisy-or): two weak terms of one skill ("index" and "transactions") say more than one,
    and a name found in the topic agrees with the terms around it. Several term hits of a skill are independent
    signs; the embedding counts once per skill (its best phrase), since its phrases overlap.
    """
    doubt: dict[str, float] = {}
    why: dict[str, Reading] = {}
    for reading in (*lexical, *terms, *near):
        skill, score, _ = reading
        doubt[skill] = doubt.get(skill, 1.0) * (1.0 - score)
        if (had := why.get(skill)) is None or had[1] < score:
            why[skill] = reading
    combined = [(s, confidence(d), why[s][2]) for s, d in doubt.items() if d < 1.0]
    return sorted(combined, key=rank)


def doubts(readings: Iterable[Reading]) -> dict[str, float]:
    """Each skill's doubt as `combine` multiplies it, in the same order (the products round alike)."""
    doubt: dict[str, float] = {}
    for skill, score, _ in readings:
        doubt[skill] = doubt.get(skill, 1.0) * (1.0 - score)
    return doubt


def confidence(doubt: float) -> float:
    """A skill's confidence from its doubt, as `combine` gives it."""
    return round(min(1.0 - doubt, 1.0), 3)


def best_reading(*readers: Iterable[Reading]) -> float:
    """The confidence of `combine`'s best reading of the readers' readings (0 when none), without ranking them all:
    the confidence falls as the doubt grows, so the best is the least doubted skill's."""
    found = doubts(chain.from_iterable(readers))
    return confidence(min(found.values())) if found else 0.0


class Rest:
    """A topic read without some of its words: how surely it is life outside work, and each skill's confidence.

    Its reading as work is made when first asked: only a name that is also a common word, or a rest that reads as
    life, needs it, and it costs as much as reading the topic (`Understander._names_as_words`)."""

    def __init__(self, life: float, work: Callable[[], Iterable[Reading]]) -> None:
        self.life = life
        self._work = work

    @cached_property
    def _doubt(self) -> dict[str, float]:
        """Each skill's doubt, as `combine` multiplies it."""
        return doubts(self._work())

    @property
    def best_work(self) -> float:
        """The confidence of its best reading as work (0 when none)."""
        return confidence(min(self._doubt.values())) if self._doubt else 0.0

    def confidence(self, skill: str) -> float:
        """How surely it reads as `skill` (0 when not at all), as `combine` scores it."""
        doubt = self._doubt.get(skill)
        return 0.0 if doubt is None else confidence(doubt)
