"""A request for a human language needs someone who has the language: "translate the release notes into Korean" is
not a question for whoever knows release notes. Read with the real model."""

from __future__ import annotations

import pytest

from bot.domain.human_languages import language_asked
from bot.domain.phrases import content_words
from bot.domain.understanding import Verdict, shared_understander


@pytest.mark.parametrize(
    ("topic", "language"),
    [
        ("can someone translate the release notes into Korean", "korean"),
        ("any native Portuguese speakers around for a quick review", "portuguese"),
        ("we need an interpreter who knows Turkish for the site visit", "turkish"),
        ("is anyone here fluent in Dutch? a customer letter arrived", "dutch"),
        ("subtitles for the training video in Vietnamese", "vietnamese"),
        ("japanese speakers? need a quick check of a partner email", "japanese"),  # the name first
        ("does anybody speak Polish", "polish"),
    ],
)
def test_a_language_named_with_a_word_of_using_it_is_asked_for(topic: str, language: str) -> None:
    assert language_asked(content_words(topic)) == language


@pytest.mark.parametrize(
    "topic",
    [
        "our German customers cannot log in since the SSO change",  # a language named, none used
        "react native build fails after upgrading expo",  # "native", no language
        "the python interpreter ignores my virtualenv",
        "who can polish the speaker notes for the board deck",  # "polish" as a verb is no language asked for
        "the keynote speaker cancelled, who runs the spanish sales kickoff now",  # "speaker" apart from the name
        "rewrite this paragraph in plain english",  # English is left out on purpose
    ],
)
def test_a_language_or_a_use_word_alone_asks_for_no_language(topic: str) -> None:
    assert language_asked(content_words(topic)) is None


def test_a_skill_the_topic_names_is_only_a_guess_when_the_language_is_what_it_needs() -> None:
    understood = shared_understander().understand(
        "need the onboarding checklist translated into Korean for the Seoul hires", frozenset({"onboarding", "excel"})
    )
    assert understood.verdict is not Verdict.ROUTE  # nobody has Korean: nobody is pinged for it


def test_a_mentor_who_registered_the_language_is_who_it_reaches() -> None:
    understood = shared_understander().understand(
        "need the onboarding checklist translated into Korean for the Seoul hires",
        frozenset({"onboarding", "korean"}),
    )
    assert understood.verdict is Verdict.ROUTE
    assert [m.skill for m in understood.skills] == ["korean"]


def test_a_translator_is_asked_for_any_language() -> None:
    understood = shared_understander().understand(
        "any native Portuguese speakers around to check our pricing page copy", frozenset({"translation", "copy"})
    )
    assert understood.verdict is Verdict.ROUTE
    assert understood.skills[0].skill == "translation"
    assert "copy" not in {m.skill for m in understood.skills}


def test_a_topic_naming_a_language_without_using_it_reads_as_before() -> None:
    understood = shared_understander().understand(
        "our German customers cannot log in since the okta change", frozenset({"okta", "onboarding"})
    )
    assert understood.verdict is Verdict.ROUTE
    assert understood.skills[0].skill == "okta"
