"""Reading a request as a whole: which skills (and which mentors) it needs, and how sure Burst can be.

Three readers, combined into one ranked answer with a confidence:
- the lexical matcher (`bot.domain.matching`): skill names, aliases, typos and related skills, precise and explainable;
- the skill knowledge (`bot.domain.knowledge`, from `skill_knowledge.yaml`): the terms people use when they need a skill
  ("vlookup" -> excel, "goroutine leak" -> go), matched word for word after stemming ("overfits" meets "overfitting");
- sentence embeddings (`bot.domain.embedding`): the topic's phrases against each skill's terms and against what mentors
  wrote they help with or have helped with (`bot.domain.evidence`), for requests that share no word with any of them.

The topic is also read against life outside work (`off_work.yaml`: pets, home, family, health, hobbies, sport,
travel): a skill's name is a word too, and "my ball python won't eat" or "spark plugs for the lawnmower" name one in
another sense. A topic that reads as life outside work more surely than as any skill by its terms reads as no skill.

The answer is a `Verdict`: route on the skills found; ask the requester which of a few skills they meant when the
best reading is unsure; say nobody lists it (unmet demand) when nothing comes close; or ask for a clearer topic when
there is nothing to read ("stuff", a lone mention). Thresholds are calibrated on the labelled set that
`python -m benchmarks matching` runs.

Every skill of the knowledge file is read, held or not: a skill nobody holds passes its reading, discounted, to the
held skills its entry names as related, and names the skill gap when nothing held comes close.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from wordfreq import zipf_frequency

from bot.domain.embedding import Embedder, Vectors, shared_embedder
from bot.domain.evidence import EvidenceIndex, MentorMatch
from bot.domain.knowledge import Knowledge, knowledge
from bot.domain.matching import (
    NEEDS_CONTEXT,
    OTHER_MEANING,
    REAL_WORD,
    STOPWORDS,
    LexicalMatcher,
    SkillMatch,
    specificity,
    stem_phrase,
    tokenise,
)
from bot.domain.similarity import SEMANTIC_CEILING, phrase_confidence
from bot.domain.skills import compact, normalise_skill
from bot.domain.vector_store import VectorStore

TERM = 0.85
"""A knowledge term found in the topic, word for word: below the skill's own name, above any guess."""
PARTIAL = 0.4
"""A topic word found inside a longer knowledge term ("contrast" in "color contrast"), before its discounts."""
RUN = 0.5
"""A run of topic words found inside a longer knowledge term ("gradle sync" in "gradle sync failed")."""
ALL_WORDS = 0.5
"""Every word of a knowledge term found in the topic, in another order or apart ("partitions for a topic": topic
partitions; "rows are duplicated": duplicate rows)."""
WORD_NAME = 3.0
"""A name at least this common in English (Zipf) is also a word ("java", "churn", "cypress", "ml"): alone, it is a
guess."""
NAME_ALONE = 0.45
"""What such a name counts for when no other word of the topic points to its skill: enough to ask, not to route."""
BACKING = 0.3
"""How surely the rest of the topic must point to the skill (or a related one) for the name to count in full."""
LIFE_AROUND = 0.3
"""How surely the rest of the topic must read as life outside work, and more surely than as any work, for such a name
to be read as the word."""
NOT_A_WORD = 2.0
"""Below this Zipf frequency a one-word term is a name rather than an English word ("invision", "planful")."""
RELATED = 0.75
"""A held skill named related to the skill a topic is about gets this share of that skill's confidence."""
ELSEWHERE = 0.3
"""A topic read this much more surely as a skill nobody holds than as any held one is about that other skill."""
ROUTE_AT = 0.5
"""The confidence from which Burst pings people without asking the requester first."""
CLARIFY_AT = 0.35
"""Below ROUTE_AT but from here, Burst asks "did you mean ...?"; below it the topic is a gap nobody covers."""
KEEP_RATIO = 0.93
"""Skills routed on score at least this share of the best one: a clear reading is not diluted by weak ones."""
MAX_SKILLS = 5
NEAREST = 64
"""The closest terms looked at per topic: enough to reach every skill within reach of a confidence."""
MAX_SUGGESTIONS = 3
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


_CODE = re.compile(r"(?=[^ ]*\d)(?=[^ ]*[a-z])[a-z0-9._-]+")
"""One token of letters and digits, such as an error code: "e0502", "ora-01555", "0x80070005"."""
_IDENTIFIER = re.compile(r"(?<![\w.])[a-z][a-z0-9]*(?:[._][a-z0-9]+)+")
"""A name as code writes it: "depends_on", "event.target", "max_connections"."""
_CAMEL = re.compile(r"(?<![\w.])[A-Za-z][a-z]+(?:[A-Z][a-z]+)+(?![\w.])")
"""A name in camel case of two or more words: "AccessDenied", "getObject"."""
_HUMP = re.compile(r"[A-Za-z][a-z]+")
_P_VALUE = re.compile(r"(?<![\w.])p\s*(?:[<>=\u2264\u2265]=?)\s*(?:0?[.,]\d+|1\b|\d(?:\.\d+)?e-\d+)", re.IGNORECASE)
"""A p-value as people write it in a sentence: "p=0.04", "p < .05", "P <= 0,01"."""
OFF_WORK = "(life outside work)"
"""The owner of the off-work terms in an index: not a skill, so no vocabulary holds it and no gap is named after it."""


class Verdict(StrEnum):
    ROUTE = "route"  # ping the mentors of `skills` (and `mentors`)
    CLARIFY = "clarify"  # ask the requester which of `skills` they meant
    UNKNOWN = "unknown"  # nobody Burst knows covers it: unmet demand
    VAGUE = "vague"  # nothing to read: ask for a clearer topic, record nothing


@dataclass(frozen=True)
class Understanding:
    verdict: Verdict
    skills: list[SkillMatch] = field(default_factory=list)  # ROUTE: to route on; CLARIFY: to offer
    mentors: list[MentorMatch] = field(default_factory=list)  # ROUTE: people whose own words fit the topic
    gap: str | None = None  # UNKNOWN: the skill it is about when Burst knows one, though no mentor holds it

    @property
    def confidence(self) -> float:
        return max([m.score for m in self.skills] + [m.score for m in self.mentors] + [0.0])


_MARKUP = re.compile(r"<[^<>]*>")


def _readable(topic: str) -> str:
    """The topic without Slack markup (mentions, channels, links): a person's or channel's id names no skill. A
    p-value written as notation ("p=0.04") is read as the words it stands for."""
    return _P_VALUE.sub(" p-value ", _MARKUP.sub(" ", topic[:MAX_TOPIC_CHARS]))


def _clauses(topic: str) -> list[list[str]]:
    """The topic's clauses as words, each cut at MAX_TOPIC_WORDS: what every reader below reads."""
    return [clause[:MAX_TOPIC_WORDS] for clause in tokenise(_readable(topic))]


def content_words(topic: str) -> list[str]:
    """The words of a topic that could name something: not stopwords, not filler, not bare numbers or symbols."""
    return [w for clause in tokenise(_readable(topic)) for w in clause if _content(w)][:MAX_TOPIC_WORDS]


def phrases(clauses: Sequence[Sequence[str]]) -> list[str]:
    """Runs of one to three words inside a clause that start and end on a content word: what is embedded."""
    return _runs(clauses, MAX_PHRASE_WORDS, lambda run: _content(run[0]) and _content(run[-1]))


def term_windows(clauses: Sequence[Sequence[str]], topic: str = "") -> list[str]:
    """Every run of up to MAX_TERM_WORDS words inside a clause, but single words that name nothing: where knowledge
    terms are looked up, so "group by", "too many connections" or "slow query" are found as written. And, from
    `topic`, the names it writes as code ("depends_on", where a term that is such a name of English words is found)
    and its names in camel case as their words ("AccessDenied": "access denied")."""
    runs = _runs(clauses, MAX_TERM_WORDS, lambda run: len(run) > 1 or _content(run[0]))
    if not topic:
        return runs
    readable = _readable(topic)
    written = _IDENTIFIER.findall(readable.lower())
    camel = [" ".join(_HUMP.findall(name)).lower() for name in _CAMEL.findall(readable)]
    return runs + list(dict.fromkeys([*written, *camel]))


def _written_only(term: str) -> bool:
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
def _content(word: str) -> bool:
    return word not in STOPWORDS and word not in FILLER and any(ch.isalpha() for ch in word)


class _AllWords(NamedTuple):
    """A knowledge term of two or more words, to find when all its words are in a topic, in any order."""

    words: tuple[str, ...]  # its content words, stemmed, sorted (a tuple: a third of a frozenset's memory)
    skill: str
    term: str  # as written
    key: str  # stemmed, as found word for word
    holders: int = 1  # how many skills have a term of these words


def _counted(terms: Sequence[_AllWords]) -> tuple[_AllWords, ...]:
    """The terms, each with how many skills share its words: a shared set of words points to each less surely."""
    holders: dict[tuple[str, ...], set[str]] = {}
    for term in terms:
        holders.setdefault(term.words, set()).add(term.skill)
    return tuple(term._replace(holders=len(holders[term.words])) for term in terms)


@dataclass(frozen=True)
class _Terms:
    """Every term of the skills in one vocabulary, stemmed for exact hits and embedded for near ones."""

    by_stem: Mapping[str, tuple[tuple[str, str], ...]]  # stemmed term -> (skill, term as written)
    by_word: Mapping[str, tuple[tuple[str, str], ...]]  # stemmed word of a longer term -> (skill, the term)
    by_run: Mapping[str, tuple[tuple[str, str], ...]]  # stemmed run of 2+ words inside a longer term -> (skill, term)
    by_all_words: Mapping[str, tuple[_AllWords, ...]]  # a word -> the terms of two or more words with it
    owners: tuple[str, ...]  # term i is a term of skill owners[i]
    texts: tuple[str, ...]
    columns: Vectors  # the embeddings of the terms not shared, as contiguous columns: phrases @ columns is one product
    # Term i is column shared[i] of the knowledge file's terms (a held skill the file lacks borrows its entries'
    # terms: read once, not twice), or -1 and the next column of `columns`.
    shared: npt.NDArray[np.intp]
    own_columns: npt.NDArray[np.intp]  # term i's column in `columns` when it is not shared


class _Nearness:
    """How near each phrase of a topic is to each term of a table (`phrase_confidence` against its columns), a
    product computed once per table and topic: the topic read again without some of its words reads rows of the
    same products. They are the largest piece of work in reading a topic."""

    def __init__(
        self, grams: Sequence[str], vectors: Vectors | None, rows_of: tuple[_Nearness, list[int]] | None = None
    ) -> None:
        self.grams = list(grams)
        self.vectors = vectors if vectors is not None and len(self.grams) else None
        self._rows_of = rows_of  # (the whole topic's, these phrases' rows in it)
        # The phrases' weights are computed once, for every table read; a part of the topic reads the whole's rows.
        self._product = (
            phrase_confidence(self.grams, self.vectors) if self.vectors is not None and rows_of is None else None
        )
        self._products: dict[int, tuple[Vectors, Vectors]] = {}

    def confidence(self, columns: Vectors) -> Vectors:
        """The phrases x `columns` confidences (before the floor at 0); only called when `vectors` is not None."""
        if self._rows_of is not None:
            whole, rows = self._rows_of
            return whole.confidence(columns)[rows]
        found = self._products.get(id(columns))
        if found is None or found[0] is not columns:
            assert self._product is not None
            found = self._products[id(columns)] = (columns, self._product(columns))
        return found[1]

    def without(self, words: set[str]) -> _Nearness:
        """The phrases that have none of `words`."""
        keep = [i for i, gram in enumerate(self.grams) if words.isdisjoint(gram.split())]
        vectors = self.vectors[keep] if self.vectors is not None and keep else None
        return _Nearness([self.grams[i] for i in keep], vectors, (self, keep))


class Understander:
    """Combines the readers above; one instance serves every request (its caches are per vocabulary)."""

    def __init__(
        self,
        embedder: Embedder | None,
        known: Knowledge | None = None,
        lexical: LexicalMatcher | None = None,
        store: VectorStore | None = None,
    ) -> None:
        self.embedder = embedder
        self.store = store  # where the knowledge terms' vectors are kept between starts (None: embedded every start)
        self.known = knowledge() if known is None else known
        self.lexical = lexical or LexicalMatcher()
        # One index of every knowledge term, built once; a vocabulary adds only its skills the file lacks.
        self._known_terms: _Terms | None = None
        self._off_terms: _Terms | None = None
        self._extra_terms = lru_cache(maxsize=4)(self._build_extra_terms)
        self._helpers = lru_cache(maxsize=4)(self._build_helpers)
        # Asked of the phrases of mentors' evidence a topic about life outside work found: the same few, again.
        self._life = lru_cache(maxsize=4096)(self._reads_phrase_as_life)
        self._known_skills = frozenset(self.known)

    @property
    def semantic(self) -> bool:
        return self.embedder is not None

    def understand(
        self, topic: str, vocabulary: Collection[str], evidence: EvidenceIndex | None = None
    ) -> Understanding:
        """What `topic` needs among the skills in `vocabulary` and the mentors in `evidence`.

        Every skill Burst knows of is read, held or not; a skill nobody holds passes its confidence, discounted, to
        the held skills its knowledge entry names as related (a question on NDAs reaches a contracts mentor).
        Given any text (empty, huge, another language), returns an Understanding; never raises on input.
        """
        words = content_words(topic)
        if not words:
            return Understanding(Verdict.VAGUE)
        vocab = vocabulary if isinstance(vocabulary, frozenset) else frozenset(vocabulary)
        clauses = _clauses(topic)
        grams, windows = phrases(clauses), term_windows(clauses, topic)
        vectors = self._embed_topic(grams)
        nearness = _Nearness(grams, vectors)
        known, extra = self._known(), self._extra_terms(vocab)
        known_hits = self._term_hits(known, windows)
        hits = [*known_hits, *self._term_hits(extra, windows)]
        near = self._near_terms(known, nearness, extra)
        lexical, rest = self._names_as_words(self.lexical.match(_readable(topic), vocab), nearness, windows, extra)
        read = _heard_in_words(combine(lexical, hits, near), lexical, hits)
        if rest is not None and rest.life >= LIFE_AROUND and rest.life > max(rest.work.values(), default=0.0):
            # The rest of the topic reads as life outside work: the name is the word, and no skill the word alone
            # reaches ("churn model") counts for more than a guess.
            guessed = (_guess(m) if self._backing(rest, m.skill) < BACKING else m for m in read)
            read = sorted(guessed, key=lambda m: (-m.score, m.skill))
        ranked = self._held(read, vocab)
        if read and ranked and self._about_another(read[0], ranked[0], vocab):
            ranked = [_guess(m) for m in ranked]
        mentors = evidence.match(grams, vectors) if evidence is not None else []
        # Read as life outside work more surely than as any work by its words, a topic's skill names mean something
        # else ("my ball python won't eat", "spark plugs for the lawnmower"): no skill is read, and what is left
        # unmet is not a skill gap named after the word. A mentor who wrote they help with it is still asked, when
        # what they wrote is life too ("ball pythons, geckos"): a work phrase of theirs found in such a topic ("AML"
        # in an about line on compliance, in "my aunt was diagnosed with AML") is the same word in another sense.
        off_work = self._reads_as_life(nearness, windows, combine([], hits, near))
        if off_work:
            ranked = []
            mentors = [m for m in mentors if self._life(m.phrase)]
        best = max([m.score for m in ranked[:1]] + [m.score for m in mentors[:1]] + [0.0])
        if best >= ROUTE_AT:
            keep = max(ROUTE_AT, best * KEEP_RATIO)
            return Understanding(
                Verdict.ROUTE,
                [m for m in ranked if m.score >= keep][:MAX_SKILLS],
                [m for m in mentors if m.score >= keep],
            )
        if best >= CLARIFY_AT and ranked:
            return Understanding(Verdict.CLARIFY, [m for m in ranked if m.score >= CLARIFY_AT][:MAX_SUGGESTIONS])
        if off_work:
            return Understanding(Verdict.UNKNOWN)
        # The gap is named among the knowledge file's skills: the readings above, less held skills the file lacks.
        return Understanding(
            Verdict.UNKNOWN, gap=self._gap(topic, known_hits, [m for m in near if m.skill in self.known])
        )

    def _about_another(self, best: SkillMatch, held: SkillMatch, vocabulary: frozenset[str]) -> bool:
        """Whether a topic reads far more surely as a skill nobody holds, and one unrelated to its best held reading:
        then the held reading comes from a few words the two skills share ("P1 ticket about to breach the SLA" is
        customer support, and reads as contracts only by "sla"), a guess to ask about rather than route on."""
        if best.skill in vocabulary or best.score - held.score < ELSEWHERE:
            return False
        return held.skill not in self.known.related(best.skill) and best.skill not in self.known.related(held.skill)

    def _reads_phrase_as_life(self, phrase: str) -> bool:
        """Whether a phrase (of a mentor's evidence) reads as life outside work more surely than as any work."""
        clauses = _clauses(phrase)
        grams, windows = phrases(clauses), term_windows(clauses, phrase)
        nearness = _Nearness(grams, self._embed_topic(grams))
        known = self._known()
        work = combine([], self._term_hits(known, windows), self._near_terms(known, nearness))
        return self._reads_as_life(nearness, windows, work)

    def _reads_as_life(self, nearness: _Nearness, windows: Sequence[str], work: Sequence[SkillMatch]) -> bool:
        """Whether a text reads as life outside work more surely than as its best `work` reading by terms."""
        return self._off_work(nearness, windows) > max([m.score for m in work[:1]] + [0.0])

    def _names_as_words(
        self,
        lexical: list[SkillMatch],
        nearness: _Nearness,
        windows: Sequence[str],
        extra: _Terms,
    ) -> tuple[list[SkillMatch], _Rest | None]:
        """The lexical matches, where a name that is also a common English word ("java", "churn", "cypress") is a guess
        at its skill unless other words of the topic point to the skill: alone, it may be the word ("a good java
        roaster near the office, our beans are stale", "butter with an old wooden churn"). With the topic read
        without those names, when any are found; else without the names written as one word that are no common word,
        which have other senses too ("a wine maven", "selenium supplements"): the caller reads that rest for life
        outside work, and only then is such a name a guess."""
        written = {word for m in lexical if m.score > NAME_ALONE and (word := _one_word_name(m)) is not None}
        names = {word for word in written if _common_word(word)}
        if not written:
            return lexical, None
        rest = self._without_words(names or written, nearness, windows, extra)
        unbacked = {m.skill for m in lexical if _one_word_name(m) in names and self._backing(rest, m.skill) < BACKING}
        guessed = [
            _guess(m) if m.skill in unbacked or m.reason.removeprefix("related to ") in unbacked else m for m in lexical
        ]
        return guessed, rest

    def _without_words(self, words: set[str], nearness: _Nearness, windows: Sequence[str], extra: _Terms) -> _Rest:
        """The topic read without `words` (the names that are also English words), as work and as life outside it."""
        rest = nearness.without(words)
        rest_windows = [w for w in windows if words.isdisjoint(w.split())]
        known = self._known()
        work = combine(
            [],
            [*self._term_hits(known, rest_windows), *self._term_hits(extra, rest_windows)],
            self._near_terms(known, rest, extra),
        )
        return _Rest({m.skill: m.score for m in work}, self._off_work(rest, rest_windows))

    def _backing(self, rest: _Rest, skill: str) -> float:
        """How surely the rest of the topic points to `skill` or a skill related to it."""
        return max(rest.work.get(s, 0.0) for s in (skill, *self.known.related(skill)))

    def gap(self, topic: str) -> str | None:
        """The skill a topic is about among every skill Burst knows of, held or not: how a skill gap is named."""
        clauses = _clauses(topic)
        grams = phrases(clauses)
        if not grams:
            return None
        terms = self._known()
        hits = self._term_hits(terms, term_windows(clauses, topic))
        return self._gap(topic, hits, self._near_terms(terms, _Nearness(grams, self._embed_topic(grams))))

    def _gap(self, topic: str, hits: Sequence[SkillMatch], near: Sequence[SkillMatch]) -> str | None:
        """The best reading among every skill of the knowledge file, from its terms' `hits` and `near` readings."""
        read = combine(self.lexical.match(_readable(topic), self._known_skills), hits, near)
        return read[0].skill if read and read[0].score >= CLARIFY_AT else None

    def _held(self, read: Sequence[SkillMatch], vocabulary: frozenset[str]) -> list[SkillMatch]:
        """The readings of held skills, and those a skill nobody holds passes on to related held ones."""
        helpers = self._helpers(vocabulary)
        held: dict[str, SkillMatch] = {}
        for match in read:
            if match.skill in vocabulary:
                _offer(held, match)
            for helper in helpers.get(match.skill, ()):
                _offer(held, SkillMatch(helper, round(match.score * RELATED, 3), f"{match.reason} ({match.skill})"))
        return sorted(held.values(), key=lambda m: (-m.score, m.skill))

    def _build_helpers(self, vocabulary: frozenset[str]) -> dict[str, tuple[str, ...]]:
        """Skill nobody holds -> held skills named related to it (by any of their names)."""
        # Every held skill answering to a name, not the first: "contracts" and "contract review" may both be held.
        by_name: dict[str, list[str]] = {}
        for skill in sorted(vocabulary):
            for name in self.known.entry_for(skill).names:
                holders = by_name.setdefault(compact(normalise_skill(name)), [])
                if skill not in holders:
                    holders.append(skill)
        helpers: dict[str, tuple[str, ...]] = {}
        for skill in self.known:
            if skill in vocabulary:
                continue
            found = (h for r in self.known.related(skill) for h in by_name.get(compact(normalise_skill(r)), ()))
            if held := tuple(dict.fromkeys(found)):
                helpers[skill] = held
        return helpers

    # --- readers ------------------------------------------------------------------------------------------

    def _embed_topic(self, grams: Sequence[str]) -> Vectors | None:
        if self.embedder is None or not grams:
            return None
        return self.embedder.embed(list(grams))

    def _embed_texts(self, texts: Sequence[str], keep: bool = False) -> Vectors:
        """The texts' vectors; with `keep`, read from and saved to the store, when there is one."""
        if self.embedder is None:
            return np.zeros((len(texts), 1), dtype=np.float32)
        if keep and self.store is not None:
            return self.store.embed(self.embedder, texts)
        return self.embedder.embed(texts)

    def _term_hits(self, terms: _Terms, grams: Sequence[str]) -> list[SkillMatch]:
        """Knowledge terms found word for word (after stemming) among the topic's `term_windows`, each counting by how
        specific its words are."""
        found: dict[tuple[str, str], SkillMatch] = {}
        for gram in grams:
            owners = terms.by_stem.get(stem_phrase(gram), ())
            # A term several skills share points to each of them less surely ("generics": java, rust, swift...).
            shared = 1 / math.sqrt(len({skill for skill, _ in owners}) or 1)
            for skill, term in owners:
                if " " not in gram and not _same_word(gram, term):
                    continue
                score = round(TERM * specificity(gram) * shared, 3)
                if (skill, gram) not in found or found[skill, gram].score < score:
                    found[skill, gram] = SkillMatch(skill, score, f"mentions {term}")
        found.update(_run_hits(terms, grams))
        found.update(_all_words_hits(terms, grams))
        # How common a word is in English is read off the word as written: a stem ("alway", "famili") is no word.
        for word, written in {stem_phrase(w): w for w in grams if " " not in w}.items():
            owners = terms.by_word.get(word, ())
            # A word inside longer terms ("contrast" in "color contrast") hints at their skills, the less the more
            # skills use it and the more common it is in English.
            shared = 1 / math.sqrt(self.known.skills_using(word) or len(owners) or 1)
            for skill, term in owners:
                score = round(PARTIAL * specificity(written) * shared, 3)
                if (skill, word) not in found or found[skill, word].score < score:
                    found[skill, word] = SkillMatch(skill, score, f"like {term}")
        return list(found.values())

    def _near_terms(self, terms: _Terms, nearness: _Nearness, extra: _Terms | None = None) -> list[SkillMatch]:
        """Each skill's closest term to any phrase of the topic, by embedding, as a confidence: the skills of `terms`
        (the knowledge file's) and of `extra` (held skills the file lacks, whose shared terms are read off `terms`)."""
        if nearness.vectors is None:
            return []
        grams, confidence = nearness.grams, nearness.confidence
        known = confidence(terms.columns)
        best_known = np.maximum(known.max(axis=0), 0.0)
        found = self._nearest(terms, grams, known, best_known, known)
        if extra is not None and len(extra.owners):
            own = confidence(extra.columns)
            best = np.empty(len(extra.owners), dtype=np.float32)
            mine = extra.shared < 0
            best[mine] = np.maximum(own.max(axis=0), 0.0) if own.shape[1] else 0.0
            best[~mine] = best_known[extra.shared[~mine]]
            found += self._nearest(extra, grams, own, best, known)
        return found

    @staticmethod
    def _nearest(
        terms: _Terms, grams: Sequence[str], own: Vectors, best_term: npt.NDArray[np.float32], known: Vectors
    ) -> list[SkillMatch]:
        """Each skill's best term among the NEAREST best of `best_term` (one confidence per term of `terms`); `own`
        and `known` are the confidence matrices its own and its shared terms were read from (to name the phrase)."""
        top = np.arange(len(best_term))
        if len(top) > NEAREST:
            top = np.argpartition(-best_term, NEAREST - 1)[:NEAREST]
        found: dict[str, SkillMatch] = {}
        for i in top[np.argsort(-best_term[top], kind="stable")].tolist():
            score = round(float(best_term[i]) * SEMANTIC_CEILING, 3)
            if score <= 0:
                break
            skill = terms.owners[i]
            if skill not in found:
                shared = int(terms.shared[i])
                column = known[:, shared] if shared >= 0 else own[:, terms.own_columns[i]]
                gram = grams[int(column.argmax())]
                found[skill] = SkillMatch(skill, score, f"'{gram}' is like {terms.texts[i]}")
        return list(found.values())

    def _off_work(self, nearness: _Nearness, windows: Sequence[str]) -> float:
        """How surely the topic is about life outside work, on the scale of a skill's reading by its terms."""
        if self._off_terms is None:
            index = self._build_index([(OFF_WORK, "", self.known.off_work)])
            # A skill's name inside an off-work term ("spark" in "spark plugs") says nothing on its own about which
            # sense a topic means: the rest of the term has to be there.
            names = {self.known.key(n) for e in self.known.entries.values() for n in e.names}
            by_word = {word: found for word, found in index.by_word.items() if word not in names}
            self._off_terms = replace(index, by_word=by_word)
        if not self._off_terms.owners:
            return 0.0
        near: list[SkillMatch] = []
        if nearness.vectors is not None:
            # One owner: its nearest term is the best of the whole matrix.
            best = round(float(nearness.confidence(self._off_terms.columns).max()) * SEMANTIC_CEILING, 3)
            near = [SkillMatch(OFF_WORK, best, "")] if best > 0 else []
        read = combine([], self._term_hits(self._off_terms, windows), near)
        return read[0].score if read else 0.0

    def _known(self) -> _Terms:
        """Every skill of the knowledge file with its terms: read for every topic, whichever skills are held."""
        if self._known_terms is None:
            self._known_terms = self._index(sorted(self.known))
        return self._known_terms

    def _build_extra_terms(self, vocabulary: frozenset[str]) -> _Terms:
        """Held skills the knowledge file has no entry for (known by their own name, another entry's name or
        terms they borrow: `Knowledge.entry_for`)."""
        return self._index(sorted(s for s in vocabulary if s not in self.known), reuse=self._known())

    def _index(self, skills: Sequence[str], reuse: _Terms | None = None) -> _Terms:
        """The terms of `skills`, embedded but for those `reuse` already holds (they are read off its columns)."""
        # The skill's own name is the lexical matcher's to find (it knows when "go" is not the language).
        entries = [(skill, self.known.entry_for(skill)) for skill in skills]
        return self._build_index([(skill, e.skill, (*e.names, *e.terms)) for skill, e in entries], reuse)

    def _build_index(self, owned: Sequence[tuple[str, str, Sequence[str]]], reuse: _Terms | None = None) -> _Terms:
        """An index of (owner, a text not to find word for word, texts) rows."""
        by_stem: dict[str, list[tuple[str, str]]] = {}
        by_word: dict[str, dict[str, str]] = {}
        by_run: dict[str, dict[str, str]] = {}
        by_all_words: dict[str, list[_AllWords]] = {}
        owners: list[str] = []
        texts: list[str] = []
        known_columns = {} if reuse is None else {t: i for i, t in reversed(list(enumerate(reuse.texts)))}
        shared: list[int] = []
        for skill, own_name, owned_texts in owned:
            own_key = self.known.key(own_name) if own_name else ""
            for text in owned_texts:
                stem = self.known.key(text) if text != own_name and not _ambiguous(text) else ""
                if stem and _written_only(text):
                    stem = stem_phrase(text)  # one word, as the topic's names written as code are looked up
                if stem and stem == own_key:
                    stem = ""  # "terraformer" would find "terraforming", which the name's own rules keep apart
                if stem and (skill, text) not in by_stem.get(stem, []):
                    by_stem.setdefault(stem, []).append((skill, text))
                # One string per word across all terms: the indexes below hold each word many times.
                parts = [sys.intern(w) for w in stem.split()]
                need = tuple(sorted({w for w in parts if _content(w) and len(w) > 1}))
                if len(need) >= 2:  # filed under its longest word: any word would do, as all must be there
                    by_all_words.setdefault(max(need, key=len), []).append(_AllWords(need, skill, text, stem))
                for n in range(2, len(parts)):
                    for i in range(len(parts) - n + 1):
                        run = parts[i : i + n]
                        if _content(run[0]) and _content(run[-1]):
                            by_run.setdefault(" ".join(run), {}).setdefault(skill, text)
                if len(parts) > 1:
                    for word in parts:
                        if _content(word) and len(word) > 2:
                            by_word.setdefault(word, {}).setdefault(skill, text)
                owners.append(skill)
                texts.append(text)
                shared.append(known_columns.get(text, -1))
        own = [text for text, column in zip(texts, shared, strict=True) if column < 0]
        # The indexes of their own (the knowledge file's, the off-work terms') are the same at every start: kept. A
        # workspace's few skills the file lacks, read against the file's index (`reuse`), are not.
        vectors = self._embed_texts(own, keep=reuse is None)
        # A code ("e0502", "ora-01555") is found as written or not at all: its embedding is made of word pieces, near
        # any other code ("e05" on a coffee machine), so it takes no part in reading by embedding.
        # So is a name written as code made of English words: its embedding is the English words' ("depends on").
        vectors[[i for i, text in enumerate(own) if _CODE.fullmatch(text) or _written_only(text)]] = 0.0
        return _Terms(
            {k: tuple(v) for k, v in by_stem.items()},
            {k: tuple(v.items()) for k, v in by_word.items()},
            {k: tuple(v.items()) for k, v in by_run.items()},
            {k: _counted(v) for k, v in by_all_words.items()},
            tuple(owners),
            tuple(texts),
            np.ascontiguousarray(vectors.T),
            np.array(shared, dtype=np.intp),
            np.cumsum(np.array(shared, dtype=np.intp) < 0) - 1,
        )


@cache
def shared_understander(store: Path | None = None) -> Understander:
    """The process's one reader of topics with the shipped knowledge and the shared model (keeping the knowledge terms'
    vectors in the folder `store`, when given). Its index of every knowledge term takes seconds to build and its caches
    are pure functions of what they are asked, so every app in a process (one in production, one per test in the test
    suite) shares it."""
    return Understander(shared_embedder(), store=None if store is None else VectorStore(store))


@dataclass(frozen=True)
class _Rest:
    """A topic read without some of its words: each skill's confidence, and how surely it is life outside work."""

    work: Mapping[str, float]
    life: float


def _guess(match: SkillMatch) -> SkillMatch:
    """A reading that counts no more than a guess: enough to ask about, not to route on."""
    return replace(match, score=min(match.score, NAME_ALONE))


def _one_word_name(match: SkillMatch) -> str | None:
    """The one word a lexical match found, if it is a name (or alias) written as one word of letters."""
    if match.reason == "word in topic":
        word = match.skill
    elif match.reason.startswith("alias of "):
        word = match.reason.removeprefix("alias of ")
    else:
        return None
    return word if word.isalpha() else None


def _common_word(word: str) -> bool:
    return zipf_frequency(word, "en", wordlist="small") >= WORD_NAME


def _run_hits(terms: _Terms, grams: Sequence[str]) -> dict[tuple[str, str], SkillMatch]:
    """Runs of topic words found inside longer terms ("gradle sync" in "gradle sync failed"), counting by how specific
    their words are and how many skills' terms hold the run."""
    found: dict[tuple[str, str], SkillMatch] = {}
    for gram in grams:
        key = stem_phrase(gram) if " " in gram else ""
        if not key or key in terms.by_stem or key not in terms.by_run:
            continue
        owners = terms.by_run[key]
        shared = 1 / math.sqrt(len(owners))
        words = [w for w in gram.split() if _content(w)]
        score = round(RUN * sum(map(specificity, words)) / (len(words) or 1) * shared, 3)
        for skill, term in owners:
            if (skill, key) not in found or found[skill, key].score < score:
                found[skill, key] = SkillMatch(skill, score, f"like {term}")
    return found


def _all_words_hits(terms: _Terms, grams: Sequence[str]) -> dict[tuple[str, str], SkillMatch]:
    """Terms of two or more words all found in the topic, but not as written: in another order, apart or inflected
    ("partitions for a topic" holds "topic partitions"), counting by how specific their words are."""
    found: dict[tuple[str, str], SkillMatch] = {}
    written = {stem_phrase(g) for g in grams}
    # How common a word is in English is read off the word as the topic writes it: a stem ("partit") is no word.
    words = {stem_phrase(g): g for g in grams if " " not in g and _content(g)}
    for word in words:
        for term in terms.by_all_words.get(word, ()):
            if term.key in written or not all(w in words for w in term.words):
                continue
            common = sum(specificity(words[w]) for w in term.words) / len(term.words)
            score = round(ALL_WORDS * common / math.sqrt(term.holders), 3)
            found.setdefault((term.skill, f"all of {term.term}"), SkillMatch(term.skill, score, f"like {term.term}"))
    return found


_INFLECTIONS = (("ies", "y"), ("ing", ""), ("ers", ""), ("er", ""), ("ed", ""), ("es", ""), ("s", ""))


def _base(word: str) -> str:
    """A word without its inflection ("deployments" -> "deployment", "overfitting" -> "overfit"): derivations stay."""
    for suffix, instead in _INFLECTIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + instead
            break
    if len(word) > 3 and word[-1] == word[-2]:
        word = word[:-1]
    return word.rstrip("e")


def _same_word(written: str, term: str) -> bool:
    """Whether a topic word that stems like a one-word term is that term, inflected: a name that is no English word
    ("invision", "planful", "sequelize") is not found in an English word it shares a stem with ("invisible",
    "planning", "sequel"); an English term meets its derived forms ("deployment", "overfitting")."""
    if written == term or zipf_frequency(term, "en", wordlist="small") >= NOT_A_WORD:
        return True
    return zipf_frequency(written, "en", wordlist="small") < NOT_A_WORD or _base(written) == _base(term)


def _offer(scores: dict[str, SkillMatch], match: SkillMatch) -> None:
    if match.skill not in scores or scores[match.skill].score < match.score:
        scores[match.skill] = match


def _ambiguous(term: str) -> bool:
    """A one-word term too short or too common to count on its own (it still counts inside a longer phrase)."""
    return " " not in term and (len(term) <= 2 or term in STOPWORDS or term in NEEDS_CONTEXT or term in OTHER_MEANING)


def _heard_in_words(
    read: Sequence[SkillMatch], lexical: Sequence[SkillMatch], terms: Sequence[SkillMatch]
) -> list[SkillMatch]:
    """`read`, where a skill only the embeddings found is a guess: a phrase near one of its terms and no word of them
    ("esp32" near "esp", an email service provider) is enough to ask "did you mean …?", not to ping anyone."""
    worded = {m.skill for m in (*lexical, *terms)}
    return [m if m.skill in worded else _guess(m) for m in read]


def combine(lexical: Sequence[SkillMatch], terms: Sequence[SkillMatch], near: Sequence[SkillMatch]) -> list[SkillMatch]:
    """One confidence per skill from the three readers, best first.

    Independent signs add up (noisy-or): two weak terms of one skill ("index" and "transactions") say more than one,
    and a name found in the topic agrees with the terms around it. Several term hits of a skill are independent
    signs; the embedding counts once per skill (its best phrase), since its phrases overlap.
    """
    doubt: dict[str, float] = {}
    why: dict[str, SkillMatch] = {}
    for match in (*lexical, *terms, *near):
        doubt[match.skill] = doubt.get(match.skill, 1.0) * (1.0 - match.score)
        if match.skill not in why or why[match.skill].score < match.score:
            why[match.skill] = match
    combined = [SkillMatch(s, round(min(1.0 - d, 1.0), 3), why[s].reason) for s, d in doubt.items() if d < 1.0]
    return sorted(combined, key=lambda m: (-m.score, m.skill))
