"""Which delivery a Slack request is: the id Slack repeats on every redelivery of it (see bot.deliveries)."""

from __future__ import annotations

from typing import Any

from bot.services import Services


def delivery_key(body: dict[str, Any]) -> str | None:
    """Events carry an event_id; commands, clicks, submissions and shortcuts a trigger_id unique to each."""
    if event_id := body.get("event_id"):
        return f"event:{event_id}"
    if trigger_id := body.get("trigger_id"):
        return f"trigger:{trigger_id}"
    return None


async def first_delivery(services: Services, body: dict[str, Any]) -> bool:
    """Call after the ack, before acting: False means Slack delivered this before, so there is nothing to do.

    It also waits for the listener's turn to work (bot.work_gate), held until the listener ends.
    """
    await services.after_ack.enter()
    return await claimed_now(services, body)


async def claimed_now(services: Services, body: dict[str, Any]) -> bool:
    """`first_delivery` without waiting for a turn to work: for a modal, whose trigger_id Slack honours for three
    seconds only, so views.open must go out right after the ack, ahead of any queued work (a second delivery is
    still not acted on: its trigger_id was used)."""
    key = delivery_key(body)
    return key is None or await services.deliveries.first(key)
