"""Every reply to a `/burst` command says it is ephemeral instead of relying on Slack's default for a response_url:
through the real Bolt app, each command's replies are read off the fake Web API's response_url posts."""

from __future__ import annotations

import pytest

from handlers.listeners.commands import DELETE_CANCEL, DELETE_CONFIRM
from tests.app.flows import add_mentor, ok, person
from tests.support.in_process import ADMIN, InProcessBurst

COMMANDS = [
    "help kafka", "cancel", "status", "skills", "skills add go", "skills remove go", "available", "away 2h",
    "hours 09:00-17:00", "hours nonsense", "cap 3", "snooze 1h", "usage", "no-such-command", "delete-my-data",
    "digest",
]  # fmt: skip


@pytest.mark.parametrize("text", COMMANDS)
async def test_every_command_reply_says_ephemeral(burst: InProcessBurst, text: str) -> None:
    await add_mentor(burst, person("mentor"), "kafka:expert")
    user = ADMIN if text == "digest" else person("asker")
    replies = [c.args for c in ok(await burst.deliver(burst.command(user, text))).calls if c.method == "response_url"]
    assert replies, f"`/burst {text}` sent no reply"
    assert [r.get("response_type") for r in replies] == ["ephemeral"] * len(replies)


@pytest.mark.parametrize("button", [DELETE_CONFIRM, DELETE_CANCEL])
async def test_the_delete_confirmation_replies_say_ephemeral(burst: InProcessBurst, button: str) -> None:
    user = person("asker")
    value = user if button == DELETE_CONFIRM else "no"
    delivered = ok(await burst.deliver(burst.click(user, button, value)))
    replies = [c.args for c in delivered.calls if c.method == "response_url"]
    assert replies
    assert [r.get("response_type") for r in replies] == ["ephemeral"] * len(replies)
