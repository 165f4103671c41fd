"""Which delivery a Slack request is: the id Slack repeats on every redelivery of it (see
bot.runtime.delivery_ledger)."""

from __future__ import annotations

from typing import Any

from bot.services.container import Services


def delivery_key(body: dict[str, Any]) -> str | None:
    """Events carry an event_id; commands, clicks, submissions and shortcuts a trigger_id unique to each."""
    if event_id := body.get("event_id"):
        return f"event:{event_id}"
    if trigger_id := body.get("trigger_id"):
        return f"trigger:{trigger_id}"
    return None


async def claimed(services: Services, body: dict[str, Any]) -> bool:
    """True the first time Burst sees this delivery, False for a redelivery of it (nothing to do then)."""
    key = delivery_key(body)
    return key is None or await services.deliveries.first(key)
