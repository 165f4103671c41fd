"""Every way to ask and to manage a profile, end to end: the modal (signed view_submission), the shortcut,
App Home, status, cancel, delete-my-data, and friendly answers to bad input."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.entrypoints import demo_workspace as ws
from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN, add_skills, button, has
from tests.support.control import SlackControl
from tests.support.signing import form_body, post_signed
from tests.support.workload import text_of

FORM = "application/x-www-form-urlencoded"


def submission(user: str, values: dict[str, Any], view_id: str = "V1") -> str:
    return form_body(
        {
            "type": "view_submission",
            "team": {"id": "T0ACME"},
            "api_app_id": "A0BURST",
            "user": {"id": user, "team_id": "T0ACME"},
            "trigger_id": f"{time.time()}",
            "view": {
                "id": view_id,
                "type": "modal",
                "callback_id": "request_modal",
                "private_metadata": json.dumps({"channel": GEN}),
                "state": {"values": values},
            },
        }
    )


def modal_values(topic: str, details: str = "", anonymous: bool = False, level: str = "any") -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": "x"}, "value": "yes"}
    return {
        "topic": {"topic": {"type": "plain_text_input", "value": topic}},
        "details": {"details": {"type": "plain_text_input", "value": details}},
        "length": {"length": {"type": "static_select", "selected_option": {"value": "1200"}}},
        "level": {"level": {"type": "radio_buttons", "selected_option": {"value": level}}},
        "anonymous": {"anonymous": {"type": "checkboxes", "selected_options": [option] if anonymous else []}},
    }


async def web_api_calls(control: SlackControl, method: str) -> list[dict[str, Any]]:
    return [e.get("detail") or {} for e in await control.log() if e.get("summary") == method]


async def test_the_request_modal_asks_anonymously_with_details(
    slack_servers: dict[str, Slack], start_burst: StartBurst
) -> None:
    slack = slack_servers["events"]
    start_burst(slack)
    url = f"http://127.0.0.1:{slack.burst_port}/slack/events"
    async with SlackControl(slack.base_url) as control:
        await control.reset()
        await add_skills(control, "U0KENJI", "react:expert")
        await control.command(user="U0ALICE", text="", channel=GEN)
        [opened] = await control.wait_for(lambda: web_api_calls(control, "views.open"), what="the modal opening")
        view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
        length = next(blk for blk in view["blocks"] if blk.get("block_id") == "length")["element"]
        assert length["initial_option"]["value"] == "8"  # BURST_SESSION_LENGTH, not a fixed 15 minutes

        status, body = await post_signed(url, ws.SIGNING_SECRET, submission("U0ALICE", modal_values("  ")), FORM)
        assert status == 200
        assert json.loads(body)["response_action"] == "errors"  # an empty topic is refused in the form itself

        values = modal_values("react hooks re-rendering", "It loops forever <!channel>", anonymous=True)
        status, _ = await post_signed(url, ws.SIGNING_SECRET, submission("U0ALICE", values), FORM)
        assert status == 200
        ping = await control.wait_for_message("U0KENJI", has("needs help with"), what="Kenji's ping")
        shown = text_of(ping)
        assert "Someone needs help" in shown
        assert "U0ALICE" not in shown  # anonymous until accepted
        assert "&lt;!channel&gt;" in shown  # user text is escaped, no @channel
        assert "20 min" in shown
        await control.interact(ping["channel"], ping["ts"], "U0KENJI", button(ping, "ping_accept"))
        await control.wait_for_message("U0KENJI", has("<@U0ALICE>"), what="the name once accepted")


async def test_the_message_shortcut_opens_the_modal_prefilled(
    slack_servers: dict[str, Slack], start_burst: StartBurst
) -> None:
    slack = slack_servers["events"]
    start_burst(slack)
    payload = form_body(
        {
            "type": "message_action",
            "callback_id": "get_help_with_this",
            "team": {"id": "T0ACME"},
            "api_app_id": "A0BURST",
            "user": {"id": "U0ALICE"},
            "channel": {"id": GEN},
            "trigger_id": "1.2.3",
            "message": {"type": "message", "ts": "1.0", "text": "Why does terraform plan want to destroy my bucket?"},
        }
    )
    async with SlackControl(slack.base_url) as control:
        await control.reset()
        status, _ = await post_signed(
            f"http://127.0.0.1:{slack.burst_port}/slack/events", ws.SIGNING_SECRET, payload, FORM
        )
        assert status == 200
        opened = await control.wait_for(lambda: web_api_calls(control, "views.open"), what="the modal")
        assert "terraform plan" in json.dumps(opened[-1])


def hours_around_now(zone: str) -> str:
    """A working-hours span from an hour ago to two hours ahead in `zone` (overnight spans wrap)."""
    local = datetime.now(ZoneInfo(zone))
    return f"{local - timedelta(hours=1):%H:%M}-{local + timedelta(hours=2):%H:%M}"


async def test_app_home_status_cancel_and_profile_commands(
    slack: Slack, control: SlackControl, start_burst: StartBurst
) -> None:
    start_burst(slack)
    await add_skills(control, "U0BOB", "sql:expert")
    # Hours around Bob's present moment in his own zone, so he is pingable whenever the test runs.
    hours = hours_around_now("America/New_York")
    await control.command(user="U0BOB", text=f"hours {hours}", channel=GEN)
    await control.wait_for_message(GEN, has(f"working hours set to {hours}"))
    await control.command(user="U0BOB", text="cap 3", channel=GEN)
    await control.wait_for_message(GEN, has("at most 3 bursts a week"))
    await control.command(user="U0BOB", text="away 2h", channel=GEN)
    await control.wait_for_message(GEN, has("you're away until"))
    await control.command(user="U0BOB", text="available", channel=GEN)
    await control.wait_for_message(GEN, has("available for pings again"))

    await control.open_home("U0BOB")
    published = await control.wait_for(lambda: web_api_calls(control, "views.publish"), what="App Home")
    home = json.dumps(published[-1])
    assert "sql" in home
    assert hours in home

    await control.command(user="U0ALICE", text="help sql", channel=GEN)
    await control.wait_for_message("U0BOB", has("needs help with"))
    await control.command(user="U0ALICE", text="status", channel=GEN)
    await control.wait_for_message(GEN, has("open request: *sql*"))
    await control.command(user="U0ALICE", text="cancel", channel=GEN)
    await control.wait_for_message(GEN, has("cancelled your request about *sql*"))
    await control.wait_for_message("U0BOB", has("this request has closed"), what="Bob's ping closed")


async def test_bad_input_gets_a_friendly_answer(slack: Slack, control: SlackControl, start_burst: StartBurst) -> None:
    start_burst(slack)
    cases = {
        "frobnicate": "don't know",
        "away soon": "away",
        "hours 25:00-26:00": "hours",
        "cap lots": "cap",
        "skills add python:guru": "expert",
        "help " + "x" * 300: "200",
    }
    for text, fragment in cases.items():
        before = await control.latest_ts(GEN)  # the usage reply names every command: only a new answer counts
        await control.command(user="U0NINA", text=text, channel=GEN)
        answer = await control.wait_for_message(GEN, has(fragment), what=f"an answer to {text[:20]!r}", after=before)
        assert "Traceback" not in text_of(answer)
    await control.command(user="U0NINA", text="skills add <!channel>, python", channel=GEN)
    answer = await control.wait_for_message(GEN, has("your skills:"))
    assert "<!channel>" not in text_of(answer)
    await control.command(user="U0NINA", text="skills", channel=GEN)
    await control.wait_for_message(GEN, has("*python* (peer)"))


async def test_delete_my_data_asks_first_then_forgets(
    slack: Slack, control: SlackControl, start_burst: StartBurst
) -> None:
    start_burst(slack)
    await add_skills(control, "U0LUCA", "excel:expert")
    await control.command(user="U0LUCA", text="delete-my-data", channel=GEN)
    confirm = await control.wait_for_message(GEN, has("can't be undone"))
    await control.interact(GEN, confirm["ts"], "U0LUCA", button(confirm, "delete_my_data_confirm"))
    await control.wait_for_message(GEN, has("burst has forgotten you"))
    await control.command(user="U0LUCA", text="skills", channel=GEN)
    await control.wait_for_message(GEN, has("no skills listed yet"))
