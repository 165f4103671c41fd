"""The real Bolt app of `bot.entrypoints.app.build_app`, driven in-process the way Bolt's own scenario tests drive
theirs.

A delivery is a Slack request body; `InProcessBurst.deliver` sends it over one of the two transports Burst
serves: "http" (a signed request, with Slack's retry headers on a redelivery, through request verification) or
"socket" (a Socket Mode envelope, with `retry_attempt`, through Bolt's own Socket Mode adapter function). It then
waits until every listener task it started has finished, so a test reads the complete outcome: the ack, every
Web API call Burst made (the fake Web API records them) and anything the listener-error handler logged. No timing
is involved.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import urlencode

import structlog
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.entrypoints.app import build_app
from bot.services.container import Services
from config import Settings
from tests.support.fake_web_api import TEAM, ApiCall, FakeWebApi
from tests.support.signing import form_body, sign

Transport = Literal["http", "socket"]
Kind = Literal["events_api", "slash_commands", "interactive"]
SECRET = "in-process-secret"
ADMIN = "U0MAYA"
DIGEST_CHANNEL = "C0DIGEST"
_LISTENERS_DONE = 30.0  # seconds; only reached when a listener hangs, which is itself a failure
_ids = itertools.count(1)


@dataclass(frozen=True)
class Inbound:
    """One Slack request: what Slack would send, before the transport wraps it."""

    kind: Kind
    body: dict[str, Any]


@dataclass
class Delivery:
    status: int
    ack: str  # the response body: what an ack said (a slash command's reply, a modal's errors)
    calls: list[ApiCall] = field(default_factory=list)  # Web API calls made while handling it
    errors: list[dict[str, Any]] = field(default_factory=list)  # error-level log entries

    @property
    def ack_json(self) -> dict[str, Any]:
        return dict(json.loads(self.ack)) if self.ack.startswith("{") else {}


def settings(api: FakeWebApi, database_url: str, transport: Transport, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-in-process",
        "slack_api_url": api.api_url,
        "database_url": database_url,
        "burst_admins": ADMIN,
        "burst_digest_channel": DIGEST_CHANNEL,
        "burst_wave_size": 2,
        "burst_max_waves": 2,
        # Follow-ups fall due at once: a test sweeps the timers itself instead of waiting.
        "burst_followup_delays": (timedelta(microseconds=1),),
        "slack_app_token": "xapp-in-process" if transport == "socket" else None,
        "slack_signing_secret": SECRET if transport == "http" else None,
    }
    return Settings(_env_file=None, **(values | overrides))


class InProcessBurst:
    def __init__(self, app: AsyncApp, services: Services, api: FakeWebApi, transport: Transport) -> None:
        self.app = app
        self.services = services
        self.api = api
        self.transport = transport

    @classmethod
    def build(cls, api: FakeWebApi, database_url: str, transport: Transport, **overrides: Any) -> InProcessBurst:
        app, services = build_app(settings(api, database_url, transport, **overrides))
        return cls(app, services, api, transport)

    async def close(self) -> None:
        await self.services.db.dispose()

    async def deliver(self, inbound: Inbound, *, retry: int = 0) -> Delivery:
        """Deliver once (retry=0) or as Slack's `retry`-th redelivery, and wait until Burst has finished with it."""
        before = asyncio.all_tasks()
        seen = len(self.api.calls)
        with structlog.testing.capture_logs() as logs:
            status, body = await self.answer(inbound, retry=retry)
            await _listeners_finished(before)
        errors = [dict(entry) for entry in logs if entry.get("log_level") in ("error", "critical")]
        return Delivery(status, body, self.api.calls[seen:], errors)

    async def answer(self, inbound: Inbound, *, retry: int = 0) -> tuple[int, str]:
        """Deliver and return Slack's answer (status, body) as soon as Burst gives it; its work may still run."""
        if self.transport == "http":
            response = await self.app.async_dispatch(self._http_request(inbound, retry))
        else:
            envelope = SocketModeRequest.from_dict(self._envelope(inbound, retry))
            assert envelope is not None, "not a Socket Mode envelope"
            response = await run_async_bolt_app(self.app, envelope)
        return response.status, response.body if isinstance(response.body, str) else ""

    async def deliver_together(self, inbound: Inbound, copies: int) -> list[int]:
        """Deliver `copies` of one request at the same moment (a redelivery racing the original); the statuses."""
        before = asyncio.all_tasks()
        with structlog.testing.capture_logs() as logs:
            if self.transport == "http":
                requests = [self._http_request(inbound, retry) for retry in range(copies)]
                responses = await asyncio.gather(*(self.app.async_dispatch(r) for r in requests))
            else:
                envelopes = [SocketModeRequest.from_dict(self._envelope(inbound, retry)) for retry in range(copies)]
                responses = await asyncio.gather(*(run_async_bolt_app(self.app, e) for e in envelopes if e))
            await _listeners_finished(before)
        errors = [entry for entry in logs if entry.get("log_level") in ("error", "critical")]
        assert not errors, errors
        return [r.status for r in responses]

    def _http_request(self, inbound: Inbound, retry: int) -> AsyncBoltRequest:
        if inbound.kind == "events_api":
            raw, content_type = json.dumps(inbound.body), "application/json"
        elif inbound.kind == "slash_commands":
            raw, content_type = urlencode(inbound.body), "application/x-www-form-urlencoded"
        else:
            raw, content_type = form_body(inbound.body), "application/x-www-form-urlencoded"
        headers: dict[str, str] = {"content-type": content_type, **sign(SECRET, raw)}
        if retry:
            headers |= {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"}
        return AsyncBoltRequest(body=raw, headers=dict(headers))

    def _envelope(self, inbound: Inbound, retry: int) -> dict[str, Any]:
        envelope: dict[str, Any] = {
            "envelope_id": str(uuid.uuid4()),
            "type": inbound.kind,
            "payload": inbound.body,
            "accepts_response_payload": inbound.kind != "events_api",
        }
        if inbound.kind == "events_api":  # only events carry Slack's redelivery count in Socket Mode
            envelope |= {"retry_attempt": retry, "retry_reason": "timeout" if retry else ""}
        return envelope

    # --- Slack's request bodies ---------------------------------------------------------------------------

    def command(self, user: str, text: str, channel: str = "C0GEN") -> Inbound:
        n = next(_ids)
        return Inbound(
            "slash_commands",
            {
                "token": "verification-token",
                "team_id": TEAM,
                "team_domain": "acme",
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/burst",
                "text": text,
                "api_app_id": "A0BURST",
                "response_url": self.api.response_url(f"cmd{n}"),
                "trigger_id": f"{n}.{time.time():.0f}.trigger",
            },
        )

    def event(self, event: dict[str, Any]) -> Inbound:
        n = next(_ids)
        return Inbound(
            "events_api",
            {
                "token": "verification-token",
                "team_id": TEAM,
                "api_app_id": "A0BURST",
                "type": "event_callback",
                "event_id": f"Ev{n:08d}",
                "event_time": int(time.time()),
                "event": {"event_ts": f"{time.time():.6f}", **event},
                "authorizations": [{"team_id": TEAM, "user_id": "U0BURST", "is_bot": True}],
            },
        )

    def dm(self, user: str, text: str) -> Inbound:
        ts = f"{time.time():.6f}"
        return self.event(
            {"type": "message", "channel_type": "im", "channel": f"D{user}", "user": user, "text": text, "ts": ts}
        )

    def mention(self, user: str, text: str, channel: str = "C0GEN") -> Inbound:
        ts = f"{time.time():.6f}"
        return self.event({"type": "app_mention", "channel": channel, "user": user, "text": text, "ts": ts})

    def click(
        self, user: str, action_id: str, value: str, channel: str = "D0", message_ts: str = "1.000100"
    ) -> Inbound:
        """A button press on a message Burst sent (a DM, unless `channel` says otherwise)."""
        n = next(_ids)
        return Inbound(
            "interactive",
            {
                "type": "block_actions",
                "team": {"id": TEAM, "domain": "acme"},
                "api_app_id": "A0BURST",
                "user": {"id": user, "username": user.lower(), "team_id": TEAM},
                "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
                "channel": {"id": channel, "name": "directmessage"},
                "message": {"type": "message", "ts": message_ts, "text": ""},
                "trigger_id": f"{n}.{time.time():.0f}.trigger",
                "response_url": self.api.response_url(f"act{n}"),
                "actions": [
                    {
                        "type": "button",
                        "action_id": action_id,
                        "block_id": "b",
                        "value": value,
                        "action_ts": f"{time.time():.6f}",
                    }
                ],
            },
        )

    def submit(
        self, user: str, callback_id: str, values: dict[str, Any], private_metadata: str = "", view_id: str = ""
    ) -> Inbound:
        n = next(_ids)
        return Inbound(
            "interactive",
            {
                "type": "view_submission",
                "team": {"id": TEAM, "domain": "acme"},
                "api_app_id": "A0BURST",
                "user": {"id": user, "username": user.lower(), "team_id": TEAM},
                "trigger_id": f"{n}.{time.time():.0f}.trigger",
                "view": {
                    "id": view_id or f"V{n:08d}",
                    "type": "modal",
                    "callback_id": callback_id,
                    "private_metadata": private_metadata,
                    "hash": f"{n}.hash",
                    "state": {"values": values},
                },
                "response_urls": [],
            },
        )

    def shortcut(self, user: str, text: str, channel: str = "C0GEN") -> Inbound:
        n = next(_ids)
        return Inbound(
            "interactive",
            {
                "type": "message_action",
                "callback_id": "get_help_with_this",
                "team": {"id": TEAM, "domain": "acme"},
                "api_app_id": "A0BURST",
                "user": {"id": user, "team_id": TEAM},
                "channel": {"id": channel, "name": "general"},
                "trigger_id": f"{n}.{time.time():.0f}.trigger",
                "response_url": self.api.response_url(f"sc{n}"),
                "message_ts": "1.000001",
                "message": {"type": "message", "user": "U0ALICE", "ts": "1.000001", "text": text},
            },
        )


async def _listeners_finished(before: set[asyncio.Task[Any]]) -> None:
    """Wait for every task started since `before` (Bolt runs each listener in one, after the ack)."""
    current = asyncio.current_task()
    while pending := {t for t in asyncio.all_tasks() - before if t is not current and not t.done()}:
        _, still = await asyncio.wait(pending, timeout=_LISTENERS_DONE)
        if still:
            raise AssertionError(f"{len(still)} listener task(s) still running after {_LISTENERS_DONE:g}s: {still}")
