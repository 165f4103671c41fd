"""The skill knowledge: what people write when they need each skill, read from `skill_knowledge.yaml`, and the terms of
life outside work from `off_work.yaml`.

Mentors register short names ("go", "statistics", "accounting"); people who ask describe what is wrong ("goroutine
leak in our worker pool", "is this p-value significant", "close the books at month end"). The knowledge file bridges
the two: for a few hundred skills, the tools, symptoms, tasks and jargon that point to it. `Knowledge` also finds the
entry of a mentor's skill registered under another name (`Knowledge.entry_for`). `bot.domain.understanding` reads
topics against it.

Edit the YAML to teach Burst a skill or a term; keys are normalised like a mentor's skill (`postgres` and
`PostgreSQL` are one skill), so an entry meets the mentors who registered it under any of its aliases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.domain import skill_aliases
from bot.domain.matching import term_key
from bot.domain.skills import compact, normalise_skill

KNOWLEDGE_FILE = Path(__file__).with_name("skill_knowledge.yaml")
OFF_WORK_FILE = Path(__file__).with_name("off_work.yaml")


@dataclass(frozen=True)
class SkillEntry:
    skill: str  # canonical
    names: tuple[str, ...]  # the skill's own name and other names for it ("go", "golang")
    terms: tuple[str, ...]  # what people write when they need it ("goroutine leak", "go mod tidy")
    related: tuple[str, ...] = ()  # skills whose holders can usually help with it (ndas: contracts, legal)
    registered: tuple[str, ...] = ()  # names mentors register it under that are ordinary words ("copy"): never terms


def parse_knowledge(raw: object) -> dict[str, SkillEntry]:
    """The entries of a knowledge document, keyed by canonical skill; entries naming one skill are merged."""
    if not isinstance(raw, Mapping):
        raise ValueError("the skill knowledge file must map skill names to entries")
    merged: dict[str, tuple[list[str], list[str]]] = {}
    related: dict[str, list[str]] = {}
    registered: dict[str, list[str]] = {}
    for key, body in raw.items():
        skill = normalise_skill(str(key))
        if not skill:
            continue
        body = body if isinstance(body, Mapping) else {}
        names, terms = merged.setdefault(skill, ([skill], []))
        for name in [str(key), *(str(a) for a in body.get("also", ()) or ())]:
            name = " ".join(name.lower().split())
            if name and name not in names:
                names.append(name)
        for name in body.get("registered", ()) or ():
            name = " ".join(str(name).lower().split())
            if name and name not in names and name not in registered.setdefault(skill, []):
                registered[skill].append(name)
        for other in body.get("related", ()) or ():
            other = normalise_skill(str(other))
            if other and other != skill and other not in related.setdefault(skill, []):
                related[skill].append(other)
        for term in body.get("terms", ()) or ():
            term = " ".join(str(term).lower().split())
            if term and term not in terms and term not in names:
                terms.append(term)
    return {
        skill: SkillEntry(
            skill, tuple(names), tuple(terms), tuple(related.get(skill, ())), tuple(registered.get(skill, ()))
        )
        for skill, (names, terms) in merged.items()
    }


class Knowledge:
    """The entries, and how a mentor's skill finds its entry when it is not a key of the file."""

    def __init__(self, entries: Mapping[str, SkillEntry], off_work: Sequence[str] = ()) -> None:
        self.entries = entries
        self.off_work = tuple(dict.fromkeys(" ".join(t.lower().split()) for t in off_work if t.strip()))
        """Terms of life outside work ("spark plugs", "book club", "rent deposit"): what a topic reads as when a skill
        name in it means something else ("my ball python won't eat")."""
        self._by_name: dict[str, str] = {}
        by_stem: dict[str, set[str]] = {}
        by_term: dict[str, list[str]] = {}
        users: dict[str, set[str]] = {}
        # Every name and term keyed once: the index of every reader keys them again (`key`), and splitting and
        # stemming 51,000 texts is a good part of start-up.
        self._keys: dict[str, str] = {}
        for skill, entry in entries.items():
            for text in (*entry.names, *entry.terms):
                if (found := self._keys.get(text)) is None:
                    found = self._keys[text] = term_key(text)
                for word in found.split():
                    users.setdefault(word, set()).add(skill)
            for name in entry.names:
                self._by_name.setdefault(compact(normalise_skill(name)), skill)
                by_stem.setdefault(self._keys[name], set()).add(skill)
            for name in entry.registered:  # as written only: stemmed, "customs" would be inside "customer research"
                self._by_name.setdefault(compact(normalise_skill(name)), skill)
            for term in entry.terms:
                by_term.setdefault(self._keys[term], []).append(skill)
        self._by_term = {key: tuple(skills) for key, skills in by_term.items()}  # a tuple: a third less memory
        # A stemmed name two entries share ("brand": brand marketing, branding) names neither.
        self._by_stemmed_name = {stem: next(iter(owners)) for stem, owners in by_stem.items() if len(owners) == 1}
        self._word_users = {word: len(skills) for word, skills in users.items()}  # only the count is ever read

    def state(self) -> dict[str, Any]:
        """What the knowledge holds, as plain values (`index_store` keeps it between starts)."""
        return {
            "entries": {skill: tuple(vars(entry).values()) for skill, entry in self.entries.items()},
            "off_work": self.off_work,
            "by_name": self._by_name,
            "by_term": self._by_term,
            # The names' keys only: the terms' are read when an index is built, and a kept index is not built.
            "keys": {name: self._keys[name] for entry in self.entries.values() for name in entry.names},
            "by_stemmed_name": self._by_stemmed_name,
            "word_users": self._word_users,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Knowledge:
        """The knowledge `state()` held, without reading the entries again."""
        known = cls.__new__(cls)
        known.entries = {skill: SkillEntry(*fields) for skill, fields in state["entries"].items()}
        known.off_work = state["off_work"]
        known._by_name = state["by_name"]
        known._by_term = state["by_term"]
        known._keys = state["keys"]
        known._by_stemmed_name = state["by_stemmed_name"]
        known._word_users = state["word_users"]
        return known

    def __contains__(self, skill: object) -> bool:
        return skill in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def related(self, skill: str) -> tuple[str, ...]:
        """The skills (canonical names) whose holders can help with `skill`: the file's `related`, and the aliases
        table's related skills."""
        listed = self.entries[skill].related if skill in self.entries else ()
        return tuple(dict.fromkeys((*listed, *skill_aliases.RELATED.get(skill, ()))))

    def key(self, text: str) -> str:
        """`term_key(text)`, looked up for the file's own names and terms."""
        found = self._keys.get(text)
        return term_key(text) if found is None else found

    def skills_using(self, stemmed_word: str) -> int:
        """How many skills' names or terms use a word: how little the word alone says about any one of them."""
        return self._word_users.get(stemmed_word, 0)

    def entry_for(self, skill: str) -> SkillEntry:
        """What is known of a mentor's skill, under whatever name they registered it.

        In order: an entry of that name; an entry it names another way, which it then answers to under all the
        entry's names: one of the entry's other names, spelt or inflected otherwise ("monitoring" is observability,
        "financial models" is financial modeling), a term of that entry alone ("perf reviews" is performance
        reviews, "contract review" is contracts) or, for a name the file knows nothing of, the one entry named
        inside it ("postgresql databases", "sql tuning", "ios dev"); the entries listing it as a term among
        several, whose terms it shares; else the skill is known by its own name only.
        """
        if found := self.entries.get(skill):
            return found
        owners = self._term_owners(skill)
        other = self.entry_named(skill)
        if other is None and len(owners) == 1:
            other = owners[0]
        if other is None and not owners:
            if " & " in skill and (spelt := self.entry_for(skill.replace(" & ", " and "))).terms:
                return SkillEntry(skill, tuple(dict.fromkeys((skill, *spelt.names))), spelt.terms)  # profit & loss
            if (listed := self._listed(skill)) is not None:
                return listed
            inside = self._named_inside(term_key(skill))
            if len(inside) > 1:
                return self._union(skill, [self.entries[name] for name in inside])
            other = inside[0] if inside else None
        if other is not None:
            entry = self.entries[other]
            return SkillEntry(skill, (skill, *entry.names), entry.terms)
        if owners:
            terms = tuple(dict.fromkeys(t for o in owners[:MAX_BORROWED] for t in self.entries[o].terms))
            return SkillEntry(skill, (skill,), terms)
        return SkillEntry(skill, (skill,), ())

    def borrowed_from(self, skill: str) -> tuple[str, ...]:
        """The entries a held skill of no entry's name answers to as one of their terms ("fmla", "fastlane"): a part
        of what they cover, whose terms it borrows (`entry_for`). Empty for a skill an entry names."""
        return () if self.entry_named(skill) is not None else self._term_owners(skill)[:MAX_BORROWED]

    def _term_owners(self, skill: str) -> tuple[str, ...]:
        """The entries listing `skill` among their terms, in the file's order."""
        return tuple(dict.fromkeys(self._by_term.get(term_key(skill), ())))

    def _listed(self, skill: str) -> SkillEntry | None:
        """A name that lists skills, each a name of an entry ("privacy / gdpr", "sales & marketing", "react,
        typescript"): every part's entry. None when a part names none ("terms & conditions", "black and white
        photography" are one skill each)."""
        parts = _parts(skill)
        if len(parts) < 2:
            return None
        named = [self.entry_named(part) for part in parts]
        if any(name is None for name in named):
            return None
        return self._union(skill, [self.entries[name] for name in dict.fromkeys(n for n in named if n is not None)])

    def entry_named(self, name: str) -> str | None:
        """The entry `name` names: its key, another of its names, or one of them spelt or inflected otherwise; None
        for a name no entry has."""
        name = normalise_skill(name)
        if name in self.entries:
            return name
        return self._by_name.get(compact(name)) or self._by_stemmed_name.get(term_key(name))

    @staticmethod
    def _union(skill: str, found: Sequence[SkillEntry]) -> SkillEntry:
        names = dict.fromkeys((skill, *(n for entry in found if entry.terms for n in entry.names)))
        return SkillEntry(skill, tuple(names), tuple(dict.fromkeys(t for entry in found for t in entry.terms)))

    def _named_inside(self, key: str) -> list[str]:
        """The entries whose names are the longest runs of words inside a stemmed skill name: one, or several when
        each is a name of two words or more ("rest api design" holds rest api and api design); none when one word
        names several ("database design": databases or design?)."""
        words = key.split()
        for size in range(len(words) - 1, 0, -1):
            runs = (" ".join(words[i : i + size]) for i in range(len(words) - size + 1))
            found = list(dict.fromkeys(self._by_stemmed_name[run] for run in runs if run in self._by_stemmed_name))
            if found:
                return found if len(found) == 1 or size > 1 else []
        return []


# Between two skills in one registered name: a slash, "&", "+" or "and" between words, a comma, or a slash between
# two names of three characters or more ("react/node.js"; "ci/cd", "tcp/ip" and "a/b testing" are names of their own).
_BETWEEN = re.compile(r"\s+(?:/|&|\+|and)\s+|\s*,\s*|(?<=[\w.+#]{3})/(?=[\w.+#]{3})")


def _parts(skill: str) -> list[str]:
    """The skills a registered name lists, when it lists several."""
    return [part for part in (" ".join(p.split()) for p in _BETWEEN.split(skill)) if part]


MAX_BORROWED = 3
"""A skill found as a term of several entries borrows the terms of at most this many."""


@cache
def knowledge() -> Knowledge:
    """The shipped knowledge file, read once."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with KNOWLEDGE_FILE.open(encoding="utf-8") as handle:
        entries = parse_knowledge(yaml.load(handle, Loader=loader))
    with OFF_WORK_FILE.open(encoding="utf-8") as handle:
        off_work = yaml.load(handle, Loader=loader)
    return Knowledge(entries, [str(t) for t in off_work.get("terms", ())])
