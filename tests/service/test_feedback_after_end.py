"""Feedback is taken only once a session has ended: a participant's answer on a session still running is refused
and stores nothing; the same answer after the end is recorded. On both engines."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.services.asking import Ask
from storage.models import Feedback, SkillLevel
from tests.service.conftest import World


async def test_feedback_waits_for_the_end(world: World) -> None:
    await world.profiles.add_skills("U0MENTOR", [("kafka", SkillLevel.EXPERT)])
    outcome = await world.requests.ask(Ask(requester_id="U0ASKER", topic="kafka", source="dm"))
    async with world.db.uow(readonly=True) as uow:
        [ping] = await uow.pings.for_request(outcome.request.id or 0)
    await world.answers.accept(ping.id or 0, "U0MENTOR")
    async with world.db.uow(readonly=True) as uow:
        [flash] = await uow.sessions.active_for("U0MENTOR")
    session = flash.id or 0

    assert await world.followups.may_give_feedback(session, "U0ASKER") == "not_ended"
    assert await world.followups.record_feedback(session, "U0ASKER", helpful=True, note="early") == "not_ended"
    assert await world.followups.record_feedback(session, "U0STRANGER", helpful=True) == "not_participant"
    async with world.db.uow(readonly=True) as uow:
        assert await uow.db_session.scalar(select(func.count()).select_from(Feedback)) == 0

    await world.sessions.end(session, "U0MENTOR")
    assert await world.followups.record_feedback(session, "U0ASKER", helpful=True, note="after") == "ok"
    async with world.db.uow(readonly=True) as uow:
        feedback = await uow.sessions.feedback_of(session, "U0ASKER")
        assert feedback is not None
        assert feedback.note == "after"
