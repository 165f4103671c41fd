"""Flash sessions: a timed window after an accept, with a warning, Extend and End.

The timer rows (`session_warning:<id>`, `session_end:<id>`) are rewritten when a session is extended, so the
durable schedule always matches `ends_at`. Between start, warning and end a session costs no Slack call: its card
shows the end time in Slack's date formatting (each reader's own clock does the counting), and is edited only when
what it shows changes (an extension, the end).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot import event_kinds as ev
from bot.followups import FollowupService
from bot.ports import Notifier, Outbox
from storage.database import Database
from storage.models import FlashSession, HelpRequest, SessionState, TimedAction
from storage.types import utcnow
from storage.unit_of_work import UnitOfWork

WARNING = "session_warning"
END = "session_end"
TIMER_KINDS = (WARNING, END)
TELL = "tell_session"  # owed (bot.ports.Outbox): a warning, extension or end told to both people
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
        tag = f"{flash.id}:{flash.extensions}"
        await uow.timers.schedule(f"{WARNING}:{tag}", WARNING, warn_at, session_id=flash.id)
        await uow.timers.schedule(f"{END}:{tag}", END, flash.ends_at, session_id=flash.id)

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

    async def on_timer(self, action: TimedAction) -> None:
        assert action.session_id is not None
        if action.kind == WARNING:
            await self._warn(action.session_id)
        else:
            await self.end(action.session_id, None)

    async def _warn(self, session_id: int) -> None:
        async with self.db.uow() as uow:
            flash = await uow.sessions.get(session_id)
            if flash is None or flash.state != SessionState.ACTIVE:
                return
            if await uow.events.logged(session_id, (ev.SESSION_WARNED,), extensions=flash.extensions):
                return  # warned already: the owed message (TELL) is sent, or will be, by whoever holds its row
            uow.events.append(
                ev.SESSION_WARNED, request_id=flash.request_id, session_id=session_id, extensions=flash.extensions
            )
            owed = await self._owe(uow, flash, "warning")
            await uow.commit()
        await self.timers.settle(owed)

    async def _owe(self, uow: UnitOfWork, flash: FlashSession, what: str) -> TimedAction | None:
        return await self.timers.owe(
            uow,
            f"{TELL}:{flash.id}:{what}:{flash.extensions}",
            TELL,
            request_id=flash.request_id,
            session_id=flash.id,
            data={"what": what},
        )

    async def on_owed(self, action: TimedAction) -> None:
        """Tell both people what changed (see TELL); a run after a crash sends only what Slack lacks."""
        assert action.session_id is not None
        async with self.db.uow(readonly=True) as uow:
            found = await uow.sessions.with_request(action.session_id)
        assert found is not None
        flash, request = found
        await self.notifier.session_changed(request, flash, str(action.data["what"]))

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
            await uow.timers.cancel_for_session(session_id, TIMER_KINDS)
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
        await self.timers.settle(owed)
        self.timers.wake_at(self._first_due(flash))
        return SessionActionOutcome("ok", flash)

    async def close_for(self, user_id: str) -> None:
        """End the person's sessions in progress because they are being forgotten: the other person is told the
        session was closed, and nothing follows it (no follow-ups, no feedback prompt) that would address them."""
        now = utcnow()
        owed: list[TimedAction | None] = []
        async with self.db.uow() as uow:
            for flash in await uow.sessions.active_for(user_id):
                assert flash.id is not None
                if not await uow.sessions.mark_ended(flash.id, now, user_id):
                    continue
                await uow.session.refresh(flash)
                await uow.timers.cancel_for_session(flash.id, TIMER_KINDS)
                uow.events.append(
                    ev.SESSION_ENDED,
                    request_id=flash.request_id,
                    session_id=flash.id,
                    minutes=round((now - flash.started_at).total_seconds() / 60, 1),
                    by="erasure",
                )
                owed.append(await self._owe(uow, flash, "closed"))
            await uow.commit()
        for action in owed:
            await self.timers.settle(action)

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
            await uow.session.refresh(flash)
            await uow.timers.cancel_for_session(session_id, TIMER_KINDS)
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
        await self.timers.settle(owed)
        if first_followup is not None:
            self.timers.wake_at(first_followup)
        return SessionActionOutcome("ok", flash)
