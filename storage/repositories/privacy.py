"""Forgetting a person in the database: what identifies them or what they asked goes; counts keep their rows.

Two passes. The first knows the schema's meaning: the person's requests lose their topic, details, matched skills
and mentors, skill gap, channel and dedup key; what matching learned from or about them goes; the pings, sessions
and feedback of their conversations lose the Slack channels and timestamps that lead to the messages (a DM's or
group DM's members name them), and the notes; the events and timers of those requests and sessions keep only fields
that are counts or states. The second pass knows only the schema's metadata: every text and JSON column of every
table is searched for the person's ID, so a column added later is covered without a change here. An ID found whole
becomes the pseudonym; a key holding it (unique, so it cannot be blanked) has it replaced; any other text that
mentions them is blanked.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from sqlalchemy import JSON, Column, String, Table, TypeDecorator, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel, col

from storage.models import (
    CalendarBusy,
    CalendarFeed,
    Feedback,
    FlashSession,
    HelpRequest,
    InteractionEvent,
    Member,
    MemberSkill,
    MentorEvidence,
    Ping,
    PingState,
    TimedAction,
    TimerState,
)

# Event and timer data fields that hold counts, states and ids of Burst's own rows: kept on a forgotten person's
# events so the digest's and the export's figures stay whole. Every other field (a topic, a reason naming a skill,
# the skills added) is dropped.
COUNTED_FIELDS = frozenset(
    {
        "wave", "pinged", "score", "ping_id", "source", "level", "anonymous", "waves", "seconds_to_accept",
        "seconds", "minutes", "by", "extensions", "helpful", "role", "with_note", "index", "outcome", "state",
    }
)  # fmt: skip


class PrivacyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def open_pings_of(self, mentor_id: str) -> list[int]:
        """Pings still waiting for this mentor's answer: withdrawn before they are forgotten."""
        rows = await self.s.scalars(
            select(col(Ping.id)).where(col(Ping.mentor_id) == mentor_id, col(Ping.state) == PingState.SENT)
        )
        return [i for i in rows if i is not None]

    async def forget(self, user_id: str, pseudonym: str) -> None:
        """Delete the profile and skills; blank what they asked and where they talked; the pseudonym everywhere else."""
        s = self.s
        # Their calendar address and busy times go first and explicitly, whatever the engine does with cascades.
        await s.execute(delete(CalendarBusy).where(col(CalendarBusy.member_id) == user_id))
        await s.execute(delete(CalendarFeed).where(col(CalendarFeed.member_id) == user_id))
        requests = [
            i for i in await s.scalars(select(col(HelpRequest.id)).where(col(HelpRequest.requester_id) == user_id)) if i
        ]
        sessions = [
            i
            for i in await s.scalars(
                select(col(FlashSession.id)).where(
                    or_(col(FlashSession.requester_id) == user_id, col(FlashSession.mentor_id) == user_id)
                )
            )
            if i is not None
        ]
        await s.execute(delete(MemberSkill).where(col(MemberSkill.member_id) == user_id))
        # What matching learned from their requests (topics they asked, handed to the mentors who helped) and what it
        # knew of them as a mentor (their own words) goes; so do the evidence notes other requests keep about them.
        await s.execute(
            delete(MentorEvidence).where(
                or_(col(MentorEvidence.member_id) == user_id, col(MentorEvidence.request_id).in_(requests))
            )
        )
        noted = await s.execute(
            select(col(HelpRequest.id), col(HelpRequest.mentors), col(HelpRequest.mentor_notes)).where(
                cast(col(HelpRequest.mentors), String).contains(user_id)
            )
        )
        for request_id, mentors, notes in noted.all():
            await s.execute(
                update(HelpRequest)
                .where(col(HelpRequest.id) == request_id)
                .values(
                    mentors={k: v for k, v in (mentors or {}).items() if k != user_id},
                    mentor_notes={k: v for k, v in (notes or {}).items() if k != user_id},
                )
            )
        await s.execute(delete(Member).where(col(Member.id) == user_id))
        await s.execute(
            update(HelpRequest)
            .where(col(HelpRequest.id).in_(requests))
            .values(
                topic="", details="", skills={}, mentors={}, mentor_notes={}, gap=None, channel_id=None, dedup_key=None
            )
        )
        await s.execute(
            update(Ping)
            .where(or_(col(Ping.request_id).in_(requests), col(Ping.mentor_id) == user_id))
            .values(channel_id=None, message_ts=None)
        )
        await s.execute(update(FlashSession).where(col(FlashSession.id).in_(sessions)).values(cards=[]))
        await s.execute(update(Feedback).where(col(Feedback.session_id).in_(sessions)).values(note=""))
        await self._keep_counted_fields(InteractionEvent, requests, sessions, user_id)
        await self._keep_counted_fields(TimedAction, requests, sessions, None)
        await s.execute(
            update(TimedAction)
            .where(
                or_(col(TimedAction.request_id).in_(requests), col(TimedAction.session_id).in_(sessions)),
                col(TimedAction.state).in_([TimerState.PENDING, TimerState.RUNNING]),
            )
            .values(state=TimerState.CANCELLED)
        )
        for table in SQLModel.metadata.sorted_tables:
            await self._sweep(table, user_id, pseudonym)

    async def _keep_counted_fields(
        self,
        model: type[InteractionEvent] | type[TimedAction],
        requests: Collection[int],
        sessions: Collection[int],
        actor_id: str | None,
    ) -> None:
        owners: list[ColumnElement[bool]] = [col(model.request_id).in_(requests), col(model.session_id).in_(sessions)]
        if actor_id is not None and model is InteractionEvent:
            owners.append(col(InteractionEvent.actor_id) == actor_id)
        rows = await self.s.execute(select(col(model.id), col(model.data)).where(or_(*owners)))
        for row_id, data in rows.all():
            kept = {k: v for k, v in (data or {}).items() if k in COUNTED_FIELDS}
            if kept != data:
                await self.s.execute(update(model).where(col(model.id) == row_id).values(data=kept))

    async def _sweep(self, table: Table, user_id: str, pseudonym: str) -> None:
        """Every text and JSON column of `table`, by the schema's metadata, cleared of the person's ID."""
        keys = list(table.primary_key.columns)
        mention = _mention(user_id)
        for column in table.columns:
            is_json = isinstance(column.type, JSON)
            if not (is_json or _is_text(column)):
                continue
            width = None if is_json else _width(column)
            if width is not None and width < len(user_id):
                continue  # too narrow to hold it
            if not is_json and (width is None or width >= len(pseudonym)):  # the common case, in one statement
                await self.s.execute(update(table).where(column == user_id).values({column.name: pseudonym}))
            # LIKE finds candidates (case-insensitively on SQLite); the pattern decides, so U1 never matches U12.
            found = await self.s.execute(
                select(*keys, column).where(cast(column, String).contains(user_id, autoescape=True))
            )
            for *key_values, value in found.all():
                cleared = _cleared(value, column, mention, pseudonym)
                if cleared != value:
                    where = [key == k for key, k in zip(keys, key_values, strict=True)]
                    await self.s.execute(update(table).where(*where).values({column.name: cleared}))


def _width(column: Column[Any]) -> int | None:
    kind = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    return kind.length if isinstance(kind, String) else None


def _is_text(column: Column[Any]) -> bool:
    """Whether a column holds text, whatever type object declares it (SQLModel's strings are a TypeDecorator)."""
    kind = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    return isinstance(kind, String)


def _mention(user_id: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(user_id)}(?![A-Za-z0-9])")


def _cleared(value: Any, column: Column[Any], mention: re.Pattern[str], pseudonym: str) -> Any:
    """The value with the ID made the pseudonym where it stands alone or in a key, and other text mentioning it
    blanked (a note that says who they are is about them however it is worded around the ID)."""
    if isinstance(value, dict):
        return {k: _cleared(v, column, mention, pseudonym) for k, v in value.items() if not mention.search(k)}
    if isinstance(value, list):
        return [_cleared(v, column, mention, pseudonym) for v in value]
    if not isinstance(value, str) or not mention.search(value):
        return value
    if isinstance(column.type, JSON):
        return pseudonym if mention.fullmatch(value) else ""
    if mention.fullmatch(value) or column.primary_key or column.unique:
        replaced = mention.sub(pseudonym, value)
        width = _width(column)
        if width is None or len(replaced) <= width:
            return replaced
    return None if column.nullable else ""
