"""Matching a free-text topic to the skills mentors have, behind one small interface.

`Matcher` is the seam: a stronger matcher (embeddings, say) only has to return ranked `SkillMatch`es.
`LexicalMatcher` reads the topic the way people write it: skills inside a sentence, multi-word skills, aliases,
typos, and related skills at a discount.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from bot.skill_aliases import ALIASES, RELATED
from bot.skills import normalise_skill

EXACT, ALIAS, TYPO_MIN, RELATED_FACTOR = 1.0, 0.95, 0.82, 0.6
MAX_NGRAM = 3
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "any",
        "anyone",
        "anybody",
        "about",
        "at",
        "be",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "get",
        "getting",
        "got",
        "have",
        "help",
        "how",
        "i",
        "im",
        "in",
        "into",
        "is",
        "it",
        "its",
        "know",
        "me",
        "my",
        "need",
        "of",
        "on",
        "or",
        "our",
        "please",
        "set",
        "setting",
        "some",
        "someone",
        "somebody",
        "the",
        "this",
        "to",
        "up",
        "using",
        "use",
        "we",
        "what",
        "with",
        "work",
        "working",
        "you",
        "your",
    ]
)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#./-]*[a-z0-9+#]|[a-z0-9]|\.[a-z]+")


@dataclass(frozen=True)
class SkillMatch:
    skill: str
    score: float
    reason: str


class Matcher(Protocol):
    def match(self, topic: str, vocabulary: Collection[str]) -> list[SkillMatch]: ...


def tokens(text: str) -> list[str]:
    return [t.rstrip(".") for t in _TOKEN.findall(text.lower()) if t.rstrip(".")]


# Skills that are also ordinary words: matched only when the topic says it is about the skill.
AMBIGUOUS: dict[str, frozenset[str]] = {
    "go": frozenset(
        [
            "golang",
            "goroutine",
            "goroutines",
            "channel",
            "channels",
            "generics",
            "module",
            "modules",
            "gin",
            "code",
            "lang",
            "programming",
            "compiler",
            "binary",
            "struct",
            "structs",
            "interface",
            "interfaces",
            "pointer",
            "pointers",
            "slice",
            "slices",
            "concurrency",
            "service",
        ]
    ),
}
SUFFIXES = ("file", "files", "s")  # dockerfile -> docker, pandas stays pandas (checked first)


@lru_cache(maxsize=8)
def _index(vocabulary: frozenset[str]) -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """Typo candidates bucketed by first letter: a typo rarely changes it, and it keeps difflib's work small."""
    buckets: dict[str, list[str]] = {}
    for skill in vocabulary:
        if len(skill) >= 5 and " " not in skill:
            buckets.setdefault(skill[0], []).append(skill)
    return vocabulary, {k: tuple(sorted(v)) for k, v in buckets.items()}


class LexicalMatcher:
    def match(self, topic: str, vocabulary: Collection[str]) -> list[SkillMatch]:
        vocab, buckets = _index(frozenset(vocabulary))
        words = tokens(topic)
        context = set(words)
        best: dict[str, SkillMatch] = {}

        def offer(skill: str, score: float, reason: str) -> None:
            if skill in vocab and (skill not in best or best[skill].score < score):
                best[skill] = SkillMatch(skill, round(score, 3), reason)

        used: set[int] = set()
        for n in range(MAX_NGRAM, 0, -1):
            for i in range(len(words) - n + 1):
                if n == 1 and i in used:
                    continue
                phrase = " ".join(words[i : i + n])
                if n == 1 and phrase in STOPWORDS:
                    continue
                canonical = normalise_skill(phrase)
                if canonical in AMBIGUOUS and phrase == canonical and not (AMBIGUOUS[canonical] & context):
                    continue
                if n == 1 and canonical not in vocab:
                    canonical = next(
                        (phrase[: -len(x)] for x in SUFFIXES if phrase.endswith(x) and phrase[: -len(x)] in vocab),
                        canonical,
                    )
                if canonical in vocab:
                    offer(
                        canonical,
                        EXACT if canonical == phrase else ALIAS,
                        "exact" if canonical == phrase else f"alias {phrase}",
                    )
                    if n > 1:
                        used.update(range(i, i + n))
                elif n == 1 and len(phrase) >= 5 and phrase not in ALIASES:
                    same_start = [w for w in buckets.get(phrase[0], ()) if abs(len(w) - len(phrase)) <= 2]
                    close = difflib.get_close_matches(phrase, same_start, n=1, cutoff=TYPO_MIN)
                    if close:
                        ratio = difflib.SequenceMatcher(None, phrase, close[0]).ratio()
                        offer(close[0], 0.9 * ratio, f"typo of {phrase}")
        for found in list(best.values()):
            for related in RELATED.get(found.skill, ()):
                offer(related, found.score * RELATED_FACTOR, f"related to {found.skill}")
        return sorted(best.values(), key=lambda m: (-m.score, m.skill))


def explain(matches: list[SkillMatch]) -> str:
    return ", ".join(f"{m.skill} ({m.reason}, {m.score:.2f})" for m in matches) or "no skill matched"
