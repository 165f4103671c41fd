"""An async client for local-slack's control API: act as workspace users and read what they would see.

Burst answers asynchronously (over Socket Mode or HTTP), so tests act through the control API and then poll for
the outcome with wait_for / wait_for_message, whose timeouts say what was awaited and what was there instead.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import aiohttp

T = TypeVar("T")
Message = dict[str, Any]

_CONTEXT_MESSAGES = 8
_CONTEXT_LOG = 6


class ControlError(AssertionError):
    """local-slack refused a control call; an AssertionError so a test reports it as a failed expectation."""


def _short(text: object, limit: int = 120) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class SlackControl:
    """Client for http://localhost:PORT/_control; one aiohttp session, opened on first use."""

    def __init__(self, base_url: str) -> None:
        base = base_url.rstrip("/")
        self.base = base if base.endswith("/_control") else f"{base}/_control"
        self._http: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        # Created lazily: aiohttp sessions must be made inside a running event loop.
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One control call; non-2xx answers, non-JSON answers and {"ok": false} all raise with the body."""
        async with self._session().request(method, self.base + path, json=body) as answer:
            text = await answer.text()
            if not 200 <= answer.status < 300:
                raise ControlError(f"control {method} {path} -> {answer.status}: {_short(text, 500)}")
        try:
            data = json.loads(text)
        except ValueError:
            # local-slack serves its web UI for unknown paths, so a typo shows up as HTML here.
            raise ControlError(f"control {method} {path} answered non-JSON: {_short(text, 200)}") from None
        if not isinstance(data, dict):
            raise ControlError(f"control {method} {path} answered {type(data).__name__}, not an object")
        if data.get("ok") is False:
            raise ControlError(f"control {method} {path} refused: {_short(text, 500)}")
        return data

    async def command(self, user: str, text: str, channel: str = "C0GEN", command: str = "/burst") -> dict[str, Any]:
        """Run a slash command as `user` in `channel`."""
        return await self._call(
            "POST", "/command", {"channel": channel, "user": user, "command": command, "text": text}
        )

    async def message(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> Message:
        """Post as `user`; returns the stored message (its "ts" is what threads and interactions refer to)."""
        body: dict[str, Any] = {"channel": channel, "user": user, "text": text}
        if thread_ts is not None:
            body["thread_ts"] = thread_ts
        answer = await self._call("POST", "/message", body)
        return dict(answer.get("message") or {})

    async def interact(self, channel: str, message_ts: str, user: str, action: dict[str, Any]) -> dict[str, Any]:
        """Click an element ({action_id, value, ...}) of the message `message_ts` as `user`."""
        body = {"channel": channel, "messageTs": message_ts, "user": user, "action": action}
        return await self._call("POST", "/interact", body)

    async def open_home(self, user: str) -> dict[str, Any]:
        return await self._call("POST", "/open-home", {"user": user})

    async def reset(self) -> dict[str, Any]:
        """Forget messages, DMs and the log, so each test starts from the seeded workspace."""
        return await self._call("POST", "/reset", {})

    async def state(self) -> dict[str, Any]:
        return await self._call("GET", "/state")

    async def messages(self, channel: str) -> list[Message]:
        answer = await self._call("GET", f"/messages/{quote(channel, safe='')}")
        return list(answer.get("messages") or [])

    async def log(self) -> list[dict[str, Any]]:
        """The emulator's traffic log (direction, kind, summary, detail), oldest first."""
        return list((await self._call("GET", "/log")).get("log") or [])

    async def latest_ts(self, channel: str) -> str:
        """The ts of the channel's newest message ("0" when empty): pass it as `after` to wait for a newer one."""
        messages = await self.messages(channel)
        return max((m["ts"] for m in messages), key=float, default="0")

    async def dm_channel(self, user: str) -> str | None:
        """The IM the bot opened with `user`, or None while it has not written to them."""
        state = await self.state()
        bots = {str(app.get("botUserId")) for app in state.get("apps") or []}
        for channel in state.get("channels") or []:
            members = set(channel.get("members") or [])
            if channel.get("is_im") and user in members and (not bots or bots & members):
                return str(channel["id"])
        return None

    async def dm_messages(self, user: str) -> list[Message]:
        channel = await self.dm_channel(user)
        return await self.messages(channel) if channel else []

    async def wait_for(
        self,
        probe: Callable[[], Awaitable[T | None]],
        timeout: float = 30,  # noqa: ASYNC109 -- a polling budget, not an I/O timeout: on expiry we report context
        interval: float = 0.1,
        what: str = "",
        *,
        within: float | None = None,
    ) -> T:
        """Poll `probe` until it returns something truthy and return that; `within` is an older name for timeout."""
        limit = timeout if within is None else within
        started = time.monotonic()
        deadline = started + limit
        attempts = 0
        while True:
            result = await probe()
            attempts += 1
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out waiting for {what or 'a condition'} after {time.monotonic() - started:.1f}s "
                    f"({attempts} checks; last result {_short(repr(result), 200)})"
                )
            await asyncio.sleep(min(interval, remaining))

    async def wait_for_message(
        self,
        channel_or_user: str,
        predicate: Callable[[Message], bool],
        timeout: float = 30,  # noqa: ASYNC109 -- a polling budget, not an I/O timeout: on expiry we report context
        what: str = "",
        *,
        within: float | None = None,
        after: str | None = None,
    ) -> Message:
        """The newest message matching `predicate` in a channel, or in the bot's DM with a user ("U…").

        `after` (a ts from `latest_ts`) ignores what was there before, when an older message would match too.
        """
        is_user = channel_or_user.startswith("U")

        async def seen() -> list[Message]:
            return await (self.dm_messages(channel_or_user) if is_user else self.messages(channel_or_user))

        def fresh(message: Message) -> bool:
            return after is None or float(message["ts"]) > float(after)

        async def probe() -> Message | None:
            return next((m for m in reversed(await seen()) if fresh(m) and predicate(m)), None)

        label = what or f"a message in {'the DM with ' if is_user else ''}{channel_or_user}"
        try:
            return await self.wait_for(probe, timeout if within is None else within, what=label)
        except AssertionError as exc:
            try:
                context = await self._context(channel_or_user, await seen())
            except (AssertionError, aiohttp.ClientError, TimeoutError) as why:  # never hide the timeout itself
                context = f"(could not read the context: {why})"
            raise AssertionError(f"{exc}\n{context}") from None

    async def _context(self, where: str, messages: list[Message]) -> str:
        """What was there instead: the last messages, and the emulator's last log lines (did Burst hear us?)."""
        if not messages:
            shown = "  (no DM with the bot yet)" if where.startswith("U") else "  (no messages)"
        else:
            shown = "\n".join(
                f"  [{m.get('ts')}] {m.get('user') or m.get('bot_id') or '?'}: {_short(m.get('text', ''))}"
                for m in messages[-_CONTEXT_MESSAGES:]
            )
        log = "\n".join(
            f"  {e.get('direction')} {e.get('kind')}: {_short(e.get('summary', ''))}"
            for e in (await self.log())[-_CONTEXT_LOG:]
        )
        return f"last messages in {where}:\n{shown}\nlast local-slack log entries:\n{log or '  (empty)'}"
