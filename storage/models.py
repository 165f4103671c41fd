"""The tables, and the column types they are made of. The tables are plain SQLModel classes: no behaviour, no Slack.

Column types shared by the tables: UTC datetimes (`UtcDateTime`, `utcnow`) and enums stored as text (`EnumText`).
States and levels are StrEnums (defined here, once) stored as their values in plain string columns (`EnumText`):
migrations stay trivial and the values read well in SQL and exports.

Stored free text keeps no invisible characters: control and format characters (Unicode categories Cc and Cf,
such as NUL, U+202E RIGHT-TO-LEFT OVERRIDE or a zero-width space) are dropped, newlines and tabs kept.
A reversed or hidden run of text in a topic would otherwise reach every mentor pinged with it looking like something
else. `install_printable` makes every ORM insert and update clean every text column, read off the mapping, so a
column added later is covered; `printable` is for text copied elsewhere first (an event's data).

Two small typed helpers the repositories share: `rowcount` and `dialect`.
"""

from __future__ import annotations

import functools
import unicodedata
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final, TypeVar, cast

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, String, UniqueConstraint, event, text
from sqlalchemy.engine import CursorResult, Dialect, Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, hands back aware UTC.

    SQLite keeps no offset, PostgreSQL's `timestamp` neither; storing UTC everywhere and attaching the zone on the
    way out means the domain only ever sees aware datetimes and comparisons behave the same on both engines.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQL on SQLite returns text
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """A StrEnum stored as its value in a plain string column, handed back as the member.

    Not a database enum type: the column holds the same text it held before states were enums, a new state needs no
    migration, and the values read as they are in SQL and exports. A value outside the enum is refused on write.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum
        self.length = length

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


_KEPT = frozenset("\n\t")
_HIDDEN = frozenset({"Cc", "Cf"})


def printable(text: str) -> str:
    if text.isprintable():  # the common case, checked in C: no Cc or Cf (nor other spaces, which are kept)
        return text
    return "".join(ch for ch in text if ch in _KEPT or unicodedata.category(ch) not in _HIDDEN)


@functools.cache
def _text_attributes(mapper: Mapper[Any]) -> tuple[str, ...]:
    names = []
    for attribute in mapper.column_attrs:
        kind = attribute.columns[0].type
        kind = kind.impl_instance if isinstance(kind, TypeDecorator) else kind
        if isinstance(kind, String):
            names.append(attribute.key)
    return tuple(names)


def _clean(mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    for name in _text_attributes(mapper):
        value = getattr(target, name, None)
        if isinstance(value, str) and not value.isprintable():
            cleaned = printable(value)
            if cleaned != value:
                setattr(target, name, cleaned)


def install_printable() -> None:
    """Clean text columns on every ORM insert and update of every table model (idempotent)."""
    for name in ("before_insert", "before_update"):
        if not event.contains(SQLModel, name, _clean):
            event.listen(SQLModel, name, _clean, propagate=True)


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched: how a conditional update tells who won a race."""
    return int(cast(CursorResult[Any], result).rowcount)


def dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UtcDateTime, **kw)


class Member(SQLModel, table=True):
    """A person Burst knows: anyone who asked, or a mentor with skills."""

    __tablename__ = "members"
    __table_args__ = (Index("ix_members_tz", "tz"),)  # routing reads every zone's clock: an index-only DISTINCT

    id: str = Field(primary_key=True, max_length=32)  # Slack user ID
    display_name: str = Field(default="", max_length=200)
    tz: str = Field(default="UTC", max_length=64)  # IANA, from users.info
    hours_start: str | None = Field(default=None, max_length=5)  # "HH:MM" in tz; None = no hours set
    hours_end: str | None = Field(default=None, max_length=5)
    away: bool = False
    away_until: datetime | None = _ts(default=None)  # None with away=True: until they say available
    snoozed_until: datetime | None = _ts(default=None)
    weekly_cap: int | None = None
    thanks_opt_in: bool = False  # may be named in the digest
    last_pinged_at: datetime | None = _ts(default=None)
    profile_checked_at: datetime | None = _ts(default=None)
    created_at: datetime = _ts(default_factory=utcnow)


# "Never pinged" in member_skills.last_pinged_at: the epoch rather than NULL, so one ascending index puts the people
# never asked first on both engines (SQLite cannot index NULLS FIRST; PostgreSQL's ascending index puts NULLs last).
NEVER_PINGED = datetime(1970, 1, 1, tzinfo=UTC)


class SkillLevel(StrEnum):
    """How well a mentor knows a skill, in their own words."""

    EXPERT = "expert"
    PEER = "peer"


DEFAULT_LEVEL: Final = SkillLevel.PEER
"""A skill typed without a level is `peer`: claiming expertise should be a deliberate `:expert`."""


class WantedLevel(StrEnum):
    """The level a request asks for: one of the skill levels, or whoever knows the skill."""

    ANY = "any"
    EXPERT = SkillLevel.EXPERT.value
    PEER = SkillLevel.PEER.value

    @property
    def skill_level(self) -> SkillLevel | None:
        """The skill level asked for; None when whoever knows the skill will do."""
        return None if self is WantedLevel.ANY else SkillLevel(self.value)


class MemberSkill(SQLModel, table=True):
    __tablename__ = "member_skills"
    __table_args__ = (
        UniqueConstraint("member_id", "skill", name="uq_member_skill"),
        # Routing reads the holders of one (skill, level) longest-unpinged first and stops after a page.
        Index("ix_member_skills_route", "skill", "level", "last_pinged_at", "member_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(foreign_key="members.id", ondelete="CASCADE", max_length=32)
    skill: str = Field(max_length=50)  # canonical, see bot.domain.skills.normalise_skill
    level: SkillLevel = Field(default=DEFAULT_LEVEL, sa_type=EnumText(SkillLevel, 8))
    # A copy of members.last_pinged_at (MemberRepository.mark_pinged keeps both) for the routing index.
    last_pinged_at: datetime = _ts(default=NEVER_PINGED)


class RequestState(StrEnum):
    CLARIFYING = "clarifying"  # waiting for the requester to say which of a few skills they meant
    OPEN = "open"
    MATCHED = "matched"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


LIVE_REQUEST_STATES: Final = (RequestState.CLARIFYING, RequestState.OPEN)
"""Not final: cancel and expiry apply, and a person has one live request at a time."""


class HelpRequest(SQLModel, table=True):
    __tablename__ = "help_requests"
    __table_args__ = (
        Index("ix_help_requests_requester_state", "requester_id", "state"),
        Index("ix_help_requests_state_created", "state", "created_at"),
        Index("ix_help_requests_created", "created_at"),
        Index("ix_help_requests_mentor_created", "mentor_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    requester_id: str = Field(max_length=32)
    topic: str = Field(max_length=200)
    details: str = Field(default="", max_length=3000)
    # Matched skill -> match score, fixed when the request is made so every wave ranks alike.
    skills: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Mentors whose own words or past sessions fit the topic (member id -> match score), beside the skills.
    mentors: dict[str, float] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default=text("'{}'"))
    )
    # Why each of them was found, in words their ping can show ("your profile mentions experiment design").
    mentor_notes: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default=text("'{}'"))
    )
    # A topic nobody could route: the skill it is about when Burst knows one, so the digest groups gaps by meaning.
    gap: str | None = Field(default=None, max_length=50)
    level: WantedLevel = Field(default=WantedLevel.ANY, sa_type=EnumText(WantedLevel, 8))
    length_seconds: int = 900
    anonymous: bool = False
    source: str = Field(default="command", max_length=16)  # command | dm | mention | modal | shortcut
    channel_id: str | None = Field(default=None, max_length=32)  # where the requester asked
    # The requester's status message (their DM with Burst), edited as the request moves on.
    status_channel: str | None = Field(default=None, max_length=32)
    status_ts: str | None = Field(default=None, max_length=32)
    # Asked again after a session that did not solve it: others are pinged before this mentor.
    previous_mentor_id: str | None = Field(default=None, max_length=32)
    state: RequestState = Field(default=RequestState.OPEN, sa_type=EnumText(RequestState, 12))
    wave: int = 0
    mentor_id: str | None = Field(default=None, max_length=32)
    dedup_key: str | None = Field(default=None, unique=True, max_length=120)
    created_at: datetime = _ts(default_factory=utcnow)
    matched_at: datetime | None = _ts(default=None)
    closed_at: datetime | None = _ts(default=None)


class DataVersion(SQLModel, table=True):
    """A number that changes whenever the data it names changes: database triggers bump it (migration 0010).

    `matching`: the skills mentors hold, members' time zones and mentors' evidence, which every request reads and
    each process keeps while this number stands (storage.database).
    """

    __tablename__ = "data_versions"

    name: str = Field(primary_key=True, max_length=32)
    version: int = Field(sa_type=BigInteger)
    bumped_by: int | None = Field(default=None, sa_type=BigInteger)  # PostgreSQL: the transaction that last bumped it


class MentorEvidence(SQLModel, table=True):
    """What a mentor can help with beyond their skill list: their own words (`about`), a topic they helped with
    (`helped`, from a session marked solved or helpful) or one a colleague handed them (`suggested`).

    Matching loads these incrementally by id, so a row is never edited: a new about text replaces the old row.
    """

    __tablename__ = "mentor_evidence"
    __table_args__ = (Index("ix_mentor_evidence_member_kind", "member_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(foreign_key="members.id", ondelete="CASCADE", max_length=32)
    kind: str = Field(max_length=12)  # bot.domain.evidence.EvidenceKind
    text: str = Field(max_length=300)
    request_id: int | None = Field(default=None, index=True)  # the request it was learned from, if any
    created_at: datetime = _ts(default_factory=utcnow)


class PingState(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SNOOZED = "snoozed"
    TAKEN = "taken"  # someone else accepted
    EXPIRED = "expired"  # the request expired or was cancelled
    FAILED = "failed"  # Slack refused the DM


class Ping(SQLModel, table=True):
    __tablename__ = "pings"
    __table_args__ = (
        UniqueConstraint("request_id", "mentor_id", name="uq_ping_request_mentor"),
        Index("ix_pings_mentor_created", "mentor_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="help_requests.id", ondelete="CASCADE")
    mentor_id: str = Field(max_length=32)
    wave: int = 1
    score: float = 0.0
    state: PingState = Field(default=PingState.SENT, sa_type=EnumText(PingState, 10))
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = _ts(default_factory=utcnow)
    responded_at: datetime | None = _ts(default=None)


class SessionState(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class FlashSession(SQLModel, table=True):
    __tablename__ = "flash_sessions"
    __table_args__ = (
        Index("ix_flash_sessions_mentor_state", "mentor_id", "state"),
        Index("ix_flash_sessions_requester_state", "requester_id", "state"),
        Index("ix_flash_sessions_mentor_started", "mentor_id", "started_at"),
        Index("ix_flash_sessions_started", "started_at"),
        # A mentor is in one session at a time, even when two processes accept for them at the same instant.
        Index(
            "uq_flash_sessions_active_mentor",
            "mentor_id",
            unique=True,
            sqlite_where=text("state = 'active'"),
            postgresql_where=text("state = 'active'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="help_requests.id", ondelete="CASCADE", unique=True)
    requester_id: str = Field(max_length=32)
    mentor_id: str = Field(max_length=32)
    state: SessionState = Field(default=SessionState.ACTIVE, sa_type=EnumText(SessionState, 8))
    length_seconds: int = 900
    extensions: int = 0
    started_at: datetime = _ts(default_factory=utcnow)
    ends_at: datetime = _ts()
    ended_at: datetime | None = _ts(default=None)
    ended_by: str | None = Field(default=None, max_length=32)
    # Where the session lives in Slack: [{"channel": ..., "ts": ...}] of the session cards.
    cards: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Feedback(SQLModel, table=True):
    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("session_id", "member_id", name="uq_feedback_session_member"),
        Index("ix_feedback_created", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="flash_sessions.id", ondelete="CASCADE")
    member_id: str = Field(max_length=32)
    helpful: bool
    note: str = Field(default="", max_length=3000)
    created_at: datetime = _ts(default_factory=utcnow)


class InteractionEvent(SQLModel, table=True):
    """The append-only log: one row per step of every flow."""

    __tablename__ = "interaction_events"
    __table_args__ = (
        Index("ix_events_at", "at"),
        Index("ix_events_kind_at", "kind", "at"),
        Index("ix_events_request", "request_id"),
        Index("ix_events_session", "session_id"),
        Index("ix_events_actor", "actor_id"),  # delete-my-data finds a person's events
    )

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    )
    at: datetime = _ts(default_factory=utcnow)
    kind: str = Field(max_length=40)
    actor_id: str | None = Field(default=None, max_length=32)
    request_id: int | None = None
    session_id: int | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class TimerState:
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"  # gave up after repeated errors; kept for inspection


class TimedAction(SQLModel, table=True):
    """A durable timer: the database, not a process's memory, knows what is due."""

    __tablename__ = "timed_actions"
    __table_args__ = (
        Index("ix_timed_actions_state_due", "state", "due_at"),
        Index("ix_timed_actions_request", "request_id"),  # cancelling a request's or a session's timers
        Index("ix_timed_actions_session", "session_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=120)  # natural key, e.g. "wave:12:2": scheduling twice is a no-op
    kind: str = Field(max_length=24)
    due_at: datetime = _ts()
    state: str = Field(default=TimerState.PENDING, max_length=10)
    request_id: int | None = None
    session_id: int | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    claimed_by: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = _ts(default=None)
    attempts: int = 0
    done_at: datetime | None = _ts(default=None)


class DigestRun(SQLModel, table=True):
    """One row per digest period: the claim that makes the weekly post happen once."""

    __tablename__ = "digest_runs"

    period: str = Field(primary_key=True, max_length=32)  # e.g. "2026-W47"
    state: str = Field(default="running", max_length=10)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime = _ts(default_factory=utcnow)
    posted_at: datetime | None = _ts(default=None)


class SlackDelivery(SQLModel, table=True):
    """A Slack delivery Burst has acted on, by Slack's own id for it: a redelivery of it is recognised here.

    Slack redelivers when it did not hear the ack in time (Events API retries, Socket Mode reconnects), and the
    redelivery may reach another process; rows older than a redelivery can be are pruned as new ones come.
    """

    __tablename__ = "slack_deliveries"
    __table_args__ = (Index("ix_slack_deliveries_received", "received_at"),)

    key: str = Field(primary_key=True, max_length=160)  # "event:<event_id>" or "trigger:<trigger_id>"
    received_at: datetime = _ts(default_factory=utcnow)


class CalendarFeed(SQLModel, table=True):
    """A mentor's private calendar address (iCalendar), kept only encrypted, and how its last fetch went."""

    __tablename__ = "calendar_feeds"

    member_id: str = Field(primary_key=True, foreign_key="members.id", ondelete="CASCADE", max_length=32)
    # the address encrypted (bot.services.calendar_secret); never logged or shown
    url_secret: str = Field(max_length=4000)
    url_hint: str = Field(default="", max_length=120)  # what may be shown back: "https://calendar.google.com/…"
    etag: str | None = Field(default=None, max_length=200)
    last_modified: str | None = Field(default=None, max_length=100)
    fetched_at: datetime | None = _ts(default=None)  # the last fetch that read the calendar or heard "unchanged"
    read_at: datetime | None = _ts(default=None)  # the last fetch that read it in full
    failure: str | None = Field(default=None, max_length=200)  # why the last fetch failed, in words; never the URL
    created_at: datetime = _ts(default_factory=utcnow)


class CalendarBusy(SQLModel, table=True):
    """A busy interval from a mentor's calendar: only when, never what or with whom."""

    __tablename__ = "calendar_busy"
    __table_args__ = (Index("ix_calendar_busy_member_ends", "member_id", "ends_at"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(foreign_key="calendar_feeds.member_id", ondelete="CASCADE", max_length=32)
    starts_at: datetime = _ts()
    ends_at: datetime = _ts()
