"""How a topic is cut into what Burst's readers read (`bot.domain.understanding`): its clauses as words, the phrases
that are embedded, the windows where knowledge terms are looked up as written, and which words could name anything at
all. Pure functions of the text."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import NamedTuple

from wordfreq import zipf_frequency

from bot.domain.matching import REAL_WORD, STOPWORDS, tokenise

MAX_PHRASE_WORDS = 3
MAX_TERM_WORDS = 5
"""Knowledge terms are looked up in runs of up to this many words, whatever words they start or end on."""
MAX_TOPIC_WORDS = 60
MAX_TOPIC_CHARS = 2000
"""Longer text is cut before reading: far beyond any topic (200 characters) or request details."""

FILLER = frozenset(
    [
        "stuff",
        "thing",
        "things",
        "something",
        "anything",
        "issue",
        "issues",
        "question",
        "questions",
        "query",
        "help",
        "quick",
        "small",
        "little",
        "bit",
        "advice",
        "idea",
        "ideas",
        "topic",
        "topics",
        "matter",
        "matters",
        "sth",
        "smth",
        "pls",
        "plz",
        "asap",
        "urgent",
        "urgently",
        "today",
        "tomorrow",
        "guys",
        "folks",
        "team",
        "everyone",
        "everybody",
        "all",
        "people",
        "colleague",
        "colleagues",
    ]
)
"""Words that say someone wants help but not with what: a topic of these alone is too vague to route."""

ROLES = frozenset(
    [
        "developer",
        "dev",
        "programmer",
        "coder",
        "engineer",
        "eng",
        "sre",
        "architect",
        "designer",
        "analyst",
        "scientist",
        "tester",
        "admin",
        "administrator",
        "accountant",
        "bookkeeper",
        "controller",
        "auditor",
        "nurse",
        "physician",
        "doctor",
        "clinician",
        "therapist",
        "pharmacist",
        "technician",
        "lawyer",
        "attorney",
        "paralegal",
        "counsel",
        "writer",
        "copywriter",
        "editor",
        "marketer",
        "recruiter",
        "researcher",
        "consultant",
        "contractor",
        "freelancer",
        "specialist",
        "lead",
        "manager",
        "director",
    ]
)
"""Nouns of a job people hire for, singular: the words before one in a topic say which kind ("senior android devs",
"a FHIR developer", "charge nurse"), and name a skill of the person wanted rather than of the asker."""

_IDENTIFIER = re.compile(r"(?<![\w.])[a-z][a-z0-9]*(?:[._][a-z0-9]+)+")
"""A name as code writes it: "depends_on", "event.target", "max_connections"."""
_CAMEL = re.compile(r"(?<![\w.])[A-Za-z][a-z]+(?:[A-Z][a-z]+)+(?![\w.])")
"""A name in camel case of two or more words: "AccessDenied", "getObject"."""
_HUMP = re.compile(r"[A-Za-z][a-z]+")
_P_VALUE = re.compile(r"(?<![\w.])p\s*(?:[<>=\u2264\u2265]=?)\s*(?:0?[.,]\d+|1\b|\d(?:\.\d+)?e-\d+)", re.IGNORECASE)
"""A p-value as people write it in a sentence: "p=0.04", "p < .05", "P <= 0,01"."""


_MARKUP = re.compile(r"<[^<>]*>")


def readable(topic: str) -> str:
    """The topic without Slack markup (mentions, channels, links): a person's or channel's id names no skill. A
    p-value written as notation ("p=0.04") is read as the words it stands for."""
    return _P_VALUE.sub(" p-value ", _MARKUP.sub(" ", topic[:MAX_TOPIC_CHARS]))


def topic_clauses(topic: str) -> list[list[str]]:
    """The topic's clauses as words, each cut at MAX_TOPIC_WORDS: what every reader below reads."""
    return [clause[:MAX_TOPIC_WORDS] for clause in tokenise(readable(topic))]


def content_words(topic: str) -> list[str]:
    """The words of a topic that could name something: not stopwords, not filler, not bare numbers or symbols."""
    return [w for clause in tokenise(readable(topic)) for w in clause if is_content(w)][:MAX_TOPIC_WORDS]


def phrases(clauses: Sequence[Sequence[str]]) -> list[str]:
    """Runs of one to three words inside a clause that start and end on a content word: what is embedded."""
    return _runs(clauses, MAX_PHRASE_WORDS, lambda run: is_content(run[0]) and is_content(run[-1]))


def term_windows(clauses: Sequence[Sequence[str]], topic: str = "") -> list[str]:
    """Every run of up to MAX_TERM_WORDS words inside a clause, but single words that name nothing: where knowledge
    terms are looked up, so "group by", "too many connections" or "slow query" are found as written. And, from
    `topic`, the names it writes as code ("depends_on", where a term that is such a name of English words is found)
    and its names in camel case as their words ("AccessDenied": "access denied")."""
    runs = _runs(clauses, MAX_TERM_WORDS, lambda run: len(run) > 1 or is_content(run[0]))
    if not topic:
        return runs
    text = readable(topic)
    written = _IDENTIFIER.findall(text.lower())
    camel = [" ".join(_HUMP.findall(name)).lower() for name in _CAMEL.findall(text)]
    return runs + list(dict.fromkeys([*written, *camel]))


class Role(NamedTuple):
    """A role noun of a topic with the words naming its kind, and the word of hiring that acts on it, if any."""

    words: tuple[str, ...]  # "senior", "android", "devs"
    hired_by: str | None = None  # "hire" in "we need to hire a unity dev"


def role_phrases(clauses: Sequence[Sequence[str]], hiring: Callable[[str], bool]) -> list[Role]:
    """Each role noun of the clauses (`ROLES`, or its plural) with the content words just before it that name its kind,
    up to MAX_PHRASE_WORDS words in all: "4 months looking for a senior unity dev" -> ("senior", "unity", "dev"). The
    words before stop at a word that is no content or a word of hiring (`hiring` accepts it): "interviewing" in
    "interviewing sql analysts" is what is done to the role, not its kind, and is kept as `hired_by` (as "hire" is in
    "hire a unity dev", up to three words before)."""
    found: list[Role] = []
    for words in clauses:
        for i, word in enumerate(words):
            if word not in ROLES and not (word.endswith("s") and word[:-1] in ROLES):
                continue
            start = i
            while start > 0 and i - start < MAX_PHRASE_WORDS - 1:
                before = words[start - 1]
                if not is_content(before) or hiring(before) or before in ROLES:
                    break
                start -= 1
            # The word of hiring acting on the role: right before it, or across an article or a number ("hire a
            # unity dev", "recruit two engineers").
            verb = next((w for w in reversed(words[max(0, start - 3) : start]) if hiring(w)), None)
            found.append(Role(tuple(words[start : i + 1]), verb))
    return found


def written_only(term: str) -> bool:
    """Whether a term is a name as code writes it, made of English words ("depends_on", "event.target", "go.mod"):
    found only written that way, as the words read apart are English ("it depends on", "the event target")."""
    return _IDENTIFIER.fullmatch(term) is not None and all(
        zipf_frequency(part, "en", wordlist="small") >= REAL_WORD for part in re.split(r"[._]", term)
    )


def _runs(clauses: Sequence[Sequence[str]], longest: int, keep: Callable[[Sequence[str]], bool]) -> list[str]:
    """The distinct runs of one to `longest` words inside each clause that `keep` accepts, shortest first."""
    found: dict[str, None] = {}
    for words in clauses:
        for n in range(1, longest + 1):
            for i in range(len(words) - n + 1):
                if keep(run := words[i : i + n]):
                    found.setdefault(" ".join(run))
    return list(found)


@lru_cache(maxsize=16384)  # asked of every word of every term at start-up, and of a topic's words by every reader
def is_content(word: str) -> bool:
    return word not in STOPWORDS and word not in FILLER and any(ch.isalpha() for ch in word)
