"""The knowledge terms of a set of skills, indexed to be found in a topic word for word (after stemming) and embedded
to be found by meaning. An index is built once per knowledge file, and once per workspace for its skills the file
lacks; `bot.domain.understanding` reads every topic against them. `term_hits` is the reading word for word; the
reading by meaning is one product of the topic's phrases with the index's `columns`."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from wordfreq import zipf_frequency

from bot.domain.embedding import Vectors
from bot.domain.knowledge import Knowledge
from bot.domain.matching import NEEDS_CONTEXT, OTHER_MEANING, STOPWORDS, Reading, specificity, stem_phrase
from bot.domain.phrases import is_content, written_only
from bot.domain.similarity import as_columns
from bot.domain.word_bags import WordBags, build_bags

TERM = 0.85
"""A knowledge term found in the topic, word for word: below the skill's own name, above any guess."""
PARTIAL = 0.4
"""A topic word found inside a longer knowledge term ("contrast" in "color contrast"), before its discounts."""
RUN = 0.5
"""A run of topic words found inside a longer knowledge term ("gradle sync" in "gradle sync failed")."""
ALL_WORDS = 0.5
"""Every word of a knowledge term found in the topic, in another order or apart ("partitions for a topic": topic
partitions; "rows are duplicated": duplicate rows)."""
NOT_A_WORD = 2.0
"""Below this Zipf frequency a one-word term is a name rather than an English word ("invision", "planful")."""

OFF_WORK = "(life outside work)"
"""The owner of the off-work terms in an index: not a skill, so no vocabulary holds it and no gap is named after it."""

_CODE = re.compile(r"(?=[^ ]*\d)(?=[^ ]*[a-z])[a-z0-9._-]+")
"""One token of letters and digits, such as an error code: "e0502", "ora-01555", "0x80070005"."""


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
class TermIndex:
    """Every term of the skills in one vocabulary, stemmed for exact hits and embedded for near ones."""

    by_stem: Mapping[str, tuple[tuple[str, str], ...]]  # stemmed term -> (skill, term as written)
    by_word: Mapping[str, tuple[tuple[str, str], ...]]  # stemmed word of a longer term -> (skill, the term)
    by_run: Mapping[str, tuple[tuple[str, str], ...]]  # stemmed run of 2+ words inside a longer term -> (skill, term)
    by_all_words: Mapping[str, tuple[_AllWords, ...]]  # a word -> the terms of two or more words with it
    owners: tuple[str, ...]  # term i is a term of skill owners[i]
    texts: tuple[str, ...]
    columns: Vectors  # the embeddings of the terms not shared, as `as_columns` lays them out: reading is one product
    # Term i is column shared[i] of the knowledge file's terms (a held skill the file lacks borrows its entries'
    # terms: read once, not twice), or -1 and the next column of `columns`.
    shared: npt.NDArray[np.intp]
    own_columns: npt.NDArray[np.intp]  # term i's column in `columns` when it is not shared


class TermTables(NamedTuple):
    """The word-for-word part of an index, and which of its texts are embedded: what its texts and the rules here
    decide, kept between starts (`bot.domain.index_store`) for the knowledge file's own indexes."""

    by_stem: Mapping[str, tuple[tuple[str, str], ...]]
    by_word: Mapping[str, tuple[tuple[str, str], ...]]
    by_run: Mapping[str, tuple[tuple[str, str], ...]]
    by_all_words: Mapping[str, tuple[_AllWords, ...]]
    owners: tuple[str, ...]
    texts: tuple[str, ...]
    shared: tuple[int, ...]  # as TermIndex.shared
    silent: tuple[int, ...]  # the embedded texts (those not shared), by position, that take no part in reading by it


def build_index(
    owned: Sequence[tuple[str, str, Sequence[str]]],
    known: Knowledge,
    embed: Callable[[Sequence[str]], Vectors],
    reuse: TermIndex | None = None,
) -> TermIndex:
    """An index of (owner, a text not to find word for word, texts) rows, its texts keyed as `known` keys them and
    embedded by `embed`, but for those `reuse` already holds (they are read off its columns)."""
    return index_from(build_tables(owned, known, reuse), embed)


def build_tables(
    owned: Sequence[tuple[str, str, Sequence[str]]], known: Knowledge, reuse: TermIndex | None = None
) -> TermTables:
    """`build_index`'s tables, before anything is embedded."""
    by_stem: dict[str, list[tuple[str, str]]] = {}
    by_word: dict[str, dict[str, str]] = {}
    by_run: dict[str, dict[str, str]] = {}
    by_all_words: dict[str, list[_AllWords]] = {}
    owners: list[str] = []
    texts: list[str] = []
    known_columns = {} if reuse is None else {t: i for i, t in reversed(list(enumerate(reuse.texts)))}
    shared: list[int] = []
    for skill, own_name, owned_texts in owned:
        own_key = known.key(own_name) if own_name else ""
        for text in owned_texts:
            stem = known.key(text) if text != own_name and not _ambiguous(text) else ""
            if stem and written_only(text):
                stem = stem_phrase(text)  # one word, as the topic's names written as code are looked up
            if stem and stem == own_key:
                stem = ""  # "terraformer" would find "terraforming", which the name's own rules keep apart
            if stem and (skill, text) not in by_stem.get(stem, []):
                by_stem.setdefault(stem, []).append((skill, text))
            # One string per word across all terms: the indexes below hold each word many times.
            parts = [sys.intern(w) for w in stem.split()]
            need = tuple(sorted({w for w in parts if is_content(w) and len(w) > 1}))
            if len(need) >= 2:  # filed under its longest word: any word would do, as all must be there
                by_all_words.setdefault(max(need, key=len), []).append(_AllWords(need, skill, text, stem))
            for n in range(2, len(parts)):
                for i in range(len(parts) - n + 1):
                    run = parts[i : i + n]
                    if is_content(run[0]) and is_content(run[-1]):
                        by_run.setdefault(" ".join(run), {}).setdefault(skill, text)
            if len(parts) > 1:
                for word in parts:
                    if is_content(word) and len(word) > 2:
                        by_word.setdefault(word, {}).setdefault(skill, text)
            owners.append(skill)
            texts.append(text)
            shared.append(known_columns.get(text, -1))
    own = [text for text, column in zip(texts, shared, strict=True) if column < 0]
    return TermTables(
        {k: tuple(v) for k, v in by_stem.items()},
        {k: tuple(v.items()) for k, v in by_word.items()},
        {k: tuple(v.items()) for k, v in by_run.items()},
        {k: _counted(v) for k, v in by_all_words.items()},
        tuple(owners),
        tuple(texts),
        tuple(shared),
        # A code ("e0502", "ora-01555") is found as written or not at all: its embedding is made of word pieces, near
        # any other code ("e05" on a coffee machine), so it takes no part in reading by embedding.
        # So is a name written as code made of English words: its embedding is the English words' ("depends on").
        tuple(i for i, text in enumerate(own) if _CODE.fullmatch(text) or written_only(text)),
    )


def index_from(tables: TermTables, embed: Callable[[Sequence[str]], Vectors]) -> TermIndex:
    """The index of `tables`, its texts not shared embedded by `embed`."""
    shared = np.array(tables.shared, dtype=np.intp)
    vectors = embed([text for text, column in zip(tables.texts, tables.shared, strict=True) if column < 0])
    vectors[list(tables.silent)] = 0.0
    return TermIndex(
        tables.by_stem,
        tables.by_word,
        tables.by_run,
        tables.by_all_words,
        tables.owners,
        tables.texts,
        as_columns(vectors),
        shared,
        np.cumsum(shared < 0) - 1,
    )


class KnowledgeTables(NamedTuple):
    """The knowledge file and the tables of its own indexes: every skill's terms, and the terms of life outside work."""

    knowledge: Knowledge
    known: TermTables
    off_work: TermTables
    bags: WordBags  # every skill's names and terms as one bag of words


def knowledge_tables(known: Knowledge) -> KnowledgeTables:
    """The tables of every skill of `known` and of its terms of life outside work."""
    off_work = build_tables([(OFF_WORK, "", known.off_work)], known)
    rows = skill_rows(known, sorted(known))
    bags = build_bags([(skill, texts) for skill, _, texts in rows], known.key)
    return KnowledgeTables(known, build_tables(rows, known), off_work, bags)


def skill_rows(known: Knowledge, skills: Sequence[str]) -> list[tuple[str, str, tuple[str, ...]]]:
    """The index rows of `skills`: the names and terms of each one's entry (`Knowledge.entry_for`). The skill's own
    name is not to be found word for word: it is the lexical matcher's to find (it knows when "go" is not the
    language)."""
    entries = [(skill, known.entry_for(skill)) for skill in skills]
    return [(skill, entry.skill, (*entry.names, *entry.terms)) for skill, entry in entries]


def tables_state(tables: TermTables) -> tuple[Any, ...]:
    """`tables` as plain values (`bot.domain.index_store` keeps them)."""
    all_words = {word: tuple(tuple(term) for term in terms) for word, terms in tables.by_all_words.items()}
    return (*tables[:3], all_words, *tables[4:])


def tables_from_state(state: Sequence[Any]) -> TermTables:
    """The tables `tables_state` gave."""
    by_stem, by_word, by_run, all_words, *rest = state
    by_all_words = {word: tuple(_AllWords(*term) for term in terms) for word, terms in all_words.items()}
    return TermTables(by_stem, by_word, by_run, by_all_words, *rest)


def term_hits(terms: TermIndex, grams: Sequence[str], known: Knowledge) -> list[Reading]:
    """Knowledge terms found word for word (after stemming) among the topic's `term_windows`, each counting by how
    specific its words are; a one-word term only as itself, inflected (`_same_word`)."""
    stems = [stem_phrase(gram) for gram in grams]  # each window's stem, read by all three lookups below
    found: dict[tuple[str, str], Reading] = {}
    for gram, stem in zip(grams, stems, strict=True):
        if not (owners := terms.by_stem.get(stem, ())):
            continue
        # A term several skills share points to each of them less surely ("generics": java, rust, swift...).
        shared = 1 / math.sqrt(len({skill for skill, _ in owners}))
        score = round(TERM * specificity(gram) * shared, 3)  # the same for every owner: computed once
        one_word = " " not in gram
        for skill, term in owners:
            if one_word and not _same_word(gram, term):
                continue
            if (had := found.get((skill, gram))) is None or had[1] < score:
                found[skill, gram] = (skill, score, f"mentions {term}")
    found.update(_run_hits(terms, grams, stems))
    found.update(_all_words_hits(terms, grams, stems))
    # How common a word is in English is read off the word as written: a stem ("alway", "famili") is no word.
    for word, written in {stem: w for w, stem in zip(grams, stems, strict=True) if " " not in w}.items():
        if not (owners := terms.by_word.get(word, ())):
            continue
        # A word inside longer terms ("contrast" in "color contrast") hints at their skills, the less the more
        # skills use it and the more common it is in English.
        shared = 1 / math.sqrt(known.skills_using(word) or len(owners))
        score = round(PARTIAL * specificity(written) * shared, 3)
        for skill, term in owners:
            if (had := found.get(key := (skill, word))) is None or had[1] < score:
                found[key] = (skill, score, f"like {term}")
    return list(found.values())


def _run_hits(terms: TermIndex, grams: Sequence[str], stems: Sequence[str]) -> dict[tuple[str, str], Reading]:
    """Runs of topic words found inside longer terms ("gradle sync" in "gradle sync failed"), counting by how specific
    their words are and how many skills' terms hold the run (`stems`: the `grams` stemmed)."""
    found: dict[tuple[str, str], Reading] = {}
    for gram, stem in zip(grams, stems, strict=True):
        key = stem if " " in gram else ""
        if not key or key in terms.by_stem or key not in terms.by_run:
            continue
        owners = terms.by_run[key]
        shared = 1 / math.sqrt(len(owners))
        words = [w for w in gram.split() if is_content(w)]
        score = round(RUN * sum(map(specificity, words)) / (len(words) or 1) * shared, 3)
        for skill, term in owners:
            if (skill, key) not in found or found[skill, key][1] < score:
                found[skill, key] = (skill, score, f"like {term}")
    return found


def _all_words_hits(terms: TermIndex, grams: Sequence[str], stems: Sequence[str]) -> dict[tuple[str, str], Reading]:
    """Terms of two or more words all found in the topic, but not as written: in another order, apart or inflected
    ("partitions for a topic" holds "topic partitions"), counting by how specific their words are (`stems`: the
    `grams` stemmed)."""
    found: dict[tuple[str, str], Reading] = {}
    written = set(stems)
    # How common a word is in English is read off the word as the topic writes it: a stem ("partit") is no word.
    words = {stem: g for g, stem in zip(grams, stems, strict=True) if " " not in g and is_content(g)}
    present = set(words)
    for word in words:
        for term in terms.by_all_words.get(word, ()):
            if term.key in written or not present.issuperset(term.words):
                continue
            common = sum(specificity(words[w]) for w in term.words) / len(term.words)
            score = round(ALL_WORDS * common / math.sqrt(term.holders), 3)
            found.setdefault((term.skill, f"all of {term.term}"), (term.skill, score, f"like {term.term}"))
    return found


_INFLECTIONS = (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
"""Endings that inflect a word. Not "-er": it derives one of another meaning ("container", "scaffolder", "trainer")."""


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
    """Whether a topic word that stems like a one-word term is that term, inflected ("deployments", "overfitting" for
    overfit). Not a word derived from it: stemming joins words of other meanings ("relatively" and "relativity",
    "deposit" and "deposition", "ironic" and "ironing"). A name that is no English word meets a word that is none
    either, as it is spelt in the topic; never an English word it shares a stem with ("invisible" for "invision",
    "planning" for "planful", "sequel" for "sequelize")."""
    if written == term or _base(_base(written)) == _base(_base(term)):  # twice: "weddings" is "wedding" inflected
        return True
    return all(zipf_frequency(word, "en", wordlist="small") < NOT_A_WORD for word in (term, written))


def _ambiguous(term: str) -> bool:
    """A one-word term too short or too common to count on its own (it still counts inside a longer phrase)."""
    return " " not in term and (len(term) <= 2 or term in STOPWORDS or term in NEEDS_CONTEXT or term in OTHER_MEANING)
