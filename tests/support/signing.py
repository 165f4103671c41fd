"""Requests signed the way Slack signs them, to drive Burst's HTTP endpoints directly in tests.

Slack signs every Events API, interactivity and slash-command request with the app's signing secret
(v0 = HMAC-SHA256 over "v0:<timestamp>:<raw body>"); Burst must reject anything else, so tests need both
well-signed requests and deliberately bad ones (wrong secret, stale timestamp).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import aiohttp


def sign(signing_secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The X-Slack-Request-Timestamp and X-Slack-Signature headers for `body` (now, unless `timestamp` is given)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(signing_secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def form_body(payload: Mapping[str, Any]) -> str:
    """An interactive request's body: the JSON payload, form-encoded as `payload=...`."""
    return urlencode({"payload": json.dumps(dict(payload), separators=(",", ":"))})


async def post_signed(
    url: str,
    signing_secret: str,
    body: str,
    content_type: str,
    extra_headers: Mapping[str, str] | None = None,
    timestamp: int | None = None,
) -> tuple[int, str]:
    """POST `body` exactly as signed (the signature covers the raw bytes) and return (status, response text)."""
    headers = {"Content-Type": content_type, **sign(signing_secret, body, timestamp), **(extra_headers or {})}
    timeout = aiohttp.ClientTimeout(total=15)
    async with (
        aiohttp.ClientSession(timeout=timeout) as http,
        http.post(url, data=body.encode(), headers=headers) as answer,
    ):
        return answer.status, await answer.text()
