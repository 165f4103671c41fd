"""User text into mrkdwn and Slack's encoding back into what people typed."""

from __future__ import annotations

import pytest

from handlers.slack.mrkdwn import clip, escape, escape_within, from_slack, plain_text


@pytest.mark.parametrize("word", ["@here", "@channel", "@everyone", "@HERE", "(@here)"])
def test_a_typed_broadcast_word_is_neutralised(word: str) -> None:
    shown = escape(f"help {word} please")
    assert "@here" not in shown.lower()
    assert "@channel" not in shown.lower()
    assert "@everyone" not in shown.lower()
    assert shown.replace("\u2060", "") == f"help {word} please"  # it reads the same


def test_an_address_is_not_a_broadcast() -> None:
    assert escape("ops@hereford.example") == "ops@hereford.example"


def test_user_text_is_trimmed_before_it_is_escaped() -> None:
    shown = escape_within("a" * 10 + "&" * 10, 20)
    assert len(shown) <= 20
    assert shown.endswith("&amp;…")  # whole entities only
    assert escape_within("<b>", 20) == "&lt;b&gt;"


@pytest.mark.parametrize("tail", ["&amp;", "<@U0ALICE>", "<!date^1795694785^{time}|12:06 UTC>"])
def test_clipping_never_cuts_an_entity_or_a_token(tail: str) -> None:
    text = "a" * (2999 - len(tail) // 2) + tail + "b" * 50
    clipped = clip(text)
    assert len(clipped) <= 3000
    body = clipped.removesuffix("…")
    assert body.endswith("a") or tail in body


def test_slack_encoding_decodes_to_what_the_person_saw() -> None:
    raw = (
        "&lt;div&gt; broke for <@U0ALICE|alice> and <@U0BOB> in <#C0GEN|general>: see "
        "<https://docs.example/x|the docs>, <https://y.example> <!here> <!subteam^S1|@devs> a &amp;amp; b"
    )
    assert from_slack(raw) == (
        "<div> broke for @alice and @U0BOB in #general: see the docs, https://y.example @here @devs a &amp; b"
    )


def test_mrkdwn_becomes_plain_text_for_form_errors() -> None:
    problem = "`wizard` isn't a level for *&lt;b&gt;*: use `expert` or `peer` (_no level_ means `peer`), snake_case ok"
    assert (
        plain_text(problem) == "wizard isn't a level for <b>: use expert or peer (no level means peer), snake_case ok"
    )
