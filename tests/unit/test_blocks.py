"""Writing for Slack: user text into mrkdwn and Slack's encoding back into what people typed, counts that agree with
their noun, and Block Kit built from slack_sdk's models: Slack's JSON exactly, any topic shown, limits refused where
built."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackObjectFormationError

from handlers.listeners.feedback import note_modal
from handlers.listeners.modals import request_modal
from handlers.views import blocks as b
from handlers.views.blocks import clip, escape, escape_within, from_slack, plain_text, plural
from storage.models import FlashSession, HelpRequest, PingState
from tests.support.block_kit import block_kit_problems

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def long_request() -> tuple[HelpRequest, FlashSession]:
    request = HelpRequest(
        id=5, requester_id="U0", topic="k8s & <x> " * 500, details="d" * 5000, skills={"kubernetes": 1.0}
    )
    flash = FlashSession(
        id=7, request_id=5, requester_id="U0", mentor_id="U1", started_at=START, ends_at=START + timedelta(minutes=15)
    )
    return request, flash


def texts(blocks: list[b.Json]) -> list[str]:
    return [str(block["text"]["text"]) for block in blocks if block["type"] == "section"]


def test_a_5000_character_topic_still_renders_clipped_with_an_ellipsis() -> None:
    request, flash = long_request()
    layouts = {
        "ping": b.ping_blocks(request, 12, "you know it " * 400),
        "which": b.ask_which_blocks(request),
        "closed": b.ping_closed_blocks(request, PingState.TAKEN),
        "card": b.session_card(request, flash, extension=timedelta(minutes=10), max_extensions=2),
        "answered": b.followup_answered(request.topic, "stuck", 7, latest=True),
        "status": b.status_blocks(f"Looking for *{escape(request.topic)}*", cancel=5, again=request.topic),
    }
    for name, blocks in layouts.items():
        assert block_kit_problems("message", {"text": "t", "blocks": blocks}) == [], name
        first = texts(blocks)[0]
        assert len(first) <= 3000, name
        assert first.endswith("…"), name
        shown = first.removesuffix("…")
        assert ";" in shown[shown.rfind("&") :], name  # never cut through an escaped `&amp;` or `&lt;`
    again = b.status_blocks("x", again="t" * 5000)[-1]["elements"][0]
    assert again["value"] == "t" * 2000  # Ask again carries as much of the topic as a button holds


def test_the_builders_write_the_json_slack_documents() -> None:
    request, _ = long_request()
    controls = b.ping_blocks(request, 12, "")[-1]
    assert controls == {
        "type": "actions",
        "block_id": "ping:12",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Accept", "emoji": True},
                "action_id": "ping_accept",
                "value": "12",
                "style": "primary",
            },
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Decline", "emoji": True},
                "action_id": "ping_decline",
                "value": "12",
            },
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Snooze 1h", "emoji": True},
                "action_id": "ping_snooze",
                "value": "12",
            },
            {
                "type": "users_select",
                "action_id": "ping_hand_off",
                "placeholder": {"type": "plain_text", "text": "Not me, try…"},
            },
        ],
    }
    assert note_modal(3, None) == {
        "type": "modal",
        "callback_id": "feedback_note_modal",
        "private_metadata": '{"session": 3}',
        "title": {"type": "plain_text", "text": "Session feedback"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "helpful",
                "label": {"type": "plain_text", "text": "Was it helpful?"},
                "element": {
                    "type": "radio_buttons",
                    "action_id": "helpful",
                    "options": [
                        {"text": {"type": "plain_text", "text": "Yes"}, "value": "yes"},
                        {"text": {"type": "plain_text", "text": "Not really"}, "value": "no"},
                    ],
                },
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": {"type": "plain_text", "text": "A note (optional)"},
                "element": {"type": "plain_text_input", "action_id": "note", "multiline": True, "max_length": 1000},
            },
        ],
    }


def test_a_form_is_pre_filled_with_no_more_than_its_fields_hold() -> None:
    view = request_modal("C0GEN", topic="t" * 5000, details="d" * 5000, default_seconds=900)
    topic, details = (block["element"] for block in view["blocks"][:2])
    assert topic["initial_value"] == "t" * topic["max_length"]
    assert details["initial_value"] == "d" * details["max_length"]
    assert "initial_value" not in request_modal(None, default_seconds=900)["blocks"][0]["element"]
    assert b.button("x" * 100, "a", "v").to_dict()["text"]["text"] == "x" * 74 + "…"


BROKEN: dict[str, Any] = {
    "51 blocks in a message": lambda: b.message(*[b.section("s")] * 51),
    "a button value past 2,000 characters": lambda: b.message(b.actions(b.button("x", "a", "v" * 2001))),
    "an action id past 255 characters": lambda: b.message(b.actions(b.button("x", "a" * 256, "v"))),
    "26 buttons in one actions block": lambda: b.message(b.actions(*[b.button("x", f"a{i}", "v") for i in range(26)])),
    "a modal title past 24 characters": lambda: b.modal("cb", "t" * 25, [b.section("s")]),
    "a header past 150 characters": lambda: b.home([b.header("h" * 151)]),
    "an option value past 150 characters": lambda: b.home(
        [b.field("f", "label", b.radio_buttons("r", [b.option("o", "v" * 151)]))]
    ),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_layout_past_slacks_limits_fails_where_it_is_built(name: str) -> None:
    with pytest.raises(SlackObjectFormationError):
        BROKEN[name]()


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


def test_counts_agree_with_their_noun() -> None:
    assert plural(1, "person", "people") == "1 person"
    assert plural(2, "person", "people") == "2 people"
    assert plural(0, "session") == "0 sessions"
    assert plural(1, "session") == "1 session"
    assert plural(3, "burst") == "3 bursts"
