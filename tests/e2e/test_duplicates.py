"""Slack's redeliveries against a real `burst run` in HTTP mode, with local-slack as the workspace.

local-slack never retries, so the test plays Slack's part: it signs the very same body again with
X-Slack-Retry-Num / X-Slack-Retry-Reason, as the Events API does when it missed an ack. What people see in
local-slack and what the database holds must show each delivery acted on once. (The in-process tests in
tests/app/test_duplicates.py cover every surface over HTTP and Socket Mode and see exactly when a delivery is
finished; here a later command's answer is the barrier, so a late second reply could slip past, never fail.)
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from bot.entrypoints import demo_workspace as ws
from storage.database import Database
from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN, add_skills, button, has, open_dm
from tests.e2e.test_concurrency import click
from tests.e2e.test_surfaces import FORM, modal_values, submission
from tests.support.control import Message, SlackControl
from tests.support.signing import post_signed
from tests.support.workload import text_of

JSON = "application/json"


def dm_event(channel: str, user: str, text: str, event_id: str) -> str:
    ts = f"{time.time():.6f}"
    return json.dumps(
        {
            "token": "verification-token",
            "team_id": "T0ACME",
            "api_app_id": "A0BURST",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": channel,
                "user": user,
                "text": text,
                "ts": ts,
            },
        }
    )


async def deliver_three_times(url: str, body: str, content_type: str) -> None:
    """The original, then Slack's first and second retry of it (each signed anew, as Slack does)."""
    for retry in range(3):
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        status, _ = await post_signed(url, ws.SIGNING_SECRET, body, content_type, headers)
        assert status == 200


def count(messages: list[Message], fragment: str) -> int:
    return sum(fragment.lower() in text_of(m).lower() for m in messages)


def with_button(action_id: str) -> Any:
    return lambda m: any(
        e.get("action_id") == action_id for block in m.get("blocks") or [] for e in block.get("elements") or []
    )


async def test_redelivered_dm_click_end_and_submission_each_act_once(
    slack_servers: dict[str, Slack], start_burst: StartBurst, tmp_path: Path
) -> None:
    slack = slack_servers["events"]
    start_burst(slack)
    url = f"http://127.0.0.1:{slack.burst_port}/slack/events"
    async with SlackControl(slack.base_url) as control:
        await control.reset()
        await add_skills(control, "U0BOB", "python:expert, postgres:expert")
        dm = await open_dm(control, "U0ALICE")

        await deliver_three_times(url, dm_event(dm, "U0ALICE", "help me with python generators", "EvTHRICE1"), JSON)
        ping = await control.wait_for_message("U0BOB", has("needs help with"), what="Bob's ping")
        await deliver_three_times(url, click("U0BOB", ping, button(ping, "ping_accept")), FORM)
        card = await control.wait_for_message("U0ALICE", with_button("session_end"), what="the session card")
        await deliver_three_times(url, click("U0ALICE", card, button(card, "session_end")), FORM)
        await control.wait_for_message("U0ALICE", has("has ended"), what="the session's end")
        body = submission("U0ALICE", modal_values("postgres indexes"), view_id="VTHRICE")
        await deliver_three_times(url, body, FORM)
        await control.wait_for_message("U0BOB", has("postgres indexes"), what="Bob's second ping")

        await control.command(user="U0ALICE", text="status", channel=GEN)  # the barrier: answered after the rest
        await control.wait_for_message(GEN, has("recent bursts"), what="Alice's status")
        alice, bob = await control.dm_messages("U0ALICE"), await control.dm_messages("U0BOB")
        assert count(alice, "is helping you: your session on *python generators*") == 1  # the status, edited
        assert count(alice, "who knows *postgres indexes*") == 1
        assert count(alice, "has ended") == 1
        assert count(bob, "needed help with *python generators*") == 1  # the ping, rewritten once accepted
        assert count(bob, "needs help with *postgres indexes*") == 1
        assert count(alice + bob, "already") == 0  # no "already answered" / "already ended" for a redelivery

    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}")
    try:
        async with db.uow(readonly=True) as uow:
            requests = await uow.requests.recent_for("U0ALICE")
            events = [e.kind for r in requests for e in await uow.events.for_request(r.id or 0)]
    finally:
        await db.dispose()
    assert sorted(r.topic for r in requests) == ["postgres indexes", "python generators"]
    assert events.count("session.started") == events.count("session.ended") == 1
    assert events.count("ping.accepted") == 1
