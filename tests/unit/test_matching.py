"""The matcher on realistic phrasings, aliases, typos, related skills and words that only look like skills."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.knowledge import knowledge
from bot.domain.matching import (
    ALIAS,
    EXACT,
    RELATED_FACTOR,
    LexicalMatcher,
    Matcher,
    SkillMatch,
    explain,
    plausible_typo,
    stem_phrase,
    term_key,
    tokenise,
)
from tests.unit.matching_cases import CASES, VOCABULARY

MATCHER: Matcher = LexicalMatcher()  # also checks that LexicalMatcher satisfies the Matcher interface


def test_there_are_at_least_a_hundred_phrasings_over_a_realistic_vocabulary() -> None:
    assert len(CASES) >= 100
    assert len(VOCABULARY) >= 60
    assert len(set(VOCABULARY)) == len(VOCABULARY)


@pytest.mark.parametrize(("topic", "expected", "forbidden"), CASES, ids=[c[0][:40] for c in CASES])
def test_a_phrasing_reaches_the_right_skills(topic: str, expected: set[str], forbidden: set[str]) -> None:
    found = MATCHER.match(topic, VOCABULARY)
    assert expected <= {m.skill for m in found[:3]}, explain(found)
    assert not forbidden & {m.skill for m in found}, explain(found)


@pytest.mark.parametrize(
    ("topic", "skill", "score", "reason"),
    [
        ("kubernetes", "kubernetes", EXACT, "exact"),
        ("help me with pandas groupby", "pandas", EXACT, "word in topic"),
        ("anyone know k8s?", "kubernetes", ALIAS, "alias of k8s"),
        ("kubernets pod crashloop", "kubernetes", 0.81, "typo of 'kubernets'"),
        ("help me with pandas groupby", "python", EXACT * RELATED_FACTOR, "related to pandas"),
        ("dockerfile multi stage builds", "docker", 0.9, "from 'dockerfile'"),
    ],
)
def test_each_match_says_why(topic: str, skill: str, score: float, reason: str) -> None:
    found = {m.skill: m for m in MATCHER.match(topic, VOCABULARY)}
    assert found[skill] == SkillMatch(skill, score, reason)


@pytest.mark.parametrize(
    ("topic", "skill"),
    [("kubernets", "kubernetes"), ("postgress", "postgresql"), ("pyhton", "python"), ("javscript", "javascript")],
)
def test_typos_from_the_brief_hit(topic: str, skill: str) -> None:
    found = MATCHER.match(topic, VOCABULARY)
    assert found[0].skill == skill
    assert found[0].reason == f"typo of '{topic}'"
    assert found[0].score < ALIAS


@pytest.mark.parametrize(
    ("topic", "vocabulary"),
    [
        ("java", ["javascript"]),
        ("good", ["go"]),
        ("goood advice", ["go"]),
        ("rusty", ["rust"]),
        ("just", ["rust"]),
        ("shift", ["swift"]),
        ("flash", ["flask"]),
        ("state", ["stats", "statistics"]),
        ("reach", ["react"]),
        ("pythons", ["python"]),
    ],
)
def test_ordinary_words_are_not_typos_of_skills(topic: str, vocabulary: list[str]) -> None:
    assert MATCHER.match(topic, vocabulary) == []


@pytest.mark.parametrize(
    ("typed", "target", "plausible"),
    [
        ("jaav", "java", True),  # 4 letters: a swap only
        ("jave", "java", False),
        ("recat", "react", True),
        ("reach", "react", False),
        ("pyhton", "python", True),  # 6-7 letters: one edit that looks like a typo
        ("pythin", "python", True),  # o and i are neighbours
        ("pythan", "python", False),  # a is nowhere near o
        ("pythonn", "python", True),
        ("pythons", "python", False),  # an extra last letter is a word ending, not a slip
        ("pytho", "python", False),  # too short to tell
        ("kubernets", "kubernetes", True),  # 8+: up to two edits
        ("postgress", "postgresql", True),
        ("kubrnts", "kubernetes", False),
        ("lubernetes", "kubernetes", False),  # the first letter is kept
        ("contractor", "contracts", False),  # an English word in its own right is what was meant
        ("analyst", "analytics", False),
        ("statistcs", "statistics", True),
        ("go", "go", False),
    ],
)
def test_what_counts_as_a_typo(typed: str, target: str, plausible: bool) -> None:
    assert plausible_typo(typed, target) is plausible


def test_related_skills_come_after_the_asked_one_at_a_discount() -> None:
    found = MATCHER.match("pandas groupby", VOCABULARY)
    assert [m.skill for m in found[:2]] == ["pandas", "python"]
    assert found[1].score == pytest.approx(found[0].score * RELATED_FACTOR)


def test_an_asked_skill_keeps_its_own_score_when_it_is_also_related() -> None:
    found = {m.skill: m for m in MATCHER.match("django and python", VOCABULARY)}
    assert found["python"].score == EXACT


def test_only_skills_someone_has_are_returned() -> None:
    assert [m.skill for m in MATCHER.match("help with kubernetes and docker", ["docker"])] == ["docker"]
    assert [m.skill for m in MATCHER.match("pandas groupby", ["python"])] == ["python"]
    assert MATCHER.match("pandas groupby", []) == []


def test_a_skill_nobody_has_still_leads_to_the_related_ones() -> None:
    found = MATCHER.match("pnadas groupby with torch", ["python", "machine learning"])
    assert [(m.skill, m.reason) for m in found] == [
        ("machine learning", "related to pytorch"),
        ("python", "related to pytorch"),
    ]


def test_a_longer_name_wins_over_the_words_inside_it() -> None:
    found = [m.skill for m in MATCHER.match("sql server index tuning", ["sql", "sql server"])]
    assert found == ["sql server", "sql"]  # sql only as related, not as a word of its own
    assert MATCHER.match("sql server index tuning", ["sql", "sql server"])[1].reason == "related to sql server"


def test_an_alias_is_only_used_for_a_skill_in_the_vocabulary() -> None:
    # "ux research" would be an alias of user research; without that skill, "ux" is read on its own.
    assert [m.skill for m in MATCHER.match("ux research plan", ["ux"])] == ["ux"]


def test_matches_are_sorted_best_first_and_unique() -> None:
    found = MATCHER.match("I need help with Django, postgres and k8s, or maybe pyhton", VOCABULARY)
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True)
    assert len({m.skill for m in found}) == len(found)
    assert {"django", "postgresql", "kubernetes", "python"} <= {m.skill for m in found}


def test_a_score_outside_zero_to_one_is_a_bug() -> None:
    with pytest.raises(ValueError, match="score"):
        SkillMatch("python", 0.0, "exact")
    with pytest.raises(ValueError, match="score"):
        SkillMatch("python", 1.2, "exact")


@pytest.mark.parametrize(
    ("topic", "clauses"),
    [
        ("Help me with C++, C# and .NET!", [["help", "me", "with", "c++"], ["c#", "and", ".net"]]),
        ("node.js/express vs ci/cd", [["node.js", "express", "vs", "ci/cd"]]),
        ("settings.py in python3.11", [["settings", "py", "in", "python3", "11"]]),
        ("what's the team's go-to?", [["what", "the", "team", "go", "to"]]),
        ("at 3.30 pm", [["at", "3.30", "pm"]]),
        ("R&amp;D &lt;stuff&gt;", [["r&d", "stuff"]]),
        ("my 1:1s run long: any tips", [["my", "1:1s", "run", "long"], ["any", "tips"]]),
        ("contrast 4.5:1, meeting at 10:30", [["contrast", "4.5:1"], ["meeting", "at", "10:30"]]),
        ("great :tada: thanks", [["great"], ["tada"], ["thanks"]]),
    ],
)
def test_topics_are_read_as_words_keeping_names_whole(topic: str, clauses: list[list[str]]) -> None:
    assert tokenise(topic) == clauses


def test_explain_is_one_readable_line() -> None:
    found = MATCHER.match("anyone know k8s?", VOCABULARY)
    assert explain(found) == "kubernetes 0.95 (alias of k8s), docker 0.57 (related to kubernetes)"
    assert explain([]) == "no skill matched"
    many = MATCHER.match("pytorch and pandas on k8s", VOCABULARY)
    assert explain(many, limit=2).endswith(f"and {len(many) - 2} more")
    assert "\n" not in explain(many)


@given(st.text(max_size=120))
def test_any_text_gives_a_valid_ranking(topic: str) -> None:
    found = MATCHER.match(topic, VOCABULARY)
    assert all(m.skill in VOCABULARY and 0 < m.score <= 1 for m in found)
    assert len({m.skill for m in found}) == len(found)
    assert found == MATCHER.match(topic, VOCABULARY)


def _large_vocabulary(size: int) -> list[str]:
    """Made-up skill names with varied first letters and lengths, some of two words, like a big company's list."""
    rng = random.Random(7)
    syllables = ("ka", "lo", "mi", "ne", "tra", "vo", "ster", "pix", "dal", "quo", "ren", "sha", "bel", "tor", "zor")
    names = set(VOCABULARY)
    while len(names) < size:
        name = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.25:
            name += " " + "".join(rng.choice(syllables) for _ in range(2))
        names.add(name)
    return sorted(names)


def test_matching_is_fast_on_a_large_vocabulary() -> None:
    vocabulary = _large_vocabulary(5000)
    topics = [topic for topic, _, _ in CASES]
    started = time.perf_counter()
    MATCHER.match("warm the index", vocabulary)
    built_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    for i in range(1000):
        MATCHER.match(topics[i % len(topics)], vocabulary)
    total_ms = (time.perf_counter() - started) * 1000
    print(
        f"\nmatcher: index for {len(vocabulary)} skills built in {built_ms:.1f} ms; 1,000 matches in {total_ms:.0f} ms"
    )
    assert total_ms / 1000 < 25, "a loose bound for slow CI machines; expect well under 1 ms a match"


@pytest.mark.parametrize(
    "topic", ["my 1:1s with my reports drag on", "weekly 1:1 agenda", "a first one-on-one with a new hire", "1on1 tips"]
)
def test_one_on_ones_are_found_however_they_are_written(topic: str) -> None:
    assert [m.skill for m in LexicalMatcher().match(topic, ["1:1s", "feedback", "hiring"])][:1] == ["1:1s"]


def test_a_term_of_plain_words_is_keyed_as_tokenise_would_key_it() -> None:
    """`term_key` skips `tokenise` for plain lower-case words: the key must be the one tokenise leads to, for every text
    of the knowledge file and for texts with everything tokenise acts on."""
    known = knowledge()
    texts = {t for e in known.entries.values() for t in (*e.names, *e.terms, *e.registered)} | set(known.off_work)
    texts |= {"node.js", "ci/cd", "won't fix", "p-values", "snake_case", "a  b", " lead", "3.11 upgrade", "c++", "é"}
    for text in texts:
        assert term_key.__wrapped__(text) == stem_phrase(" ".join(w for clause in tokenise(text) for w in clause))


@given(st.text(alphabet="ab9 -./:,'_&Cdlrevm’", max_size=16))
def test_any_term_is_keyed_as_tokenise_would_key_it(text: str) -> None:
    assert term_key.__wrapped__(text) == stem_phrase(" ".join(w for clause in tokenise(text) for w in clause))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("brand keywords we'd get anyway", ["brand", "keywords", "we", "get", "anyway"]),
        ("she'll send the shell script", ["she", "send", "the", "shell", "script"]),
        ("you're on o'reilly's list, cc'd", ["you", "on", "oreilly", "list", "cc"]),
        ("jar won't start", ["jar", "wont", "start"]),
    ],
)
def test_a_contractions_ending_is_dropped_not_joined_into_another_word(text: str, words: list[str]) -> None:
    assert [w for clause in tokenise(text) for w in clause] == words
