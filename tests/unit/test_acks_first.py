"""handlers.acks_first on a real Bolt app: the answer leaves at the ack, failures before and after it."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import structlog
from slack_bolt.async_app import AsyncAck
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.work_gate import WorkGate
from handlers.acks_first import AcksFirstApp, log_listener_error

WORK_DONE_WITHIN = 5.0


async def _authorize(**_: Any) -> AuthorizeResult:
    """A fixed installation: no call to Slack's auth.test."""
    return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-test", bot_user_id="U0B", bot_id="B0")


def _app() -> AcksFirstApp:
    app = AcksFirstApp(gate=WorkGate(), authorize=_authorize, request_verification_enabled=False, signing_secret="s")
    app.error(log_listener_error)
    return app


def _command(text: str) -> AsyncBoltRequest:
    body = urlencode({"command": "/t", "text": text, "user_id": "U1", "team_id": "T1", "trigger_id": "1.2.3"})
    return AsyncBoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]})


async def test_the_answer_leaves_at_the_ack_while_the_listener_works_on() -> None:
    app, work_may_end, finished = _app(), asyncio.Event(), asyncio.Event()

    @app.command("/t")
    async def listener(ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack(text=f"on it: {command['text']}")
        await work_may_end.wait()
        finished.set()

    response = await asyncio.wait_for(app.async_dispatch(_command("x")), WORK_DONE_WITHIN)
    assert (response.status, response.body) == (200, "on it: x")
    assert not finished.is_set()
    work_may_end.set()
    await asyncio.wait_for(finished.wait(), WORK_DONE_WITHIN)


async def test_a_failure_before_the_ack_is_bolts_and_one_after_it_is_logged() -> None:
    app = _app()

    @app.command("/t")
    async def listener(ack: AsyncAck, command: dict[str, Any]) -> None:
        if command["text"] == "early":
            raise RuntimeError("before the ack")
        await ack()
        raise RuntimeError("after the ack")

    with structlog.testing.capture_logs() as logs:
        early = await app.async_dispatch(_command("early"))
        late = await app.async_dispatch(_command("late"))
        await asyncio.wait_for(app.gate.drain(), WORK_DONE_WITHIN)
    assert early.status == 500
    assert late.status == 200
    failures = [e["error"] for e in logs if e["event"] == "listener failed"]
    assert failures == ["RuntimeError('before the ack')", "RuntimeError('after the ack')"]
