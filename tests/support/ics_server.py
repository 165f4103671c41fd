"""A local HTTP server that serves calendars as Google and Outlook do: an .ics body with an ETag and a
Last-Modified, answering a conditional GET for an unchanged calendar with 304. It counts what it served."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Self

from aiohttp import web

from storage.models import utcnow


def ics(*events: tuple[datetime, datetime], summary: str = "Secret planning meeting") -> bytes:
    """A calendar of timed events (UTC), each titled `summary` (which Burst must never store)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Burst tests//EN"]
    for i, (start, end) in enumerate(events):
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{i}@tests",
            f"DTSTAMP:{start:%Y%m%dT%H%M%SZ}",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{end:%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{summary}",
            "ATTENDEE;CN=Someone Private:mailto:private@example.com",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def busy_now(minutes: int = 50) -> bytes:
    now = utcnow().replace(microsecond=0)
    return ics((now - timedelta(minutes=10), now + timedelta(minutes=minutes)))


@dataclass
class IcsServer:
    calendars: dict[str, bytes] = field(default_factory=dict)  # path -> body
    full: int = 0  # 200 answers
    unchanged: int = 0  # 304 answers
    port: int = 0
    _runner: web.AppRunner | None = None
    _modified: datetime = field(default_factory=utcnow)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        body = self.calendars.get(request.match_info["path"])
        if body is None:
            return web.Response(status=404, text="no such calendar")
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            self.unchanged += 1
            return web.Response(status=304, headers={"ETag": etag})
        self.full += 1
        headers = {"ETag": etag, "Last-Modified": format_datetime(self._modified, usegmt=True)}
        return web.Response(body=body, content_type="text/calendar", headers=headers)
