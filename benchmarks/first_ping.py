"""Request to first ping through local-slack: a person runs `/burst help …`; how long until a mentor sees a ping?

Measured on local-slack's own clock, from its traffic log: the moment it delivered the slash command to the app
(`to_bot slash_commands`) and the moment the app's first `chat.postMessage` for that requester arrived (Burst's
ping, or the bare app's one DM, both worded "<@requester> needs help with …"). Both ends are in one process, so
no clock skew and no polling delay enter the figure. Requests go one at a time on an otherwise idle system: this
is the latency a person sees, not a throughput test. The log keeps only its last 1,000 entries, far more than one
request writes, and it is read while each request's entries are still in it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from benchmarks.report import Timings
from tests.support.control import SlackControl

POLL = 0.025


@dataclass
class FirstPings:
    app: str
    latency: Timings = field(default_factory=Timings)
    misses: list[str] = field(default_factory=list)  # requesters whose ping never came, and why we think so


async def measure(
    app: str, control: SlackControl, asks: Sequence[tuple[str, str]], *, patience: float = 10.0
) -> FirstPings:
    """Run each (requester, topic) as `/burst help <topic>` through local-slack and time its first ping."""
    result = FirstPings(app)
    for requester, text in asks:
        await control.command(requester, f"help {text}")
        found = await _first_ping(control, requester, patience)
        if isinstance(found, float):
            result.latency.add(found)
        else:
            result.misses.append(f"{requester}: {found}")
    return result


async def _first_ping(control: SlackControl, requester: str, patience: float) -> float | str:
    """Seconds from delivery to ping on local-slack's clock, or why there is none."""
    deadline = time.monotonic() + patience
    while True:
        log = await control.log()
        delivered = next((e for e in log if _is_delivery(e, requester)), None)
        ping = next((e for e in log if _is_ping(e, requester)), None)
        if delivered is not None and ping is not None:
            return (int(ping["time"]) - int(delivered["time"])) / 1_000
        if time.monotonic() > deadline:
            said = [str(e.get("summary")) for e in log if requester in str(e.get("detail"))][-3:]
            return f"no ping within {patience:g} s (last calls about them: {said or 'none'})"
        await asyncio.sleep(POLL)


def _is_delivery(entry: dict[str, Any], requester: str) -> bool:
    if entry.get("direction") != "to_bot" or entry.get("kind") != "slash_commands":
        return False
    fields = parse_qs(str(entry.get("detail") or ""))
    return fields.get("user_id") == [requester]


def _is_ping(entry: dict[str, Any], requester: str) -> bool:
    if entry.get("direction") != "from_bot" or entry.get("summary") != "chat.postMessage":
        return False
    detail = entry.get("detail")
    return isinstance(detail, dict) and str(detail.get("text", "")).startswith(f"<@{requester}> needs help")
