"""Would Slack take this message or view? slack_sdk's Block Kit models, and the few limits they leave out.

`block_kit_problems(surface, payload)` returns one line per broken limit, each with the JSON path where it broke;
an empty list means Slack would take it. `surface` is "message" (chat.postMessage / update / postEphemeral, a
response URL, a slash command's ack) or "view" (views.open / push / update / publish). `api_call_problems` picks
the surface from a recorded Web API call.

Burst builds blocks from slack_sdk's models (handlers/views/blocks.py), whose validators check Slack's lengths and
counts when a block becomes JSON. Here the JSON that went out is read back into those models and rendered again, so the
same validators run on exactly what Slack got, and a block the models would write differently (an unknown type
or key, an element they can't read) shows. What no model checks is checked below: a message's text and number
of blocks, empty texts, plain_text where Slack wants it, a text input pre-filled beyond its length, how many
choices radio buttons and checkboxes hold, empty actions and context blocks, a modal with no title.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, Option
from slack_sdk.models.views import View

MESSAGE_TEXT = 40_000  # chat.postMessage truncates text beyond this
MESSAGE_BLOCKS = 50
TEXT = 3000  # any text object, unless its model holds it to less (a context's texts have no model of their own)
INPUT_TEXT = 3000  # plain_text_input: max_length (and so anything pre-filled)
CHOICE_OPTIONS = 10  # radio_buttons and checkboxes
PLAIN_ONLY = ("title", "submit", "close", "label", "hint", "placeholder")  # Slack refuses mrkdwn in these (and in
# a button's or a header's text)

MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url")
VIEW_METHODS = ("views.open", "views.push", "views.update", "views.publish")
UNREADABLE = (SlackObjectFormationError, TypeError, KeyError, AttributeError)  # what the models raise on bad JSON


def api_call_problems(method: str, args: dict[str, Any]) -> list[str]:
    if method in MESSAGE_METHODS:
        return block_kit_problems("message", args)
    if method in VIEW_METHODS:
        return block_kit_problems("view", args.get("view") or {})
    return []


def block_kit_problems(surface: str, payload: dict[str, Any]) -> list[str]:
    found: list[str] = []
    if surface == "message":
        _message(payload, found)
    elif surface == "view":
        _view(payload, found)
    else:
        raise ValueError(f"unknown surface {surface!r}")
    return found


def _too_long(found: list[str], path: str, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        found.append(f"{path}: {len(value)} characters, limit {limit}")


def _message(payload: dict[str, Any], found: list[str]) -> None:
    text, blocks = payload.get("text"), payload.get("blocks") or []
    _too_long(found, "text", text, MESSAGE_TEXT)
    if not text and not blocks and not payload.get("delete_original"):
        found.append("a message needs text or blocks")
    if len(blocks) > MESSAGE_BLOCKS:
        found.append(f"blocks: {len(blocks)} blocks, limit {MESSAGE_BLOCKS}")
    for i, block in enumerate(blocks):
        _block(block, f"blocks[{i}]", found)


def _view(view: dict[str, Any], found: list[str]) -> None:
    if view.get("type") == "modal" and "title" not in view:
        found.append("view.title: a modal needs a title")
    blocks = view.get("blocks") or []
    try:  # the view's own limits (title, number of blocks, metadata): its blocks are read one by one below
        shell = View(**{**view, "blocks": [{"type": "divider"}] * len(blocks)})
    except UNREADABLE as exc:
        found.append(f"view: {exc}")
    else:  # each of its validators, where validate_json would stop at the first that fails
        for name in dir(shell):
            if hasattr(check := getattr(shell, name), "validator"):
                try:
                    check()
                except SlackObjectFormationError as exc:
                    found.append(f"view: {exc}")
    _walk({k: v for k, v in view.items() if k != "blocks"}, "view", found)
    for i, block in enumerate(blocks):
        _block(block, f"view.blocks[{i}]", found)


def _block(block: dict[str, Any], path: str, found: list[str]) -> None:
    """The block through its model (which raises on any limit it knows), then what the models leave out."""
    try:
        model = Block.parse(block)
        rendered = None if model is None else model.to_dict()
    except UNREADABLE as exc:
        found.append(f"{path}: {exc}")
        return
    if rendered is None:
        found.append(f"{path}: block type {block.get('type')!r} is unknown to slack_sdk")
        return
    if rendered != block:
        found.append(f"{path}: not what its model makes of it ({rendered})")
    _walk(block, path, found)


def _walk(node: Any, path: str, found: list[str]) -> None:
    if isinstance(node, list):
        for i, item in enumerate(node):
            _walk(item, f"{path}[{i}]", found)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in ("plain_text", "mrkdwn"):
        if not node.get("text"):
            found.append(f"{path}: empty text")
        _too_long(found, path, node.get("text"), TEXT)
        return
    plain_only = (*PLAIN_ONLY, "text") if kind in ("button", "header") else PLAIN_ONLY
    for name in plain_only:
        if isinstance(node.get(name), dict) and node[name].get("type") != "plain_text":
            found.append(f"{path}.{name}: must be plain_text, not {node[name].get('type')!r}")
    if kind in ("actions", "context") and not node.get("elements"):
        found.append(f"{path}.elements: none, at least one needed")
    if kind in ("static_select", "radio_buttons", "checkboxes"):
        if not node.get("options"):
            found.append(f"{path}.options: none to choose from")
        # A static_select keeps its options as given, unread: read them into their model here.
        options = list(node.get("options") or [])
        options += [node["initial_option"]] if "initial_option" in node else node.get("initial_options") or []
        for option in options:
            try:
                Option(**option).to_dict()
            except UNREADABLE as exc:
                found.append(f"{path}.options: {exc}")
    if kind in ("radio_buttons", "checkboxes") and len(node.get("options") or []) > CHOICE_OPTIONS:
        found.append(f"{path}.options: {len(node['options'])}, limit {CHOICE_OPTIONS}")
    if kind == "plain_text_input":
        if int(node.get("max_length") or 0) > INPUT_TEXT:
            found.append(f"{path}.max_length: {node['max_length']}, limit {INPUT_TEXT}")
        limit = min(int(node.get("max_length") or INPUT_TEXT), INPUT_TEXT)
        _too_long(found, f"{path}.initial_value", node.get("initial_value"), limit)
    if kind == "users_select" and "initial_user" in node and not str(node["initial_user"]).startswith(("U", "W")):
        found.append(f"{path}.initial_user: {node['initial_user']!r} is not a user ID")
    for name, value in node.items():
        _walk(value, f"{path}.{name}", found)
