"""Slack's documented Block Kit limits, as one reusable check of anything Burst sends or answers with.

`block_kit_problems(surface, payload)` returns one line per broken limit, each with the JSON path where it
broke; an empty list means Slack would take it. `surface` is "message" (chat.postMessage / update /
postEphemeral, a response URL, a slash command's ack) or "view" (views.open / push / update / publish).
`api_call_problems` picks the surface from a recorded Web API call. Sources: Slack's reference pages for
blocks, block elements, composition objects, views and chat.postMessage.
"""

from __future__ import annotations

from typing import Any

MESSAGE_TEXT = 40_000  # chat.postMessage truncates text beyond this
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
VIEW_TITLE = 24  # a modal's title, submit and close labels
PRIVATE_METADATA = 3000
ID = 255  # callback_id, block_id, action_id, external_id
TEXT = 3000  # any text object, unless a tighter limit applies
SECTION_FIELDS, FIELD_TEXT = 10, 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT, BUTTON_VALUE, URL = 75, 2000, 3000
INPUT_LABEL = INPUT_HINT = 2000
INPUT_TEXT = 3000  # plain_text_input: max_length (and so anything pre-filled)
PLACEHOLDER = 150
OPTION_TEXT, OPTION_VALUE, OPTION_DESCRIPTION = 75, 150, 75
SELECT_OPTIONS, CHOICE_OPTIONS = 100, 10  # static_select; radio_buttons and checkboxes
IMAGE_ALT = 2000

MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url")
VIEW_METHODS = ("views.open", "views.push", "views.update", "views.publish")


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
    text, blocks = payload.get("text"), payload.get("blocks")
    _too_long(found, "text", text, MESSAGE_TEXT)
    if not text and not blocks and not payload.get("delete_original"):
        found.append("a message needs text or blocks")
    _blocks(blocks or [], MESSAGE_BLOCKS, "blocks", found)


def _view(view: dict[str, Any], found: list[str]) -> None:
    _blocks(view.get("blocks") or [], VIEW_BLOCKS, "view.blocks", found)
    for name in ("title", "submit", "close"):
        if name in view:
            _text(view[name], f"view.{name}", VIEW_TITLE, found, plain=True)
    if view.get("type") == "modal" and "title" not in view:
        found.append("view.title: a modal needs a title")
    _too_long(found, "view.private_metadata", view.get("private_metadata"), PRIVATE_METADATA)
    for name in ("callback_id", "external_id"):
        _too_long(found, f"view.{name}", view.get(name), ID)


def _blocks(blocks: list[dict[str, Any]], limit: int, path: str, found: list[str]) -> None:
    if len(blocks) > limit:
        found.append(f"{path}: {len(blocks)} blocks, limit {limit}")
    for i, block in enumerate(blocks):
        _block(block, f"{path}[{i}]", found)


def _block(block: dict[str, Any], path: str, found: list[str]) -> None:
    kind = block.get("type")
    _too_long(found, f"{path}.block_id", block.get("block_id"), ID)
    if kind == "section":
        if "text" not in block and "fields" not in block:
            found.append(f"{path}: a section needs text or fields")
        if "text" in block:
            _text(block["text"], f"{path}.text", TEXT, found)
        fields = block.get("fields") or []
        if len(fields) > SECTION_FIELDS:
            found.append(f"{path}.fields: {len(fields)}, limit {SECTION_FIELDS}")
        for i, item in enumerate(fields):
            _text(item, f"{path}.fields[{i}]", FIELD_TEXT, found)
        if "accessory" in block:
            _element(block["accessory"], f"{path}.accessory", found)
    elif kind == "header":
        _text(block.get("text"), f"{path}.text", HEADER_TEXT, found, plain=True)
    elif kind == "context":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= CONTEXT_ELEMENTS:
            found.append(f"{path}.elements: {len(elements)}, allowed 1 to {CONTEXT_ELEMENTS}")
        for i, item in enumerate(elements):
            if item.get("type") == "image":
                _too_long(found, f"{path}.elements[{i}].alt_text", item.get("alt_text"), IMAGE_ALT)
            else:
                _text(item, f"{path}.elements[{i}]", TEXT, found)
    elif kind == "actions":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= ACTIONS_ELEMENTS:
            found.append(f"{path}.elements: {len(elements)}, allowed 1 to {ACTIONS_ELEMENTS}")
        for i, item in enumerate(elements):
            _element(item, f"{path}.elements[{i}]", found)
    elif kind == "input":
        _text(block.get("label"), f"{path}.label", INPUT_LABEL, found, plain=True)
        if "hint" in block:
            _text(block["hint"], f"{path}.hint", INPUT_HINT, found, plain=True)
        if "element" not in block:
            found.append(f"{path}: an input needs an element")
        else:
            _element(block["element"], f"{path}.element", found)
    elif kind == "image":
        _too_long(found, f"{path}.alt_text", block.get("alt_text"), IMAGE_ALT)
    elif kind != "divider":
        found.append(f"{path}: block type {kind!r} is not checked here")


def _element(element: dict[str, Any], path: str, found: list[str]) -> None:
    kind = element.get("type")
    _too_long(found, f"{path}.action_id", element.get("action_id"), ID)
    if "placeholder" in element:
        _text(element["placeholder"], f"{path}.placeholder", PLACEHOLDER, found, plain=True)
    if kind == "button":
        _text(element.get("text"), f"{path}.text", BUTTON_TEXT, found, plain=True)
        _too_long(found, f"{path}.value", element.get("value"), BUTTON_VALUE)
        _too_long(found, f"{path}.url", element.get("url"), URL)
        if element.get("style") not in (None, "primary", "danger"):
            found.append(f"{path}.style: {element.get('style')!r}")
    elif kind == "plain_text_input":
        limit = min(int(element.get("max_length") or INPUT_TEXT), INPUT_TEXT)
        if int(element.get("max_length") or 0) > INPUT_TEXT:
            found.append(f"{path}.max_length: {element['max_length']}, limit {INPUT_TEXT}")
        _too_long(found, f"{path}.initial_value", element.get("initial_value"), limit)
    elif kind in ("static_select", "radio_buttons", "checkboxes"):
        options = element.get("options") or []
        limit = SELECT_OPTIONS if kind == "static_select" else CHOICE_OPTIONS
        if not 1 <= len(options) <= limit:
            found.append(f"{path}.options: {len(options)}, allowed 1 to {limit}")
        for i, option in enumerate(options):
            _option(option, f"{path}.options[{i}]", found)
        for name in ("initial_option",):
            if name in element:
                _option(element[name], f"{path}.{name}", found)
        for i, option in enumerate(element.get("initial_options") or []):
            _option(option, f"{path}.initial_options[{i}]", found)
    elif kind == "users_select":  # an action id and a placeholder, both checked above; initial_user is an ID
        if "initial_user" in element and not str(element["initial_user"]).startswith(("U", "W")):
            found.append(f"{path}.initial_user: {element['initial_user']!r} is not a user ID")
    else:
        found.append(f"{path}: element type {kind!r} is not checked here")


def _option(option: dict[str, Any], path: str, found: list[str]) -> None:
    _text(option.get("text"), f"{path}.text", OPTION_TEXT, found)
    _too_long(found, f"{path}.value", option.get("value"), OPTION_VALUE)
    if "description" in option:
        _text(option["description"], f"{path}.description", OPTION_DESCRIPTION, found)


def _text(obj: Any, path: str, limit: int, found: list[str], *, plain: bool = False) -> None:
    """A text object: the right type, and between 1 and `limit` characters."""
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        found.append(f"{path}: not a text object")
        return
    if plain and obj.get("type") != "plain_text":
        found.append(f"{path}: must be plain_text, not {obj.get('type')!r}")
    elif obj.get("type") not in ("plain_text", "mrkdwn"):
        found.append(f"{path}: text type {obj.get('type')!r}")
    if not obj["text"]:
        found.append(f"{path}: empty text")
    _too_long(found, path, obj["text"], limit)
