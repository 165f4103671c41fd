"""Slack gets its answer when a listener acks, not when its work is done (handlers.slack.listening).

Slack retries what is not answered within 3 seconds, and the work after an ack waits on Slack itself (a DM, an
update) and on its turn (bot.runtime.work_gate). Here the fake Web API holds every chat.postMessage: the request's ping
cannot go out, and yet the slash command is answered at once; once Slack answers, the ping goes. The ack carries
no text: "Got it" is said once the request is stored (handlers.views.replies), through the response_url.
"""

from __future__ import annotations

import asyncio

from handlers.slack.listening import MARK
from tests.app.flows import add_mentor, person
from tests.support.fake_web_api import FakeWebApi
from tests.support.in_process import InProcessBurst

ANSWERED_WITHIN = 10.0  # seconds: a generous bound; without acks-first the answer never comes while Slack is held


async def test_a_slash_command_is_answered_at_its_ack_while_its_ping_still_waits_on_slack(
    burst: InProcessBurst, fake_api: FakeWebApi
) -> None:
    mentor, asker = person("mentor"), person("asker")
    await add_mentor(burst, mentor, "rust")
    before = asyncio.all_tasks()
    with fake_api.hold("chat.postMessage") as release:
        status, body = await asyncio.wait_for(burst.answer(burst.command(asker, "help me with rust")), ANSWERED_WITHIN)
        assert (status, body) == (200, "")
        assert not [c for c in fake_api.named("chat.postMessage") if c.args.get("channel") == mentor]
        release.set()
        work = {t for t in asyncio.all_tasks() - before if not t.done() and t is not asyncio.current_task()}
        await asyncio.wait_for(asyncio.gather(*work), ANSWERED_WITHIN)
    assert [c for c in fake_api.named("chat.postMessage") if c.args.get("channel") == mentor]
    told = [c.args.get("text", "") for c in fake_api.named("response_url")]
    assert any("Got it" in t and "rust" in t for t in told), told


async def test_every_listener_of_the_app_acks_claims_and_takes_its_turn(burst: InProcessBurst) -> None:
    """A listener registered with Bolt's own decorators would skip the claim and the gate: none is.

    Reads Bolt's list of listeners (`_async_listeners`): if Bolt renames it, this fails rather than passes.
    """
    listeners = burst.app._async_listeners
    assert len(listeners) >= 25
    assert [getattr(listener.ack_function, MARK, False) for listener in listeners] == [True] * len(listeners)
