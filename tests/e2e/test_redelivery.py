"""A step that runs again after a crash, as local-slack sees it: the gateway finds what it posted and posts the rest.

The gateway is driven directly with `bot.runtime.ports.redelivering` set, as bot.runtime.timers sets it for a re-run;
the state of local-slack (every message in each DM) is the judge.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.entrypoints import demo_workspace as ws
from bot.runtime.ports import redelivering
from handlers.slack.gateway import SlackGateway
from storage.models import FlashSession, HelpRequest, utcnow
from tests.e2e.conftest import Slack
from tests.support.control import SlackControl

REQUESTER, MENTOR = "U0ALICE", "U0BOB"


@pytest.fixture
async def control(socket_slack: Slack) -> AsyncIterator[SlackControl]:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        yield control


@pytest.fixture
def gateway(socket_slack: Slack) -> SlackGateway:
    return SlackGateway(AsyncWebClient(token=ws.BOT_TOKEN, base_url=socket_slack.process.api_url))


@pytest.fixture
def again() -> Iterator[None]:
    token = redelivering.set(True)
    yield
    redelivering.reset(token)


def a_session(session_id: int) -> tuple[HelpRequest, FlashSession]:
    now = utcnow()
    request = HelpRequest(id=session_id, requester_id=REQUESTER, topic="rust lifetimes")
    flash = FlashSession(
        id=session_id,
        request_id=session_id,
        requester_id=REQUESTER,
        mentor_id=MENTOR,
        started_at=now,
        ends_at=now + timedelta(minutes=15),
        cards=[],
    )
    return request, flash


async def texts(control: SlackControl, user: str) -> list[str]:
    return [str(m.get("text")) for m in await control.dm_messages(user)]


async def test_a_match_announced_again_is_not_posted_twice_and_its_cards_are_found(
    gateway: SlackGateway, control: SlackControl
) -> None:
    request, flash = a_session(41)
    first = await gateway.matched(request, flash)
    flash.cards = [{"channel": r.channel, "ts": r.ts} for r in first]
    await gateway.session_changed(request, flash, "extended")  # an update must keep the card findable
    before = {user: await texts(control, user) for user in (REQUESTER, MENTOR)}

    token = redelivering.set(True)
    try:
        again = await gateway.matched(request, flash)
    finally:
        redelivering.reset(token)
    assert again == first
    assert {user: await texts(control, user) for user in (REQUESTER, MENTOR)} == before
    assert all(sum("Flash session on" in t for t in before[user]) == 1 for user in before)


@pytest.mark.usefixtures("again")
async def test_what_slack_lacks_is_posted_on_a_run_again(gateway: SlackGateway, control: SlackControl) -> None:
    request, flash = a_session(42)
    await gateway.follow_up(request, flash, 0)
    await gateway.follow_up(request, flash, 0)  # found: the first is in Slack now
    await gateway.follow_up(request, flash, 1)  # another message, another key
    followups = [t for t in await texts(control, REQUESTER) if "your session" in t]
    assert len(followups) == 2


@pytest.mark.usefixtures("again")
async def test_a_ping_is_found_by_its_own_key_among_others(gateway: SlackGateway, control: SlackControl) -> None:
    request, _ = a_session(43)
    refs = [await gateway.ping(MENTOR, request, ping_id, "") for ping_id in (7, 8)]
    assert await gateway.ping(MENTOR, request, 7, "") == refs[0]
    assert await gateway.ping(MENTOR, request, 8, "") == refs[1]
    assert len(await control.dm_messages(MENTOR)) == 2
    assert await gateway.find_ping(MENTOR, 7) == refs[0]
    assert await gateway.find_ping(MENTOR, 9) is None


async def test_a_first_run_posts_without_looking(gateway: SlackGateway, control: SlackControl) -> None:
    """Not redelivering: no history read (the common case costs one call per message), so a repeat posts again."""
    request, _ = a_session(44)
    await gateway.searching(request, 2, 1)
    await gateway.searching(request, 2, 1)
    assert len(await control.dm_messages(REQUESTER)) == 2
