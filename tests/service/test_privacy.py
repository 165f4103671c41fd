"""`/burst delete-my-data` through the real services: nothing keeps the person's ID, the totals stay whole."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, or_, select
from sqlmodel import col

from bot.services.asking import Ask
from bot.services.digest import DigestConfig, DigestService
from bot.services.privacy import FORGOTTEN_PREFIX, PrivacyService
from storage.models import Feedback, FlashSession, HelpRequest, InteractionEvent, Member, MemberSkill, Ping, SkillLevel
from tests.service.conftest import World
from tests.support.fakes import RecordingSlack


async def burst(world: World, requester: str, mentor: str, topic: str) -> None:
    """One whole burst: ask, accept, end, feedback with a note from both."""
    outcome = await world.requests.ask(Ask(requester_id=requester, topic=topic, details="my secret", source="dm"))
    async with world.db.uow(readonly=True) as uow:
        [ping] = [p for p in await uow.pings.for_request(outcome.request.id or 0) if p.mentor_id == mentor]
    assert (await world.answers.accept(ping.id or 0, mentor)).status == "accepted"
    async with world.db.uow(readonly=True) as uow:
        [flash] = await uow.sessions.active_for(mentor)
    await world.sessions.end(flash.id or 0, requester)
    for who in (requester, mentor):
        await world.followups.record_feedback(flash.id or 0, who, helpful=True, note=f"note by {who}")


async def rows_naming(world: World, user_id: str) -> list[str]:
    """Every table row that still holds the ID anywhere (the events' JSON included)."""
    checks = {
        "members": select(Member).where(col(Member.id) == user_id),
        "skills": select(MemberSkill).where(col(MemberSkill.member_id) == user_id),
        "requests": select(HelpRequest).where(
            or_(col(HelpRequest.requester_id) == user_id, col(HelpRequest.mentor_id) == user_id)
        ),
        "pings": select(Ping).where(col(Ping.mentor_id) == user_id),
        "sessions": select(FlashSession).where(
            or_(
                col(FlashSession.requester_id) == user_id,
                col(FlashSession.mentor_id) == user_id,
                col(FlashSession.ended_by) == user_id,
            )
        ),
        "feedback": select(Feedback).where(col(Feedback.member_id) == user_id),
        "events": select(InteractionEvent).where(
            or_(col(InteractionEvent.actor_id) == user_id, cast(InteractionEvent.data, String).contains(user_id))
        ),
    }
    found = []
    async with world.db.uow(readonly=True) as uow:
        for table, query in checks.items():
            if (await uow.db_session.scalars(query)).first() is not None:
                found.append(table)
    return found


async def test_forgetting_two_people_leaves_no_trace_and_the_same_totals(world: World) -> None:
    await world.profiles.add_skills("UM1", [("kafka", SkillLevel.EXPERT)])
    await world.profiles.add_skills("UM2", [("kafka", SkillLevel.EXPERT)])
    await burst(world, "UR1", "UM1", "kafka consumer lag")
    await burst(world, "UR2", "UM2", "kafka partitions")
    await burst(world, "UR3", "UM1", "kafka streams")
    digest = DigestService(
        world.db, RecordingSlack(), DigestConfig(channel=None, cron="0 9 * * mon", zone=ZoneInfo("UTC")), "w"
    )
    before = (await digest.build()).this

    privacy = PrivacyService(world.db, world.answers, world.sessions)
    aliases = {await privacy.forget("UR1"), await privacy.forget("UR2")}

    assert await rows_naming(world, "UR1") == []
    assert await rows_naming(world, "UR2") == []
    assert len(aliases) == 2
    assert all(a.startswith(FORGOTTEN_PREFIX) for a in aliases)
    after = (await digest.build()).this
    assert (after.requests, after.matched, after.sessions, after.helpful) == (
        before.requests,
        before.matched,
        before.sessions,
        before.helpful,
    )
    assert before.top_topics == [("kafka", 3)]
    assert after.top_topics == []  # what the forgotten asked no longer counts toward naming a topic
    async with world.db.uow(readonly=True) as uow:
        details = await uow.db_session.scalars(
            select(col(HelpRequest.details)).where(col(HelpRequest.requester_id).in_(aliases))
        )
        notes = await uow.db_session.scalars(select(col(Feedback.note)).where(col(Feedback.member_id).in_(aliases)))
        assert set(details) == {""}
        assert set(notes) == {""}
