"""Matching a free-text topic to the skills mentors have, behind one small interface.

`Matcher` is the seam: a stronger matcher (an embedding model, say) only has to return ranked `SkillMatch`es for a
topic and the vocabulary of skills mentors have. `LexicalMatcher` is the one that needs no model: it reads the topic
the way people write it ("anyone know k8s?", "setting up postgres replication", "pyhton list comprehension"):

- skill names inside a sentence, up to four words long ("machine learning", "google cloud platform");
- aliases from `bot.domain.skill_aliases` (k8s, pg, golang) and spelling variants (node js, nextjs, scikit learn);
- typos, with rules a typo follows rather than a plain distance threshold, so ordinary words stay ordinary;
- related skills at a discount: a pandas question can also go to a Python mentor;
- short names that are also words ("go", "r", "c") only when the sentence is about the language.

It is fast because everything that depends only on the vocabulary is built once per vocabulary and cached.

It also holds how matching and the readers built on it (`bot.domain.understanding`, `bot.domain.evidence`) read a
word: its stem, and how much it says on its own.

Stems: "overfits", "overfitting" and "overfit" meet, and "p-values" meets "p-value" (Snowball's English stemmer).

Specificity: "goroutine" points somewhere, "top", "drift" or "budget" could be anything. A knowledge term or an
embedding match on a single common English word is weak evidence ("my oak table top is warping" is not a Linux
question), so it counts less the more common the word is in English, by its Zipf frequency from `wordfreq` (a word
used once per million words scores 3; "the" about 7.7). Phrases of two or more words are specific enough as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA
from wordfreq import zipf_frequency

from bot.domain.skill_aliases import ALIASES, RELATED
from bot.domain.skills import compact, spaced, strip_edges, unescape

EXACT = 1.0
ALIAS = 0.95
FORM = 0.9  # dockerfile -> docker, regexes -> regex
TYPO_CEILING = 0.9  # a typo scores below any exact or alias hit: 0.9 x (1 - edits / length)
RELATED_FACTOR = 0.6
MAX_WORDS = 4
"""The longest skill name looked for in a topic, in words ("google cloud platform" has three)."""
MIN_TYPO_LENGTH = 4
"""Shorter words are never read as typos: at three letters almost everything is one edit from something."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(
    """
    a about above after again all also am an and any anybody anyone anything are around as ask asking at
    be been before being best better between both but by can cant could did didnt do does doesnt doing dont
    each either else ever explain figure for from get gets getting give going good got guide guidance had
    has have having hello help helping here hey hi how i id if ill im in into is isnt it its ive just keep
    know knows learn learning let lets like look looking make me mine more most much must my need needed
    needs new no not now of on one only or other our out over please pointers problem problems question
    questions quick really right see set setting setup should so some somebody someone something start
    started starting still stuck such sure than thanks that the their them then there these they thing things
    think this those through tips to too trouble trying understand understanding up us use used using very
    want wants was way we well were what whats when where which while who why will with without work
    working would wrong yes you your
    """
)
"""Words that carry no skill: never matched or read as typos on their own (multi-word names may contain them)."""


@dataclass(frozen=True)
class SkillMatch:
    """One skill a topic reached, how strongly (0..1], and why, in words a person can check."""

    skill: str
    score: float
    reason: str  # "exact", "word in topic", "alias of k8s", "typo of 'kubernets'", "related to pandas", ...

    def __post_init__(self) -> None:
        if not 0.0 < self.score <= 1.0:
            raise ValueError(f"a match score is in (0, 1], not {self.score}")


Reading = tuple[str, float, str]
"""A `SkillMatch`'s skill, score and reason as the readers of a topic (`bot.domain.understanding`) pass them among
themselves: one topic weighs hundreds of readings, and a plain tuple costs a small part of a checked, frozen
`SkillMatch`, made only for the few that are returned."""


class Matcher(Protocol):
    """What the request service needs from a matcher, so a stronger one can replace `LexicalMatcher`."""

    def match(self, topic: str, vocabulary: Collection[str]) -> list[SkillMatch]:
        """The skills of `vocabulary` (canonical names mentors have) the topic reaches, best first.

        Only skills in `vocabulary` are returned, each once; an empty list means nobody knows the topic.
        """
        ...


@dataclass(frozen=True)
class Context:
    """Words around an ambiguous name that tell which meaning it has: "in go" is the language, "excel at" the verb."""

    before: frozenset[str] = frozenset()  # the word just before it ("in go", "learning r")
    after: frozenset[str] = frozenset()  # the word just after it ("go code", "c pointers")
    anywhere: frozenset[str] = frozenset()  # words anywhere in the topic ("goroutines", "ggplot", "malloc")


_LANGUAGE_BEFORE = _words("in learn learning write writing written using rewrite rewriting idiomatic modern")
_CODE_AFTER = _words(
    "code codebase lang language programming program programs developer developers dev devs library libraries "
    "package packages module modules project projects script scripts api apis compiler runtime tests testing "
    "function functions struct structs pointer pointers"
)
NEEDS_CONTEXT: dict[str, Context] = {
    "go": Context(
        before=_LANGUAGE_BEFORE,
        after=_CODE_AFTER
        | _words(
            "routine routines generics channel channels interface interfaces slice slices service services "
            "microservice microservices backend binary binaries concurrency error errors toolchain mod vet fmt "
            "test workspace templates http grpc sdk cli server app"
        ),
        anywhere=_words("goroutine goroutines gofmt gopls gopher gophers cgo"),
    ),
    "r": Context(
        before=_LANGUAGE_BEFORE,
        after=_CODE_AFTER | _words("studio markdown shiny notebook notebooks dataframe dataframes"),
        anywhere=_words("rstudio tidyverse ggplot ggplot2 dplyr cran rmarkdown tibble tibbles"),
    ),
    "c": Context(
        before=_LANGUAGE_BEFORE | _words("embedded ansi"),
        after=_CODE_AFTER | _words("macro macros header headers extension extensions bindings abi string strings"),
        anywhere=_words("malloc calloc segfault segfaults gcc printf stdio"),
    ),
}
"""Skill names that are also ordinary words or letters ("let's go over it", "plan c", "r/w access").

They count only with a sign from the sentence (see `Context`) or when they are the whole topic ("help with go").
Aliases are never ambiguous: "golang" always means Go. Add a line here for another name that misfires.
"""

OTHER_MEANING: dict[str, Context] = {
    "node": Context(
        anywhere=_words(
            "kubernetes k8s kube kubectl cluster clusters pool pools worker workers affinity taint taints drain "
            "cordon graph graphs tree trees linked list dom leaf parent child children edge edges vertex vertices"
        )
    ),
    "tf": Context(anywhere=_words("tensorflow keras tensor tensors")),
    "es": Context(after=_words("module modules import imports syntax"), anywhere=_words("esm javascript js")),
    "excel": Context(after=_words("at")),
    "react": Context(after=_words("to")),
}
"""Skill names and aliases that mean something else with certain words: a Kubernetes "node", TensorFlow's "tf",
ES modules, "excel at", "react to". With any of those signs the word is not read as the skill (nor as a typo).
Add a line when a name misfires."""

_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
# A clause ends at punctuation, so "log in, go to settings" has no "in go" and n-grams never cross a comma.
# A colon inside a word is part of it ("1:1s", "10:30", a 4.5:1 contrast ratio); one before a space ends a clause.
_CLAUSE_BREAK = re.compile(r"[,;!?()\[\]{}\"|\n]+|:+(?!\S)|(?<!\S):+|\.(?:\s+|$)|\s[-–—]+\s")
_INNER = re.compile(r"[-.]+")
_FILE_SUFFIXES = ("files", "file")  # dockerfile, jenkinsfile
_ES_AFTER = ("x", "s", "z", "sh", "ch")  # regexes, but not "reacts" (the verb) or "excels"


def _keyboard() -> dict[str, frozenset[str]]:
    rows = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
    near: dict[str, set[str]] = {}

    def link(a: str, b: str) -> None:
        near.setdefault(a, set()).add(b)
        near.setdefault(b, set()).add(a)

    for r, row in enumerate(rows):
        for c, key in enumerate(row):
            if c + 1 < len(row):
                link(key, row[c + 1])
            if r + 1 < len(rows):  # each row sits half a key to the right of the one above
                below = rows[r + 1]
                for k in (c - 1, c):
                    if 0 <= k < len(below):
                        link(key, below[k])
    return {k: frozenset(v) for k, v in near.items()}


KEYBOARD_NEIGHBOURS = _keyboard()


# PyStemmer (a dependency) when installed: snowballstemmer then hands out its C build of the same Snowball algorithm
# (the same stems, an order of magnitude faster: start-up stems every knowledge term); its pure Python one otherwise.
_english = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem_word(word: str) -> str:
    return str(_english.stemWord(word)) if word.isalpha() and len(word) > 3 else word


@lru_cache(maxsize=4096)  # a topic's runs are stemmed by every reader: once each is enough
def stem_phrase(phrase: str) -> str:
    """Each word of a lower-case phrase stemmed, hyphens read as spaces: "P-values" -> "p valu"."""
    return " ".join(stem_word(w) for w in phrase.replace("-", " ").split())


RARE = 3.0
"""At or below this Zipf frequency a word is specific: it counts in full."""
COMMON = 4.6
"""At or above it a word counts at FLOOR: it can suggest a skill but not route on its own."""
FLOOR = 0.35


@lru_cache(maxsize=65536)
def specificity(word: str) -> float:
    """1.0 for a rare word, down to FLOOR for a common one; a multi-word phrase is 1.0."""
    if " " in word.strip():
        return 1.0
    zipf = zipf_frequency(word, "en", wordlist="small")  # the small list: half the memory, same for common words
    share = (COMMON - zipf) / (COMMON - RARE)
    return round(min(max(share, 0.0), 1.0) * (1 - FLOOR) + FLOOR, 3)


REAL_WORD = 3.0
"""A Zipf frequency (as `specificity` reads it) from which a word is an English word in its own right, not a typo."""


def plausible_typo(typed: str, target: str) -> bool:
    """Whether the word `typed` reads as a slip of the fingers for the skill name `target`.

    A bare edit-distance threshold turns English into skills ("shift" -> swift, "flash" -> flask, "rusty" -> rust,
    "state" -> stats), so a typo must look like one. With `shorter` the length of the shorter of the two words:
    - under 4 letters: never (almost everything is one edit from something);
    - 4 or 5: only two neighbouring letters swapped ("jaav", "recat");
    - 6 or 7: one edit: a swap ("pyhton"), a dropped letter, an extra letter (at the very end only when it repeats
      the last one: "pythonn", not "rusty"), or a key hit next to the right one ("pythin");
    - 8 or more: up to two edits of any kind ("postgress", "kuberentes", "statistcs").
    The first letter must match too: it is rarely the one mistyped, and that keeps "just" from becoming rust. And a
    word English uses often is what the person meant to write: "contractor" is not a slip for "contracts".
    """
    if typed == target or typed[:1] != target[:1] or zipf_frequency(typed, "en", wordlist="small") >= REAL_WORD:
        return False
    shorter = min(len(typed), len(target))
    edits = OSA.distance(typed, target, score_cutoff=3)
    if shorter < MIN_TYPO_LENGTH or edits > 2:
        return False
    if shorter >= 8:
        return True
    if edits != 1:
        return False
    if len(typed) == len(target):
        diff = [i for i in range(len(typed)) if typed[i] != target[i]]
        if len(diff) == 2:  # OSA counts a swap of neighbours as one edit
            return True
        return shorter >= 6 and target[diff[0]] in KEYBOARD_NEIGHBOURS.get(typed[diff[0]], frozenset())
    if shorter < 6:
        return False
    if len(typed) == len(target) + 1 and typed[:-1] == target:
        return typed[-1] == typed[-2]
    return True


def _plausible_phrase_typo(typed: list[str], target: list[str]) -> bool:
    """Word by word: "machine lerning" is a typo of "machine learning", "project manager" is not "product manager"."""
    if len(typed) != len(target):
        return False
    pairs = list(zip(typed, target, strict=True))
    wrong = sum(1 for a, b in pairs if a != b)
    if wrong == 0 or (len(pairs) > 1 and wrong == len(pairs)):
        return False  # a multi-word typo keeps a word intact, or two unrelated words could pass for a skill
    return all(a == b or plausible_typo(a, b) for a, b in pairs)


@dataclass(frozen=True)
class _Surface:
    skill: str
    own_name: bool  # the skill's name itself, not an alias or a spelling variant


@dataclass(frozen=True)
class _Index:
    """Everything a topic is looked up in, built once per vocabulary."""

    vocabulary: frozenset[str]
    surfaces: Mapping[str, _Surface]  # every way of writing a vocabulary skill (or a go-between) -> the skill
    keep_whole: frozenset[str]  # tokens not to split at . - / (node.js, ci/cd, scikit-learn)
    typo_buckets: Mapping[tuple[int, str, int], tuple[str, ...]]  # (words, first letter, length) -> surfaces
    related: Mapping[str, tuple[str, ...]]  # RELATED, its values kept to skills in the vocabulary
    longest: int  # words in the longest surface, at most MAX_WORDS


_ALIASES_OF: dict[str, tuple[str, ...]] = {}
for _alias, _canonical in ALIASES.items():
    _ALIASES_OF[_canonical] = (*_ALIASES_OF.get(_canonical, ()), _alias)
_STATIC_WHOLE = frozenset(
    word
    for phrase in (*ALIASES, *ALIASES.values(), *RELATED)
    for word in phrase.split(" ")
    if any(ch in word for ch in "./-")
)


@lru_cache(maxsize=16)
def _index(vocabulary: frozenset[str]) -> _Index:
    surfaces: dict[str, _Surface] = {}
    for skill in vocabulary:
        surfaces[" ".join(skill.lower().split())] = _Surface(skill, own_name=True)
    related = {k: tuple(r for r in v if r in vocabulary) for k, v in RELATED.items()}
    related = {k: v for k, v in related.items() if v}
    # Go-betweens: skills nobody has that lead to skills somebody has. Nobody knows pandas, but a pandas
    # question can still reach a Python mentor. They are recognised in topics, never returned.
    go_betweens = sorted(k for k in related if k not in vocabulary)
    for skill in (*sorted(vocabulary), *go_betweens):
        for form in (skill, *_ALIASES_OF.get(skill, ())):
            for variant in (form, compact(form), spaced(form)):
                surfaces.setdefault(variant, _Surface(skill, own_name=form == skill and variant == form))
    buckets: dict[tuple[int, str, int], list[str]] = {}
    for phrase in surfaces:
        if len(phrase) >= MIN_TYPO_LENGTH:
            buckets.setdefault((phrase.count(" ") + 1, phrase[0], len(phrase)), []).append(phrase)
    keep_whole = _STATIC_WHOLE | {w for phrase in surfaces for w in phrase.split(" ") if any(c in w for c in "./-:")}
    return _Index(
        vocabulary=vocabulary,
        surfaces=surfaces,
        keep_whole=frozenset(keep_whole),
        typo_buckets={k: tuple(sorted(v)) for k, v in buckets.items()},
        related=related,
        longest=min(MAX_WORDS, max((p.count(" ") + 1 for p in surfaces), default=1)),
    )


def _split(token: str, keep_whole: frozenset[str]) -> list[str]:
    """`react/typescript` -> react, typescript; `settings.py` -> settings, py; `node.js` and `ci/cd` stay whole."""
    if token in keep_whole or _NUMBER.fullmatch(token):
        return [token]
    if "/" in token:
        return [p for part in token.split("/") for p in _split(strip_edges(part), keep_whole) if p]
    if _INNER.search(token):
        return [p for p in (strip_edges(part) for part in _INNER.split(token)) if p]
    return [token]


def tokenise(topic: str, keep_whole: frozenset[str] = _STATIC_WHOLE) -> list[list[str]]:
    """The topic as clauses of lower-case words, keeping names like c++, c#, .net, node.js and ci/cd whole."""
    text = unicodedata.normalize("NFKC", unescape(topic)).lower().replace("_", " ").translate(_APOSTROPHES)
    clauses: list[list[str]] = []
    for clause in _CLAUSE_BREAK.split(text):
        words: list[str] = []
        for raw in clause.split():
            token = strip_edges(_CONTRACTED.sub("", strip_edges(raw).removesuffix("'s")).replace("'", ""))
            words.extend(_split(token, keep_whole) if token else ())
        if words:
            clauses.append(words)
    return clauses


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
_CONTRACTED = re.compile(r"(?<=[^\W_])(?:'(?:d|ll|re|ve|m))+$")
"""A contraction's endings ("we'd", "she'll", "you're", "she'll've"): dropped, not joined on, which would make other
words ("wed", "shell", "youre"): "brand keywords we'd get anyway" is not about a wedding, nor "she'll send it" about a
shell. Apostrophes written as other marks (’ ‘ ʼ) are read as one first (`_APOSTROPHES`)."""


@lru_cache(maxsize=4096)  # the knowledge file keeps its own terms' keys (Knowledge.key): this is for the rest
def term_key(text: str) -> str:
    """A knowledge term as topics are read: split into words the same way (node.js, package.json, won't, snake_case),
    then stemmed, so a term matches a topic that writes it the same way."""
    if _PLAIN.fullmatch(text):  # most terms: nothing for `tokenise` to split, strip or keep whole
        return " ".join(stem_word(w) for w in text.split(" "))
    return stem_phrase(" ".join(w for clause in tokenise(text) for w in clause))


_PLAIN = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


class LexicalMatcher:
    """Words, aliases, spelling variants, typos and related skills; no model, a fraction of a millisecond per topic."""

    def match(self, topic: str, vocabulary: Collection[str]) -> list[SkillMatch]:
        index = _index(vocabulary if isinstance(vocabulary, frozenset) else frozenset(vocabulary))
        clauses = tokenise(topic, index.keep_whole)
        content = sum(1 for words in clauses for w in words if w not in STOPWORDS)
        every_word = {w for words in clauses for w in words}
        best: dict[str, SkillMatch] = {}

        def offer(skill: str, score: float, reason: str) -> None:
            if skill not in best or best[skill].score < score:
                best[skill] = SkillMatch(skill, round(score, 3), reason)

        for words in clauses:
            used: set[int] = set()
            for n, i, phrase in _windows(words, index.longest, used):
                hit = self._exact(index, words, i, n, phrase, content, every_word)
                if hit is None and phrase not in index.surfaces:
                    hit = self._typo(index, words[i : i + n], phrase)
                if hit is not None:
                    offer(*hit)
                    used.update(range(i, i + n))
        for found in list(best.values()):
            for other in index.related.get(found.skill, ()):
                offer(other, found.score * RELATED_FACTOR, f"related to {found.skill}")
        mentored = [m for m in best.values() if m.skill in index.vocabulary]
        return sorted(mentored, key=lambda m: (-m.score, m.skill))

    @staticmethod
    def _exact(
        index: _Index, words: list[str], i: int, n: int, phrase: str, content: int, every_word: set[str]
    ) -> tuple[str, float, str] | None:
        if n == 1 and phrase in STOPWORDS:
            return None
        surface = index.surfaces.get(phrase)
        whole_topic = n >= content and sum(1 for w in words[i : i + n] if w not in STOPWORDS) == content
        if surface is None:
            if n == 1:
                form = _word_form(phrase, index.surfaces)
                if form is not None:
                    return form.skill, FORM, f"from '{phrase}'"
            return None
        if n == 1 and not whole_topic:
            if len(phrase) <= 2 and i > 0 and _NUMBER.fullmatch(words[i - 1]):
                return None  # a unit after a number: "3 pm", "5 ml"
            context = NEEDS_CONTEXT.get(phrase)
            if context is not None and not _in_context(context, words, i, every_word):
                return None
            other = OTHER_MEANING.get(phrase)
            if other is not None and _in_context(other, words, i, every_word):
                return None
        if surface.own_name:
            return surface.skill, EXACT, "exact" if whole_topic else "word in topic"
        return surface.skill, ALIAS, f"alias of {phrase}"

    @staticmethod
    def _typo(index: _Index, words: list[str], phrase: str) -> tuple[str, float, str] | None:
        if len(phrase) < MIN_TYPO_LENGTH or words[0] in STOPWORDS or any(ch.isdigit() for ch in phrase):
            return None
        if len(words) == 1 and phrase in NEEDS_CONTEXT:
            return None
        allowed = 2 if len(phrase) >= 8 else 1
        candidates = [
            surface
            for length in range(len(phrase) - allowed, len(phrase) + allowed + 1)
            for surface in index.typo_buckets.get((len(words), phrase[0], length), ())
        ]
        if not candidates:
            return None
        for candidate, edits, _ in process.extract(
            phrase, candidates, scorer=OSA.distance, score_cutoff=allowed, limit=8
        ):
            if _plausible_phrase_typo(words, candidate.split(" ")):
                score = TYPO_CEILING * (1 - edits / max(len(phrase), len(candidate)))
                return index.surfaces[candidate].skill, score, f"typo of '{phrase}'"
        return None


def _windows(words: list[str], longest: int, used: set[int]) -> Iterator[tuple[int, int, str]]:
    """(length, start, phrase) of each run of words not yet matched, longest first: "sql server" before "sql".

    A generator on purpose: `used` grows while it runs, so words inside a longer match are not offered again.
    """
    for n in range(min(longest, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            if used.isdisjoint(range(i, i + n)):
                yield n, i, " ".join(words[i : i + n])


def _word_form(word: str, surfaces: Mapping[str, _Surface]) -> _Surface | None:
    """The skill a plural or file name stands for: dockerfiles -> docker, regexes -> regex."""
    for suffix in _FILE_SUFFIXES:
        stem = word.removesuffix(suffix)
        if stem != word and len(stem) >= 3 and stem in surfaces:
            return surfaces[stem]
    stem = word.removesuffix("es")
    if stem != word and stem.endswith(_ES_AFTER) and len(stem) >= 3 and stem in surfaces:
        return surfaces[stem]
    return None


def _in_context(context: Context, words: list[str], i: int, every_word: set[str]) -> bool:
    return (
        (i > 0 and words[i - 1] in context.before)
        or (i + 1 < len(words) and words[i + 1] in context.after)
        or not context.anywhere.isdisjoint(every_word)
    )


def explain(matches: Sequence[SkillMatch], limit: int = 3) -> str:
    """One line a person can read to see why: "kubernetes 0.95 (alias of k8s), docker 0.57 (related to kubernetes)"."""
    if not matches:
        return "no skill matched"
    shown = ", ".join(f"{m.skill} {m.score:.2f} ({m.reason})" for m in matches[:limit])
    rest = len(matches) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown
