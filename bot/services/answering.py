"""Mentors' answers to pings: accept (the first wins a session), decline or snooze, and "Not me, try ..." naming a
colleague.

Like every step of a request (bot.services.asking), each answer is one unit of work with its interaction events, and
what it owes Slack (the rewritten pings, the pair's session) is recorded in that commit and sent right after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.exc import IntegrityError

from bot.domain import event_kinds as ev
from bot.domain.evidence import EvidenceKind
from bot.runtime.ports import Outbox
from bot.runtime.timer_kinds import REQUEST_TIMERS, Known, Owing, RequestOwed, SendPings, TellMatch, cancel_for_request
from bot.services.asking import RequestService
from bot.services.routing import FAIRNESS_WINDOW, choose
from bot.services.sessions import SessionService
from storage.database import Database, UnitOfWork
from storage.models import HelpRequest, Ping, PingState, RequestState, WantedLevel, utcnow

SNOOZE_FROM_PING = timedelta(hours=1)

AnswerStatus = Literal[
    "accepted",
    "declined",
    "snoozed",
    "taken",
    "closed",
    "not_yours",
    "already_answered",
    "busy",
    "cap_reached",
    "handed_off",  # declined, and the colleague they named was pinged
    "suggestion_noted",  # declined; the colleague they named is not free now, and is kept for later waves
    "cannot_suggest",  # the named person is the mentor themself or the requester
]


@dataclass(frozen=True)
class AnswerOutcome:
    status: AnswerStatus
    request: HelpRequest | None = None
    colleague: str | None = None  # handed_off / suggestion_noted: whom they named


class AnswerService:
    """What a mentor's button on a ping does to its request; the request's waves and messages are `requests`'."""

    def __init__(self, requests: RequestService) -> None:
        self.requests = requests
        self.db: Database = requests.db
        self.timers: Outbox = requests.timers
        self.sessions: SessionService = requests.sessions

    async def accept(self, ping_id: int, user_id: str) -> AnswerOutcome:
        now = utcnow()
        async with self.db.uow() as uow:
            if (owned := await _ping_of(uow, ping_id, user_id)) is None:
                return AnswerOutcome("not_yours")
            ping, request = owned
            assert request.id is not None  # stored: mypy cannot see it through _ping_of
            if ping.state == PingState.ACCEPTED:
                return AnswerOutcome("already_answered", request)
            if refusal := await self._cannot_take(uow, user_id, now):
                return AnswerOutcome(refusal, request)
            if not await uow.requests.claim_match(request.id, user_id, now):
                await uow.pings.answer(ping_id, PingState.TAKEN, now)
                uow.events.append(ev.PING_LATE, actor_id=user_id, request_id=request.id, state=request.state)
                await uow.commit()
                status: AnswerStatus = "taken" if request.state == RequestState.MATCHED else "closed"
                return AnswerOutcome(status, request)
            accepted = await uow.pings.answer(ping_id, PingState.ACCEPTED, now, waiting_only=False)
            assert accepted is not None
            others = await uow.pings.close_open(request.id, PingState.TAKEN, except_ids=[ping_id])
            await cancel_for_request(uow, request.id, REQUEST_TIMERS)
            await uow.db_session.refresh(request)
            uow.events.append(ev.PING_ACCEPTED, actor_id=user_id, request_id=request.id, ping_id=ping_id)
            uow.events.append(
                ev.REQUEST_MATCHED,
                actor_id=user_id,
                request_id=request.id,
                seconds_to_accept=(now - request.created_at).total_seconds(),
                wave=ping.wave,
            )
            try:
                flash = await self.sessions.start(uow, request, now)
            except IntegrityError:
                # Another process started a session for this mentor since our check (the partial unique index
                # on active sessions caught it): roll the claim back so the request stays open for others.
                await uow.db_session.rollback()
                return AnswerOutcome("busy", request)
            assert flash.id is not None
            rewritten = tuple(p.id for p in [*others, accepted] if p.id is not None)
            owed = await self.timers.owe(uow, TellMatch(request.id, flash.id, rewritten))
            await uow.commit()
        await self.requests.settle(owed)
        return AnswerOutcome("accepted", request)

    async def _cannot_take(self, uow: UnitOfWork, mentor_id: str, now: datetime) -> AnswerStatus | None:
        """A mentor pinged while free may have started another session, or reached their cap, since."""
        if await uow.sessions.active_for(mentor_id):
            return "busy"
        member = await uow.members.get(mentor_id)
        if member is not None and member.weekly_cap is not None:
            given = await uow.sessions.count_as_mentor(mentor_id, since=now - FAIRNESS_WINDOW)
            if given >= member.weekly_cap:
                return "cap_reached"
        return None

    async def decline(self, ping_id: int, user_id: str, *, snooze: bool = False) -> AnswerOutcome:
        now = utcnow()
        state = PingState.SNOOZED if snooze else PingState.DECLINED
        async with self.db.uow() as uow:
            if (owned := await _ping_of(uow, ping_id, user_id)) is None:
                return AnswerOutcome("not_yours")
            ping, request = owned
            answered = await uow.pings.answer(ping_id, state, now)
            if answered is None:
                return AnswerOutcome("already_answered", request)
            if snooze:
                member = await uow.members.get_or_create(user_id)
                member.snoozed_until = now + SNOOZE_FROM_PING
            uow.events.append(
                ev.PING_SNOOZED if snooze else ev.PING_DECLINED, actor_id=user_id, request_id=ping.request_id
            )
            owed = await self.requests.owe_rewrite(uow, ping.request_id, answered)
            await uow.commit()
        assert request is not None
        await self.requests.settle(owed)
        await self.requests.advance_if_nobody_waiting(ping.request_id)
        return AnswerOutcome("snoozed" if snooze else "declined", request)

    async def hand_off(self, ping_id: int, user_id: str, colleague_id: str) -> AnswerOutcome:
        """ "Not me, try ...": decline the ping and ask the colleague the mentor named, now if they are free.

        The suggestion is evidence that the colleague can help with topics like this one, and they stay first in
        line for the request's later waves when they are not free now.
        """
        now = utcnow()
        async with self.db.uow() as uow:
            if (owned := await _ping_of(uow, ping_id, user_id)) is None:
                return AnswerOutcome("not_yours")
            ping, request = owned
            request_id = ping.request_id
            if colleague_id in (user_id, request.requester_id):
                return AnswerOutcome("cannot_suggest", request)
            if request.state != RequestState.OPEN:
                return AnswerOutcome("closed", request)
            answered = await uow.pings.answer(ping_id, PingState.DECLINED, now)
            if answered is not None:
                uow.events.append(ev.PING_DECLINED, actor_id=user_id, request_id=request_id)
            await uow.members.get_or_create(colleague_id)
            await uow.evidence.learn(colleague_id, EvidenceKind.SUGGESTED, request.topic, request_id)
            uow.events.append(ev.PING_HANDED_OFF, actor_id=user_id, request_id=request_id, colleague=colleague_id)
            note = "a colleague suggested you for this"
            request.mentors = {**request.mentors, colleague_id: 1.0}
            request.mentor_notes = {**request.mentor_notes, colleague_id: note}
            await uow.flush()
            # Not screened by Slack's signals here: that would call Slack inside this write transaction, and a
            # colleague named by a person is worth asking even on a busy afternoon.
            choice = await choose(
                uow,
                skill_scores={},
                mentor_scores={colleague_id: 1.0},
                mentor_notes={colleague_id: note},
                level=WantedLevel.ANY,
                requester_id=request.requester_id,
                request_id=request_id,
                now=now,
                want=1,
            )
            chosen = choice.chosen
            pings = [
                uow.pings.add(
                    Ping(request_id=request_id, mentor_id=c.member_id, wave=request.wave, score=c.score, created_at=now)
                )
                for c in chosen
            ]
            await uow.members.mark_pinged([c.member_id for c in chosen], now)
            await uow.flush()
            owed_rewrite = None
            if answered is not None:
                owed_rewrite = await self.requests.owe_rewrite(uow, request_id, answered)
            owed_ping: Owing[RequestOwed] | None = None
            if pings:
                [colleague_ping] = pings
                assert colleague_ping.id is not None
                uow.events.append(
                    ev.PING_SENT,
                    actor_id=colleague_id,
                    request_id=request_id,
                    ping_id=colleague_ping.id,
                    wave=request.wave,
                )
                send = SendPings(
                    request_id,
                    (colleague_ping.id,),
                    {str(colleague_ping.id): chosen[0].reason},
                    request.wave,
                    quiet=True,
                    handed_off_by=ping_id,
                    known=Known(request, (colleague_ping,)),
                )
                owed_ping = await self.timers.owe(uow, send)
            await uow.commit()
        await self.requests.settle(owed_rewrite)
        await self.requests.settle(owed_ping)
        if not pings:
            await self.requests.advance_if_nobody_waiting(request_id)
            return AnswerOutcome("suggestion_noted", request, colleague_id)
        return AnswerOutcome("handed_off", request, colleague_id)


async def _ping_of(uow: UnitOfWork, ping_id: int, user_id: str) -> tuple[Ping, HelpRequest] | None:
    """The ping and its request, when the ping is this person's to answer; None otherwise."""
    ping = await uow.pings.get(ping_id)
    if ping is None or ping.mentor_id != user_id:
        return None
    request = await uow.requests.get(ping.request_id)
    assert request is not None
    assert request.id is not None
    return ping, request
