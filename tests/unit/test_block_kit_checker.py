"""The Block Kit limit checker the fuzz tests rely on: it passes Burst's own layouts and catches each limit."""

from __future__ import annotations

from typing import Any

import pytest

from handlers import blocks as b
from handlers.modals import request_modal
from tests.support.block_kit import api_call_problems, block_kit_problems


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def form(element: dict[str, Any]) -> dict[str, Any]:
    return {"type": "home", "blocks": [{"type": "input", "label": plain("label"), "element": element}]}


def test_burst_layouts_pass() -> None:
    blocks = b.message(b.section("x" * 5000), b.actions(b.button("Accept", "a", "1", "primary")))
    message = {"text": "hi", "blocks": blocks}
    assert block_kit_problems("message", message) == []
    assert (
        block_kit_problems("view", request_modal("C0GEN", topic="t" * 500, details="d" * 5000, default_seconds=900))
        == []
    )
    assert api_call_problems("views.open", {"view": request_modal(None, default_seconds=300)}) == []


BROKEN: dict[str, tuple[str, dict[str, Any], str]] = {
    "long message text": ("message", {"text": "x" * 40_001}, "text: 40001"),
    "51 blocks": ("message", {"text": "t", "blocks": [section("s")] * 51}, "51 blocks"),
    "101 view blocks": ("view", {"type": "home", "blocks": [section("s")] * 101}, "101 blocks"),
    "long section": ("message", {"blocks": [section("x" * 3001)]}, "3001 characters"),
    "empty section": ("message", {"blocks": [section("")]}, "empty text"),
    "long button text": (
        "message",
        {"blocks": [{"type": "actions", "elements": [{"type": "button", "text": plain("x" * 76), "action_id": "a"}]}]},
        "76 characters",
    ),
    "long button value": (
        "message",
        {"blocks": [{"type": "actions", "elements": [{"type": "button", "text": plain("x"), "value": "v" * 2001}]}]},
        "2001",
    ),
    "long modal title": ("view", {"type": "modal", "title": plain("x" * 25)}, "25 characters"),
    "mrkdwn title": ("view", {"type": "modal", "title": {"type": "mrkdwn", "text": "x"}}, "plain_text"),
    "long header": ("message", {"blocks": [{"type": "header", "text": plain("h" * 151)}]}, "151"),
    "long pre-filled input": (
        "view",
        form({"type": "plain_text_input", "action_id": "a", "max_length": 10, "initial_value": "x" * 11}),
        "11 characters",
    ),
    "long option value": (
        "view",
        form({"type": "static_select", "options": [{"text": plain("o"), "value": "v" * 151}]}),
        "151",
    ),
    "long private metadata": ("view", {"type": "home", "private_metadata": "m" * 3001}, "3001"),
    "a block it does not know": ("message", {"blocks": [{"type": "video"}]}, "not checked"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_each_limit_is_caught(name: str) -> None:
    surface, payload, expected = BROKEN[name]
    problems = block_kit_problems(surface, payload)
    assert any(expected in p for p in problems), problems
