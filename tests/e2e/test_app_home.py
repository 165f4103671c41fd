"""The App Home as a mentor uses it: its buttons, the profile form (good and bad input), and the profile commands
it mirrors (snooze, skills remove). Clicks in a Home view and form submissions are signed Events API requests,
as Slack delivers them; local-slack's control API only clicks buttons in messages."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.entrypoints import demo_workspace as ws
from handlers.listeners.home import HOME_AVAILABLE, HOME_AWAY, HOME_EDIT, PROFILE_MODAL
from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN, has
from tests.e2e.test_surfaces import FORM, web_api_calls
from tests.support.control import SlackControl
from tests.support.signing import form_body, post_signed

USER = "U0ZOE"


def home_click(action_id: str) -> str:
    return form_body(
        {
            "type": "block_actions",
            "team": {"id": "T0ACME"},
            "api_app_id": "A0BURST",
            "user": {"id": USER, "team_id": "T0ACME"},
            "container": {"type": "view", "view_id": "VHOME"},
            "view": {"id": "VHOME", "type": "home"},
            "trigger_id": f"{time.time()}.home",
            "actions": [{"action_id": action_id, "type": "button", "value": "x", "action_ts": str(time.time())}],
        }
    )


def profile_form(skills: str, hours: str, cap: str, thanks: bool) -> str:
    option = {"text": {"type": "plain_text", "text": "Thank me"}, "value": "yes"}
    values: dict[str, Any] = {
        "skills": {"skills": {"type": "plain_text_input", "value": skills}},
        "hours": {"hours": {"type": "plain_text_input", "value": hours}},
        "cap": {"cap": {"type": "plain_text_input", "value": cap}},
        "thanks": {"thanks": {"type": "checkboxes", "selected_options": [option] if thanks else []}},
    }
    return form_body(
        {
            "type": "view_submission",
            "team": {"id": "T0ACME"},
            "api_app_id": "A0BURST",
            "user": {"id": USER, "team_id": "T0ACME"},
            "trigger_id": f"{time.time()}.form",
            "view": {"id": "VPROFILE", "type": "modal", "callback_id": PROFILE_MODAL, "state": {"values": values}},
        }
    )


async def latest_home(control: SlackControl, after: int) -> str:
    """The App Home published after the `after`-th publish, as JSON text."""
    published = await control.wait_for(lambda: _more(control, after), what=f"App Home publish number {after + 1}")
    return json.dumps(published[-1])


async def _more(control: SlackControl, than: int) -> list[dict[str, Any]] | None:
    calls = await web_api_calls(control, "views.publish")
    return calls if len(calls) > than else None


async def test_the_app_home_buttons_and_profile_form_edit_the_profile(
    slack_servers: dict[str, Slack], start_burst: StartBurst
) -> None:
    slack = slack_servers["events"]
    start_burst(slack)
    url = f"http://127.0.0.1:{slack.burst_port}/slack/events"
    async with SlackControl(slack.base_url) as control:
        await control.reset()
        await control.open_home(USER)
        home = await latest_home(control, 0)
        assert "any time" in home.lower()  # no hours set: the Home says when that means she can be pinged

        assert (await post_signed(url, ws.SIGNING_SECRET, home_click(HOME_AWAY), FORM))[0] == 200
        assert "away" in (await latest_home(control, 1)).lower()
        assert (await post_signed(url, ws.SIGNING_SECRET, home_click(HOME_AVAILABLE), FORM))[0] == 200
        await latest_home(control, 2)

        assert (await post_signed(url, ws.SIGNING_SECRET, home_click(HOME_EDIT), FORM))[0] == 200
        opened = await control.wait_for(lambda: web_api_calls(control, "views.open"), what="the profile form")
        assert PROFILE_MODAL in json.dumps(opened[-1])

        # Bad input stays in the form, each field saying what is wrong; nothing is saved.
        status, body = await post_signed(
            url, ws.SIGNING_SECRET, profile_form("figma:guru", "25:00-26:00", "lots", thanks=False), FORM
        )
        assert status == 200
        errors = json.loads(body)["errors"]
        assert set(errors) == {"skills", "hours", "cap"}
        assert "expert" in errors["skills"]

        status, _ = await post_signed(
            url, ws.SIGNING_SECRET, profile_form("figma:expert, sketch", "08:00-16:00", "4", thanks=True), FORM
        )
        assert status == 200
        home = await latest_home(control, 3)
        for shown in ("figma", "sketch", "08:00-16:00", "4"):
            assert shown in home

        # Hours as people write them: "9-5" is a working day, and the reading is said back.
        status, _ = await post_signed(
            url, ws.SIGNING_SECRET, profile_form("figma:expert, sketch", "9-5", "4", thanks=True), FORM
        )
        assert status == 200
        assert "09:00-17:00" in await latest_home(control, 4)
        said = await control.wait_for_message(USER, has("read your working hours as 09:00-17:00"))
        assert "09:00-05:00" in json.dumps(said)

        await control.command(user=USER, text="skills remove sketch", channel=GEN)
        await control.wait_for_message(GEN, has("removed"))
        await control.command(user=USER, text="skills", channel=GEN)
        skills = await control.wait_for_message(GEN, has("*figma* (expert)"))
        assert "sketch" not in json.dumps(skills)
        await control.command(user=USER, text="snooze 2h", channel=GEN)
        snoozed = await control.wait_for_message(GEN, has("no pings until"))
        assert "<!date^" in json.dumps(snoozed)  # shown in her own time zone, not UTC
