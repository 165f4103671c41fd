"""The baseline the load benchmark compares Burst with: a bare Bolt AsyncApp, served the way `burst run` serves.

`python -m benchmarks.bare_bolt` answers every slash command and every button with an empty ack, nothing more;
with BARE_DM_USER set it also posts one DM per slash command after the ack (chat.postMessage to that user), which
is the least any bot can do between a request and a ping. It has Burst's HTTP surface (aiohttp with Bolt's
adapter, /slack/events and /healthz), Burst's signing secret and a Web API client pointed at the same local-slack,
so whatever differs in the figures is Burst's own work.

Environment: BARE_PORT, SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL, and optionally BARE_DM_USER.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

EVENTS_PATH = "/slack/events"  # as bot.entrypoints.server


def bare_app(signing_secret: str, token: str, api_url: str, dm_user: str | None) -> AsyncApp:
    # Bolt's defaults, as Burst keeps them: listeners run after the ack (process_before_response=False).
    app = AsyncApp(client=AsyncWebClient(token=token, base_url=api_url), signing_secret=signing_secret)

    @app.command(re.compile(".*"))
    async def command(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        if dm_user:
            # The same words as Burst's ping, so the first-ping benchmark finds both with one pattern.
            text = f"<@{command['user_id']}> needs help with {command.get('text', '')}"
            await client.chat_postMessage(channel=dm_user, text=text)

    @app.action(re.compile(".*"))
    async def action(ack: AsyncAck) -> None:
        await ack()

    return app


def http_app(app: AsyncApp) -> web.Application:
    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "mode": "http"})

    web_app = web.Application()
    web_app.router.add_get("/healthz", health)
    web_app.router.add_post(EVENTS_PATH, events)
    return web_app


async def serve() -> None:
    env = os.environ
    app = bare_app(env["SLACK_SIGNING_SECRET"], env["SLACK_BOT_TOKEN"], env["SLACK_API_URL"], env.get("BARE_DM_USER"))
    runner = web.AppRunner(http_app(app), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(env["BARE_PORT"])).start()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve())
