"""The scopes Burst asks for are exactly the ones the Web API methods it calls (and the events it takes) need.

The methods are read off the code itself: every call of a slack_sdk client method (resolved to the Web API method
it sends, through wrappers such as files_upload_v2) and Bolt's `say`, in every module Burst ships.
"""

from __future__ import annotations

import ast
import inspect
import re
from functools import cache
from pathlib import Path

import yaml
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.scopes import COMMANDS, EVENTS, METHODS, REQUIRED_SCOPES, SHORTCUTS, compare, needing
from tests.support.fake_web_api import MANIFEST, manifest_scopes

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("bot", "handlers", "config", "storage")
BOLT_ITSELF = {"auth.test"}  # Bolt's AsyncApp calls it once to learn the bot's id; not visible in Burst's code


@cache
def api_methods_of(client_method: str) -> frozenset[str]:
    """The Web API methods one slack_sdk client method sends (a wrapper like files_upload_v2 sends several)."""
    function = AsyncWebClient.__dict__.get(client_method)  # its own API methods, not object's or the base's
    if not inspect.isfunction(function):
        return frozenset()
    source = inspect.getsource(function)
    sent = set(re.findall(r'api_call\(\s*"([\w.]+)"', source))
    for inner in re.findall(r"self\.(\w+)\(", source):
        if inner != client_method and not inner.startswith("_"):
            sent |= api_methods_of(inner)
    return frozenset(sent)


def methods_called() -> set[str]:
    called: set[str] = set()
    for folder in SHIPPED:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                if isinstance(node.func, ast.Name) and node.func.id == "say":
                    called.add("chat.postMessage")  # Bolt's say() posts to the event's channel
                elif isinstance(node.func, ast.Attribute):
                    called |= api_methods_of(node.func.attr)
    return called


def manifest() -> dict[str, object]:
    return dict(yaml.safe_load(MANIFEST.read_text(encoding="utf-8")))


def test_every_web_api_method_the_code_calls_is_in_the_table_and_nothing_else() -> None:
    called = methods_called() | BOLT_ITSELF
    assert called - METHODS.keys() == set(), "add these methods (their scopes and Tier) to handlers/slack/scopes.py"
    assert METHODS.keys() - called == set(), "no code calls these any more: drop them from handlers/slack/scopes.py"


def test_the_scan_sees_calls_through_wrappers() -> None:
    assert api_methods_of("files_upload_v2") == {"files.getUploadURLExternal", "files.completeUploadExternal"}
    assert api_methods_of("chat_postMessage") == {"chat.postMessage"}


def test_the_manifest_asks_for_exactly_the_scopes_the_table_needs() -> None:
    assert manifest_scopes() == REQUIRED_SCOPES
    assert "mpim:history" in REQUIRED_SCOPES  # the crash-recovery lookup in the group DM
    assert "im:read" not in REQUIRED_SCOPES  # nothing reads a DM's details


def test_the_manifest_subscribes_to_the_events_commands_and_shortcut_burst_handles() -> None:
    m = manifest()
    features, settings = m["features"], m["settings"]
    assert isinstance(features, dict)
    assert isinstance(settings, dict)
    assert set(settings["event_subscriptions"]["bot_events"]) == set(EVENTS)
    assert [c["command"] for c in features["slash_commands"]] == list(COMMANDS)
    assert [s["callback_id"] for s in features["shortcuts"]] == list(SHORTCUTS)


def test_the_readme_lists_exactly_the_required_scopes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listing = readme[readme.index("exactly the scopes Burst uses (") :]
    listing = listing[: listing.index(";")]
    listed = set(re.findall(r"`([a-z_:.]+)`", listing))
    assert listed == REQUIRED_SCOPES


def test_a_report_names_what_is_missing_and_what_is_extra() -> None:
    report = compare((REQUIRED_SCOPES - {"mpim:history"}) | {"channels:read"})
    assert report.missing == {"mpim:history"}
    assert report.extra == {"channels:read"}
    assert needing("mpim:history") == ["conversations.history"]
    assert needing("im:history") == ["conversations.history", "event message.im"]
