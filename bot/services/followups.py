"""After a session: quick feedback from both, then check-backs at each BURST_FOLLOWUP_DELAYS.

Follow-ups are durable timers scheduled when the session ends (bot.runtime.timer_kinds.FollowupDue); once the requester
says Solved, later ones are skipped. The mentor is thanked with their running count on the first follow-up sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.exc import IntegrityError

from bot.domain import event_kinds as ev
from bot.domain.evidence import EvidenceKind
from bot.runtime.ports import Notifier, Outbox
from bot.runtime.timer_kinds import FollowupDue, TellFollowup, cancel_for_session, schedule
from storage.database import Database, UnitOfWork
from storage.models import Feedback, FlashSession, HelpRequest, SessionState

SOLVED, STUCK = "solved", "stuck"


FeedbackStatus = Literal["ok", "not_participant", "not_ended", "missing"]


@dataclass(frozen=True)
class FollowupAnswer:
    status: Literal["ok", "not_requester", "missing"]
    topic: str = ""


class FollowupService:
    def __init__(self, db: Database, notifier: Notifier, timers: Outbox, delays: Sequence[timedelta]) -> None:
        self.db = db
        self.notifier = notifier
        self.timers = timers
        self.delays = tuple(delays)

    async def schedule(self, uow: UnitOfWork, flash: FlashSession, ended_at: datetime) -> datetime | None:
        """Called in the unit of work that ends the session; returns the first due time to wake at."""
        assert flash.id is not None
        for index, delay in enumerate(self.delays):
            await schedule(uow, FollowupDue(flash.id, flash.request_id, index), ended_at + delay)
        return ended_at + self.delays[0] if self.delays else None

    async def may_give_feedback(self, session_id: int, user_id: str) -> FeedbackStatus:
        """Whether this person may give feedback on this session: before a form is opened for it."""
        async with self.db.uow(readonly=True) as uow:
            return _feedback_status(await uow.sessions.get(session_id), user_id)

    async def record_feedback(self, session_id: int, user_id: str, helpful: bool, note: str = "") -> FeedbackStatus:
        async with self.db.uow() as uow:
            flash = await uow.sessions.get(session_id)
            status = _feedback_status(flash, user_id)
            if flash is None or status != "ok":
                return status
            if helpful and user_id == flash.requester_id:
                await _learn(uow, flash.mentor_id, flash.request_id)
            existing = await uow.sessions.feedback_of(session_id, user_id)
            if existing is None:
                uow.db_session.add(Feedback(session_id=session_id, member_id=user_id, helpful=helpful, note=note))
            else:
                existing.helpful = helpful
                existing.note = note or existing.note
            uow.events.append(
                ev.FEEDBACK_GIVEN,
                actor_id=user_id,
                session_id=session_id,
                request_id=flash.request_id,
                helpful=helpful,
                role="mentor" if user_id == flash.mentor_id else "requester",
                with_note=bool(note),
            )
            try:
                await uow.commit()
            except IntegrityError:  # a double click raced us to the insert: the first answer stands
                return "ok"
        return "ok"

    async def on_followup_due(self, due: FollowupDue) -> None:
        session_id, index = due.session_id, due.index
        async with self.db.uow() as uow:
            # Locked: follow-ups of one session due together (after a restart) decide in turn who thanks the mentor.
            flash = await uow.sessions.get(session_id, lock=True)
            request = await uow.requests.get(flash.request_id) if flash else None
            if flash is None or request is None:
                return
            if await uow.events.logged(session_id, (ev.FOLLOWUP_SENT, ev.FOLLOWUP_SKIPPED), index=index):
                return  # decided already: what it owes Slack is sent, or will be, by whoever holds that row
            solved = await uow.events.has_followup_answer(session_id, SOLVED)
            # With the first follow-up sent, whichever index: after a restart, those due meanwhile run in any order.
            thank = not solved and not await uow.events.logged(session_id, (ev.FOLLOWUP_SENT,))
            helped = await uow.sessions.count_as_mentor(flash.mentor_id)
            uow.events.append(
                ev.FOLLOWUP_SENT if not solved else ev.FOLLOWUP_SKIPPED,
                request_id=flash.request_id,
                session_id=flash.id,
                index=index,
            )
            owed = None
            if not solved:
                told = TellFollowup(flash.request_id, session_id, index, helped if thank else None)
                owed = await self.timers.owe(uow, told)
            await uow.commit()
        if owed is not None:
            async with self.timers.settling(owed):
                await self.send(owed.message)

    async def send(self, message: TellFollowup) -> None:
        """Send a follow-up, and the mentor's thanks with the first; a run after a crash sends only what Slack lacks."""
        flash, request = await session_and_request(self.db, message.session_id)
        await self.notifier.follow_up(request, flash, message.index)
        if message.thank is not None:
            await self.notifier.thank_mentor(request, flash, message.thank)

    async def answer(self, session_id: int, user_id: str, outcome: str) -> FollowupAnswer:
        async with self.db.uow() as uow:
            if (found := await uow.sessions.with_request(session_id)) is None:
                return FollowupAnswer("missing")
            flash, request = found
            if user_id != flash.requester_id:
                return FollowupAnswer("not_requester")
            uow.events.append(
                ev.FOLLOWUP_ANSWERED,
                actor_id=user_id,
                request_id=flash.request_id,
                session_id=session_id,
                outcome=outcome,
            )
            if outcome == SOLVED:
                await cancel_for_session(uow, session_id, (FollowupDue,))
                await _learn(uow, flash.mentor_id, flash.request_id, request.topic)
            await uow.commit()
        return FollowupAnswer("ok", request.topic)


async def session_and_request(db: Database, session_id: int) -> tuple[FlashSession, HelpRequest]:
    """A session and the request it answers, read to send a message owed about it (its step stored both)."""
    async with db.uow(readonly=True) as uow:
        found = await uow.sessions.with_request(session_id)
    assert found is not None, f"session {session_id} is owed a message but is not stored"
    return found


async def _learn(uow: UnitOfWork, mentor_id: str, request_id: int, topic: str | None = None) -> None:
    """A session the asker found helpful, or solved, is evidence its mentor can help with that kind of topic."""
    if topic is None:
        request = await uow.requests.get(request_id)
        topic = request.topic if request is not None else ""
    if topic and await uow.evidence.learn(mentor_id, EvidenceKind.HELPED, topic, request_id):
        uow.events.append(ev.EVIDENCE_LEARNED, actor_id=mentor_id, request_id=request_id, evidence="helped")


def _feedback_status(flash: FlashSession | None, user_id: str) -> FeedbackStatus:
    """Only the two people in a session give feedback on it, and only once it has ended."""
    if flash is None:
        return "missing"
    if user_id not in (flash.mentor_id, flash.requester_id):
        return "not_participant"
    return "ok" if flash.state == SessionState.ENDED else "not_ended"
