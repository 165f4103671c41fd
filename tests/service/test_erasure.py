"""delete-my-data leaves nothing: every kind of row a person has is built, they are forgotten, and every text and
JSON column of every table, read off the schema's metadata (so a column added later is scanned too), holds neither
their user ID, nor the Slack channels of their conversations, nor a word only their topics, details or notes had.
On SQLite and PostgreSQL (the `world` fixture runs on both). What is in flight stops cleanly for the others.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from bot.services.privacy import PrivacyService
from storage.models import FlashSession, HelpRequest, Ping, SessionState, SkillLevel
from tests.service.conftest import World, make_world
from tests.support.erasure import NEEDLES, OTHERS, PERSON, ChannelledSlack, accept, ask, every_kind_of_row, hits


async def test_forgetting_leaves_no_trace_in_any_column(world: World) -> None:
    slack = ChannelledSlack()
    world = make_world(world.db, slack)
    rows = await every_kind_of_row(world)
    needles = NEEDLES
    assert len(await hits(world, needles)) > 10  # the scan finds them before: it is looking in the right places
    async with world.db.uow(readonly=True) as uow:
        requests_before = len((await uow.db_session.scalars(select(HelpRequest))).all())
        pings_before = len((await uow.db_session.scalars(select(Ping))).all())

    alias = await PrivacyService(world.db, world.answers, world.sessions).forget(PERSON)
    told_after = len(slack.calls)
    await world.timers.sweep()

    assert await hits(world, needles) == []
    async with world.db.uow(readonly=True) as uow:  # the aggregates keep their rows
        assert len((await uow.db_session.scalars(select(HelpRequest))).all()) == requests_before
        assert len((await uow.db_session.scalars(select(Ping))).all()) == pings_before
        closed = await uow.sessions.get(rows["in_progress"])
        assert closed is not None
        assert closed.state == SessionState.ENDED
        assert (closed.mentor_id, closed.cards) == (alias, [])
        assert (await uow.requests.get(rows["open_request"])).state == "cancelled"  # type: ignore[union-attr]
    # The other person of the session in progress heard it was closed, and nothing since addresses the forgotten.
    assert {"what": "closed", "session": rows["in_progress"]} in slack.named("session_changed")
    assert [c for c in slack.calls[told_after:] if alias in str(c) or PERSON in str(c)] == []
    assert not any(c[0] in ("follow_up", "thank_mentor") for c in slack.calls[told_after:])


async def test_forgetting_spares_an_id_that_only_begins_with_theirs(world: World) -> None:
    longer = PERSON + "X2"  # Slack IDs differ in length: forgetting U0FORGETME must not touch U0FORGETMEX2
    await world.profiles.add_skills(OTHERS[0], [("kafka", SkillLevel.EXPERT)])
    asked = await ask(world, longer, "kafka streams", "my own words")
    flash = await accept(world, asked, OTHERS[0])
    await world.sessions.end(flash, longer)
    await world.followups.record_feedback(flash, longer, helpful=True, note=f"said hi to <@{longer}>")
    await PrivacyService(world.db, world.answers, world.sessions).forget(PERSON)
    async with world.db.uow(readonly=True) as uow:
        request = await uow.requests.get(asked)
        assert request is not None
        assert (request.requester_id, request.topic, request.details) == (longer, "kafka streams", "my own words")
        session = (
            await uow.db_session.scalars(select(FlashSession).where(col(FlashSession.requester_id) == longer))
        ).one()
        feedback = await uow.sessions.feedback_of(session.id or 0, longer)
        assert feedback is not None
        assert feedback.note == f"said hi to <@{longer}>"
