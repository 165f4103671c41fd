"""The same delivery two or three times is acted on once, over HTTP and over Socket Mode.

Each case brings Burst to the state where a delivery matters, delivers it, and checks that it did its work
(someone saw the outcome). Then the very same delivery comes again twice, as Slack redelivers: over HTTP signed
anew with X-Slack-Retry-Num and X-Slack-Retry-Reason, over Socket Mode as an envelope with `retry_attempt`
(for events; Slack's interactive and command envelopes carry no count), through Bolt's own Socket Mode adapter
function. A redelivery must be acked, must not reach Slack's Web API at all (no second request, ping, session
end or reply), and must leave every row of the database as it was.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from handlers.listeners.commands import DELETE_CONFIRM
from handlers.listeners.feedback import NOTE_MODAL
from handlers.listeners.modals import REQUEST_MODAL
from handlers.views import blocks as b
from storage.database import Database
from tests.app.flows import add_mentor, ended, in_session, ok, person, pinged
from tests.support.db_snapshot import changes, snapshot
from tests.support.fake_web_api import ApiCall
from tests.support.in_process import Delivery, Inbound, InProcessBurst

Prepare = Callable[[InProcessBurst], Awaitable[Inbound]]


def shown(calls: list[ApiCall]) -> str:
    """Every string in these calls: what people could read in messages, ephemerals, updates, views and replies."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            parts.append(node)
        elif isinstance(node, dict | list):
            for item in node.values() if isinstance(node, dict) else node:
                walk(item)

    for call in calls:
        walk(call.args)
    return "\n".join(parts)


def request_values(topic: str) -> dict[str, Any]:
    return {
        "topic": {"topic": {"type": "plain_text_input", "value": topic}},
        "details": {"details": {"type": "plain_text_input", "value": "it panics"}},
        "length": {"length": {"type": "static_select", "selected_option": {"value": "1200"}}},
        "level": {"level": {"type": "radio_buttons", "selected_option": {"value": "any"}}},
        "anonymous": {"anonymous": {"type": "checkboxes", "selected_options": []}},
    }


def note_values(note: str) -> dict[str, Any]:
    return {
        "helpful": {"helpful": {"type": "radio_buttons", "selected_option": {"value": "yes"}}},
        "note": {"note": {"type": "plain_text_input", "value": note}},
    }


async def mentor_then(burst: InProcessBurst, make: Callable[[str], Inbound]) -> Inbound:
    await add_mentor(burst, person("mentor"), "rust:expert")
    return make(person("asker"))


async def dm_ask(burst: InProcessBurst) -> Inbound:
    return await mentor_then(burst, lambda u: burst.dm(u, "can someone help me with rust?"))


async def dm_hint(burst: InProcessBurst) -> Inbound:
    return burst.dm(person("chatty"), "hello there")


async def mention_ask(burst: InProcessBurst) -> Inbound:
    return await mentor_then(burst, lambda u: burst.mention(u, "<@U0BURST> anyone know rust?"))


async def command_ask(burst: InProcessBurst) -> Inbound:
    return await mentor_then(burst, lambda u: burst.command(u, "help rust lifetimes"))


async def command_cancel(burst: InProcessBurst) -> Inbound:
    requester, _, _, _ = await pinged(burst)
    return burst.command(requester, "cancel")


async def command_skills(burst: InProcessBurst) -> Inbound:
    return burst.command(person("mentor"), "skills add go:expert")


async def command_form(burst: InProcessBurst) -> Inbound:
    return burst.command(person("asker"), "")


async def accept(burst: InProcessBurst) -> Inbound:
    _, mentor, _, ping = await pinged(burst)
    return burst.click(mentor, b.PING_ACCEPT, str(ping.id))


async def decline(burst: InProcessBurst) -> Inbound:
    _, mentor, _, ping = await pinged(burst)
    return burst.click(mentor, b.PING_DECLINE, str(ping.id))


async def snooze(burst: InProcessBurst) -> Inbound:
    _, mentor, _, ping = await pinged(burst)
    return burst.click(mentor, b.PING_SNOOZE, str(ping.id))


async def extend(burst: InProcessBurst) -> Inbound:
    pair = await in_session(burst)
    return burst.click(pair.requester, b.SESSION_EXTEND, str(pair.session.id))


async def end(burst: InProcessBurst) -> Inbound:
    pair = await in_session(burst)
    return burst.click(pair.mentor, b.SESSION_END, str(pair.session.id))


async def solved(burst: InProcessBurst) -> Inbound:
    pair = await ended(burst)
    return burst.click(pair.requester, b.FOLLOWUP_SOLVED, str(pair.session.id))


async def still_stuck(burst: InProcessBurst) -> Inbound:
    pair = await ended(burst)
    return burst.click(pair.requester, b.FOLLOWUP_STUCK, str(pair.session.id))


async def helpful(burst: InProcessBurst) -> Inbound:
    pair = await ended(burst)
    return burst.click(pair.mentor, b.FEEDBACK_YES, str(pair.session.id))


async def ask_again(burst: InProcessBurst) -> Inbound:
    return await mentor_then(burst, lambda u: burst.click(u, b.ASK_AGAIN, "rust"))


async def request_modal(burst: InProcessBurst) -> Inbound:
    return await mentor_then(
        burst, lambda u: burst.submit(u, REQUEST_MODAL, request_values("rust borrow checker"), '{"channel": "C0GEN"}')
    )


async def feedback_note(burst: InProcessBurst) -> Inbound:
    pair = await ended(burst)
    metadata = json.dumps({"session": pair.session.id})
    return burst.submit(pair.requester, NOTE_MODAL, note_values("clear and kind"), metadata)


async def shortcut(burst: InProcessBurst) -> Inbound:
    return burst.shortcut(person("asker"), "How do I read a cargo backtrace?")


async def delete_my_data(burst: InProcessBurst) -> Inbound:
    user = person("leaver")
    await add_mentor(burst, user, "rust")
    return burst.click(user, DELETE_CONFIRM, user, channel="C0GEN")  # the button carries whose data it is


@dataclass(frozen=True)
class Case:
    prepare: Prepare
    seen: str  # what the first delivery shows someone: proof that it acted
    stores: bool = True  # whether the first delivery changes the database (beyond noting the delivery)


CASES = {
    "DM asking for help": Case(dm_ask, "needs help with"),
    "DM that is not a request": Case(dm_hint, "help me with <topic>", stores=False),
    "mention asking for help": Case(mention_ask, "needs help with"),
    "/burst help": Case(command_ask, "needs help with"),
    "/burst cancel": Case(command_cancel, "Cancelled your request"),
    "/burst skills add": Case(command_skills, "Added"),
    "/burst (the request form)": Case(command_form, "Get help now", stores=False),
    "Accept": Case(accept, "is helping"),
    "Decline": Case(decline, "You declined"),
    "Snooze": Case(snooze, "Snoozed"),
    "Extend": Case(extend, "extended"),
    "End": Case(end, "has ended"),
    "Solved": Case(solved, "solved"),
    "Still stuck": Case(still_stuck, "still stuck"),
    "Helpful": Case(helpful, "You answered"),
    "Ask again": Case(ask_again, "needs help with"),
    "request modal": Case(request_modal, "needs help with"),
    "feedback note modal": Case(feedback_note, ""),
    "Get help with this shortcut": Case(shortcut, "cargo backtrace", stores=False),
    "delete-my-data confirm": Case(delete_my_data, "forgotten you"),
}


def nothing_sent(delivery: Delivery) -> bool:
    return delivery.status == 200 and not delivery.calls and not delivery.errors


@pytest.mark.parametrize("name", CASES)
async def test_a_redelivery_is_acted_on_once(burst: InProcessBurst, name: str) -> None:
    case = CASES[name]
    inbound = await case.prepare(burst)
    db: Database = burst.services.db
    before = await snapshot(db)
    first = await burst.deliver(inbound)
    assert first.status == 200
    assert not first.errors, first.errors
    assert case.seen in shown(first.calls), shown(first.calls)
    acted = await snapshot(db)
    assert bool(set(changes(before, acted)) - {"slack_deliveries"}) == case.stores

    for retry in (1, 2):
        again = await burst.deliver(inbound, retry=retry)
        assert nothing_sent(again), f"redelivery {retry} of {name}: {again.calls or again.errors}"
    assert changes(acted, await snapshot(db)) == {}


async def test_copies_racing_each_other_make_one_request_and_one_ping(burst: InProcessBurst) -> None:
    """A redelivery can overlap the original (Socket Mode after a reconnect, two replicas): still once."""
    mentor, asker = person("mentor"), person("asker")
    await add_mentor(burst, mentor, "rust:expert")
    burst.api.clear()
    assert await burst.deliver_together(burst.dm(asker, "help me with rust macros"), copies=3) == [200] * 3
    acks = [c for c in burst.api.named("chat.postMessage") if "Looking for someone" in shown([c])]
    pings = [c for c in burst.api.named("chat.postMessage") if "needs help with" in shown([c])]
    assert (len(acks), len(pings)) == (1, 1)
    async with burst.services.db.uow(readonly=True) as uow:
        assert len(await uow.requests.recent_for(asker)) == 1


def replies(delivery: Delivery) -> str:
    return shown([c for c in delivery.calls if c.method == "response_url"])


async def test_the_same_question_again_moments_after_it_closed_says_what_became_of_it(burst: InProcessBurst) -> None:
    """A person who saw no answer (Burst restarting) or pressed enter twice sends the same words again: no second
    request, and they are told what became of the first. Other words, or a cancelled first request, ask anew."""
    asker = person("asker")
    ok(await burst.deliver(burst.command(asker, "help my landlord keeps the deposit")))  # unmet demand: closed at once
    again = ok(await burst.deliver(burst.command(asker, "help My landlord keeps the deposit!")))
    assert "You just asked about *My landlord keeps the deposit!*" not in replies(again)
    assert "You just asked about *my landlord keeps the deposit*: nobody here lists that yet" in replies(again)
    async with burst.services.db.uow(readonly=True) as uow:
        assert len(await uow.requests.recent_for(asker)) == 1

    ok(await burst.deliver(burst.command(asker, "help my landlord keeps the deposit, what can I do")))
    async with burst.services.db.uow(readonly=True) as uow:
        assert len(await uow.requests.recent_for(asker)) == 2


async def test_the_same_question_after_a_match_names_who_took_it(burst: InProcessBurst) -> None:
    pair = await in_session(burst)
    again = ok(await burst.deliver(burst.command(pair.requester, "help rust")))
    assert f"You just asked about *rust*, and <@{pair.mentor}> took it" in shown(again.calls)
    async with burst.services.db.uow(readonly=True) as uow:
        assert len(await uow.requests.recent_for(pair.requester)) == 1


async def test_the_same_question_after_cancelling_it_asks_anew(burst: InProcessBurst) -> None:
    mentor, asker = person("mentor"), person("asker")
    await add_mentor(burst, mentor, "rust:expert")
    ok(await burst.deliver(burst.command(asker, "help rust lifetimes")))
    ok(await burst.deliver(burst.command(asker, "cancel")))
    again = ok(await burst.deliver(burst.command(asker, "help rust lifetimes")))
    assert "You just asked" not in shown(again.calls)
    async with burst.services.db.uow(readonly=True) as uow:
        assert len(await uow.requests.recent_for(asker)) == 2


async def test_the_ask_again_button_right_after_nobody_was_free_asks_anew(burst: InProcessBurst) -> None:
    """Buttons that offer to ask again (Ask again, Find someone else) mean it, however soon after the first."""
    asker = person("asker")
    ok(await burst.deliver(burst.command(asker, "help my landlord keeps the deposit")))
    again = ok(await burst.deliver(burst.click(asker, b.ASK_AGAIN, "my landlord keeps the deposit")))
    assert "You just asked" not in shown(again.calls)
    async with burst.services.db.uow(readonly=True) as uow:
        assert len(await uow.requests.recent_for(asker)) == 2
