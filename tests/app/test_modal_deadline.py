"""A modal opens right after the ack, ahead of queued work: Slack honours a trigger_id for three seconds only.

The work gate is held busy for the whole test (as a backlog of requests would hold it); every way of opening a
form must still reach views.open, and a second delivery of the same trigger must not open a second form.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from handlers.listeners.home import HOME_ASK
from tests.support.fake_web_api import FakeWebApi
from tests.support.in_process import Inbound, InProcessBurst

OPENED_WITHIN = 10.0  # seconds: generous; behind the held gate the form would never open


@pytest.fixture
async def busy(burst: InProcessBurst) -> AsyncIterator[None]:
    """The work gate's every slot taken until the test ends."""
    release = asyncio.Event()
    holding = asyncio.Event()

    async def hold() -> None:
        async with burst.services.after_ack.slot():
            holding.set()
            await release.wait()

    task = asyncio.create_task(hold())
    await holding.wait()
    yield
    release.set()
    await task


def opened_for(fake_api: FakeWebApi, inbound: Inbound) -> list[str]:
    return [str(c.args.get("trigger_id")) for c in fake_api.named("views.open")]


@pytest.mark.usefixtures("busy")
@pytest.mark.parametrize("way", ["command", "shortcut", "home"])
async def test_a_form_opens_while_the_work_gate_is_busy(burst: InProcessBurst, fake_api: FakeWebApi, way: str) -> None:
    inbound = {
        "command": lambda: burst.command("U0ANNA", ""),
        "shortcut": lambda: burst.shortcut("U0ANNA", "how do I rebase?"),
        "home": lambda: burst.click("U0ANNA", HOME_ASK, "ask"),
    }[way]()
    trigger = str(inbound.body["trigger_id"])
    await asyncio.wait_for(burst.deliver(inbound), OPENED_WITHIN)
    assert opened_for(fake_api, inbound).count(trigger) == 1
    await asyncio.wait_for(burst.deliver(inbound, retry=1), OPENED_WITHIN)
    assert opened_for(fake_api, inbound).count(trigger) == 1  # a redelivery opens nothing more
