"""A person with every kind of row Burst keeps, and a scan of every text and JSON column for what identifies them:
the erasure test (tests/service/test_erasure.py) and `python -m benchmarks trust` both use them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, String, Table, TypeDecorator, cast, func, or_, select
from sqlmodel import SQLModel

from bot.runtime.ports import MessageRef
from bot.services.asking import Ask
from storage.models import FlashSession, HelpRequest, SkillLevel, utcnow
from tests.service.conftest import World
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


async def ask(world: World, who: str, topic: str, details: str = "", channel: str | None = None) -> int:
    outcome = await world.requests.ask(
        Ask(requester_id=who, topic=topic, details=details, source="dm", channel_id=channel, dedup_key=f"evt:{topic}")
    )
    assert outcome.request.id is not None
    return outcome.request.id


async def accept(world: World, request_id: int, mentor: str) -> int:
    async with world.db.uow(readonly=True) as uow:
        [ping] = [p for p in await uow.pings.for_request(request_id) if p.mentor_id == mentor]
    assert (await world.answers.accept(ping.id or 0, mentor)).status == "accepted"
    async with world.db.uow(readonly=True) as uow:
        [flash] = await uow.sessions.active_for(mentor)
    assert flash.id is not None
    return flash.id


async def every_kind_of_row(world: World) -> dict[str, int]:
    """Requests, pings, sessions (one ended, one in progress), feedback with notes, follow-ups, events, deliveries,
    timers and owed messages: the person as asker and as mentor, and a note by someone else that names them."""
    await world.profiles.add_skills(PERSON, [("kafka", SkillLevel.EXPERT), ("zebrafishquokka", SkillLevel.PEER)])
    for mentor in OTHERS[:2]:
        await world.profiles.add_skills(mentor, [("kafka", SkillLevel.EXPERT)])
    asked = await ask(world, PERSON, "kafka zebrafishquokka lag", "quokkadetails here", DM)
    ended = await accept(world, asked, OTHERS[0])
    await world.sessions.end(ended, PERSON)
    await world.followups.record_feedback(ended, PERSON, helpful=True, note="quokkanote by me")
    await world.followups.record_feedback(ended, OTHERS[0], helpful=True, note=f"<@{PERSON}> asked good things")
    # A session elsewhere whose note mentions them.
    elsewhere = await accept(world, await ask(world, OTHERS[3], "kafka offsets"), OTHERS[1])
    await world.sessions.end(elsewhere, OTHERS[3])
    await world.followups.record_feedback(elsewhere, OTHERS[3], helpful=True, note=f"ask <@{PERSON}> next time")
    # The person as mentor, in a session in progress when they are forgotten.
    in_progress = await accept(world, await ask(world, OTHERS[2], "kafka partitions"), PERSON)
    # And an open request of theirs, with pings out.
    open_request = await ask(world, PERSON, "kafka zebrafishquokka again")
    async with world.db.uow() as uow:
        await uow.deliveries.claim("trigger:1234.5678.forget", utcnow())  # Slack ids of deliveries name nobody
        await uow.commit()
    await world.timers.sweep()  # follow-ups due now go out; the next is a week away
    return {"in_progress": in_progress, "open_request": open_request}


def scanned_columns() -> list[tuple[Table, Column[Any]]]:
    """Every text and JSON column of every table, from the schema's metadata."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            kind = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
            if isinstance(kind, JSON | String):
                found.append((table, column))
    return found


async def hits(world: World, needles: tuple[str, ...]) -> list[str]:
    """`table.column: needle` for every text or JSON column of every table holding a needle."""
    found = []
    async with world.db.uow(readonly=True) as uow:
        for table, column in scanned_columns():
            text = func.lower(cast(column, String))
            wanted = or_(*(text.contains(n.lower(), autoescape=True) for n in needles))
            for value in await uow.db_session.scalars(select(column).where(wanted)):
                found += [f"{table.name}.{column.name}: {n}" for n in needles if n.lower() in str(value).lower()]
    return found


NEEDLES = (PERSON, DM, PAIR, *SECRETS)
