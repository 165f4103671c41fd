"""Signed requests the way Slack sends them (Events API, interactivity, slash commands)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

import aiohttp


def sign(signing_secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(signing_secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def form_body(payload: dict[str, Any]) -> str:
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


async def post_signed(
    url: str,
    signing_secret: str,
    body: str,
    content_type: str,
    extra_headers: Mapping[str, str] | None = None,
    timestamp: int | None = None,
) -> tuple[int, str]:
    headers = {"Content-Type": content_type, **sign(signing_secret, body, timestamp), **(extra_headers or {})}
    async with aiohttp.ClientSession() as http, http.post(url, data=body.encode(), headers=headers) as answer:
        return answer.status, await answer.text()
