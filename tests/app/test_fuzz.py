"""Every place a person types text, fuzzed through the real Bolt app (signed HTTP requests, in-process).

For any text: the request is acked with 200, no listener fails (nothing reaches the listener-error log), and
every reply, message, update and view Burst sends, and every ack that carries a reply, is within Slack's Block
Kit limits (tests/support/block_kit.py). One database per engine (SQLite, PostgreSQL) for the module, seeded
with mentors so that fuzzed asks sometimes match and send pings with the fuzzed text in them; hypothesis keeps
example counts modest.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from handlers import blocks as b
from handlers.feedback import NOTE_MODAL
from handlers.home import HOME_EDIT, PROFILE_MODAL
from handlers.modals import REQUEST_MODAL
from storage.migrate import upgrade_async
from tests.app.flows import Pair, add_mentor, ended, person
from tests.conftest import database_copy
from tests.support.block_kit import api_call_problems, block_kit_problems
from tests.support.fake_web_api import FakeWebApi
from tests.support.in_process import ADMIN, Delivery, InProcessBurst
from tests.support.postgres import ThrowawayPostgres

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that mean something to Slack's mrkdwn, to our parsers, or to a database.
SPECIAL = [
    "<!channel>", "<!here>", "<@U0ALICE>", "<#C0GEN|general>", "<http://x.test|link>", "&", "&amp;", "<", ">",
    "*", "_", "~", "`", "```", ">", "\n", "\r\n", "\t", " ", "\u202e", "\u200b", "\ufeff", "\x00", "\x1c",
    "😀", "👩‍💻", "é", "ß", "İ", "ﬁ", ":", ",", ", ", ";", "expert", "peer", ":expert", "python", "go", "rust",
    "postgres", "help me with ", "anyone know ", "?", "-", "09:00", "17:30", "24:00", "9-5", "2h", "3d",
    "P1D", "PT90S", "0", "-1", "50", "51", "99999999999999999999", "1e309", "nan", "%s", "{}", "\\", "'", '"',
]  # fmt: skip
PREFIXES = [
    "", "help ", "ask ", "help", "skills", "skills add ", "skills remove ", "available", "away ", "away",
    "hours ", "hours", "cap ", "snooze ", "snooze", "status", "cancel", "delete-my-data", "digest", "digest post",
    "calendar ", "calendar", "calendar https://", "calendar webcal://", "calendar <https://",
]  # fmt: skip
USERS = [ADMIN, "U0FUZZONE", "U0FUZZTWO"]


def slack_text(max_pieces: int = 25) -> st.SearchStrategy[str]:
    """Mostly short mixes of meaningful pieces and arbitrary text; sometimes one piece repeated to great length."""
    pieces = st.one_of(st.text(max_size=30), st.sampled_from(SPECIAL))
    mixed = st.lists(pieces, max_size=max_pieces).map("".join)
    huge = st.tuples(st.sampled_from(["x", "é", "😀", "a, ", "<!channel>", "\n"]), st.integers(1000, 45_000))
    return st.one_of(mixed, mixed, mixed, huge.map(lambda t: t[0] * t[1]))


def within_limits(delivery: Delivery) -> None:
    assert delivery.status == 200, delivery.ack[:500]
    assert not delivery.errors, delivery.errors
    for call in delivery.calls:
        assert api_call_problems(call.method, call.args) == [], (call.method, json.dumps(call.args)[:2000])
    reply = delivery.ack_json
    if reply and "response_action" not in reply:  # a slash command's ack carries a reply
        assert block_kit_problems("message", reply) == [], reply


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def app(
    request: pytest.FixtureRequest,
    fake_api: FakeWebApi,
    migrated_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[InProcessBurst]:
    """One database per engine for the whole module: PostgreSQL refuses text SQLite takes (a NUL, say)."""
    if request.param == "sqlite":
        url = database_copy(migrated_template, tmp_path_factory.mktemp("fuzz"))
    else:
        server: ThrowawayPostgres = request.getfixturevalue("postgres_server")
        url = server.new_database("fuzz")
        await upgrade_async(url)
    burst = InProcessBurst.build(fake_api, url, "http")
    for skills in ("python:expert, postgres", "go, rust:expert", "kubernetes, python"):
        await add_mentor(burst, person("mentor"), skills)
    yield burst
    await burst.close()


@pytest.fixture(scope="module")
async def pair(app: InProcessBurst) -> Pair:
    """A session that has ended, for the feedback and follow-up surfaces."""
    return await ended(app)


@FUZZ
@given(prefix=st.sampled_from(PREFIXES), text=slack_text(), user=st.sampled_from(USERS))
@example(prefix="skills add ", text=", ".join(f"skill{i}" for i in range(400)), user="U0FUZZONE")
@example(prefix="help ", text="x" * 40_000, user="U0FUZZTWO")
@example(prefix="help ", text="ku\x00bernetes", user="U0FUZZTWO")  # PostgreSQL text can't hold a NUL
@example(prefix="skills add ", text=", ".join(f"<@U{i:08d}>" for i in range(1200)), user=ADMIN)
@example(prefix="skills remove ", text="<!channel>" * 2497, user=ADMIN)  # escaping quadruples the echo
async def test_slash_command_text(app: InProcessBurst, prefix: str, text: str, user: str) -> None:
    within_limits(await app.deliver(app.command(user, prefix + text)))
    within_limits(await app.deliver(app.command(user, "cancel")))  # so the next ask starts afresh


@FUZZ
@given(text=slack_text(), user=st.sampled_from(USERS))
@example(text="help me with " + "x" * 40_000, user="U0FUZZONE")
@example(text="help me with post\x00gres", user="U0FUZZONE")
async def test_dm_text(app: InProcessBurst, text: str, user: str) -> None:
    within_limits(await app.deliver(app.dm(user, text)))
    within_limits(await app.deliver(app.command(user, "cancel")))


@FUZZ
@given(text=slack_text(), user=st.sampled_from(USERS), threaded=st.booleans())
@example(text="anyone know ru\x00st?", user=ADMIN, threaded=False)
async def test_mention_text(app: InProcessBurst, text: str, user: str, threaded: bool) -> None:
    inbound = app.mention(user, f"<@U0BURST> {text}")
    if threaded:
        inbound.body["event"]["thread_ts"] = "1.000001"
    within_limits(await app.deliver(inbound))
    within_limits(await app.deliver(app.command(user, "cancel")))


@FUZZ
@given(text=st.one_of(st.none(), slack_text()), user=st.sampled_from(USERS))
async def test_message_shortcut_text(app: InProcessBurst, text: str | None, user: str) -> None:
    inbound = app.shortcut(user, "")
    inbound.body["message"]["text"] = text
    within_limits(await app.deliver(inbound))


def request_values(topic: str | None, details: str | None, length: str | None, level: str | None, anon: bool) -> Any:
    def chosen(value: str | None) -> dict[str, Any] | None:
        return None if value is None else {"text": {"type": "plain_text", "text": value[:75] or "x"}, "value": value}

    return {
        "topic": {"topic": {"type": "plain_text_input", "value": topic}},
        "details": {"details": {"type": "plain_text_input", "value": details}},
        "length": {"length": {"type": "static_select", "selected_option": chosen(length)}},
        "level": {"level": {"type": "radio_buttons", "selected_option": chosen(level)}},
        "anonymous": {"anonymous": {"type": "checkboxes", "selected_options": [chosen("yes")] if anon else []}},
    }


@FUZZ
@given(
    topic=st.one_of(st.none(), slack_text()),
    details=st.one_of(st.none(), slack_text()),
    length=st.one_of(st.none(), st.sampled_from(["10", "15", "20", "30"]), slack_text(3)),
    level=st.one_of(st.none(), st.sampled_from(["any", "expert", "peer"]), slack_text(3)),
    anonymous=st.booleans(),
    user=st.sampled_from(USERS),
)
@example(topic="x\x00y", details="d\x00", length="20", level="any", anonymous=False, user=ADMIN)
async def test_request_modal_fields(
    app: InProcessBurst,
    topic: str | None,
    details: str | None,
    length: str | None,
    level: str | None,
    anonymous: bool,
    user: str,
) -> None:
    values = request_values(topic, details, length, level, anonymous)
    within_limits(await app.deliver(app.submit(user, REQUEST_MODAL, values, json.dumps({"channel": "C0GEN"}))))
    # Whatever was asked, the requester can always see it in /burst status, and stop it.
    within_limits(await app.deliver(app.command(user, "status")))
    within_limits(await app.deliver(app.command(user, "cancel")))


@FUZZ
@given(note=st.one_of(st.none(), slack_text()), choice=st.sampled_from(["yes", "no"]), mentor=st.booleans())
@example(note="kind\x00ly", choice="yes", mentor=False)
async def test_feedback_note(app: InProcessBurst, pair: Pair, note: str | None, choice: str, mentor: bool) -> None:
    values = {
        "helpful": {"helpful": {"type": "radio_buttons", "selected_option": {"value": choice}}},
        "note": {"note": {"type": "plain_text_input", "value": note}},
    }
    user = pair.mentor if mentor else pair.requester
    metadata = json.dumps({"session": pair.session.id})
    within_limits(await app.deliver(app.submit(user, NOTE_MODAL, values, metadata)))


@FUZZ
@given(
    skills=st.one_of(st.none(), slack_text()),
    hours=st.one_of(st.none(), slack_text(4)),
    cap=st.one_of(st.none(), slack_text(3)),
    thanks=st.booleans(),
    user=st.sampled_from(USERS),
)
@example(skills=", ".join(f"skill{i}" for i in range(400)), hours=None, cap=None, thanks=False, user="U0FUZZONE")
@example(
    skills=", ".join(f"{'k' * 46}{i:04d}:expert" for i in range(50)), hours=None, cap=None, thanks=False, user=ADMIN
)
async def test_app_home_profile_modal(
    app: InProcessBurst, skills: str | None, hours: str | None, cap: str | None, thanks: bool, user: str
) -> None:
    option = {"text": {"type": "plain_text", "text": "Thank me"}, "value": "yes"}
    values = {
        "skills": {"skills": {"type": "plain_text_input", "value": skills}},
        "hours": {"hours": {"type": "plain_text_input", "value": hours}},
        "cap": {"cap": {"type": "plain_text_input", "value": cap}},
        "thanks": {"thanks": {"type": "checkboxes", "selected_options": [option] if thanks else []}},
    }
    within_limits(await app.deliver(app.submit(user, PROFILE_MODAL, values)))
    # What was saved shows again: in the App Home (published on save) and pre-filled in the edit form.
    within_limits(await app.deliver(app.click(user, HOME_EDIT, "edit")))
    within_limits(await app.deliver(app.event({"type": "app_home_opened", "user": user, "tab": "home"})))


@FUZZ
@given(topic=slack_text(), user=st.sampled_from(USERS))
async def test_ask_again_value(app: InProcessBurst, topic: str, user: str) -> None:
    """The Ask again button carries a topic back to Burst: whatever comes back is handled."""
    within_limits(await app.deliver(app.click(user, b.ASK_AGAIN, topic)))
    within_limits(await app.deliver(app.command(user, "cancel")))
