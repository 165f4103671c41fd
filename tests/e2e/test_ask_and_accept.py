"""The first slice, end to end through local-slack: skills, a request, a ping, an accept; in both modes."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Slack, StartBurst
from tests.support.control import SlackControl
from tests.support.workload import text_of

GEN = "C0GEN"


def has(fragment: str) -> Any:
    return lambda m: fragment.lower() in text_of(m).lower()


def button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return {"action_id": action_id, "value": element.get("value"), "type": "button"}
    raise AssertionError(f"no {action_id} button in {text_of(message)!r}")


async def add_skills(control: SlackControl, user: str, skills: str) -> None:
    """Add skills and wait for *this* confirmation: every user's reads "your skills:", so an older one would do."""
    before = await control.latest_ts(GEN)
    await control.command(user=user, text=f"skills add {skills}", channel=GEN)
    await control.wait_for_message(GEN, has("your skills:"), what=f"{user}'s skills confirmation", after=before)


async def test_request_reaches_a_matching_mentor_who_accepts(
    slack: Slack, control: SlackControl, start_burst: StartBurst
) -> None:
    start_burst(slack)
    await add_skills(control, "U0BOB", "python, postgres:expert")
    await add_skills(control, "U0ALICE", "python")  # the requester knows it too, but is never pinged

    await control.command(user="U0ALICE", text="help python decorators", channel=GEN)
    await control.wait_for_message(GEN, has("got it: *python decorators*"))

    ping = await control.wait_for_message("U0BOB", has("needs help with"), what="Bob's ping")
    assert "<@U0ALICE>" in text_of(ping)
    assert "python decorators" in text_of(ping)
    assert not [m for m in await control.dm_messages("U0ALICE") if "needs help with" in text_of(m)]

    await control.interact(ping["channel"], ping["ts"], "U0BOB", button(ping, "ping_accept"))
    told = await control.wait_for_message("U0ALICE", has("is helping"), what="the requester hears who helps")
    assert "<@U0BOB>" in text_of(told)
    await control.wait_for_message("U0BOB", has("you accepted"), what="Bob's ping rewritten")
    mentor_view = await control.wait_for_message("U0BOB", has("is helping"), what="Bob hears whom he helps")
    assert "<@U0ALICE>" in text_of(mentor_view)


async def test_a_topic_nobody_knows_gets_a_clear_answer_and_pings_nobody(
    slack: Slack, control: SlackControl, start_burst: StartBurst
) -> None:
    start_burst(slack)
    await add_skills(control, "U0BOB", "python")
    await control.command(user="U0ALICE", text="help underwater basket weaving", channel=GEN)
    answer = await control.wait_for_message("U0ALICE", has("couldn't find anyone"), what="the no-match answer")
    assert "underwater basket weaving" in text_of(answer)
    assert not [m for m in await control.dm_messages("U0BOB") if "needs help" in text_of(m)]


async def open_dm(control: SlackControl, user: str) -> str:
    """The person opens Burst's App Home, which (as in Slack) gives them a DM with the app."""
    await control.open_home(user)
    return await control.wait_for(lambda: control.dm_channel(user), what=f"{user}'s DM with Burst")


async def test_a_dm_in_plain_words_is_a_request_and_other_text_gets_a_hint(
    slack: Slack, control: SlackControl, start_burst: StartBurst
) -> None:
    start_burst(slack)
    await add_skills(control, "U0SAM", "k8s:expert")
    dm = await open_dm(control, "U0ALICE")
    await control.message(dm, "U0ALICE", "hello there")
    await control.wait_for_message(dm, has("try *help me with"), what="the hint for a non-request")
    await control.message(dm, "U0ALICE", "Can someone help me with kubernetes ingress, please?")
    await control.wait_for_message(dm, has("who knows *kubernetes ingress*"))
    ping = await control.wait_for_message("U0SAM", has("needs help with"), what="Sam's ping")
    assert "kubernetes ingress" in text_of(ping)


async def test_a_mention_in_a_channel_is_a_request(
    slack: Slack, control: SlackControl, start_burst: StartBurst
) -> None:
    start_burst(slack)
    await add_skills(control, "U0BOB", "postgres:expert")
    await control.message(GEN, "U0ALICE", "<@U0BURST> anyone know postgres?")
    await control.wait_for_message(GEN, has("got it: *postgres*"))
    await control.wait_for_message("U0BOB", has("needs help with"), what="Bob's ping")
