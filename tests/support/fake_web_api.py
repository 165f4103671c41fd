"""A small recording fake of Slack's Web API on loopback, for in-process tests of the real Bolt app.

It answers the methods Burst calls the way Slack does (a trigger_id opens one view only; a group DM includes
everyone asked for; a method whose scope the token lacks is refused with `missing_scope`, and every answer names
the token's scopes in `x-oauth-scopes`) and remembers every call, including POSTs to response URLs, so a test can
read exactly what each person was shown. It runs its own event loop in a thread: the test's loop then holds nothing
but Burst's own work, which is how the harness knows when a delivery has been fully handled.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from handlers.slack.scopes import METHODS

BOT_USER = "U0BURST"
TEAM = "T0ACME"
# Form-encoded arguments that Slack's clients send as JSON text.
_JSON_ARGS = ("blocks", "attachments", "view")
MANIFEST = Path(__file__).resolve().parents[2] / "slack-manifest.yaml"


def manifest_scopes() -> frozenset[str]:
    """The bot scopes an install from slack-manifest.yaml grants."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return frozenset(manifest["oauth_config"]["scopes"]["bot"])


def scopes_for(method: str, args: dict[str, Any]) -> tuple[str, ...]:
    """The scopes Slack's documentation lists for a call, for the kind of conversation it is made on."""
    if method == "conversations.open":
        return ("im:write",) if len(str(args.get("users", "")).split(",")) == 1 else ("mpim:write",)
    if method == "conversations.history":
        return ("im:history",) if str(args.get("channel", "")).startswith("D") else ("mpim:history",)
    return METHODS[method].scopes if method in METHODS else ()


@dataclass(frozen=True)
class ApiCall:
    method: str  # a Web API method, or "response_url" for a POST to a response URL
    args: dict[str, Any]


class FakeWebApi:
    def __init__(self, granted: frozenset[str] | None = None) -> None:
        self.granted = manifest_scopes() if granted is None else granted
        self.name_scopes = True  # False: answers carry no x-oauth-scopes header, as local-slack's do
        self._lock = threading.Lock()
        self._calls: list[ApiCall] = []
        self._used_triggers: set[str] = set()
        self._ts = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._held: dict[str, threading.Event] = {}
        self._limited: dict[str, int] = {}
        self._missing: set[str] = set()  # methods answered unknown_method
        self._retry_after: dict[str, int] = {}  # method -> Retry-After seconds of the 429 it answers
        # What Slack would say about a person: dnd.teamInfo's entry, users.info's profile fields, users.getPresence.
        self.dnd: dict[str, dict[str, Any]] = {}
        self.profiles: dict[str, dict[str, Any]] = {}
        self.presence: dict[str, str] = {}
        self.port = 0

    # --- what tests read ----------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    @property
    def calls(self) -> list[ApiCall]:
        with self._lock:
            return list(self._calls)

    def named(self, *methods: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method in methods]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    @contextmanager
    def hold(self, method: str) -> Iterator[threading.Event]:
        """Calls to `method` wait, unanswered, until the event is set or the block ends (a slow or stuck Slack)."""
        release = threading.Event()
        with self._lock:
            self._held[method] = release
        try:
            yield release
        finally:
            release.set()
            with self._lock:
                self._retry_after.pop(method, None)

    def rate_limit(self, method: str, times: int) -> None:
        """The next `times` calls to `method` are answered 429 with Retry-After: 0, as Slack does when limited."""
        with self._lock:
            self._limited[method] = times

    @contextmanager
    def rate_limited(self, method: str, retry_after: int = 30) -> Iterator[None]:
        """Calls to `method` get Slack's 429 with Retry-After until the block ends."""
        with self._lock:
            self._retry_after[method] = retry_after
        try:
            yield
        finally:
            with self._lock:
                self._retry_after.pop(method, None)

    @contextmanager
    def missing(self, method: str) -> Iterator[None]:
        """`method` answers `unknown_method` until the block ends, as a workspace without it does."""
        with self._lock:
            self._missing.add(method)
        try:
            yield
        finally:
            with self._lock:
                self._missing.discard(method)

    # --- the server ---------------------------------------------------------------------------------------

    def start(self) -> None:
        started = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_route("*", "/api/{method}", self._api)
            app.router.add_post("/respond/{name}", self._respond)
            self._runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            server = site._server
            assert server is not None
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-web-api", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the fake Web API did not start")

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    async def _respond(self, request: web.Request) -> web.Response:
        args = await request.json()
        self._record(ApiCall("response_url", {"url": request.match_info["name"], **args}))
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _arguments(request)
        with self._lock:
            release = self._held.get(method)
        if release is not None:
            await asyncio.to_thread(release.wait)
        self._record(ApiCall(method, args))
        with self._lock:
            limited = self._limited.get(method, 0)
            self._limited[method] = max(0, limited - 1)
            retry_after = self._retry_after.get(method)
            missing = method in self._missing
        if missing:
            return web.json_response({"ok": False, "error": "unknown_method"})
        if retry_after is not None:
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
            )
        if limited:
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "0"})
        scopes = ",".join(sorted(self.granted))
        headers = {"x-oauth-scopes": scopes} if self.name_scopes else {}
        lacking = [scope for scope in scopes_for(method, args) if scope not in self.granted]
        if lacking:
            refusal = {"ok": False, "error": "missing_scope", "needed": lacking[0]}
            return web.json_response(refusal | {"provided": scopes}, headers=headers)
        return web.json_response(self._answer(method, args), headers=headers)

    def _record(self, call: ApiCall) -> None:
        with self._lock:
            self._calls.append(call)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "B0BURST", "team_id": TEAM, "user": "burst"}
        if method == "apps.connections.open":
            return {"ok": True, "url": "wss://fake.invalid/link"}
        if method == "conversations.open":
            users = [u for u in str(args.get("users", "")).split(",") if u]
            channel = ("D" if len(users) == 1 else "G") + "_".join(users)
            return {"ok": True, "channel": {"id": channel}}
        if method == "conversations.history":
            return {"ok": True, "messages": [], "has_more": False}
        if method == "chat.postMessage":
            ts = f"{next(self._ts)}.000100"
            channel = str(args.get("channel"))
            channel = f"D{channel}" if channel.startswith(("U", "W")) else channel  # a user id posts to the DM
            return {"ok": True, "channel": channel, "ts": ts, "message": {**args, "channel": channel, "ts": ts}}
        if method in ("chat.update", "chat.postEphemeral"):
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts"), "message_ts": "1.0"}
        if method == "users.info":
            user = str(args.get("user"))
            profile = {"real_name": user, **self.profiles.get(user, {})}
            return {
                "ok": True,
                "user": {"id": user, "name": user.lower(), "real_name": user, "tz": "UTC", "profile": profile},
            }
        if method == "dnd.teamInfo":
            users = [u for u in str(args.get("users", "")).split(",") if u]
            off = {"dnd_enabled": False, "next_dnd_start_ts": 1, "next_dnd_end_ts": 1}
            return {"ok": True, "users": {u: self.dnd.get(u, off) for u in users}}
        if method == "users.getPresence":
            return {"ok": True, "presence": self.presence.get(str(args.get("user")), "active")}
        if method in ("views.open", "views.push"):
            trigger = str(args.get("trigger_id"))
            with self._lock:
                if trigger in self._used_triggers:
                    return {"ok": False, "error": "invalid_trigger_id"}
                self._used_triggers.add(trigger)
            return {"ok": True, "view": {**(args.get("view") or {}), "id": f"V{next(self._ts)}"}}
        if method in ("views.publish", "views.update"):
            return {"ok": True, "view": {**(args.get("view") or {}), "id": f"V{next(self._ts)}"}}
        return {"ok": False, "error": "unknown_method"}


async def _arguments(request: web.Request) -> dict[str, Any]:
    """slack_sdk sends some methods' arguments in the query string (users.info, conversations.open), others in
    a JSON or form body."""
    args: dict[str, Any] = dict(request.query)
    if request.method != "POST":
        return args
    if request.content_type == "application/json":
        return args | dict(await request.json())
    args |= dict(await request.post())
    for name in _JSON_ARGS:
        if isinstance(args.get(name), str):
            args[name] = json.loads(args[name])
    return args
