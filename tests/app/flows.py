"""Steps that bring an in-process Burst to a state (a ping, a session, a follow-up) through its real surfaces."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from handlers.views import blocks as b
from storage.models import FlashSession, HelpRequest, Ping
from tests.support.in_process import Delivery, InProcessBurst

_people = itertools.count(1)


def person(role: str) -> str:
    """A Slack user ID nobody else in the test run uses."""
    return f"U{role.upper()}{next(_people):04d}"


def ok(delivery: Delivery) -> Delivery:
    assert delivery.status == 200, delivery
    assert not delivery.errors, delivery.errors
    return delivery


async def add_mentor(burst: InProcessBurst, user: str, skills: str) -> None:
    ok(await burst.deliver(burst.command(user, f"skills add {skills}")))


async def ask(burst: InProcessBurst, requester: str, topic: str) -> HelpRequest:
    ok(await burst.deliver(burst.dm(requester, f"help me with {topic}")))
    async with burst.services.db.uow(readonly=True) as uow:
        requests = await uow.requests.recent_for(requester, 1)
    assert requests, f"{requester}'s request was not made"
    return requests[0]


async def ping_for(burst: InProcessBurst, request: HelpRequest, mentor: str) -> Ping:
    async with burst.services.db.uow(readonly=True) as uow:
        ping = await uow.pings.find(request.id or 0, mentor)
    assert ping is not None, f"{mentor} was not pinged"
    return ping


@dataclass
class Pair:
    """A requester and a mentor, and the session between them."""

    requester: str
    mentor: str
    request: HelpRequest
    ping: Ping
    session: FlashSession


async def pinged(burst: InProcessBurst) -> tuple[str, str, HelpRequest, Ping]:
    requester, mentor = person("asker"), person("mentor")
    await add_mentor(burst, mentor, "rust:expert")
    request = await ask(burst, requester, "rust")
    return requester, mentor, request, await ping_for(burst, request, mentor)


async def in_session(burst: InProcessBurst) -> Pair:
    requester, mentor, request, ping = await pinged(burst)
    ok(await burst.deliver(burst.click(mentor, b.PING_ACCEPT, str(ping.id))))
    async with burst.services.db.uow(readonly=True) as uow:
        active = await uow.sessions.active_for(requester)
    assert active, "the accept started no session"
    return Pair(requester, mentor, request, ping, active[0])


async def ended(burst: InProcessBurst) -> Pair:
    """A session that ended, with its follow-up sent (the harness's follow-up delay is a microsecond)."""
    pair = await in_session(burst)
    ok(await burst.deliver(burst.click(pair.requester, b.SESSION_END, str(pair.session.id))))
    await burst.services.timers.sweep()
    return pair
