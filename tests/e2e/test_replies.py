"""Command replies through local-slack: hours as people write them, confirmed back; a mistake gets one usage line."""

from __future__ import annotations

from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN, has
from tests.support.control import Message, SlackControl
from tests.support.workload import text_of


async def reply_to(control: SlackControl, user: str, text: str, fragment: str) -> Message:
    before = await control.latest_ts(GEN)
    await control.command(user=user, text=text, channel=GEN)
    return await control.wait_for_message(GEN, has(fragment), what=f"the reply to {text!r}", after=before)


async def test_hours_read_as_people_write_them_and_the_ambiguous_ones_are_confirmed(
    slack: Slack, control: SlackControl, start_burst: StartBurst
) -> None:
    start_burst(slack)
    nine_to_five = await reply_to(control, "U0BOB", "hours 9-5", "working hours set to")
    assert "09:00-17:00" in text_of(nine_to_five)
    assert "`/burst hours 09:00-05:00`" in text_of(nine_to_five)  # the other reading, and how to say it
    for typed in ("9am-5pm", "9-17", "09:00-17:00"):
        said = await reply_to(control, "U0BOB", f"hours {typed}", "working hours set to")
        assert "09:00-17:00" in text_of(said)
        assert "overnight" not in text_of(said)
    night = await reply_to(control, "U0BOB", "hours 22-6", "working hours set to")
    assert "22:00-06:00" in text_of(night)


async def test_a_mistake_gets_what_was_wrong_and_one_usage_line_not_the_whole_list(
    socket_slack: Slack, start_burst: StartBurst
) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        start_burst(socket_slack)
        wrong = await reply_to(control, "U0BOB", "hours soon", "couldn't read working hours")
        lines = text_of(wrong).splitlines()
        assert len(lines) == 3, lines  # the problem, the `hours` line, where the rest is
        assert lines[1].startswith("`/burst hours")
        assert "/burst usage" in lines[2]
        unknown = await reply_to(control, "U0BOB", "dance", "i don't know")
        assert text_of(unknown).count("`/burst ") == 1  # just the pointer to `/burst usage`
        everything = await reply_to(control, "U0BOB", "usage", "burst: a quick burst of help")
        assert text_of(everything).count("`/burst ") > 10
