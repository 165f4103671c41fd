"""Flash sessions: a timed window after an accept, with a warning, Extend and End.

The timer rows (bot.runtime.timer_kinds.SessionWarningDue and SessionEndDue) are rewritten when a session is extended,
so the durable schedule always matches `ends_at`. Between start, warning and end a session costs no Slack call: its card
shows the end time in Slack's date formatting (each reader's own clock does the counting), and is edited only when
what it shows changes (an extension, the end).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.domain import event_kinds as ev
from bot.runtime.ports import Notifier, Outbox
from bot.runtime.timer_kinds import (
    SESSION_TIMERS,
    Owing,
    SessionEndDue,
    SessionWarningDue,
    TellSession,
    cancel_for_session,
    schedule,
)
from bot.services.followups import FollowupService, session_and_request
from storage.database import Database, UnitOfWork
from storage.models import FlashSession, HelpRequest, SessionState, utcnow

MAX_EXTENSIONS = 2
EXTENSION = timedelta(minutes=10)


def extension_for(length: timedelta) -> timedelta:
    """What Extend adds: 10 minutes, or the session's length when sessions are shorter (demos and tests)."""
    return min(EXTENSION, length)


@dataclass(frozen=True)
class SessionConfig:
    warning: timedelta
    extension: timedelta = EXTENSION
    max_extensions: int = MAX_EXTENSIONS


SessionActionStatus = Literal["ok", "not_participant", "not_active", "limit", "missing"]


@dataclass(frozen=True)
class SessionActionOutcome:
    status: SessionActionStatus
    flash: FlashSession | None = None


class SessionService:
    def __init__(
        self,
        db: Database,
        notifier: Notifier,
        timers: Outbox,
        followups: FollowupService,
        config: SessionConfig,
    ) -> None:
        self.db = db
        self.notifier = notifier
        self.timers = timers
        self.followups = followups
        self.config = config

    async def start(self, uow: UnitOfWork, request: HelpRequest, now: datetime) -> FlashSession:
        """Called inside the accept's unit of work, so a match and its session commit together."""
        assert request.id is not None
        assert request.mentor_id is not None
        flash = uow.sessions.add(
            FlashSession(
                request_id=request.id,
                requester_id=request.requester_id,
                mentor_id=request.mentor_id,
                length_seconds=request.length_seconds,
                started_at=now,
                ends_at=now + timedelta(seconds=request.length_seconds),
            )
        )
        await uow.flush()
        assert flash.id is not None
        await self._schedule(uow, flash)
        uow.events.append(
            ev.SESSION_STARTED,
            actor_id=request.mentor_id,
            request_id=request.id,
            session_id=flash.id,
            seconds=request.length_seconds,
        )
        return flash

    async def _schedule(self, uow: UnitOfWork, flash: FlashSession) -> None:
        assert flash.id is not None
        warn_at = flash.ends_at - self.config.warning
        # Extension changes the keys, so the old rows are cancelled and new ones inserted.
        await schedule(uow, SessionWarningDue(flash.id, flash.extensions), warn_at)
        await schedule(uow, SessionEndDue(flash.id, flash.extensions), flash.ends_at)

    def _first_due(self, flash: FlashSession) -> datetime:
        """What this process should wake for first: the warning."""
        return flash.ends_at - self.config.warning

    async def announce(self, request: HelpRequest, flash: FlashSession) -> None:
        cards = await self.notifier.matched(request, flash)
        async with self.db.uow() as uow:
            stored = await uow.sessions.get(flash.id or 0)
            if stored is not None:
                stored.cards = [{"channel": c.channel, "ts": c.ts, "viewer": c.viewer or ""} for c in cards]
                await uow.commit()
        self.timers.wake_at(self._first_due(flash))

    async def partner_of(self, user_id: str) -> str | None:
        """The other person in `user_id`'s active session, if they are in one."""
        async with self.db.uow(readonly=True) as uow:
            for flash in await uow.sessions.active_for(user_id):
                return flash.mentor_id if flash.requester_id == user_id else flash.requester_id
        return None

    async def on_warning_due(self, due: SessionWarningDue) -> None:
        await self._warn(due.session_id)

    async def on_end_due(self, due: SessionEndDue) -> None:
        await self.end(due.session_id, None)

    async def _warn(self, session_id: int) -> None:
        async with self.db.uow() as uow:
            flash = await uow.sessions.get(session_id)
            if flash is None or flash.state != SessionState.ACTIVE:
                return
            if await uow.events.logged(session_id, (ev.SESSION_WARNED,), extensions=flash.extensions):
                return  # warned already: the owed TellSession is sent, or will be, by whoever holds its row
            uow.events.append(
                ev.SESSION_WARNED, request_id=flash.request_id, session_id=session_id, extensions=flash.extensions
            )
            owed = await self._owe(uow, flash, "warning")
            await uow.commit()
        await self._settle(owed)

    async def _owe(self, uow: UnitOfWork, flash: FlashSession, what: str) -> Owing[TellSession] | None:
        assert flash.id is not None
        return await self.timers.owe(uow, TellSession(flash.request_id, flash.id, what, flash.extensions))

    async def _settle(self, owing: Owing[TellSession] | None) -> None:
        if owing is not None:
            async with self.timers.settling(owing):
                await self.send(owing.message)

    async def send(self, message: TellSession) -> None:
        """Tell both people what changed; a run after a crash sends only what Slack lacks."""
        flash, request = await session_and_request(self.db, message.session_id)
        await self.notifier.session_changed(request, flash, message.what)

    async def extend(self, session_id: int, user_id: str) -> SessionActionOutcome:
        async with self.db.uow() as uow:
            flash = await uow.sessions.get(session_id)
            if flash is None:
                return SessionActionOutcome("missing")
            if user_id not in (flash.mentor_id, flash.requester_id):
                return SessionActionOutcome("not_participant", flash)
            if flash.state != SessionState.ACTIVE:
                return SessionActionOutcome("not_active", flash)
            if flash.extensions >= self.config.max_extensions:
                return SessionActionOutcome("limit", flash)
            await cancel_for_session(uow, session_id, SESSION_TIMERS)
            flash.extensions += 1
            flash.ends_at = flash.ends_at + self.config.extension
            await self._schedule(uow, flash)
            uow.events.append(
                ev.SESSION_EXTENDED,
                actor_id=user_id,
                request_id=flash.request_id,
                session_id=session_id,
                minutes=self.config.extension.total_seconds() / 60,
            )
            owed = await self._owe(uow, flash, "extended")
            await uow.commit()
        await self._settle(owed)
        self.timers.wake_at(self._first_due(flash))
        return SessionActionOutcome("ok", flash)

    async def close_for(self, user_id: str) -> None:
        """End the person's sessions in progress because they are being forgotten: the other person is told the
        session was closed, and nothing follows it (no follow-ups, no feedback prompt) that would address them."""
        now = utcnow()
        owed: list[Owing[TellSession] | None] = []
        async with self.db.uow() as uow:
            for flash in await uow.sessions.active_for(user_id):
                assert flash.id is not None
                if not await uow.sessions.mark_ended(flash.id, now, user_id):
                    continue
                await uow.db_session.refresh(flash)
                await cancel_for_session(uow, flash.id, SESSION_TIMERS)
                uow.events.append(
                    ev.SESSION_ENDED,
                    request_id=flash.request_id,
                    session_id=flash.id,
                    minutes=round((now - flash.started_at).total_seconds() / 60, 1),
                    by="erasure",
                )
                owed.append(await self._owe(uow, flash, "closed"))
            await uow.commit()
        for owing in owed:
            await self._settle(owing)

    async def end(self, session_id: int, user_id: str | None) -> SessionActionOutcome:
        """End by a participant (user_id) or by the timer (None). Ends once, for both."""
        now = utcnow()
        async with self.db.uow() as uow:
            flash = await uow.sessions.get(session_id)
            if flash is None:
                return SessionActionOutcome("missing")
            if user_id is not None and user_id not in (flash.mentor_id, flash.requester_id):
                return SessionActionOutcome("not_participant", flash)
            if not await uow.sessions.mark_ended(session_id, now, user_id):
                return SessionActionOutcome("not_active", flash)
            await uow.db_session.refresh(flash)
            await cancel_for_session(uow, session_id, SESSION_TIMERS)
            minutes = round((now - flash.started_at).total_seconds() / 60, 1)
            uow.events.append(
                ev.SESSION_ENDED,
                actor_id=user_id,
                request_id=flash.request_id,
                session_id=session_id,
                minutes=minutes,
                by="timer" if user_id is None else "participant",
            )
            first_followup = await self.followups.schedule(uow, flash, now)
            owed = await self._owe(uow, flash, "ended")
            await uow.commit()
        await self._settle(owed)
        if first_followup is not None:
            self.timers.wake_at(first_followup)
        return SessionActionOutcome("ok", flash)
