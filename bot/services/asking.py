"""Help requests from ask to match: matching the topic, waves of pings, first accept wins, expiry.

Every state change is one unit of work that also appends its interaction events; Slack is told after the commit,
so a failed Slack call never leaves the database half-way. What a step owes Slack is recorded in that same commit
(an owed timed action: bot.runtime.ports.Outbox) and sent right after it; a crash in between leaves the row to another
process, which sends what Slack does not have yet. So a kill delays a message; it never loses or doubles it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal, assert_never

import structlog
from sqlalchemy.exc import IntegrityError

from bot.domain import event_kinds as ev
from bot.domain.availability import HOUR, AbuseLimits, Busy, first_free, next_ask_at, summary
from bot.domain.skills import same_question
from bot.domain.understanding import Verdict
from bot.runtime.ports import MessageRef, Notifier, Outbox, redelivering
from bot.runtime.timer_kinds import (
    REQUEST_TIMERS,
    AskWhich,
    ExpireDue,
    Known,
    Owing,
    RequestOwed,
    RewritePings,
    SendPings,
    TellBusy,
    TellClosed,
    TellMatch,
    WaveDue,
    cancel_for_request,
    reschedule,
    schedule,
)
from bot.services.routing import Screen, TopicReader, choose, warm_choosing
from bot.services.sessions import SessionService
from storage.database import Database, UnitOfWork
from storage.models import FlashSession, HelpRequest, Ping, PingState, RequestState, WantedLevel, printable, utcnow

log = structlog.get_logger(__name__)

MAX_MATCHED_SKILLS = 5
MAX_EVIDENCE_MENTORS = 10
# When everyone who knows the topic is busy, the next wave waits for the first of them to be free, if that is
# within this; later than that (a holiday, a day of meetings), the request ends and the requester is told why.
RETRY_WITHIN = timedelta(hours=4)
RETRY_MARGIN = timedelta(seconds=15)  # past the end of a meeting or a DND window, not on its last second


@dataclass(frozen=True)
class RoutingConfig:
    wave_size: int
    wave_timeout: timedelta
    max_waves: int
    default_length_seconds: int
    limits: AbuseLimits = field(default_factory=AbuseLimits)


@dataclass(frozen=True)
class Ask:
    requester_id: str
    topic: str
    source: str
    details: str = ""
    level: WantedLevel = WantedLevel.ANY
    length_seconds: int | None = None
    anonymous: bool = False
    channel_id: str | None = None
    dedup_key: str | None = None
    previous_mentor_id: str | None = None  # asked again after a session with them: others first


REPEATED_STATES = (RequestState.MATCHED, RequestState.EXPIRED)
"""The requests a person's same words may repeat: closed, and not by the person cancelling them."""
ASK_AGAIN_SOURCE, FOLLOWUP_SOURCE = "again", "followup"
"""The sources of an ask made by a button offering to ask again (Ask again; a follow-up's Find someone else)."""
ASKED_AGAIN_BY_BUTTON = frozenset({ASK_AGAIN_SOURCE, FOLLOWUP_SOURCE})
"""Those asks are the same topic again, and meant, however soon after the first request."""

AskStatus = Literal["searching", "duplicate", "already_open", "repeat", "no_match", "clarifying", "vague", "limited"]


@dataclass(frozen=True)
class AskOutcome:
    status: AskStatus
    request: HelpRequest  # for "limited", the request asked for, not stored; for "repeat", the earlier one
    retry_at: datetime | None = None  # "limited", "repeat": when the person may ask (it) again
    owed: Owing[RequestOwed] | None = field(default=None, repr=False, compare=False)  # what `search` sends
    first_wave: Owing[WaveDue] | None = field(default=None, repr=False, compare=False)  # what `search` runs


class RequestService:
    def __init__(
        self,
        db: Database,
        notifier: Notifier,
        reader: TopicReader,
        timers: Outbox,
        sessions: SessionService,
        config: RoutingConfig,
        screen: Screen | None = None,
    ) -> None:
        self.screen = screen
        self.db = db
        self.notifier = notifier
        self.reader = reader
        self.timers = timers
        self.sessions = sessions
        self.config = config

    async def warm(self) -> None:
        """Build before the first request what reading a topic and choosing a wave build once: the embeddings of
        the workspace's skills and evidence (`TopicReader.warm`), and the candidates' statement in every shape."""
        await self.reader.warm(self.db)
        await warm_choosing(self.db, MAX_MATCHED_SKILLS)

    # --- asking -------------------------------------------------------------------------------------------

    async def ask(self, ask: Ask) -> AskOutcome:
        """Store the request and search for it, when nobody is to be answered in between (an import, a test)."""
        outcome = await self.store(ask)
        await self.search(outcome)
        return outcome

    async def search(self, outcome: AskOutcome) -> None:
        """What follows a stored request: its status message and first wave, or the "did you mean ...?" or "nobody
        knows this" it owes."""
        if outcome.status == "searching":  # the status message every later step edits; its first wave fills it in
            await self._keep_status(outcome.request, await self.notifier.searching(outcome.request, 0, 0))
            assert outcome.request.id is not None
            await self._run_first_wave(outcome.request.id, outcome.first_wave)
        elif outcome.status in ("no_match", "clarifying"):
            await self.settle(outcome.owed)

    async def _run_first_wave(self, request_id: int, held: Owing[WaveDue] | None) -> None:
        """The first wave, run here while this process holds its timed action: a sweep running it meanwhile would
        find no status message stored yet and post a second one. If this process dies first, another one takes the
        wave over once the hold's lease runs out (None: a redelivery, whose wave is another run's)."""
        if held is None:
            await self.run_wave(request_id, 1)
            return
        async with self.timers.settling(held):
            await self.run_wave(request_id, 1)

    async def store(self, ask: Ask) -> AskOutcome:
        """The request stored (or why not): a listener answers the asker with it, then calls `search`. Answering only
        once the request is stored means a kill in between never leaves a person told "looking" with no request
        behind it; answering before the search, because the first wave may wait on a slow Slack."""
        now = utcnow()
        # Cleaned here, not only on insert (storage.models.install_printable), because the event below copies the topic.
        ask = replace(ask, topic=printable(ask.topic), details=printable(ask.details))
        # Read before the writing unit of work: on SQLite it holds the one writer's turn from its start, and reading a
        # topic is the longest step of an ask; nothing the reading sees has to be read in the same transaction.
        async with self.db.uow(readonly=True) as reading:
            understood = await self.reader.read(reading, ask.topic)
        async with self.db.uow() as uow:
            if ask.dedup_key and (seen := await uow.requests.by_dedup_key(ask.dedup_key)):
                return AskOutcome("duplicate", seen)
            if open_ := await uow.requests.open_for(ask.requester_id):
                return AskOutcome("already_open", open_[0])
            asked = await uow.requests.asked_since(ask.requester_id, now - HOUR)
            if ask.source not in ASKED_AGAIN_BY_BUTTON and (earlier := self._repeated(asked, ask.topic, now)):
                return AskOutcome("repeat", earlier, earlier.created_at + self.config.limits.repeat_window)
            if (retry_at := next_ask_at([r.created_at for r in asked], now, self.config.limits)) is not None:
                refused = HelpRequest(requester_id=ask.requester_id, topic=ask.topic, created_at=now)
                return AskOutcome("limited", refused, retry_at)
            if understood.verdict is Verdict.VAGUE:  # nothing to route on, and nothing worth recording
                return AskOutcome("vague", HelpRequest(requester_id=ask.requester_id, topic=ask.topic))
            routing = understood.verdict is Verdict.ROUTE
            clarifying = understood.verdict is Verdict.CLARIFY
            request = uow.requests.add(
                HelpRequest(
                    requester_id=ask.requester_id,
                    topic=ask.topic,
                    details=ask.details,
                    skills={m.skill: m.score for m in understood.skills[:MAX_MATCHED_SKILLS]},
                    mentors={m.member_id: m.score for m in understood.mentors[:MAX_EVIDENCE_MENTORS]},
                    mentor_notes={m.member_id: m.why for m in understood.mentors[:MAX_EVIDENCE_MENTORS]},
                    level=ask.level,
                    length_seconds=ask.length_seconds or self.config.default_length_seconds,
                    anonymous=ask.anonymous,
                    source=ask.source,
                    channel_id=ask.channel_id,
                    dedup_key=ask.dedup_key,
                    gap=understood.gap,
                    previous_mentor_id=ask.previous_mentor_id,
                    state=RequestState.CLARIFYING if clarifying else RequestState.OPEN,
                    created_at=now,
                )
            )
            try:
                await uow.flush()
            except IntegrityError:
                return await self._duplicate(uow, ask)
            assert request.id is not None
            uow.events.append(
                ev.REQUEST_CREATED,
                actor_id=ask.requester_id,
                request_id=request.id,
                topic=ask.topic,
                skills=list(request.skills),
                source=ask.source,
                level=ask.level,
                anonymous=ask.anonymous,
            )
            owed: Owing[RequestOwed] | None = None
            first_wave: Owing[WaveDue] | None = None
            if routing:  # the first wave runs right after (`search`); if this process dies first, another runs it
                first_wave = await self.timers.owe(uow, WaveDue(request.id, 1))
            elif clarifying:  # unanswered, it closes when a search would have given up
                due = now + self.config.wave_timeout * self.config.max_waves
                await schedule(uow, ExpireDue(request.id), due)
                owed = await self.timers.owe(uow, AskWhich(request.id, known=Known(request)))
            else:
                request.state, request.closed_at = RequestState.EXPIRED, now
                uow.events.append(
                    ev.REQUEST_NO_MATCH, request_id=request.id, topic=ask.topic, reason="no skill", gap=understood.gap
                )
                owed = await self._owe_closed(uow, request, "no_skill", [])
            try:
                await uow.commit()
            except IntegrityError:
                return await self._duplicate(uow, ask)
        status: AskStatus = "searching" if routing else "clarifying" if clarifying else "no_match"
        return AskOutcome(status, request, owed=owed, first_wave=first_wave)

    def _repeated(self, asked: list[HelpRequest], topic: str, now: datetime) -> HelpRequest | None:
        """The request this ask repeats: the same words, asked moments ago, and matched or expired since. Not one
        cancelled (cancelling and asking again is meant), nor one still live: that is `already_open`'s, or a copy of
        this very delivery committed a moment ago, which its dedup key turns away when this one is stored."""
        since = now - self.config.limits.repeat_window
        repeats = (
            r
            for r in reversed(asked)
            if r.created_at > since and r.state in REPEATED_STATES and same_question(r.topic, topic)
        )
        return next(repeats, None)

    async def clarify(self, request_id: int, user_id: str, skill: str | None) -> AskOutcome | None:
        """The requester picked the skill they meant (None: none of those offered). None when it is not theirs or
        no longer waiting for an answer; otherwise the request searches on that skill, or closes as unmet demand."""
        now = utcnow()
        async with self.db.uow() as uow:
            request = await uow.requests.get(request_id)
            if request is None or request.requester_id != user_id or request.state != RequestState.CLARIFYING:
                return None
            if skill is not None and skill not in request.skills:
                return None
            await cancel_for_request(uow, request_id, REQUEST_TIMERS)
            uow.events.append(ev.REQUEST_CLARIFIED, actor_id=user_id, request_id=request_id, skill=skill)
            owed: Owing[RequestOwed] | None = None
            first_wave: Owing[WaveDue] | None = None
            if skill is None:  # a gap; grouped in the digest under the skill it most likely is
                request.gap = max(request.skills.items(), key=lambda kv: kv[1])[0] if request.skills else None
                request.skills = {}
                request.state, request.closed_at = RequestState.EXPIRED, now
                uow.events.append(ev.REQUEST_NO_MATCH, request_id=request_id, topic=request.topic, reason="no skill")
                owed = await self._owe_closed(uow, request, "no_skill", [])
            else:
                request.skills, request.state = {skill: 1.0}, RequestState.OPEN
                first_wave = await self.timers.owe(uow, WaveDue(request_id, 1))
            await uow.commit()
        if skill is None:
            await self.settle(owed)
            return AskOutcome("no_match", request)
        await self._run_first_wave(request_id, first_wave)
        return AskOutcome("searching", request)

    async def _duplicate(self, uow: UnitOfWork, ask: Ask) -> AskOutcome:
        """The same delivery raced us to the insert (a retry on another connection or process): it made the request."""
        await uow.db_session.rollback()
        seen = await uow.requests.by_dedup_key(ask.dedup_key or "")
        if seen is None:
            raise RuntimeError("integrity error on a request without a duplicate")
        return AskOutcome("duplicate", seen)

    # --- waves --------------------------------------------------------------------------------------------

    async def on_wave_due(self, due: WaveDue) -> None:
        await self.run_wave(due.request_id, due.wave)

    async def on_expire_due(self, due: ExpireDue) -> None:
        await self.expire(due.request_id)

    async def settle(self, owing: Owing[RequestOwed] | None) -> None:
        """Send what a step of this service owed, right after its commit (None: a redelivery, sent before)."""
        if owing is not None:
            async with self.timers.settling(owing):
                await self.send(owing.message)

    async def send(self, message: RequestOwed) -> None:
        """Send what a step owed (see bot.runtime.timer_kinds); a run after a crash sends only what Slack lacks."""
        match message:
            case AskWhich():
                request, _, _ = await self._known(message.request_id, message.known)
                if request.state == RequestState.CLARIFYING:
                    await self.notifier.ask_which(request)
            case SendPings():
                request, pings, _ = await self._known(message.request_id, message.known, message.pings)
                await self._send_pings(request, pings, message.reasons, quiet=message.quiet)
            case TellBusy():
                request, _, _ = await self._known(message.request_id)
                await self.notifier.all_busy(request, message.busy, message.summary, message.retry_at)
            case TellMatch():
                request, pings, flash = await self._known(message.request_id, None, message.pings, message.session_id)
                assert flash is not None
                await self.sessions.announce(request, flash)  # the pair first: they are waiting for each other
                await self._rewrite(request, pings)
            case RewritePings():
                request, pings, _ = await self._known(message.request_id, None, message.pings)
                await self._rewrite(request, pings)
            case TellClosed():
                request, pings, _ = await self._known(message.request_id, None, message.pings)
                await self._rewrite(request, pings)
                if message.told == "expired":
                    await self._keep_status(request, await self.notifier.expired(request, message.asked))
                elif message.told == "cancelled":
                    await self._keep_status(request, await self.notifier.cancelled(request))
                elif message.told:
                    await self._keep_status(request, await self.notifier.no_match(request, message.told))
            case _:
                assert_never(message)

    async def _known(
        self, request_id: int, known: Known | None = None, ping_ids: tuple[int, ...] = (), session_id: int | None = None
    ) -> tuple[HelpRequest, list[Ping], FlashSession | None]:
        """What an owed message is about: as its step had it at its commit, or read (a run from its row)."""
        if known is not None:
            return known.request, list(known.pings), None
        async with self.db.uow(readonly=True) as uow:
            request = await uow.requests.get(request_id)
            pings = [p for p in await uow.pings.for_request(request_id) if p.id in ping_ids] if ping_ids else []
            flash = await uow.sessions.get(session_id) if session_id is not None else None
        assert request is not None
        return request, pings, flash

    async def _keep_status(self, request: HelpRequest, ref: MessageRef | None) -> None:
        """Store where the status message went the first time it is posted; later steps edit it there."""
        if ref is None or request.id is None or (request.status_channel, request.status_ts) == (ref.channel, ref.ts):
            return
        async with self.db.uow() as uow:
            await uow.requests.set_status_message(request.id, ref.channel, ref.ts)
            await uow.commit()
        request.status_channel, request.status_ts = ref.channel, ref.ts

    async def _owe_closed(
        self, uow: UnitOfWork, request: HelpRequest, told: str, pings: list[Ping], asked: int = 0
    ) -> Owing[RequestOwed] | None:
        assert request.id is not None
        closed = TellClosed(request.id, told, tuple(p.id for p in pings if p.id is not None), asked)
        return await self.timers.owe(uow, closed)

    async def run_wave(self, request_id: int, wave: int) -> None:
        """Ping the next best few; once per (request, wave), however many processes try."""
        now = utcnow()
        # Choosing reads people's Slack signals (Web API calls): in a read-only transaction of its own, so the
        # write below does not hold SQLite's writer lock, or the request's row lock on PostgreSQL, while Slack answers.
        async with self.db.uow(readonly=True) as uow:
            request = await uow.requests.get(request_id)
            if request is None or request.state != RequestState.OPEN or request.wave >= wave:
                return
            choice = await choose(
                uow,
                skill_scores=request.skills,
                mentor_scores=request.mentors,
                mentor_notes=request.mentor_notes,
                level=request.level,
                requester_id=request.requester_id,
                request_id=request_id,
                now=now,
                want=self.config.wave_size + (1 if request.previous_mentor_id else 0),
                screen=self.screen,
                length=timedelta(seconds=request.length_seconds),
                limits=self.config.limits,
                request=request,
            )
        async with self.db.uow() as uow:
            # Locks the request row on PostgreSQL, so an accept racing this wave waits for our pings; and of two runs
            # of one wave (the first wave's direct run and its timer), only the first gets past it.
            if not await uow.requests.set_wave(request_id, wave):
                return
            current = await uow.requests.get(request_id)
            if current is None or current.state != RequestState.OPEN:  # matched or closed while choosing
                return
            # Others first; the previous mentor only when nobody else is free now (and in later waves).
            others = [c for c in choice.chosen if c.member_id != request.previous_mentor_id]
            chosen = (others or choice.chosen)[: self.config.wave_size]
            if not chosen:
                waiting = [p for p in await uow.pings.for_request(request_id) if p.state == PingState.SENT]
                if not waiting and choice.skipped:
                    await self._all_busy(uow, request_id, wave, list(choice.skipped.values()), now)
                    return
                if not waiting:
                    await uow.commit()
                    await self.expire(request_id, reason="nobody free" if wave == 1 else "nobody answered")
                    return
            pings = [
                uow.pings.add(
                    Ping(request_id=request_id, mentor_id=c.member_id, wave=wave, score=c.score, created_at=now)
                )
                for c in chosen
            ]
            await uow.members.mark_pinged([c.member_id for c in chosen], now)
            await uow.flush()
            uow.events.append(ev.WAVE_SENT, request_id=request_id, wave=wave, pinged=len(pings))
            for ping, cand in zip(pings, chosen, strict=True):
                uow.events.append(
                    ev.PING_SENT,
                    actor_id=cand.member_id,
                    request_id=request_id,
                    ping_id=ping.id,
                    wave=wave,
                    score=cand.score,
                    reason=cand.reason,
                )
            due = now + self.config.wave_timeout
            await self._schedule_next_step(uow, request_id, wave, due)
            reasons = {str(p.id): c.reason for p, c in zip(pings, chosen, strict=True)}
            owed: Owing[RequestOwed] | None = None
            if pings:
                ids = tuple(p.id for p in pings if p.id is not None)
                known = Known(current, tuple(pings))
                owed = await self.timers.owe(uow, SendPings(request_id, ids, reasons, wave, known=known))
            await uow.commit()
        await self.settle(owed)
        self.timers.wake_at(due)

    async def _all_busy(self, uow: UnitOfWork, request_id: int, wave: int, busy: list[Busy], now: datetime) -> None:
        """Only busy people know it: try again when the first is free (if soon), and tell the requester so."""
        free = first_free(busy)
        retry = free + RETRY_MARGIN if free is not None and free - now <= RETRY_WITHIN else None
        if wave >= self.config.max_waves:
            retry = None
        told = TellBusy(request_id, len(busy), summary(busy), wave)
        uow.events.append(
            ev.REQUEST_ALL_BUSY,
            request_id=request_id,
            wave=wave,
            busy=len(busy),
            reasons=sorted({b.reason for b in busy}),
            retry_at=retry.isoformat() if retry else None,
        )
        if retry is not None:
            await self._schedule_next_step(uow, request_id, wave, retry)
            owed = await self.timers.owe(uow, replace(told, retry_at=retry))
            await uow.commit()
            await self.settle(owed)
            self.timers.wake_at(retry)
            return
        closed_at = now
        if not await uow.requests.close(request_id, RequestState.EXPIRED, closed_at):
            await uow.commit()
            return
        request = await uow.requests.get(request_id)
        assert request is not None
        await cancel_for_request(uow, request_id, REQUEST_TIMERS)
        uow.events.append(
            ev.REQUEST_EXPIRED, request_id=request_id, topic=request.topic, reason="everyone busy", waves=wave
        )
        owed = await self.timers.owe(uow, told)
        await uow.commit()
        await self.settle(owed)

    async def _schedule_next_step(self, uow: UnitOfWork, request_id: int, wave: int, due: datetime) -> None:
        if wave < self.config.max_waves:
            await schedule(uow, WaveDue(request_id, wave + 1), due)
        else:
            await schedule(uow, ExpireDue(request_id), due)

    async def advance_if_nobody_waiting(self, request_id: int) -> None:
        """Everyone in the wave said no (or could not be reached): the next wave goes now, not at the timeout."""
        now = utcnow()
        async with self.db.uow() as uow:
            request = await uow.requests.get(request_id)
            if request is None or request.state != RequestState.OPEN:
                return
            if any(p.state == PingState.SENT for p in await uow.pings.for_request(request_id)):
                return
            following = (
                WaveDue(request_id, request.wave + 1) if request.wave < self.config.max_waves else ExpireDue(request_id)
            )
            moved = await reschedule(uow, following, now)
            await uow.commit()
        if moved:
            self.timers.wake_at(now)

    async def _send_pings(
        self, request: HelpRequest, pings: list[Ping], reasons: Mapping[str, str], *, quiet: bool = False
    ) -> None:
        """Pings not sent yet (all but after a crash), then the "searching" note; reasons are keyed by ping id."""
        unsent = [p for p in pings if p.message_ts is None and p.state == PingState.SENT]
        if redelivering.get():  # closed while their process was down: any that did go out must lose their buttons
            await asyncio.gather(*(self._close_if_posted(request, p) for p in pings if p not in unsent))
        sent = await asyncio.gather(*(self._send_ping(request, p, reasons.get(str(p.id), "")) for p in unsent))
        if pings and request.id is not None and not quiet:
            # Read afresh: a mentor may have accepted while the pings went out, and "@Sam is helping you" must not
            # be overwritten by "Asking 2 people". The status counts everyone reached so far, in every wave.
            async with self.db.uow(readonly=True) as uow:
                current = await uow.requests.get(request.id)
                asked = sum(p.state != PingState.FAILED for p in await uow.pings.for_request(request.id))
            if current is not None and current.state == RequestState.OPEN:  # not once the search is over
                await self._keep_status(current, await self.notifier.searching(current, asked, pings[0].wave))
        if not all(sent) and request.id is not None:
            await self.advance_if_nobody_waiting(request.id)

    async def _close_if_posted(self, request: HelpRequest, ping: Ping) -> None:
        assert ping.id is not None
        if ping.message_ts or not (ref := await self.notifier.find_ping(ping.mentor_id, ping.id)):
            return
        async with self.db.uow() as uow:
            await uow.pings.set_message(ping.id, ref.channel, ref.ts)
            await uow.commit()
        await self.notifier.ping_closed(ref, request, ping.state)

    async def _send_ping(self, request: HelpRequest, ping: Ping, reason: str) -> bool:
        """Send one ping and record where it went at once: its mentor may answer, or the request close, meanwhile."""
        assert ping.id is not None
        ref = await self.notifier.ping(ping.mentor_id, request, ping.id, reason)
        state: PingState | None = None
        async with self.db.uow() as uow:
            if ref is None:
                await uow.pings.answer(ping.id, PingState.FAILED, utcnow())
                uow.events.append(ev.PING_FAILED, actor_id=ping.mentor_id, request_id=request.id)
            else:
                state = await uow.pings.set_message(ping.id, ref.channel, ref.ts)
            await uow.commit()
        if ref is not None and state is not None and state != PingState.SENT:
            # Answered or closed before its message was known here, so whoever did it could not rewrite it.
            await self.notifier.ping_closed(ref, request, state)
        return ref is not None

    async def expire(self, request_id: int, reason: str = "nobody accepted") -> None:
        now = utcnow()
        async with self.db.uow() as uow:
            if not await uow.requests.close(request_id, RequestState.EXPIRED, now):
                return
            request = await uow.requests.get(request_id)
            assert request is not None
            closed = await uow.pings.close_open(request_id, PingState.EXPIRED)
            asked = sum(p.state != PingState.FAILED for p in await uow.pings.for_request(request_id))
            await cancel_for_request(uow, request_id, REQUEST_TIMERS)
            searched = request.wave > 0  # else it closes unanswered after "did you mean ...?": nothing more to say
            uow.events.append(
                ev.REQUEST_EXPIRED,
                request_id=request_id,
                topic=request.topic,
                reason=reason if searched else "no answer to which skill",
                waves=request.wave,
            )
            told = "" if not searched else "nobody_free" if reason == "nobody free" else "expired"
            owed = await self._owe_closed(uow, request, told, closed, asked)
            await uow.commit()
        await self.settle(owed)

    # --- the requester's own requests ---------------------------------------------------------------------

    async def again_after_session(self, session_id: int, user_id: str, dedup_key: str) -> Ask | None:
        """What to ask again from a follow-up (Still stuck, then Find someone else): the topic, a note, others first.

        None when the session is not the person's own (only its asker may ask again from it)."""
        async with self.db.uow(readonly=True) as uow:
            found = await uow.sessions.with_request(session_id)
        if found is None or found[0].requester_id != user_id:
            return None
        flash, request = found
        note = "Still stuck after a first session on this."
        ask = Ask(
            requester_id=user_id,
            topic=request.topic,
            source=FOLLOWUP_SOURCE,
            details=f"{note}\n{request.details}".strip()[:3000],
            level=request.level,
            length_seconds=request.length_seconds,
            anonymous=request.anonymous,
            dedup_key=dedup_key,
            previous_mentor_id=flash.mentor_id,
        )
        return ask

    async def cancel(self, requester_id: str, request_id: int | None = None) -> HelpRequest | None:
        """Cancel the person's open request (only `request_id`, when given: a Cancel button on an older status)."""
        now = utcnow()
        async with self.db.uow() as uow:
            open_ = [r for r in await uow.requests.open_for(requester_id) if request_id in (None, r.id)]
            if not open_:
                return None
            request = open_[0]
            assert request.id is not None
            if not await uow.requests.close(request.id, RequestState.CANCELLED, now):
                return None
            closed = await uow.pings.close_open(request.id, PingState.EXPIRED)
            await cancel_for_request(uow, request.id, REQUEST_TIMERS)
            uow.events.append(ev.REQUEST_CANCELLED, actor_id=requester_id, request_id=request.id)
            owed = await self._owe_closed(uow, request, "cancelled", [p for p in closed if p.message_ts])
            await uow.commit()
        request.state = RequestState.CANCELLED
        await self.settle(owed)
        return request

    async def owe_rewrite(self, uow: UnitOfWork, request_id: int, ping: Ping) -> Owing[RequestOwed] | None:
        """A ping answered is rewritten without its buttons; one never posted needs nothing."""
        if not ping.message_ts or ping.id is None:
            return None
        return await self.timers.owe(uow, RewritePings(request_id, (ping.id,)))

    async def _rewrite(self, request: HelpRequest, pings: list[Ping]) -> None:
        """Rewrite each ping as its state now is (taken, accepted, expired...): an update Slack takes twice alike."""
        await asyncio.gather(
            *(
                self.notifier.ping_closed(MessageRef(p.channel_id, p.message_ts), request, p.state)
                for p in pings
                if p.channel_id and p.message_ts and p.state != PingState.SENT
            )
        )
