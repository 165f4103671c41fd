"""Reading a request as a whole: which skills (and which mentors) it needs, and how sure Burst can be.

Four readers, combined into one ranked answer with a confidence (`bot.domain.readings`):
- the lexical matcher (`bot.domain.matching`): skill names, aliases, typos and related skills, precise and explainable;
- the skill knowledge (`bot.domain.knowledge`, from `skill_knowledge.yaml`): the terms people use when they need a skill
  ("vlookup" -> excel, "goroutine leak" -> go), matched word for word after stemming ("overfits" meets "overfitting");
- sentence embeddings (`bot.domain.embedding`): the topic's phrases against each skill's terms and against what mentors
  wrote they help with or have helped with (`bot.domain.evidence`), for requests that share no word with any of them;
- each skill's terms as one bag of words (`bot.domain.word_bags`): the topic's words weighed together (BM25), which
  decides between skills a few words each point to; a support, read with the terms, never enough to route alone.

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

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache, cached_property, lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from wordfreq import zipf_frequency

from bot.domain.embedding import Embedder, Vectors, shared_embedder
from bot.domain.evidence import EvidenceIndex, MentorMatch
from bot.domain.human_languages import language_asked
from bot.domain.index_store import IndexStore
from bot.domain.knowledge import Knowledge, knowledge
from bot.domain.matching import LexicalMatcher, Reading, SkillMatch, stem_word
from bot.domain.phrases import content_words, phrases, readable, role_phrases, term_windows, topic_clauses
from bot.domain.readings import Rest, best_reading, combine, rank
from bot.domain.similarity import SEMANTIC_CEILING, Nearness
from bot.domain.skills import compact, normalise_skill
from bot.domain.term_index import (
    OFF_WORK,
    KnowledgeTables,
    TermIndex,
    build_index,
    index_from,
    knowledge_tables,
    skill_rows,
    term_hits,
)
from bot.domain.vector_store import VectorStore
from bot.domain.word_bags import WordBags, build_bags, read_bags

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
RELATED = 0.75
"""A held skill named related to the skill a topic is about gets this share of that skill's confidence."""
ELSEWHERE = 0.3
"""A topic read this much more surely as a skill nobody holds than as any held one is about that other skill."""
ROUTE_AT = 0.5
"""The confidence from which Burst pings people without asking the requester first."""
CLARIFY_AT = 0.35
"""Below ROUTE_AT but from here, Burst asks "did you mean ...?"; below it the topic is a gap nobody covers."""
KEEP_RATIO = 0.85
"""Skills routed on score at least this share of the best one: a clear reading is not diluted by weak ones."""
HIRING = "hiring"
"""The knowledge file's skill of hiring people (recruiting, interviewing): a topic about hiring someone of a role
("zero applicants for our senior android devs role") is about it, not about the skill the role is named after."""
HIRING_CUE = 0.4
"""How surely a topic must read as hiring without its role nouns and their kinds for a role in it to be one hired."""
HIRING_A_ROLE = 0.85
"""What hiring counts for at least in a topic about hiring someone of a role: a term of it found as written."""
SECOND = 0.8
"""The share of hiring's confidence a skill named only in the hired role keeps: below KEEP_RATIO, a second reading."""
TRANSLATION, LOCALISATION = "translation", "internationalization"
LANGUAGE_ASKED = 1.0
"""A topic asking for a human language reads as translation, and as a held skill named after the language, this
surely: the language is what the asker needs (`Understander._asking_for_a_language`)."""
BEHIND = 0.001
"""How far below a held skill whose entry's terms it borrows a held part of it ranks, read as surely: just behind."""
MAX_SKILLS = 5
NEAREST = 64
"""The closest terms looked at per topic: enough to reach every skill within reach of a confidence."""
MAX_SUGGESTIONS = 3


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


class Understander:
    """Combines the readers above; one instance serves every request (its caches are per vocabulary)."""

    def __init__(
        self,
        embedder: Embedder | None,
        known: Knowledge | None = None,
        lexical: LexicalMatcher | None = None,
        store: VectorStore | None = None,
        tables: KnowledgeTables | None = None,
    ) -> None:
        self.embedder = embedder
        self.store = store  # where the knowledge terms' vectors are kept between starts (None: embedded every start)
        # The knowledge file and the tables of its own indexes, as `knowledge_tables` builds them (None: built here).
        self._tables = tables
        self.known = tables.knowledge if tables is not None else knowledge() if known is None else known
        self.lexical = lexical or LexicalMatcher()
        # One index of every knowledge term, built once; a vocabulary adds only its skills the file lacks.
        self._known_terms: TermIndex | None = None
        self._off_terms: TermIndex | None = None
        self._extra_terms = lru_cache(maxsize=4)(self._build_extra_terms)
        self._helpers = lru_cache(maxsize=4)(self._build_helpers)
        self._parts_of = lru_cache(maxsize=4)(self._build_parts)
        self._one_word_names = lru_cache(maxsize=4)(self._build_one_word_names)
        self._extra_bags = lru_cache(maxsize=4)(self._build_extra_bags)
        self._extra_rows = lru_cache(maxsize=4)(self._build_extra_rows)
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
        clauses = topic_clauses(topic)
        grams, windows = phrases(clauses), term_windows(clauses, topic)
        vectors = self._embed_topic(grams)
        nearness = Nearness(grams, vectors)
        known, extra = self._known(), self._extra_terms(vocab)
        known_hits = term_hits(known, windows, self.known)
        terms, named = self._names_among_terms([*known_hits, *term_hits(extra, windows, self.known)], windows, vocab)
        hits = [*terms, *read_bags(words, *self._bags(vocab))]
        near = self._near_terms(known, nearness, extra, named=True)
        matched = [*(_reading(m) for m in self.lexical.match(readable(topic), vocab)), *named]
        lexical, rest = self._names_as_words(matched, nearness, windows, extra)
        read = _heard_in_words(combine(lexical, hits, near), lexical, hits)
        if rest is not None and rest.life >= LIFE_AROUND and rest.life > rest.best_work:
            # The rest of the topic reads as life outside work: the name is the word, and no skill the word alone
            # reaches ("churn model") counts for more than a guess.
            guessed = (_guess(r) if self._backing(rest, r[0]) < BACKING else r for r in read)
            read = sorted(guessed, key=rank)
        read = self._asking_for_a_language(read, words, vocab)
        read = self._hiring_a_role(read, clauses, nearness, windows, extra)
        ranked = self._held(read, vocab)
        ranked = self._generalists_first(ranked, vocab)
        if read and ranked and self._about_another(read[0], ranked[0], vocab):
            ranked = [_guess(r) for r in ranked]
        mentors = evidence.match(grams, vectors) if evidence is not None else []
        # Read as life outside work more surely than as any work by its words, a topic's skill names mean something
        # else ("my ball python won't eat", "spark plugs for the lawnmower"): no skill is read, and what is left
        # unmet is not a skill gap named after the word. A mentor who wrote they help with it is still asked, when
        # what they wrote is life too ("ball pythons, geckos"): a work phrase of theirs found in such a topic ("AML"
        # in an about line on compliance, in "my aunt was diagnosed with AML") is the same word in another sense.
        off_work = self._reads_as_life(nearness, windows, best_reading(hits, near))
        if off_work:
            ranked = []
            mentors = [m for m in mentors if self._life(m.phrase)]
        best = max([r[1] for r in ranked[:1]] + [m.score for m in mentors[:1]] + [0.0])
        if best >= ROUTE_AT:
            keep = max(ROUTE_AT, best * KEEP_RATIO)
            return Understanding(
                Verdict.ROUTE,
                [SkillMatch(*r) for r in [r for r in ranked if r[1] >= keep][:MAX_SKILLS]],
                [m for m in mentors if m.score >= keep],
            )
        if best >= CLARIFY_AT and ranked:
            offered = [r for r in ranked if r[1] >= CLARIFY_AT][:MAX_SUGGESTIONS]
            return Understanding(Verdict.CLARIFY, [SkillMatch(*r) for r in offered])
        if off_work:
            return Understanding(Verdict.UNKNOWN)
        # The gap is named among the knowledge file's skills: the readings above, less held skills the file lacks.
        return Understanding(Verdict.UNKNOWN, gap=self._gap(topic, known_hits, [r for r in near if r[0] in self.known]))

    def _names_among_terms(
        self, hits: list[Reading], windows: Sequence[str], vocabulary: frozenset[str]
    ) -> tuple[list[Reading], list[Reading]]:
        """The term hits, less those where a held skill's term is a one-word name of the entry it answers to, which
        are read as names, by the word as the topic wrote it: a mentor who registered "onboarding new hires" answers
        to "onboarding", and one who registered "docker" to "containers", words like any name ("onboarded a rescue
        kitten", "tomatoes in containers on the balcony"); `_names_as_words` reads the topic around them as it does
        the names the lexical matcher finds."""
        names = self._one_word_names(vocabulary)
        if not names:
            return hits, []
        written = {self.known.key(w): w for w in windows if " " not in w}
        terms: list[Reading] = []
        named: list[Reading] = []
        for skill, score, reason in hits:
            word = reason.removeprefix("mentions ")
            if word in names.get(skill, ()) and (as_written := written.get(self.known.key(word))) is not None:
                named.append((skill, score, f"alias of {as_written}"))
            else:
                terms.append((skill, score, reason))
        return terms, named

    def _build_one_word_names(self, vocabulary: frozenset[str]) -> dict[str, frozenset[str]]:
        """Held skill -> the one-word names (of letters) of the entry it answers to, but its own."""
        found = {
            skill: frozenset(n for n in self.known.entry_for(skill).names if n.isalpha() and n != skill)
            for skill in vocabulary
        }
        return {skill: names for skill, names in found.items() if names}

    def _about_another(self, best: Reading, held: Reading, vocabulary: frozenset[str]) -> bool:
        """Whether a topic reads far more surely as a skill nobody holds, and one unrelated to its best held reading:
        then the held reading comes from a few words the two skills share ("P1 ticket about to breach the SLA" is
        customer support, and reads as contracts only by "sla"), a guess to ask about rather than route on."""
        (best_skill, best_score, _), (held_skill, held_score, _) = best, held
        if best_skill in vocabulary or best_score - held_score < ELSEWHERE:
            return False
        return held_skill not in self.known.related(best_skill) and best_skill not in self.known.related(held_skill)

    def _asking_for_a_language(
        self, read: list[Reading], words: Sequence[str], vocabulary: frozenset[str]
    ) -> list[Reading]:
        """`read`, where a topic asking for a human language (`language_asked`: "anyone speak Japanese?") reads as
        translation, and as the language itself where a mentor holds it ("Japanese", "business Japanese"); every
        other skill is only a guess (to ask about, not to route on), however surely the topic names it: whoever
        knows "onboarding" but not Japanese cannot translate the onboarding emails into Japanese. Localisation stays
        as read: making software ready for a language is its work."""
        language = language_asked(words)
        if language is None:
            return read
        asked = f"asks for {language.capitalize()}"
        spoken = {skill for skill in vocabulary if language in skill.split()}
        scores: dict[str, Reading] = {}
        for skill in (TRANSLATION, *sorted(spoken)):
            if skill in self.known or skill in vocabulary:
                _offer(scores, (skill, LANGUAGE_ASKED, asked))
        for reading in read:
            skill = reading[0]
            _offer(scores, reading if skill in scores or skill == LOCALISATION else _guess(reading))
        return sorted(scores.values(), key=rank)

    def _hiring_a_role(
        self,
        read: list[Reading],
        clauses: Sequence[Sequence[str]],
        nearness: Nearness,
        windows: Sequence[str],
        extra: TermIndex,
    ) -> list[Reading]:
        """`read`, where a topic about hiring someone of a role reads as hiring before the skill the role is named
        after: "we need to hire a unity dev" needs a recruiter, not a Unity mentor. The topic is about hiring when
        it reads as hiring without its roles and their kinds ("senior android devs"); then a skill it reads less
        surely without them than as hiring is only a second reading."""
        if HIRING not in self.known:
            return read
        roles = role_phrases(clauses, self._hiring_word)
        if not roles:
            return read
        # A role hired already ("the dev we hired", "recruited") is a colleague now, not a hire to make.
        hired = any(role.hired_by is not None and not role.hired_by.endswith("ed") for role in roles)
        had = next((r for r in read if r[0] == HIRING), None)
        if not hired and had is None:
            return read  # the whole topic does not read as hiring at all: no need to read it again without the roles
        rest = self._without_words({w for role in roles for w in role.words}, nearness, windows, extra)
        if not hired and rest.confidence(HIRING) < HIRING_CUE:
            return read
        hiring = max(HIRING_A_ROLE, had[1] if had is not None else 0.0)
        second = round(hiring * SECOND, 3)
        kept: list[Reading] = [(HIRING, hiring, had[2] if had is not None else "hiring " + " ".join(roles[0].words))]
        for skill, score, reason in read:
            if skill == HIRING:
                continue
            # A skill the rest of the topic reads as surely as hiring is asked about in its own right.
            if score > second and rest.confidence(skill) < hiring:
                score = second
            kept.append((skill, score, reason))
        return sorted(kept, key=rank)

    @cached_property
    def _hiring_words(self) -> frozenset[str]:
        """The stems of hiring's one-word names and of "hire": words that say a role is hired, not which role."""
        names = self.known.entries[HIRING].names if HIRING in self.known else ()
        return frozenset(stem_word(n) for n in (*names, "hire") if " " not in n)

    def _hiring_word(self, word: str) -> bool:
        return stem_word(word) in self._hiring_words

    def _reads_phrase_as_life(self, phrase: str) -> bool:
        """Whether a phrase (of a mentor's evidence) reads as life outside work more surely than as any work."""
        clauses = topic_clauses(phrase)
        grams, windows = phrases(clauses), term_windows(clauses, phrase)
        nearness = Nearness(grams, self._embed_topic(grams))
        known = self._known()
        work = best_reading(term_hits(known, windows, self.known), self._near_terms(known, nearness))
        return self._reads_as_life(nearness, windows, work)

    def _reads_as_life(self, nearness: Nearness, windows: Sequence[str], work: float) -> bool:
        """Whether a text reads as life outside work more surely than as `work`, its best reading by terms."""
        return self._off_work(nearness, windows) > work

    def _names_as_words(
        self,
        lexical: list[Reading],
        nearness: Nearness,
        windows: Sequence[str],
        extra: TermIndex,
    ) -> tuple[list[Reading], Rest | None]:
        """The lexical matches, where a name that is also a common English word ("java", "churn", "cypress") is a guess
        at its skill unless other words of the topic point to the skill: alone, it may be the word ("a good java
        roaster near the office, our beans are stale", "butter with an old wooden churn"). With the topic read
        without those names, when any are found; else without the names written as one word that are no common word,
        which have other senses too ("a wine maven", "selenium supplements"): the caller reads that rest for life
        outside work, and only then is such a name a guess."""
        written = {word for r in lexical if r[1] > NAME_ALONE and (word := _one_word_name(r)) is not None}
        names = {word for word in written if _common_word(word)}
        if not written:
            return lexical, None
        rest = self._without_words(names or written, nearness, windows, extra)
        unbacked = {r[0] for r in lexical if _one_word_name(r) in names and self._backing(rest, r[0]) < BACKING}
        guessed = [
            _guess(r) if r[0] in unbacked or r[2].removeprefix("related to ") in unbacked else r for r in lexical
        ]
        return guessed, rest

    def _without_words(self, words: set[str], nearness: Nearness, windows: Sequence[str], extra: TermIndex) -> Rest:
        """The topic read without `words` (the names that are also English words), as work and as life outside it."""
        rest = nearness.without(words)
        rest_windows = [w for w in windows if words.isdisjoint(w.split())]
        known = self._known()

        def work() -> Iterable[Reading]:
            hits = [*term_hits(known, rest_windows, self.known), *term_hits(extra, rest_windows, self.known)]
            return [*hits, *self._near_terms(known, rest, extra)]

        return Rest(self._off_work(rest, rest_windows), work)

    def _backing(self, rest: Rest, skill: str) -> float:
        """How surely the rest of the topic points to `skill` or a skill related to it."""
        return max(rest.confidence(s) for s in (skill, *self.known.related(skill)))

    def gap(self, topic: str) -> str | None:
        """The skill a topic is about among every skill Burst knows of, held or not: how a skill gap is named."""
        clauses = topic_clauses(topic)
        grams = phrases(clauses)
        if not grams:
            return None
        terms = self._known()
        hits = term_hits(terms, term_windows(clauses, topic), self.known)
        return self._gap(topic, hits, self._near_terms(terms, Nearness(grams, self._embed_topic(grams))))

    def _gap(self, topic: str, hits: Sequence[Reading], near: Sequence[Reading]) -> str | None:
        """The best reading among every skill of the knowledge file, from its terms' `hits` and `near` readings and its
        skills' bags of words (which decide between the many skills a few words each point to, as in routing)."""
        lexical = [_reading(m) for m in self.lexical.match(readable(topic), self._known_skills)]
        bags = read_bags(content_words(topic), self._own_tables().bags)
        read = combine(lexical, [*hits, *bags], near)
        return read[0][0] if read and read[0][1] >= CLARIFY_AT else None

    def _held(self, read: Sequence[Reading], vocabulary: frozenset[str]) -> list[Reading]:
        """The readings of held skills, and those a skill nobody holds passes on to related held ones."""
        helpers = self._helpers(vocabulary)
        held: dict[str, Reading] = {}
        for reading in read:
            skill, score, reason = reading
            if skill in vocabulary:
                _offer(held, reading)
            if passed_to := helpers.get(skill):
                passed, why = round(score * RELATED, 3), f"{reason} ({skill})"  # the same for every helper
                for helper in passed_to:
                    _offer(held, (helper, passed, why))
        return sorted(held.values(), key=rank)

    def _generalists_first(self, ranked: list[Reading], vocabulary: frozenset[str]) -> list[Reading]:
        """`ranked`, where a held skill that is a part of an entry held in its own right ("fmla" of employment law,
        "fastlane" of ios) and reads exactly as surely as that entry's skill ranks just after it: it was read by the
        terms it borrows from that entry, and a question that does not name the part is the generalist's first. The
        part never drops under a line it was on (routing, keeping, offering) for it."""
        parts = self._parts_of(vocabulary)
        if not parts or not ranked:
            return ranked
        scores = {skill: score for skill, score, _ in ranked}
        lines = (ROUTE_AT, CLARIFY_AT, ranked[0][1] * KEEP_RATIO)

        def behind(skill: str, score: float) -> float:
            if not any(scores.get(whole) == score for whole in parts.get(skill, ())):
                return score
            lower = round(score - BEHIND, 3)
            return score if any(lower < line <= score for line in lines) else lower

        return sorted(((skill, behind(skill, score), reason) for skill, score, reason in ranked), key=rank)

    def _build_parts(self, vocabulary: frozenset[str]) -> dict[str, tuple[str, ...]]:
        """Held skill that borrows the terms of entries (`Knowledge.borrowed_from`) -> the held skills of those
        entries."""
        holders: dict[str, list[str]] = {}
        for skill in sorted(vocabulary):
            if (entry := self.known.entry_named(skill)) is not None:
                holders.setdefault(entry, []).append(skill)
        parts: dict[str, tuple[str, ...]] = {}
        for skill in sorted(vocabulary):
            if wholes := tuple(h for entry in self.known.borrowed_from(skill) for h in holders.get(entry, ())):
                parts[skill] = wholes
        return parts

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

    def _near_terms(
        self, terms: TermIndex, nearness: Nearness, extra: TermIndex | None = None, named: bool = False
    ) -> list[Reading]:
        """Each skill's closest term to any phrase of the topic, by embedding, as a confidence: the skills of `terms`
        (the knowledge file's) and of `extra` (held skills the file lacks, whose shared terms are read off `terms`).
        With `named`, each reading's reason names the phrase and the term: readings only weighed (of the topic
        without some words, of a gap, as work against life outside it) need none."""
        if nearness.vectors is None:
            return []

        def names(index: TermIndex, picked: list[int]) -> list[str]:
            """Why each term of `picked` (of `index`) is near: the phrase nearest it, read off its column of the
            products (of the knowledge file's terms when the term is shared with them)."""
            shared = index.shared[picked]
            nearest: list[str] = [""] * len(picked)
            for columns, at, column_of in (
                (terms.columns, np.flatnonzero(shared >= 0), shared),
                (index.columns, np.flatnonzero(shared < 0), index.own_columns[picked]),
            ):
                if len(at):
                    phrases = nearness.nearest_phrases(columns, column_of[at].tolist())
                    for place, phrase in zip(at.tolist(), phrases, strict=True):
                        nearest[place] = phrase
            return [f"'{phrase}' is like {index.texts[i]}" for phrase, i in zip(nearest, picked, strict=True)]

        best_known = nearness.best(terms.columns)
        found = self._nearest(terms, best_known, names if named else None)
        if extra is not None and len(extra.owners):
            best = np.empty(len(extra.owners), dtype=np.float32)
            mine = extra.shared < 0
            best[mine] = nearness.best(extra.columns) if extra.columns.shape[1] else 0.0
            best[~mine] = best_known[extra.shared[~mine]]
            found += self._nearest(extra, best, names if named else None)
        return found

    @staticmethod
    def _nearest(
        terms: TermIndex,
        best_term: npt.NDArray[np.float32],
        names: Callable[[TermIndex, list[int]], list[str]] | None,
    ) -> list[Reading]:
        """Each skill's best term among the NEAREST best of `best_term` (one confidence per term of `terms`), their
        reasons given by `names` (none without)."""
        if len(best_term) > NEAREST:
            top = np.argpartition(-best_term, NEAREST - 1)[:NEAREST]
        else:
            top = np.arange(len(best_term))
        order = top[np.argsort(-best_term[top], kind="stable")]
        found: dict[str, tuple[float, int]] = {}
        for i, best in zip(order.tolist(), best_term[order].tolist(), strict=True):
            skill = terms.owners[i]
            if skill in found:
                continue  # a nearer term of the skill came first
            score = round(best * SEMANTIC_CEILING, 3)
            if score <= 0:
                break  # best first: no term after this one scores more
            found[skill] = score, i
        why = names(terms, [i for _, i in found.values()]) if names is not None and found else [""] * len(found)
        return [(skill, score, reason) for (skill, (score, _)), reason in zip(found.items(), why, strict=True)]

    def _off_work(self, nearness: Nearness, windows: Sequence[str]) -> float:
        """How surely the topic is about life outside work, on the scale of a skill's reading by its terms."""
        if self._off_terms is None:
            index = index_from(self._own_tables().off_work, self._kept_vectors)
            # A skill's name inside an off-work term ("spark" in "spark plugs") says nothing on its own about which
            # sense a topic means: the rest of the term has to be there.
            names = {self.known.key(n) for e in self.known.entries.values() for n in e.names}
            by_word = {word: found for word, found in index.by_word.items() if word not in names}
            self._off_terms = replace(index, by_word=by_word)
        if not self._off_terms.owners:
            return 0.0
        near: list[Reading] = []
        if nearness.vectors is not None:
            # One owner: its nearest term is the best of the whole matrix.
            best = round(float(nearness.best(self._off_terms.columns).max()) * SEMANTIC_CEILING, 3)
            near = [(OFF_WORK, best, "")] if best > 0 else []
        return best_reading(term_hits(self._off_terms, windows, self.known), near)

    def _known(self) -> TermIndex:
        """Every skill of the knowledge file with its terms: read for every topic, whichever skills are held."""
        if self._known_terms is None:
            self._known_terms = index_from(self._own_tables().known, self._kept_vectors)
        return self._known_terms

    def _build_extra_terms(self, vocabulary: frozenset[str]) -> TermIndex:
        """Held skills the knowledge file has no entry for (known by their own name, another entry's name or
        terms they borrow: `Knowledge.entry_for`)."""
        return build_index(self._extra_rows(vocabulary), self.known, self._embed_texts, reuse=self._known())

    def _bags(self, vocabulary: frozenset[str]) -> tuple[WordBags, WordBags]:
        """The bags of words of every skill of the knowledge file, and of the held skills it lacks."""
        return self._own_tables().bags, self._extra_bags(vocabulary)

    def _build_extra_bags(self, vocabulary: frozenset[str]) -> WordBags:
        rows = [(skill, texts) for skill, _, texts in self._extra_rows(vocabulary)]
        return build_bags(rows, self.known.key, like=self._own_tables().bags)

    def _build_extra_rows(self, vocabulary: frozenset[str]) -> list[tuple[str, str, tuple[str, ...]]]:
        """The index rows of the held skills the knowledge file lacks: read by their terms' index and their bags."""
        return skill_rows(self.known, sorted(s for s in vocabulary if s not in self.known))

    def _own_tables(self) -> KnowledgeTables:
        if self._tables is None:
            self._tables = knowledge_tables(self.known)
        return self._tables

    def _kept_vectors(self, texts: Sequence[str]) -> Vectors:
        """The vectors of an index of its own (the knowledge file's, the off-work terms'): the same at every start,
        so kept between starts. A workspace's few skills the file lacks, read against the file's index, are not."""
        return self._embed_texts(texts, keep=True)


@cache
def shared_understander(store: Path | None = None) -> Understander:
    """The process's one reader of topics with the shipped knowledge and the shared model (keeping the knowledge, its
    index and its terms' vectors in the folder `store`, when given). Its index of every knowledge term takes seconds
    to build and its caches are pure functions of what they are asked, so every app in a process (one in production,
    one per test in the test suite) shares it."""
    if store is None:
        return Understander(shared_embedder())
    tables = IndexStore(store).load(lambda: knowledge_tables(knowledge()))
    return Understander(shared_embedder(), store=VectorStore(store), tables=tables)


def _reading(match: SkillMatch) -> Reading:
    """A match of the lexical matcher as the readers here pass it on."""
    return match.skill, match.score, match.reason


def _guess(reading: Reading) -> Reading:
    """A reading that counts no more than a guess: enough to ask about, not to route on."""
    skill, score, reason = reading
    return skill, min(score, NAME_ALONE), reason


def _one_word_name(reading: Reading) -> str | None:
    """The one word a lexical reading found, if it is a name (or alias) written as one word of letters."""
    skill, _, reason = reading
    if reason == "word in topic":
        word = skill
    elif reason.startswith("alias of "):
        word = reason.removeprefix("alias of ")
    else:
        return None
    return word if word.isalpha() else None


def _common_word(word: str) -> bool:
    return zipf_frequency(word, "en", wordlist="small") >= WORD_NAME


def _offer(scores: dict[str, Reading], reading: Reading) -> None:
    if (had := scores.get(reading[0])) is None or had[1] < reading[1]:
        scores[reading[0]] = reading


def _heard_in_words(read: Sequence[Reading], lexical: Sequence[Reading], terms: Sequence[Reading]) -> list[Reading]:
    """`read`, where a skill only the embeddings found is a guess: a phrase near one of its terms and no word of them
    ("esp32" near "esp", an email service provider) is enough to ask "did you mean …?", not to ping anyone."""
    worded = {r[0] for r in (*lexical, *terms)}
    return [r if r[0] in worded else _guess(r) for r in read]
