"""A small async client for local-slack's control API: act as users, read what they see."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp

T = TypeVar("T")
Message = dict[str, Any]


class SlackControl:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/") + "/_control"
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))

    async def close(self) -> None:
        await self._http.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self._http.post(self.base + path, json=body or {}) as answer:
            text = await answer.text()
            if answer.status >= 300:
                raise AssertionError(f"control POST {path} -> {answer.status}: {text}")
            return await answer.json(content_type=None)

    async def _get(self, path: str) -> Any:
        async with self._http.get(self.base + path) as answer:
            if answer.status >= 300:
                raise AssertionError(f"control GET {path} -> {answer.status}: {await answer.text()}")
            return await answer.json(content_type=None)

    async def command(self, user: str, text: str, channel: str = "C0GEN", command: str = "/burst") -> Any:
        return await self._post("/command", {"channel": channel, "user": user, "command": command, "text": text})

    async def message(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> Message:
        body: dict[str, Any] = {"channel": channel, "user": user, "text": text}
        if thread_ts:
            body["thread_ts"] = thread_ts
        answer = await self._post("/message", body)
        return dict(answer.get("message", {}))

    async def interact(self, channel: str, message_ts: str, user: str, action: dict[str, Any]) -> Any:
        return await self._post(
            "/interact", {"channel": channel, "messageTs": message_ts, "user": user, "action": action}
        )

    async def open_home(self, user: str) -> Any:
        return await self._post("/open-home", {"user": user})

    async def reset(self) -> Any:
        return await self._post("/reset")

    async def state(self) -> dict[str, Any]:
        return dict(await self._get("/state"))

    async def messages(self, channel: str) -> list[Message]:
        return list((await self._get(f"/messages/{channel}")).get("messages", []))

    async def log(self) -> list[dict[str, Any]]:
        return list((await self._get("/log")).get("log", []))

    async def dm_channel(self, user: str) -> str | None:
        for channel in (await self.state()).get("channels", []):
            if channel.get("is_im") and user in channel.get("members", []):
                return str(channel["id"])
        return None

    async def dm_messages(self, user: str) -> list[Message]:
        channel = await self.dm_channel(user)
        return await self.messages(channel) if channel else []

    async def wait_for(
        self, probe: Callable[[], Awaitable[T | None]], within: float = 10, interval: float = 0.1, what: str = ""
    ) -> T:
        deadline = time.monotonic() + within
        while True:
            result = await probe()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {within}s waiting for {what or 'a condition'}")
            await asyncio.sleep(interval)

    async def wait_for_message(
        self, channel_or_user: str, predicate: Callable[[Message], bool], within: float = 10, what: str = ""
    ) -> Message:
        async def probe() -> Message | None:
            if channel_or_user.startswith("U"):
                found = await self.dm_messages(channel_or_user)
            else:
                found = await self.messages(channel_or_user)
            return next((m for m in reversed(found) if predicate(m)), None)

        try:
            return await self.wait_for(probe, within, what=what or f"a message in {channel_or_user}")
        except AssertionError as exc:
            if channel_or_user.startswith("U"):
                seen = await self.dm_messages(channel_or_user)
            else:
                seen = await self.messages(channel_or_user)
            texts = [str(m.get("text", ""))[:120] for m in seen[-8:]]
            raise AssertionError(f"{exc}; last messages there: {texts}") from None
