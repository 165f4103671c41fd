"""The load generator: signed Slack requests sent open-loop at a fixed rate, from a process of its own.

Open-loop means request i leaves at start + i / rate whether or not earlier ones have been answered, as Slack
sends: a slow server faces a growing queue instead of a politely waiting client (a closed loop would hide that).
It runs in its own process so that signing and sending never compete with the measured server for one event loop;
they still share the machine's cores, which is why `lateness` (how late each request left) is reported too.

The latency of a request is from just before it is written to the socket until the whole answer is read: the
ack as Slack would time it. A request unanswered within `timeout` (Slack's own ack deadline is 3 s) counts as an
error with the timeout as its latency, so errors raise the percentiles rather than vanish from them.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import aiohttp

from tests.support.signing import sign

ACK_DEADLINE = 3.0


@dataclass(frozen=True)
class Shot:
    """One request to send: what kind it is (for the per-kind figures) and its exact body."""

    kind: str
    content_type: str
    body: str


@dataclass(frozen=True)
class Sample:
    kind: str
    latency: float  # seconds
    lateness: float  # seconds the request left after its scheduled moment
    status: int  # HTTP status; 0 for a timeout or a connection error


def run_phase(
    url: str, signing_secret: str, shots: list[Shot], rate: float, timeout: float = ACK_DEADLINE
) -> list[Sample]:
    """Send `shots` at `rate` per second and return one sample per shot (the entry point of the worker process)."""
    return asyncio.run(_phase(url, signing_secret, shots, rate, timeout))


async def _phase(url: str, secret: str, shots: list[Shot], rate: float, deadline: float) -> list[Sample]:
    loop = asyncio.get_running_loop()
    samples: list[Sample] = []
    # No connection limit: an open loop opens what it needs, as Slack's senders do, instead of queueing locally.
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=deadline)) as http:
        start = loop.time() + 0.05
        sending: list[asyncio.Task[None]] = []
        for i, shot in enumerate(shots):
            due = start + i / rate
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            sending.append(loop.create_task(_send(http, url, secret, shot, due, samples)))
        await asyncio.gather(*sending)
    return samples


async def _send(
    http: aiohttp.ClientSession, url: str, secret: str, shot: Shot, due: float, samples: list[Sample]
) -> None:
    headers = {"Content-Type": shot.content_type, **sign(secret, shot.body)}
    data = shot.body.encode()
    lateness = asyncio.get_running_loop().time() - due
    began = time.perf_counter()
    try:
        async with http.post(url, data=data, headers=headers) as answer:
            await answer.read()
            status = answer.status
    except (aiohttp.ClientError, TimeoutError):
        status = 0
    samples.append(Sample(shot.kind, time.perf_counter() - began, lateness, status))
