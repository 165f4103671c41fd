"""The Block Kit checker the fuzz tests rely on: it passes Burst's own layouts and catches each limit, both those
slack_sdk's models check and those it adds."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.listeners.modals import request_modal
from handlers.views import blocks as b
from tests.support.block_kit import api_call_problems, block_kit_problems


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def form(element: dict[str, Any]) -> dict[str, Any]:
    return {"type": "home", "blocks": [{"type": "input", "label": plain("label"), "element": element}]}


def modal(title: dict[str, Any]) -> dict[str, Any]:
    return {"type": "modal", "title": title, "blocks": [section("s")]}


def buttons(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"blocks": [{"type": "actions", "elements": list(elements)}]}


def button(text: str = "x", value: str = "v") -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": "a", "value": value}


def choices(kind: str, count: int) -> dict[str, Any]:
    return form(
        {"type": kind, "action_id": "a", "options": [{"text": plain(f"o{i}"), "value": str(i)} for i in range(count)]}
    )


def test_burst_layouts_pass() -> None:
    blocks = b.message(b.section("x" * 5000), b.actions(b.button("Accept", "a", "1", "primary")))
    assert block_kit_problems("message", {"text": "hi", "blocks": blocks}) == []
    assert (
        block_kit_problems("view", request_modal("C0GEN", topic="t" * 500, details="d" * 5000, default_seconds=900))
        == []
    )
    assert api_call_problems("views.open", {"view": request_modal(None, default_seconds=300)}) == []


BROKEN: dict[str, tuple[str, dict[str, Any], str]] = {
    # What slack_sdk's models check, on the JSON read back into them
    "long section": ("message", {"blocks": [section("x" * 3001)]}, "cannot exceed 3000"),
    "long button text": ("message", buttons(button("x" * 76)), "cannot exceed 75"),
    "long button value": ("message", buttons(button(value="v" * 2001)), "cannot exceed 2000"),
    "button style": ("message", buttons({**button(), "style": "green"}), "style"),
    "101 view blocks": ("view", {"type": "home", "blocks": [section("s")] * 101}, "between 1 and 100"),
    "long modal title": ("view", modal(plain("x" * 25)), "title must be between 1 and 24"),
    "long header": ("message", {"blocks": [{"type": "header", "text": plain("h" * 151)}]}, "cannot exceed 150"),
    "long option value": (
        "view",
        form({"type": "static_select", "action_id": "a", "options": [{"text": plain("o"), "value": "v" * 151}]}),
        "cannot exceed 150",
    ),
    "long private metadata": (
        "view",
        {"type": "home", "blocks": [section("s")], "private_metadata": "m" * 3001},
        "private_metadata cannot exceed 3000",
    ),
    "a block slack_sdk does not know": ("message", {"blocks": [{"type": "sparkle"}]}, "unknown to slack_sdk"),
    "a key the model does not know": ("message", {"blocks": [{**section("s"), "colour": "red"}]}, "model makes"),
    # What the checker adds
    "long message text": ("message", {"text": "x" * 40_001}, "text: 40001"),
    "no text, no blocks": ("message", {"text": ""}, "needs text or blocks"),
    "51 blocks": ("message", {"text": "t", "blocks": [section("s")] * 51}, "51 blocks"),
    "empty section": ("message", {"blocks": [section("")]}, "empty text"),
    "long context text": (
        "message",
        {"blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": "x" * 3001}]}]},
        "3001 characters",
    ),
    "empty actions": ("message", buttons(), "at least one needed"),
    "mrkdwn title": ("view", modal({"type": "mrkdwn", "text": "x"}), "plain_text"),
    "mrkdwn button": ("message", buttons({**button(), "text": {"type": "mrkdwn", "text": "x"}}), "plain_text"),
    "modal without a title": ("view", {"type": "modal", "blocks": [section("s")]}, "needs a title"),
    "long pre-filled input": (
        "view",
        form({"type": "plain_text_input", "action_id": "a", "max_length": 10, "initial_value": "x" * 11}),
        "11 characters",
    ),
    "11 radio buttons": ("view", choices("radio_buttons", 11), "11, limit 10"),
    "no checkbox": ("view", choices("checkboxes", 0), "none to choose from"),
    "a picker's initial user": (
        "message",
        buttons({"type": "users_select", "action_id": "a", "initial_user": "C0GEN"}),
        "not a user ID",
    ),
}


@pytest.mark.parametrize("name", BROKEN)
def test_each_limit_is_caught(name: str) -> None:
    surface, payload, expected = BROKEN[name]
    problems = block_kit_problems(surface, payload)
    assert any(expected in p for p in problems), problems
