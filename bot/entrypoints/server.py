"""`burst run`: serve Slack in Socket Mode (SLACK_APP_TOKEN) or over HTTP, with a health endpoint, until a signal."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import time
from collections.abc import Awaitable, Callable

import aiohttp
import structlog
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy.exc import SQLAlchemyError

from bot.entrypoints.app import build_app, web_client
from bot.entrypoints.http_guard import GuardedSite, hide_server_version, read_body, signed_by_slack
from bot.runtime.memory import settle_after_start
from bot.runtime.metrics import CONTENT_TYPE
from bot.services.container import Services
from bot.services.digest import RETRY_EVERY
from config import Settings
from handlers.slack.gateway import SLACK_FAILURES
from handlers.slack.install_check import warn_missing_scopes
from storage.migrate import upgrade_async
from storage.models import utcnow

log = structlog.get_logger(__name__)
EVENTS_PATH = "/slack/events"
DRAIN_SECONDS = 10  # on stop, how long listeners part-way through their work get to finish
SLACK_CHECK_EVERY = 30.0  # seconds a passed auth.test vouches for Slack in /readyz (it is rate limited)
READY_TIMEOUT = 5.0  # seconds each readiness check may take


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


def metrics_endpoint(services: Services) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def metrics(_: web.Request) -> web.Response:
        body = await services.metrics.exposition(services.db, services.after_ack)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    return metrics


def readiness(
    app: AsyncApp, services: Services, socket: AsyncSocketModeHandler | None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """GET /readyz: 200 when the database takes a query and Slack answers (the Socket Mode link is up, or, over
    HTTP, auth.test passed within the last SLACK_CHECK_EVERY seconds), else 503 naming what did not answer."""
    slack_ok_at = -SLACK_CHECK_EVERY

    async def slack_answers() -> bool:
        nonlocal slack_ok_at
        if socket is not None:
            return bool(await socket.client.is_connected())
        if time.monotonic() - slack_ok_at < SLACK_CHECK_EVERY:
            return True
        assert app.client is not None
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                await app.client.auth_test()
        except (*SLACK_FAILURES, TimeoutError):
            return False
        slack_ok_at = time.monotonic()
        return True

    async def database_answers() -> bool:
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                return await services.db.answers()
        except (SQLAlchemyError, OSError, TimeoutError):
            return False

    async def ready(_: web.Request) -> web.Response:
        checks = {"database": await database_answers(), "slack": await slack_answers()}
        status = {name: "ok" if up else "down" for name, up in checks.items()}
        return web.json_response(status, status=200 if all(checks.values()) else 503)

    return ready


def http_app(
    app: AsyncApp,
    services: Services,
    socket: AsyncSocketModeHandler | None,
    digest_checks: Callable[[], int] = lambda: 0,
) -> web.Application:
    async def health(_: web.Request) -> web.Response:
        if socket is not None and not await socket.client.is_connected():
            return web.json_response({"status": "connecting"}, status=503)
        matching = "semantic" if services.requests.reader.semantic else "lexical only (model unavailable)"
        # What runs now (0: the process is idle) and how often it has looked for due digests: what tells a test,
        # or an operator, that nothing is left to happen rather than that nothing has happened yet.
        return web.json_response(
            {
                "status": "ok",
                "mode": "socket" if socket else "http",
                "matching": matching,
                "work": services.after_ack.busy,
                "digest_checks": digest_checks(),
            }
        )

    settings = services.settings
    web_app = web.Application()
    web_app.on_response_prepare.append(hide_server_version)
    web_app.router.add_get("/healthz", health)
    web_app.router.add_get("/readyz", readiness(app, services, socket))
    web_app.router.add_get("/metrics", metrics_endpoint(services))
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
    # costs CPU on every call even on loopback (`benchmarks load`), and a TLS handshake on real Slack.
    http = aiohttp.ClientSession()
    app, services = build_app(settings, http)
    await warn_missing_scopes(web_client(settings, settings.slack_bot_token, http))
    socket: AsyncSocketModeHandler | None = None
    if settings.socket_mode:
        assert settings.slack_app_token
        socket = AsyncSocketModeHandler(
            app, settings.slack_app_token, web_client=web_client(settings, settings.slack_app_token)
        )
    digest_checks = 0

    async def post_due_digests() -> None:
        nonlocal digest_checks
        await services.digest.post_due()
        digest_checks += 1

    runner = web.AppRunner(http_app(app, services, socket, lambda: digest_checks), access_log=None)
    await runner.setup()
    # Embed the knowledge terms of the workspace's skills and its mentors' evidence, and compile the candidates'
    # statement in every shape, now rather than in the first requests.
    await services.requests.warm()
    settle_after_start()
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
    await services.calendars.start()
    if settings.burst_digest_channel:
        services.timers.add_cron("digest", services.digest.trigger(), services.digest.post_due)
        # Also soon after start (weeks missed while down) and every few minutes (a failed post, a dead claimant).
        services.timers.add_interval("digest-retry", RETRY_EVERY, post_due_digests, first=utcnow())
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
