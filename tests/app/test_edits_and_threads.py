"""An edited message or mention never makes a second request, and replies go to the thread the ask was in."""

from __future__ import annotations

import time
from typing import Any

from sqlmodel import col, select

from storage.models import HelpRequest
from tests.app.flows import add_mentor, ok, person
from tests.support.fake_web_api import FakeWebApi
from tests.support.in_process import InProcessBurst


async def requests_of(burst: InProcessBurst, user: str) -> list[HelpRequest]:
    async with burst.services.db.uow(readonly=True) as uow:
        return list(await uow.db_session.scalars(select(HelpRequest).where(col(HelpRequest.requester_id) == user)))


def mention(user: str, text: str, ts: str, **more: Any) -> dict[str, Any]:
    return {"type": "app_mention", "channel": "C0GEN", "user": user, "text": text, "ts": ts, **more}


async def test_an_edited_mention_is_not_a_second_request(burst: InProcessBurst, fake_api: FakeWebApi) -> None:
    asker = person("asker")
    await add_mentor(burst, person("mentor"), "rust")
    ts = f"{time.time():.6f}"
    ok(await burst.deliver(burst.event(mention(asker, "<@U0BURST> help me with rust", ts))))
    replies = len(fake_api.named("chat.postMessage"))
    # Slack sends the edit as a new app_mention: a new event id, the same ts, and an `edited` field.
    edit = mention(asker, "<@U0BURST> help me with rust lifetimes", ts, edited={"user": asker, "ts": f"{time.time()}"})
    ok(await burst.deliver(burst.event(edit)))
    assert len(await requests_of(burst, asker)) == 1
    assert len(fake_api.named("chat.postMessage")) == replies  # not even a second "Looking for someone"


async def test_the_same_message_told_twice_under_two_event_ids_is_one_request_answered_once(
    burst: InProcessBurst, fake_api: FakeWebApi
) -> None:
    asker = person("asker")
    await add_mentor(burst, person("mentor"), "rust")
    ts = f"{time.time():.6f}"
    told = []
    for _ in range(2):
        delivery = ok(await burst.deliver(burst.event(mention(asker, "<@U0BURST> help me with rust", ts))))
        told += [c for c in delivery.calls if c.method == "chat.postMessage" and c.args.get("channel") == "C0GEN"]
    assert len(await requests_of(burst, asker)) == 1
    assert len(told) == 1, told  # the second is the same ask, not "you already have an open request"


async def test_an_edited_dm_is_ignored(burst: InProcessBurst, fake_api: FakeWebApi) -> None:
    asker = person("asker")
    await add_mentor(burst, person("mentor"), "rust")
    changed = {
        "type": "message",
        "subtype": "message_changed",
        "channel_type": "im",
        "channel": f"D{asker}",
        "message": {"user": asker, "text": "help me with rust", "ts": "1.000001", "edited": {"user": asker}},
        "previous_message": {"user": asker, "text": "help me with rsut", "ts": "1.000001"},
        "ts": f"{time.time():.6f}",
    }
    before = len(fake_api.calls)
    ok(await burst.deliver(burst.event(changed)))
    assert await requests_of(burst, asker) == []
    assert len(fake_api.calls) == before


async def test_replies_to_an_ask_in_a_thread_go_to_that_thread(burst: InProcessBurst, fake_api: FakeWebApi) -> None:
    asker, thread = person("asker"), "1700000000.000100"
    await add_mentor(burst, person("mentor"), "rust")
    in_thread = mention(asker, "<@U0BURST> help me with rust", f"{time.time():.6f}", thread_ts=thread)
    delivery = ok(await burst.deliver(burst.event(in_thread)))
    said = [c for c in delivery.calls if c.method == "chat.postMessage" and c.args.get("channel") == "C0GEN"]
    assert said, delivery.calls
    assert all(c.args.get("thread_ts") == thread for c in said)

    dm_thread = {
        "type": "message",
        "channel_type": "im",
        "channel": f"D{asker}",
        "user": asker,
        "text": "what can you do?",
        "ts": f"{time.time():.6f}",
        "thread_ts": thread,
    }
    delivery = ok(await burst.deliver(burst.event(dm_thread)))
    [hint] = [c for c in delivery.calls if c.method == "chat.postMessage" and c.args.get("channel") == f"D{asker}"]
    assert hint.args.get("thread_ts") == thread
