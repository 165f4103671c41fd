"""What keeps a hostile HTTP client from stalling `burst run`: signatures checked on raw bytes, read deadlines, a
connection cap, and no software versions in responses.

- A connection must send a request's headers within the read timeout of connecting (or of its last response, when
  kept alive), and its body within the read timeout too (`read_body`); a slow one is closed (`GuardedSite`).
- Past the connection cap, a new connection is answered 503 and closed at once, before anything is read from it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Mapping

from aiohttp import hdrs, web

__all__ = ["SERVER_NAME", "GuardedSite", "hide_server_version", "read_body", "signed_by_slack"]

SERVER_NAME = "burst"
SIGNATURE_WINDOW_SECONDS = 5 * 60  # Slack's own: a request signed longer ago (or ahead) is a replay or a forgery
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def signed_by_slack(signing_secret: str, body: bytes, headers: Mapping[str, str], now: float | None = None) -> bool:
    """Slack's v0 signature over the raw body, before anything decodes it.

    slack_sdk's verifier decodes the body as UTF-8 first (an unsigned body of invalid UTF-8 raised, a 500 and a
    logged traceback) and raises on a timestamp that is not a number; here both are simply not Slack.
    """
    timestamp, signature = headers.get("X-Slack-Request-Timestamp", ""), headers.get("X-Slack-Signature", "")
    if not (timestamp.isascii() and timestamp.isdigit() and signature.isascii()):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())


async def read_body(request: web.Request, within_seconds: float) -> bytes:
    """The whole body, or 408 (and the connection closed) when it does not arrive within `within_seconds`."""
    try:
        async with asyncio.timeout(within_seconds):
            return await request.read()
    except TimeoutError:
        raise web.HTTPRequestTimeout(headers={hdrs.CONNECTION: "close"}) from None


async def hide_server_version(_: web.Request, response: web.StreamResponse) -> None:
    """aiohttp names Python's and its own version in `Server`, which only helps someone pick an exploit."""
    response.headers[hdrs.SERVER] = SERVER_NAME


class _Busy(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(_BUSY)
        transport.close()


class _Counted(asyncio.Protocol):
    """aiohttp's protocol for one connection, counted from the moment it is created until the connection is lost.

    Counted here rather than read off aiohttp's list of connections, which gains a connection only once it is
    made: a burst of connects accepted together all found that list still short.
    """

    def __init__(self, inner: asyncio.Protocol, live: set[_Counted]) -> None:
        self._inner, self._live = inner, live
        live.add(self)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self._live.discard(self)
        self._inner.connection_lost(exc)


class _QuietHandler(web.RequestHandler):
    """aiohttp's protocol, whose own answers to malformed requests do not name versions either."""

    def handle_error(
        self, request: web.BaseRequest, status: int = 500, exc: BaseException | None = None, message: str | None = None
    ) -> web.StreamResponse:
        response = super().handle_error(request, status, exc, message)
        response.headers[hdrs.SERVER] = SERVER_NAME
        return response


class GuardedSite(web.TCPSite):
    """A TCP site with read deadlines, whose connections past `max_connections` are refused with 503 at once.

    aiohttp closes a connection that has not sent a whole request by its keep-alive deadline, which it arms when the
    connection is made, so that deadline is the read timeout: a client trickling its headers is dropped as soon as
    one trickling its body (`read_body`). After an answer to a body cut short, aiohttp reads on for a lingering
    time: `LINGER_SECONDS`, not its default ten.
    """

    LINGER_SECONDS = 1.0

    def __init__(
        self, runner: web.AppRunner, host: str, port: int, *, read_timeout: float, max_connections: int
    ) -> None:
        super().__init__(runner, host, port)
        self._read_timeout = read_timeout
        self._max_connections = max_connections
        self._live: set[_Counted] = set()

    async def start(self) -> None:
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()

        def connection() -> asyncio.BaseProtocol:
            if len(self._live) >= self._max_connections:
                return _Busy()
            handler = _QuietHandler(
                server,
                loop=loop,
                keepalive_timeout=self._read_timeout,
                lingering_time=min(self._read_timeout, self.LINGER_SECONDS),
                access_log=None,  # type: ignore[arg-type]  # aiohttp's documented "no access log"; its hint lacks None
            )
            return _Counted(handler, self._live)

        self._server = await loop.create_server(connection, self._host, self._port, backlog=self._backlog)
