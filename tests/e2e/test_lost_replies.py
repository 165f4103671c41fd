"""A keyed post whose answer was lost after Slack posted it is found by its key, not posted again.

local-slack behind the fault proxy, whose `lost` fault forwards the post (local-slack stores the message) and then
drops the connection; local-slack's channel is the judge. The client retries like Burst's own
(bot.entrypoints.app.web_client).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.entrypoints import demo_workspace as ws
from bot.entrypoints.app import web_client
from config import Settings
from handlers.slack.gateway import SlackGateway, stamp_of
from tests.e2e.conftest import Slack
from tests.support.control import SlackControl
from tests.support.fault_proxy import FaultPlan, FaultProxy

CHANNEL, USER = "C0GEN", "U0ALICE"


@pytest.fixture
async def control(socket_slack: Slack) -> AsyncIterator[SlackControl]:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        yield control


def gateway_through(proxy: FaultProxy) -> SlackGateway:
    settings = Settings(
        _env_file=None, slack_bot_token=ws.BOT_TOKEN, slack_app_token=ws.APP_TOKEN, slack_api_url=proxy.api_url
    )
    return SlackGateway(web_client(settings, ws.BOT_TOKEN))


@pytest.mark.parametrize("fault", ["lost", "500", "drop"])
async def test_a_keyed_post_is_in_the_channel_once_whatever_became_of_its_first_answer(
    socket_slack: Slack, control: SlackControl, fault: str
) -> None:
    async with FaultProxy(socket_slack.process.api_url, FaultPlan({}, script=(fault,))) as proxy:
        gateway = gateway_through(proxy)
        ref = await gateway.post(CHANNEL, "hello once", key=f"hello:{fault}")
        dm = await gateway.dm(USER, "a DM once", key=f"dm:{fault}")
    assert proxy.record.injected[(fault, "chat.postMessage")] == 2
    stamped = [m for m in await control.messages(CHANNEL) if stamp_of(m) == f"hello:{fault}"]
    assert len(stamped) == 1
    assert ref is not None
    assert ref.ts == stamped[0]["ts"]
    in_dm = [m for m in await control.dm_messages(USER) if stamp_of(m) == f"dm:{fault}"]
    assert len(in_dm) == 1
    assert dm is not None
    assert dm.ts == in_dm[0]["ts"]


async def test_an_unkeyed_post_is_sent_once_when_it_failed_before_reaching_slack(
    socket_slack: Slack, control: SlackControl
) -> None:
    async with FaultProxy(socket_slack.process.api_url, FaultPlan({}, script=("503",))) as proxy:
        ref = await gateway_through(proxy).post(CHANNEL, "plain hello")
    assert ref is not None
    assert [m["text"] for m in await control.messages(CHANNEL)].count("plain hello") == 1
