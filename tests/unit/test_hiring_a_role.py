"""A topic about hiring someone of a role reads as hiring before the skill the role is named after: the asker needs a
recruiter, not a mentor of the role's skill ("we need to hire a unity dev" is not a Unity question)."""

from __future__ import annotations

import pytest

from bot.domain.matching import stem_word
from bot.domain.phrases import Role, role_phrases, topic_clauses
from bot.domain.understanding import Verdict, shared_understander

VOCABULARY = frozenset({"hiring", "kotlin", "react", "postgresql", "nursing", "ios", "python"})


def _hiring(word: str) -> bool:
    return stem_word(word) in {"hire", "recruit", "interview"}


def test_a_role_is_read_with_the_words_naming_its_kind_and_the_word_hiring_it() -> None:
    assert role_phrases(topic_clauses("we plan to recruit two senior kotlin engineers"), _hiring) == [
        Role(("senior", "kotlin", "engineers"), "recruit")
    ]
    # The word hiring the role is not part of its kind, across an article or a number.
    assert role_phrases(topic_clauses("interviewing postgres admins this week"), _hiring) == [
        Role(("postgres", "admins"), "interviewing")
    ]
    assert role_phrases(topic_clauses("how do we hire 4 react developers"), _hiring) == [
        Role(("react", "developers"), "hire")
    ]
    assert role_phrases(topic_clauses("my python script crashes"), _hiring) == []


@pytest.mark.parametrize(
    ("topic", "named"),
    [
        ("we plan to recruit two senior kotlin engineers, where should the job post go", "kotlin"),
        ("how do we hire 4 react developers before the summer", "react"),
        ("interviewing postgres admins this week, what should I ask them", "postgresql"),
        ("looking to hire an icu nurse for nights, how do we write the posting", "nursing"),
        ("we posted the swift developer role weeks ago and have zero applicants", "ios"),
    ],
)
def test_hiring_someone_of_a_role_routes_to_hiring_before_the_roles_skill(topic: str, named: str) -> None:
    understood = shared_understander().understand(topic, VOCABULARY)
    assert understood.verdict is Verdict.ROUTE
    assert understood.skills[0].skill == "hiring"
    assert named not in {m.skill for m in understood.skills}


@pytest.mark.parametrize(
    ("topic", "skill"),
    [
        ("the kotlin engineers we hired last month keep hitting coroutine cancellation bugs", "kotlin"),
        ("our react developers say useEffect runs twice", "react"),
        ("the new nurse on the ward asks how to chart a pressure ulcer", "nursing"),
    ],
)
def test_a_role_nobody_is_hiring_leaves_the_roles_skill_first(topic: str, skill: str) -> None:
    understood = shared_understander().understand(topic, VOCABULARY)
    assert understood.skills
    assert understood.skills[0].skill == skill
