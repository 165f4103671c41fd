"""delete-my-data leaves nothing: every kind of row a person has is built, they are forgotten, and every text and
JSON column of every table, read off the schema's metadata (so a column added later is scanned too), holds neither
their user ID, nor the Slack channels of their conversations, nor a word only their topics, details or notes had.
On SQLite and PostgreSQL (the `world` fixture runs on both). What is in flight stops cleanly for the others.
"""

from __future__ import annotations

from sqlalchemy import JSON, String, TypeDecorator, cast, func, or_, select
from sqlmodel import SQLModel, col

from bot.ports import MessageRef
from bot.privacy import PrivacyService
from bot.requests import Ask
from storage.models import FlashSession, HelpRequest, Ping, SessionState
from storage.types import utcnow
from tests.service.conftest import World, make_world
from tests.support.fakes import RecordingSlack

PERSON = "U0FORGETME"
OTHERS = ("U0MENTORA", "U0MENTORB", "U0ASKERC", "U0ASKERD")
DM, PAIR = "D0FORGETDM", "G0FORGETPAIR"  # their DM with Burst, and the prefix of their group DMs with a partner
SECRETS = ("zebrafishquokka", "quokkadetails", "quokkanote")  # words no one else ever typed


class ChannelledSlack(RecordingSlack):
    """Slack with realistic channels: the person's pings land in their DM, each session in a group DM of its pair."""

    async def ping(self, mentor_id: str, request: HelpRequest, ping_id: int, reason: str) -> MessageRef | None:
        channel = DM if mentor_id == PERSON else f"D{mentor_id}"
        return self._post("ping", {"mentor": mentor_id, "request": request.id, "ping": ping_id}, channel, ping_id)

    async def matched(self, request: HelpRequest, flash: FlashSession) -> list[MessageRef]:
        channel = f"{PAIR}{flash.id}" if PERSON in (flash.mentor_id, flash.requester_id) else f"G{flash.id}"
        ref = self._post("matched", {"mentor": flash.mentor_id, "session": flash.id}, channel, flash.id)
        return [ref] if ref else []


async def _ask(world: World, who: str, topic: str, details: str = "", channel: str | None = None) -> int:
    outcome = await world.requests.ask(
        Ask(requester_id=who, topic=topic, details=details, source="dm", channel_id=channel, dedup_key=f"evt:{topic}")
    )
    assert outcome.request.id is not None
    return outcome.request.id


async def _accept(world: World, request_id: int, mentor: str) -> int:
    async with world.db.uow(readonly=True) as uow:
        [ping] = [p for p in await uow.pings.for_request(request_id) if p.mentor_id == mentor]
    assert (await world.requests.accept(ping.id or 0, mentor)).status == "accepted"
    async with world.db.uow(readonly=True) as uow:
        [flash] = await uow.sessions.active_for(mentor)
    assert flash.id is not None
    return flash.id


async def every_kind_of_row(world: World) -> dict[str, int]:
    """Requests, pings, sessions (one ended, one in progress), feedback with notes, follow-ups, events, deliveries,
    timers and owed messages: the person as asker and as mentor, and a note by someone else that names them."""
    await world.profiles.add_skills(PERSON, [("kafka", "expert"), ("zebrafishquokka", "peer")])
    for mentor in OTHERS[:2]:
        await world.profiles.add_skills(mentor, [("kafka", "expert")])
    asked = await _ask(world, PERSON, "kafka zebrafishquokka lag", "quokkadetails here", DM)
    ended = await _accept(world, asked, OTHERS[0])
    await world.sessions.end(ended, PERSON)
    await world.followups.record_feedback(ended, PERSON, helpful=True, note="quokkanote by me")
    await world.followups.record_feedback(ended, OTHERS[0], helpful=True, note=f"<@{PERSON}> asked good things")
    # A session elsewhere whose note mentions them.
    elsewhere = await _accept(world, await _ask(world, OTHERS[3], "kafka offsets"), OTHERS[1])
    await world.sessions.end(elsewhere, OTHERS[3])
    await world.followups.record_feedback(elsewhere, OTHERS[3], helpful=True, note=f"ask <@{PERSON}> next time")
    # The person as mentor, in a session in progress when they are forgotten.
    in_progress = await _accept(world, await _ask(world, OTHERS[2], "kafka partitions"), PERSON)
    # And an open request of theirs, with pings out.
    open_request = await _ask(world, PERSON, "kafka zebrafishquokka again")
    async with world.db.uow() as uow:
        await uow.deliveries.claim("trigger:1234.5678.forget", utcnow())  # Slack ids of deliveries name nobody
        await uow.commit()
    await world.timers.sweep()  # follow-ups due now go out; the next is a week away
    return {"in_progress": in_progress, "open_request": open_request}


async def hits(world: World, needles: tuple[str, ...]) -> list[str]:
    """`table.column: needle` for every text or JSON column of every table, from the schema, holding a needle."""
    found = []
    async with world.db.uow(readonly=True) as uow:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                kind = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
                if not isinstance(kind, JSON | String):
                    continue
                text = func.lower(cast(column, String))
                wanted = or_(*(text.contains(n.lower(), autoescape=True) for n in needles))
                for value in await uow.session.scalars(select(column).where(wanted)):
                    found += [f"{table.name}.{column.name}: {n}" for n in needles if n.lower() in str(value).lower()]
    return found


async def test_forgetting_leaves_no_trace_in_any_column(world: World) -> None:
    slack = ChannelledSlack()
    world = make_world(world.db, slack)
    rows = await every_kind_of_row(world)
    needles = (PERSON, DM, PAIR, *SECRETS)
    assert len(await hits(world, needles)) > 10  # the scan finds them before: it is looking in the right places
    async with world.db.uow(readonly=True) as uow:
        requests_before = len((await uow.session.scalars(select(HelpRequest))).all())
        pings_before = len((await uow.session.scalars(select(Ping))).all())

    alias = await PrivacyService(world.db, world.requests, world.sessions).forget(PERSON)
    told_after = len(slack.calls)
    await world.timers.sweep()

    assert await hits(world, needles) == []
    async with world.db.uow(readonly=True) as uow:  # the aggregates keep their rows
        assert len((await uow.session.scalars(select(HelpRequest))).all()) == requests_before
        assert len((await uow.session.scalars(select(Ping))).all()) == pings_before
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
    await world.profiles.add_skills(OTHERS[0], [("kafka", "expert")])
    asked = await _ask(world, longer, "kafka streams", "my own words")
    flash = await _accept(world, asked, OTHERS[0])
    await world.sessions.end(flash, longer)
    await world.followups.record_feedback(flash, longer, helpful=True, note=f"said hi to <@{longer}>")
    await PrivacyService(world.db, world.requests, world.sessions).forget(PERSON)
    async with world.db.uow(readonly=True) as uow:
        request = await uow.requests.get(asked)
        assert request is not None
        assert (request.requester_id, request.topic, request.details) == (longer, "kafka streams", "my own words")
        session = (
            await uow.session.scalars(select(FlashSession).where(col(FlashSession.requester_id) == longer))
        ).one()
        feedback = await uow.sessions.feedback_of(session.id or 0, longer)
        assert feedback is not None
        assert feedback.note == f"said hi to <@{longer}>"
