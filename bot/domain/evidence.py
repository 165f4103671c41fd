"""What mentors said or showed they can help with, beyond their skill list, matched against a request.

Three kinds of evidence, each a short text tied to one mentor:
- `about`: the mentor's own words ("I can help with experiment design, sample sizes and p-values");
- `helped`: the topic of a session the asker marked solved or helpful ("goroutine leak in our worker pool");
- `suggested`: a topic a colleague handed to them ("Not me, try Sam").
A mentor's own words weigh most; outcomes and suggestions weigh less and fade with age (half-life `HALF_LIFE`),
and all of them rank below a registered skill found in the topic.

`EvidenceIndex` is built from plain items (no SQL, no Slack) and answers in a matrix product per request.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import numpy as np

from bot.domain.embedding import Embedder, Vectors
from bot.domain.matching import STOPWORDS, specificity, stem_phrase, tokenise
from bot.domain.similarity import SEMANTIC_CEILING, PhraseConfidence, as_columns


class EvidenceKind(StrEnum):
    ABOUT = "about"
    HELPED = "helped"
    SUGGESTED = "suggested"


WEIGHT = {EvidenceKind.ABOUT: 0.95, EvidenceKind.HELPED: 0.8, EvidenceKind.SUGGESTED: 0.7}
HALF_LIFE = timedelta(days=90)
EXACT = 0.85
"""A phrase of the evidence found word for word (after stemming) in the topic, before the kind's weight; a phrase of
one common English word ("reviews", "coffee") counts for less, as a knowledge term does."""
MAX_ABOUT_LENGTH = 300
SPECIFIC = 0.9
"""A word of a past topic this specific (bot.domain.matching.specificity) is matched on its own."""
_SPLIT = re.compile(r"[,;/\n]+|\.\s|\band\b|\bor\b|\be\.g\.|\bincluding\b|\blike\b|\bsuch as\b", re.IGNORECASE)
_LEAD_IN = re.compile(
    r"^(?:i\s+(?:can|could|am happy to|'m happy to|love to|like to|enjoy)\s+(?:help\s+(?:with|on)\s+)?"
    r"|happy to (?:help (?:with|on) )?|ask me about |help with )",
    re.IGNORECASE,
)


_MARKUP = re.compile(r"<[@#!]?([^<>|]*)(?:\|([^<>]*))?>")


def clean_about(text: str) -> str:
    """An about text as stored: Slack markup read as its label, invisible characters dropped, one line.

    Raises ValueError (a message fit to show the person) when it is longer than MAX_ABOUT_LENGTH.
    """
    text = _MARKUP.sub(lambda m: m[2] or m[1], text[: MAX_ABOUT_LENGTH * 8])
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\n\t")
    text = " ".join(text.split())
    if len(text) > MAX_ABOUT_LENGTH:
        raise ValueError(
            f"That's {len(text)} characters; keep it to {MAX_ABOUT_LENGTH} (a line or two of what you can help with)."
        )
    return text


@dataclass(frozen=True)
class EvidenceItem:
    member_id: str
    kind: EvidenceKind
    text: str
    at: datetime


@dataclass(frozen=True)
class MentorMatch:
    """A mentor whose evidence fits a topic, how well (0..1] and which of their words did."""

    member_id: str
    score: float
    kind: EvidenceKind
    phrase: str

    @property
    def why(self) -> str:
        """Why they were asked, in words for their ping; a topic someone else asked is never quoted back."""
        if self.kind is EvidenceKind.ABOUT:
            return f"your profile mentions {self.phrase}"
        if self.kind is EvidenceKind.HELPED:
            return "you helped with a question like this before"
        return "a colleague suggested you for questions like this"


def evidence_phrases(item: EvidenceItem) -> list[str]:
    """The phrases an item is matched by: an about text split at commas and conjunctions, a topic as a whole plus
    its word pairs (so "goroutine leak in the worker pool" is found by "goroutine leak")."""
    text = " ".join(item.text.split())
    parts = [_LEAD_IN.sub("", p.strip(" .!?:-")).strip() for p in _SPLIT.split(text)]
    found = [p.lower() for p in parts if any(ch.isalpha() for ch in p)]
    if item.kind is not EvidenceKind.ABOUT:
        found.insert(0, text.lower())
        for clause in tokenise(text):
            words = [w for w in clause if w not in STOPWORDS]
            found += [" ".join(words[i : i + 2]) for i in range(len(words) - 1)]
            # A rare word carries the topic on its own ("goroutines"); a common one ("scheduler", "pool") does not.
            found += [w for w in words if any(c.isalpha() for c in w) and specificity(w) >= SPECIFIC]
    return list(dict.fromkeys(p for p in found if p))


def decay(kind: EvidenceKind, at: datetime, now: datetime) -> float:
    if kind is EvidenceKind.ABOUT:
        return 1.0
    age = max((now - at) / HALF_LIFE, 0.0)
    return math.pow(0.5, age)


@dataclass(frozen=True)
class EmbeddedItem:
    """An item with its phrases and their embeddings (None without a model): computed once per item."""

    item: EvidenceItem
    phrases: tuple[str, ...]
    vectors: Vectors | None


def embed_item(item: EvidenceItem, embedder: Embedder | None) -> EmbeddedItem:
    found = tuple(evidence_phrases(item))
    return EmbeddedItem(item, found, embedder.embed(found) if embedder is not None and found else None)


class EvidenceIndex:
    """Every mentor's evidence phrases, stemmed for exact hits and embedded for near ones."""

    def __init__(self, embedded: Sequence[EmbeddedItem], now: datetime) -> None:
        self.size = len(embedded)
        self._items = [e.item for e in embedded]
        self._weights = [WEIGHT[e.item.kind] * decay(e.item.kind, e.item.at, now) for e in embedded]
        self._owners = [n for n, e in enumerate(embedded) for _ in e.phrases]
        self._texts = [phrase for e in embedded for phrase in e.phrases]
        self._by_stem: dict[str, list[int]] = {}
        for row, text in enumerate(self._texts):
            self._by_stem.setdefault(stem_phrase(text), []).append(row)
        blocks = [e.vectors for e in embedded if e.vectors is not None and len(e.phrases)]
        whole = len(blocks) == sum(1 for e in embedded if e.phrases)
        self._columns: Vectors | None = as_columns(np.vstack(blocks)) if blocks and whole else None

    def match(self, grams: Sequence[str], vectors: Vectors | None) -> list[MentorMatch]:
        """Mentors whose evidence fits the topic's phrases (`grams`, and their embeddings), best first."""
        best: dict[str, MentorMatch] = {}

        def offer(row: int, confidence: float) -> None:
            item_no = self._owners[row]
            item = self._items[item_no]
            score = round(confidence * self._weights[item_no], 3)
            if score > 0 and (item.member_id not in best or best[item.member_id].score < score):
                best[item.member_id] = MentorMatch(item.member_id, score, item.kind, self._texts[row])

        for gram in grams:
            for row in self._by_stem.get(stem_phrase(gram), ()):
                offer(row, EXACT * specificity(gram))
        if vectors is not None and self._columns is not None and len(vectors):
            # As for knowledge terms, a phrase that is one common word counts for less by embedding too: near itself
            # in a mentor's about line, "reviews" would otherwise count as much as "sample sizes".
            phrases = PhraseConfidence(grams, vectors)
            nearest = phrases.best(phrases.product(self._columns))
            for found in np.flatnonzero(nearest > 0).tolist():
                offer(found, round(float(nearest[found]) * SEMANTIC_CEILING, 3))
        return sorted(best.values(), key=lambda m: (-m.score, m.member_id))
