"""Is this Slack install ready for Burst? `burst check` prints it; `burst run` warns about missing scopes.

Slack names the scopes a token was granted in the `x-oauth-scopes` header of every Web API answer, so one
auth.test tells what the install lacks. Socket Mode answers when apps.connections.open hands the app token a
connection URL; an HTTP request URL answers when it echoes a signed url_verification challenge, as Slack checks it.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

import aiohttp
import structlog
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.gateway import SLACK_FAILURES, why
from handlers.slack.scopes import ScopeReport, compare, granted_scopes, needing

log = structlog.get_logger(__name__)
URL_TIMEOUT = 10.0  # seconds; Slack itself gives a request URL three


@dataclass(frozen=True)
class TokenCheck:
    """What auth.test said: the bot and team, and the scopes compared with what Burst needs (None: Slack did not
    name them); or why it failed."""

    answered: bool
    scopes: ScopeReport | None = None
    bot: str = ""
    team: str = ""
    error: str = ""


async def check_token(client: AsyncWebClient) -> TokenCheck:
    try:
        answer = await client.auth_test()
    except SLACK_FAILURES as exc:
        return TokenCheck(False, error=why(exc))
    header = {name.lower(): value for name, value in answer.headers.items()}.get("x-oauth-scopes")
    granted = granted_scopes(header)
    return TokenCheck(
        True,
        None if granted is None else compare(granted),
        bot=str(answer.get("user") or ""),
        team=str(answer.get("team") or ""),
    )


async def socket_mode_answers(client: AsyncWebClient, app_token: str) -> str:
    """'' when the app token can open a Socket Mode connection, else why not."""
    try:
        await client.apps_connections_open(app_token=app_token)
    except SLACK_FAILURES as exc:
        return why(exc)
    return ""


async def request_url_answers(url: str, signing_secret: str) -> str:
    """'' when `url` answers Slack's signed url_verification challenge, else why not."""
    challenge = secrets.token_hex(8)
    body = json.dumps({"type": "url_verification", "token": "burst-check", "challenge": challenge})
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": str(SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body)),
    }
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=URL_TIMEOUT)) as session,
            session.post(url, data=body, headers=headers) as response,
        ):
            text = await response.text()
            if response.status != 200:
                return f"HTTP {response.status}"
    except (aiohttp.ClientError, TimeoutError) as exc:
        return repr(exc)[:200]
    return "" if challenge in text else "answered without the challenge"


async def warn_missing_scopes(client: AsyncWebClient) -> None:
    """At start-up, one warning line per scope the install lacks, naming what will fail without it."""
    checked = await check_token(client)
    if not checked.answered:
        log.warning("could not read the granted scopes", error=checked.error)
        return
    if checked.scopes is None:
        log.info("Slack did not name the token's scopes (no x-oauth-scopes header): not checked")
        return
    for scope in sorted(checked.scopes.missing):
        log.warning("missing Slack scope", scope=scope, needed_by=", ".join(needing(scope)))
