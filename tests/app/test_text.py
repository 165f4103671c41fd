"""Text as Slack shows it: the shortcut's pre-fill decoded, form errors in plain text, the chart described, and
a typed @here neutralised where Burst repeats a topic."""

from __future__ import annotations

from typing import Any

from handlers.listeners.home import PROFILE_MODAL
from tests.app.flows import add_mentor, ok, person
from tests.support.fake_web_api import FakeWebApi
from tests.support.in_process import ADMIN, InProcessBurst


def field_values(view: dict[str, Any]) -> dict[str, str]:
    return {
        block["block_id"]: str(block["element"].get("initial_value") or "")
        for block in view["blocks"]
        if block.get("type") == "input" and "initial_value" in block.get("element", {})
    }


async def test_the_shortcut_prefills_what_the_person_saw_not_slacks_encoding(burst: InProcessBurst) -> None:
    raw = "&lt;div&gt; won't center for <@U0ALICE|alice>, see <https://docs.example/css|the docs>\nmore &amp; more"
    delivery = ok(await burst.deliver(burst.shortcut(person("asker"), raw)))
    [opened] = [c for c in delivery.calls if c.method == "views.open"]
    values = field_values(opened.args["view"])
    assert values["topic"] == "<div> won't center for @alice, see the docs"
    assert values["details"] == "<div> won't center for @alice, see the docs\nmore & more"


async def test_form_errors_are_plain_text(burst: InProcessBurst) -> None:
    user = person("mentor")
    values = {"skills": {"skills": {"type": "plain_text_input", "value": "<b>:wizard"}}}
    delivery = await burst.deliver(burst.submit(user, PROFILE_MODAL, values))
    errors = delivery.ack_json["errors"]
    assert errors["skills"].startswith("wizard isn't a level for <b>: use expert or peer")
    assert not any(mark in errors["skills"] for mark in ("`", "*", "&lt;"))


async def test_the_digest_chart_carries_alt_text(burst: InProcessBurst) -> None:
    delivery = ok(await burst.deliver(burst.command(ADMIN, "digest post")))
    [upload] = [c for c in delivery.calls if c.method == "files.getUploadURLExternal"]
    assert str(upload.args["alt_txt"]).startswith("Bar chart of Burst ")
    assert "requests 0 (last week 0)" in str(upload.args["alt_txt"])


async def test_a_typed_here_in_a_topic_pings_nobody(burst: InProcessBurst, fake_api: FakeWebApi) -> None:
    mentor = person("mentor")
    await add_mentor(burst, mentor, "rust")
    delivery = ok(await burst.deliver(burst.command(person("asker"), "help me with rust @here @channel")))
    shown = [c for c in delivery.calls if c.method in ("chat.postMessage", "response_url")]
    assert shown
    for call in shown:
        text = str(call.args.get("text")) + str(call.args.get("blocks"))
        assert "@here" not in text
        assert "@channel" not in text
