"""Each skill's names and terms as one bag of words, and a topic's words weighed against every bag at once (BM25).

The term readers (`bot.domain.term_index`) find a term as written, a run of its words or all of them; the embeddings
find a phrase near a term. A request that describes a situation in several words, each used somewhere in a skill's
terms ("backfill 2 years of daily data without hammering the warehouse": backfill, daily, data, warehouse), is read
surely by none of them, and one strong term of another skill ("backfill a role", hiring) can lead. Weighed together,
the words a skill's vocabulary uses often and other skills' rarely say which skill a topic is about: Okapi BM25, the
ranking of search engines, with each skill's names and terms as its document.

Alone it is a support, never enough to route on: its confidence is capped below the routing threshold, so it adds to
what a term, a name or an embedding read (independent signs, `readings.combine`) and decides between close
readings. Its calibration (FROM, FULL, WEIGHT) was measured on the labelled set and the blind workspaces of
`python -m benchmarks matching` (docs/matching.md).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.domain.matching import Reading, stem_word
from bot.domain.phrases import is_content

K1 = 1.2
"""How soon a word's count in a skill's terms stops adding (BM25's k1): a word in 3 terms says more than in 1, a word in
30 little more than in 10."""
B = 0.75
"""How much a skill with many terms is discounted (BM25's b): it holds more words, so any one is found in it sooner."""
FROM = 10.0
"""The score from which a bag counts: below it, the words found are few or common (most unanswerable topics)."""
FULL = 15.0
"""The score at which a bag counts WEIGHT in full: several specific words of one skill."""
WEIGHT = 0.45
"""A bag's most: below ROUTE_AT, so the words alone ask, and route only with another reader's sign."""
TOP = 3
"""The bags read per topic, best first: enough to decide between the skills a topic's terms point to."""
WHY_WORDS = 3
"""The words a reading names as its reason."""


@dataclass(frozen=True)
class WordBags:
    """The bags of a set of skills, as postings: each stemmed word's skills, with the word's weight in each."""

    skills: tuple[str, ...]
    rows: Mapping[str, int]  # stemmed word -> its row of postings
    offsets: npt.NDArray[np.int32]  # row r's postings are [offsets[r], offsets[r + 1])
    owners: npt.NDArray[np.int32]  # the posting's skill, an index into `skills`
    weights: npt.NDArray[np.float32]  # the word's BM25 weight for that skill
    mean_length: float  # the bags' mean count of words: BM25 measures each bag's length against it

    def holding(self, word: str) -> int:
        """How many of the bags hold a stemmed word (its document frequency)."""
        row = self.rows.get(word)
        return 0 if row is None else int(self.offsets[row + 1] - self.offsets[row])

    def scores(self, words: Iterable[str]) -> npt.NDArray[np.float32]:
        """Each bag's BM25 score for the stemmed `words` (each counted once)."""
        total = np.zeros(len(self.skills), dtype=np.float32)
        for word in set(words):
            row = self.rows.get(word)
            if row is not None:
                start, end = int(self.offsets[row]), int(self.offsets[row + 1])
                total[self.owners[start:end]] += self.weights[start:end]  # a row names each skill once
        return total

    def why(self, skill: int, words: Iterable[str]) -> list[str]:
        """The `words` that weigh most for the bag of `skills[skill]`, heaviest first."""
        found: list[tuple[float, str]] = []
        for word in set(words):
            row = self.rows.get(word)
            if row is None:
                continue
            start, end = int(self.offsets[row]), int(self.offsets[row + 1])
            at = np.flatnonzero(self.owners[start:end] == skill)
            if len(at):
                found.append((float(self.weights[start + int(at[0])]), word))
        return [word for _, word in sorted(found, key=lambda f: (-f[0], f[1]))[:WHY_WORDS]]

    def state(self) -> tuple[Any, ...]:
        """The bags as plain values (`bot.domain.index_store` keeps them between starts)."""
        arrays = (self.offsets.tobytes(), self.owners.tobytes(), self.weights.tobytes())
        return (self.skills, dict(self.rows), *arrays, self.mean_length)

    @classmethod
    def from_state(cls, state: Sequence[Any]) -> WordBags:
        skills, rows, offsets, owners, weights, mean_length = state
        return cls(
            tuple(skills),
            rows,
            np.frombuffer(offsets, dtype=np.int32),
            np.frombuffer(owners, dtype=np.int32),
            np.frombuffer(weights, dtype=np.float32),
            float(mean_length),
        )


def bag_words(key: str) -> set[str]:
    """The words of a name or term's key (stemmed, as `Knowledge.key` gives it) that go in a bag: content words."""
    return {word for word in key.split() if len(word) > 1 and is_content(word)}


def build_bags(
    rows: Sequence[tuple[str, Sequence[str]]], key: Callable[[str], str], like: WordBags | None = None
) -> WordBags:
    """The bags of (skill, its names and terms) `rows`, each text keyed by `key`. With `like`, weighed by its
    statistics (how many bags hold each word, their mean length): a workspace's few skills the knowledge file lacks
    are read on the file's scale."""
    counts = [(skill, Counter(w for text in texts for w in bag_words(key(text)))) for skill, texts in rows]
    postings: dict[str, list[tuple[int, int]]] = {}
    for i, (_, bag) in enumerate(counts):
        for word, count in bag.items():
            postings.setdefault(word, []).append((i, count))
    lengths = [sum(bag.values()) for _, bag in counts]
    if like is None:
        bags, mean = len(counts), (sum(lengths) / len(lengths) if lengths else 1.0) or 1.0
        held = {word: len(found) for word, found in postings.items()}
    else:
        bags, mean = len(like.skills), like.mean_length
        held = {word: max(like.holding(word), 1) for word in postings}
    words = sorted(postings)
    offsets = np.zeros(len(words) + 1, dtype=np.int32)
    owners: list[int] = []
    weights: list[float] = []
    for r, word in enumerate(words):
        rarity = math.log(1 + (bags - held[word] + 0.5) / (held[word] + 0.5))
        for i, count in postings[word]:
            owners.append(i)
            weights.append(rarity * count * (K1 + 1) / (count + K1 * (1 - B + B * lengths[i] / mean)))
        offsets[r + 1] = len(owners)
    return WordBags(
        tuple(skill for skill, _ in counts),
        {word: r for r, word in enumerate(words)},
        offsets,
        np.array(owners, dtype=np.int32),
        np.array(weights, dtype=np.float32),
        mean,
    )


def read_bags(words: Sequence[str], *bags: WordBags) -> list[Reading]:
    """The TOP skills of `bags` whose bag weighs `words` (a topic's content words, as written) from FROM, as readings
    on the scale of a confidence: WEIGHT at FULL and above."""
    written = {stem_word(word): word for word in words}
    stems = list(written)
    found: list[tuple[float, WordBags, int]] = []
    for bag in bags:
        if not bag.skills:
            continue
        scores = bag.scores(stems)
        for i in np.flatnonzero(scores > FROM).tolist():
            found.append((float(scores[i]), bag, i))
    found.sort(key=lambda f: (-f[0], f[1].skills[f[2]]))
    return [
        (bag.skills[i], round(WEIGHT * min(1.0, (score - FROM) / (FULL - FROM)), 3), _reason(bag, i, stems, written))
        for score, bag, i in found[:TOP]
    ]


def _reason(bag: WordBags, skill: int, stems: Sequence[str], written: Mapping[str, str]) -> str:
    return "uses its words " + ", ".join(written[stem] for stem in bag.why(skill, stems))
