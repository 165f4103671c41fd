"""handlers.slack.listening on a real Bolt app: the answer leaves at the ack, one delivery is acted on once, work waits
its turn (unless it opens a modal), and failures before and after the ack."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

import structlog
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.runtime.work_gate import WorkGate
from handlers.slack.listening import AcksFirstApp, Listeners, log_listener_error

WORK_DONE_WITHIN = 5.0


async def _authorize(**_: Any) -> AuthorizeResult:
    """A fixed installation: no call to Slack's auth.test."""
    return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-test", bot_user_id="U0B", bot_id="B0")


class Ledger:
    """The delivery ledger's contract in memory: True the first time a body's trigger or event id is seen."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def claim(self, body: dict[str, Any]) -> bool:
        key = str(body.get("trigger_id") or body.get("event_id"))
        first = key not in self.seen
        self.seen.append(key)
        return first


def _listeners() -> tuple[Listeners, AcksFirstApp, Ledger]:
    gate, ledger = WorkGate(), Ledger()
    app = AcksFirstApp(gate=gate, authorize=_authorize, request_verification_enabled=False, signing_secret="s")
    app.error(log_listener_error)
    return Listeners(app, gate, ledger.claim), app, ledger


def _command(text: str, trigger: str = "1.2.3") -> AsyncBoltRequest:
    body = urlencode({"command": "/t", "text": text, "user_id": "U1", "team_id": "T1", "trigger_id": trigger})
    return AsyncBoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]})


def _submission(value: str) -> AsyncBoltRequest:
    view = {"id": "V1", "type": "modal", "callback_id": "form", "state": {"values": {"f": {"f": {"value": value}}}}}
    payload = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"}, "view": view, "trigger_id": "9"}
    body = urlencode({"payload": json.dumps(payload)})
    return AsyncBoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]})


def _event(event_id: str, **event: Any) -> AsyncBoltRequest:
    body = {"type": "event_callback", "team_id": "T1", "event_id": event_id, "event": {"type": "app_mention", **event}}
    return AsyncBoltRequest(body=json.dumps(body), headers={"content-type": ["application/json"]})


async def test_the_answer_leaves_at_the_ack_while_the_listener_works_on() -> None:
    listen, app, _ = _listeners()
    work_may_end, finished = asyncio.Event(), asyncio.Event()

    @listen.command("/t")
    async def listener(command: dict[str, Any]) -> None:
        await work_may_end.wait()
        finished.set()

    response = await asyncio.wait_for(app.async_dispatch(_command("x")), WORK_DONE_WITHIN)
    assert (response.status, response.body) == (200, "")
    assert not finished.is_set()
    work_may_end.set()
    await asyncio.wait_for(finished.wait(), WORK_DONE_WITHIN)


async def test_a_delivery_is_acted_on_once_however_often_slack_delivers_it() -> None:
    listen, app, ledger = _listeners()
    ran: list[str] = []

    @listen.command("/t")
    async def listener(command: dict[str, Any]) -> None:
        ran.append(command["text"])

    for text in ("first", "again", "again"):
        assert (await app.async_dispatch(_command(text, trigger="same"))).status == 200
    await asyncio.wait_for(app.gate.drain(), WORK_DONE_WITHIN)
    assert ran == ["first"]
    assert ledger.seen == ["same", "same", "same"]


async def test_work_waits_its_turn_and_a_modal_does_not() -> None:
    listen, app, _ = _listeners()
    ran: list[str] = []

    form_ran = asyncio.Event()

    @listen.command("/t", opens_view=lambda body: body.get("text") == "form")
    async def listener(command: dict[str, Any]) -> None:
        ran.append(command["text"])
        if command["text"] == "form":
            form_ran.set()

    holding, release = asyncio.Event(), asyncio.Event()

    async def busy() -> None:  # the one slot is taken: work after an ack must wait for it
        async with app.gate.slot():
            holding.set()
            await release.wait()

    other = asyncio.create_task(busy())
    await holding.wait()
    await app.async_dispatch(_command("work", trigger="a"))
    await app.async_dispatch(_command("form", trigger="b"))
    await asyncio.wait_for(form_ran.wait(), WORK_DONE_WITHIN)
    assert ran == ["form"]
    assert app.gate.waiting == 1
    release.set()
    await other
    await asyncio.wait_for(app.gate.drain(), WORK_DONE_WITHIN)
    assert ran == ["form", "work"]


async def test_a_form_check_answers_with_its_errors_and_the_listener_never_runs() -> None:
    listen, app, _ = _listeners()
    saved: list[str] = []

    def check(view: dict[str, Any]) -> dict[str, str]:
        return {"f": "Say something."} if not view["state"]["values"]["f"]["f"]["value"] else {}

    @listen.view("form", check=check)
    async def listener(view: dict[str, Any]) -> None:
        saved.append(view["state"]["values"]["f"]["f"]["value"])

    refused = await app.async_dispatch(_submission(""))
    assert json.loads(refused.body) == {"response_action": "errors", "errors": {"f": "Say something."}}
    assert (await app.async_dispatch(_submission("hello"))).body == ""
    await asyncio.wait_for(app.gate.drain(), WORK_DONE_WITHIN)
    assert saved == ["hello"]


async def test_events_it_does_not_act_on_are_not_claimed() -> None:
    listen, app, ledger = _listeners()
    heard: list[str] = []

    @listen.event("app_mention", acts_on=lambda body: not body["event"].get("edited"))
    async def listener(event: dict[str, Any]) -> None:
        heard.append(event["text"])

    await app.async_dispatch(_event("Ev1", text="edited", edited={"ts": "1"}))
    await app.async_dispatch(_event("Ev2", text="new"))
    await asyncio.wait_for(app.gate.drain(), WORK_DONE_WITHIN)
    assert (heard, ledger.seen) == (["new"], ["Ev2"])


async def test_a_failure_before_the_ack_is_bolts_and_one_after_it_is_logged() -> None:
    listen, app, _ = _listeners()

    def check(view: dict[str, Any]) -> dict[str, str]:
        if view["state"]["values"]["f"]["f"]["value"] == "early":
            raise RuntimeError("before the ack")
        return {}

    @listen.view("form", check=check)
    async def listener(view: dict[str, Any]) -> None:
        raise RuntimeError("after the ack")

    with structlog.testing.capture_logs() as logs:
        early = await app.async_dispatch(_submission("early"))
        late = await app.async_dispatch(_submission("late"))
        await asyncio.wait_for(app.gate.drain(), WORK_DONE_WITHIN)
    assert early.status == 500
    assert late.status == 200
    failures = [e["error"] for e in logs if e["event"] == "listener failed"]
    assert failures == ["RuntimeError('before the ack')", "RuntimeError('after the ack')"]
