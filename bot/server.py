"""`burst run`: serve Slack in Socket Mode (SLACK_APP_TOKEN) or over HTTP, with a health endpoint, until a signal."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import signal
from collections.abc import Awaitable, Callable

import aiohttp
import structlog
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import build_app, web_client
from bot.digest import RETRY_EVERY
from bot.http_guard import GuardedSite, hide_server_version, read_body, signed_by_slack
from bot.services import Services
from config import Settings
from storage.migrate import upgrade_async
from storage.types import utcnow

log = structlog.get_logger(__name__)
EVENTS_PATH = "/slack/events"
DRAIN_SECONDS = 10  # on stop, how long listeners part-way through their work get to finish


def events_endpoint(
    app: AsyncApp, signing_secret: str, read_timeout: float
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """POST /slack/events of HTTP mode (Socket Mode has no signing secret and no such endpoint)."""

    async def events(request: web.Request) -> web.Response:
        raw = await read_body(request, read_timeout)
        if not signed_by_slack(signing_secret, raw, request.headers):
            return web.json_response({"error": "invalid request"}, status=401)
        try:  # Slack sends UTF-8 JSON or a form; anything else, even signed, is no request Burst can read
            body = raw.decode("utf-8")
            bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return web.json_response({"error": "not a Slack request"}, status=400)
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    return events


def http_app(app: AsyncApp, services: Services, socket: AsyncSocketModeHandler | None) -> web.Application:
    async def health(_: web.Request) -> web.Response:
        if socket is not None and not await socket.client.is_connected():
            return web.json_response({"status": "connecting"}, status=503)
        return web.json_response({"status": "ok", "mode": "socket" if socket else "http"})

    settings = services.settings
    web_app = web.Application()
    web_app.on_response_prepare.append(hide_server_version)
    web_app.router.add_get("/healthz", health)
    if socket is None:
        read_timeout = settings.burst_http_read_timeout.total_seconds()
        web_app.router.add_post(EVENTS_PATH, events_endpoint(app, settings.slack_signing_secret or "", read_timeout))
    return web_app


async def serve(settings: Settings) -> None:
    # Handlers first: a SIGTERM while starting (an orchestrator changing its mind) must not kill us half-way; it is
    # noted, start-up completes, and the shutdown below runs as for any other stop.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await upgrade_async(settings.database_url)
    # One connection pool for every Web API call of the bot, kept alive between calls: a new connection per call
    # cost about half a millisecond of CPU each on loopback (benchmarks load), and a TLS handshake on real Slack.
    http = aiohttp.ClientSession()
    app, services = build_app(settings, http)
    socket: AsyncSocketModeHandler | None = None
    if settings.socket_mode:
        assert settings.slack_app_token
        socket = AsyncSocketModeHandler(
            app, settings.slack_app_token, web_client=web_client(settings, settings.slack_app_token)
        )
    runner = web.AppRunner(http_app(app, services, socket), access_log=None)
    await runner.setup()
    # What start-up built (modules, the ORM's mappings, Bolt's listeners) lives as long as the process: take it out
    # of the garbage collector's sight, so a full collection stops walking it. Those collections stalled the event
    # loop for 30 to 95 ms each, and every ack arriving meanwhile waited (benchmarks load).
    gc.collect()
    gc.freeze()
    # A full collection also waits for a quarter more long-lived objects than the last one left; with start-up
    # frozen that base is tiny, so full collections came every tenth middle one, each walking all the backlog of a
    # busy moment (50 to 170 ms). One in a hundred keeps them rare (at 200 requests/s, ack p99 43 -> 30 ms).
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 100)
    site = GuardedSite(
        runner,
        "0.0.0.0",
        settings.burst_http_port,
        read_timeout=settings.burst_http_read_timeout.total_seconds(),
        max_connections=settings.burst_http_max_connections,
    )
    await site.start()
    services.timers.start()
    await services.directory_sync.start()
    if settings.burst_digest_channel:
        services.timers.add_cron("digest", services.digest.trigger(), services.digest.post_due)
        # Also soon after start (weeks missed while down) and every few minutes (a failed post, a dead claimant).
        services.timers.add_interval("digest-retry", RETRY_EVERY, services.digest.post_due, first=utcnow())
    if socket is not None:
        await socket.connect_async()  # type: ignore[no-untyped-call]
    log.info(
        "burst is serving",
        mode="socket" if socket else "http",
        port=settings.burst_http_port,
        database=settings.database_url.split("@")[-1],
    )
    try:
        await stop.wait()
    finally:
        log.info("burst is stopping")
        if socket is not None:
            await socket.close_async()  # type: ignore[no-untyped-call]
        with contextlib.suppress(TimeoutError):  # listeners part-way through their work finish it first
            async with asyncio.timeout(DRAIN_SECONDS):
                await services.after_ack.drain()
        await services.timers.stop()
        await runner.cleanup()
        await services.db.dispose()
        await http.close()
