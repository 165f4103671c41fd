"""A load balancer in front of several `burst run` processes in HTTP mode, as replicas would have in production.

local-slack delivers Events API requests to one URL; this spreads them round-robin over the processes and moves on to
the next when one refuses the connection (it was just killed), so every replica serves people, not only timers.
Signed requests pass byte for byte with their signature headers. A delivery no process takes, or whose process died
while handling it, gets a 502, as Slack would see it; the person using Slack then tries again.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from types import TracebackType
from typing import Self

import aiohttp
from aiohttp import web

from tests.support.ports import free_port

EVENTS_PATH = "/slack/events"
_FORWARDED = ("Content-Type", "X-Slack-Signature", "X-Slack-Request-Timestamp", "X-Slack-Retry-Num")


class Balancer:
    def __init__(self, backend_ports: Sequence[int]) -> None:
        self.backends = [f"http://127.0.0.1:{port}{EVENTS_PATH}" for port in backend_ports]
        self.port = free_port()
        self._turn = itertools.cycle(range(len(self.backends)))
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{EVENTS_PATH}"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post(EVENTS_PATH, self._deliver)
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def _deliver(self, request: web.Request) -> web.Response:
        assert self._client is not None
        body = await request.read()
        headers = {h: request.headers[h] for h in _FORWARDED if h in request.headers}
        first = next(self._turn)
        for offset in range(len(self.backends)):
            target = self.backends[(first + offset) % len(self.backends)]
            try:
                async with self._client.post(target, data=body, headers=headers) as answer:
                    payload = await answer.read()
                    kind = answer.headers.get("Content-Type", "text/plain")
                    return web.Response(status=answer.status, body=payload, headers={"Content-Type": kind})
            except aiohttp.ClientConnectorError:
                continue  # that replica is down: the next one takes it
            except aiohttp.ClientError:
                break  # it died while handling the request, which may have acted already: no second delivery
        return web.Response(status=502, text="no Burst process is up")
