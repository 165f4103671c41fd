"""Skill names: one canonical form whatever people type, friendly refusals, and an alias table that stays consistent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.skill_aliases import ALIASES, RELATED
from bot.domain.skills import MAX_SKILL_LENGTH, compact, normalise_skill, validate_skill


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("python", "python"),
        ("  Python  ", "python"),
        ("Postgres", "postgresql"),
        ("*postgres*", "postgresql"),
        ("PostgreSQL.", "postgresql"),
        ("`k8s`", "kubernetes"),
        ("K8S", "kubernetes"),
        ("golang", "go"),
        ("Node JS", "node.js"),
        ("node.js", "node.js"),
        ("NodeJS", "node.js"),
        ("React.js", "react"),
        ("Scikit Learn", "scikit-learn"),
        ("C++", "c++"),
        ("(c#)", "c#"),
        ("C Sharp", "c#"),
        (".NET", ".net"),
        ("dotnet", ".net"),
        ("CI / CD", "ci/cd"),
        ("ci/cd", "ci/cd"),
        ("machine_learning", "machine learning"),
        ("Machine   Learning", "machine learning"),
        ("ML", "machine learning"),
        ("#python", "python"),
        ("gh actions", "github actions"),
        ("Public Speaking!", "public speaking"),
        ("PM", "product management"),
        ("SQLServer", "sql server"),
        ("R&amp;D", "r&d"),
        ("Ｐython", "python"),  # full-width letters from a CJK keyboard
        ("", ""),
        ("   ", ""),
        ("...", ""),
    ],
)
def test_what_people_type_becomes_one_canonical_name(typed: str, canonical: str) -> None:
    assert normalise_skill(typed) == canonical


def test_every_alias_normalises_to_its_canonical_name() -> None:
    for alias, canonical in ALIASES.items():
        assert normalise_skill(alias) == canonical, alias


def test_canonical_names_are_fixed_points() -> None:
    for canonical in {*ALIASES.values(), *RELATED, *(r for related in RELATED.values() for r in related)}:
        assert normalise_skill(canonical) == canonical, canonical


def test_the_alias_table_is_written_the_way_it_is_read() -> None:
    for alias, canonical in ALIASES.items():
        assert alias == " ".join(alias.lower().split()), f"{alias!r} is not lower case with single spaces"
        assert canonical not in ALIASES, f"{alias!r} -> {canonical!r} is a chain: {canonical!r} is an alias too"
        assert alias != canonical


def test_no_two_skills_share_a_spelling_variant() -> None:
    seen: dict[str, str] = {}
    for name, canonical in [*ALIASES.items(), *((v, v) for v in ALIASES.values())]:
        assert seen.setdefault(compact(name), canonical) == canonical, f"{name!r} folds into another skill"


def test_related_skills_are_canonical_and_not_themselves() -> None:
    for skill, related in RELATED.items():
        assert skill not in ALIASES
        assert related, skill
        for other in related:
            assert other not in ALIASES, f"{skill} -> {other}: use the canonical name"
            assert other != skill


def test_a_valid_name_comes_back_canonical() -> None:
    assert validate_skill(" Postgres ") == "postgresql"
    assert validate_skill("x" * MAX_SKILL_LENGTH) == "x" * MAX_SKILL_LENGTH


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("", "empty"),
        (" , ", "empty"),
        ("+++", "empty"),
        ("x" * (MAX_SKILL_LENGTH + 1), f"at most {MAX_SKILL_LENGTH} characters"),
        ("<!channel>", "can't contain <, > or @"),
        ("<@U012ABC>", "can't contain <, > or @"),
        ("bob@example.com", "can't contain <, > or @"),
        ("&lt;script&gt;", "can't contain <, > or @"),
        ("python > java", "can't contain <, > or @"),
        ("—", "letter or digit"),
    ],
)
def test_bad_names_are_refused_with_a_reason(typed: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        validate_skill(typed)


def test_a_refusal_never_echoes_markup() -> None:
    with pytest.raises(ValueError, match="skipped") as caught:
        validate_skill("<!channel>")
    assert "<" not in str(caught.value).split(":")[0]
    assert "!channel" in str(caught.value)


@given(st.text(max_size=80))
def test_normalising_is_idempotent_and_tidy(text: str) -> None:
    once = normalise_skill(text)
    assert normalise_skill(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert once == once.lower() or once in ALIASES.values()


@given(st.text(max_size=80))
def test_validation_either_refuses_or_returns_a_storable_name(text: str) -> None:
    try:
        skill = validate_skill(text)
    except ValueError:
        return
    assert 0 < len(skill) <= MAX_SKILL_LENGTH
    assert not set(skill) & set("<>@")
    assert skill == normalise_skill(skill)
