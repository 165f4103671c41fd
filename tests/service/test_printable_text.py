"""Stored free text keeps no control or format characters (Unicode Cc and Cf: NUL, U+202E, zero-width ones), so a
topic cannot reach mentors reversed or with hidden text; newlines and tabs stay. On both engines."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from bot.domain import event_kinds as ev
from bot.services.asking import Ask
from storage.models import Feedback, InteractionEvent, Member, SkillLevel
from tests.service.conftest import World

HIDDEN = "\u202e\u200b\u200d\ufeff\x00\x07\u2066"


async def test_topics_details_notes_and_names_are_stored_without_hidden_characters(world: World) -> None:
    await world.profiles.add_skills("U0MENTOR", [("kafka", SkillLevel.EXPERT)])
    outcome = await world.requests.ask(
        Ask(requester_id="U0ASKER", topic=f"kafka{HIDDEN} lag", details=f"line one\n\tline{HIDDEN} two", source="dm")
    )
    assert outcome.request.id is not None
    async with world.db.uow(readonly=True) as uow:
        [ping] = await uow.pings.for_request(outcome.request.id)
    await world.answers.accept(ping.id or 0, "U0MENTOR")
    async with world.db.uow() as uow:
        [flash] = await uow.sessions.active_for("U0MENTOR")
        member = await uow.members.get_or_create("U0ASKER")
        member.display_name = f"Ana{HIDDEN} B"
        await uow.commit()
    await world.sessions.end(flash.id or 0, "U0ASKER")
    await world.followups.record_feedback(flash.id or 0, "U0ASKER", helpful=True, note=f"great{HIDDEN}\nthanks")

    async with world.db.uow(readonly=True) as uow:
        request = await uow.requests.get(outcome.request.id)
        assert request is not None
        assert (request.topic, request.details) == ("kafka lag", "line one\n\tline two")
        created = await uow.db_session.scalar(
            select(col(InteractionEvent.data)).where(col(InteractionEvent.kind) == ev.REQUEST_CREATED)
        )
        assert created is not None
        assert created["topic"] == "kafka lag"
        note = await uow.db_session.scalar(select(col(Feedback.note)).where(col(Feedback.member_id) == "U0ASKER"))
        assert note == "great\nthanks"
        name = await uow.db_session.scalar(select(col(Member.display_name)).where(col(Member.id) == "U0ASKER"))
        assert name == "Ana B"
