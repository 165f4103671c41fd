"""Every kind of durable timer and owed message: a frozen dataclass each, with its typed payload and its key.

A timed action is one row of `timed_actions` (see bot.runtime.timers): its kind's name, a key, the `request_id` and
`session_id` columns, and the rest of the payload as JSON `data`. The key is the step's identity: two runs of one
step (a redelivery, two processes) build the same key, so the second adds nothing. Each kind names its key's fields
(`KEY`, see `TimedKind`) or builds its key in its `key` property, and `stored`/`loaded` below are the only code that
turns a payload into a row's values and back. The names of kinds and of JSON fields are the ones earlier versions
wrote, so their rows still load.

Two families:
- timers fall due later (the next wave, a session's end, a follow-up...) and are cancelled when moot;
- owed messages are what a step owes Slack, recorded in that step's own commit and sent right after it (see
  bot.runtime.ports.Outbox), or by another process if this one dies first. They carry what the step had in hand
  (`known`, never stored), so sending them right away reads nothing back; a run from the row reads it.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar, Union

from storage.database import UnitOfWork
from storage.models import HelpRequest, Ping, TimedAction

COLUMNS = ("request_id", "session_id", "due_at")  # payload fields stored in the row's own columns, not in `data`
NOT_STORED = {"stored": False}  # field metadata: kept in memory only


@dataclass(frozen=True)
class TimedKind:
    """A kind of timed action. Subclasses name their kind (`KIND`, the row's `kind`) and the fields of their key.

    Most keys are the kind's name then the `KEY` fields, in that order, joined by ":" ("wave:7:2"): built here, so a
    key cannot start with another kind's name. A key that says more than its fields (a slot, a hand-off) is built in
    its kind's own `key` property instead.
    """

    KIND: ClassVar[str]
    KEY: ClassVar[tuple[str, ...]]

    @property
    def key(self) -> str:
        return ":".join((self.KIND, *(str(getattr(self, name)) for name in self.KEY)))


def slot_start(at: datetime, every: timedelta) -> datetime:
    """The start of the slot of length `every` (counted from the epoch) that `at` falls in."""
    slot = math.floor(at.timestamp() / every.total_seconds())
    return datetime.fromtimestamp(slot * every.total_seconds(), UTC)


# --- timers ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveDue(TimedKind):
    """A request's next wave of pings (the first one too: its timer sends it if the process dies first)."""

    KIND: ClassVar[str] = "wave"
    KEY: ClassVar[tuple[str, ...]] = ("request_id", "wave")
    request_id: int
    wave: int


@dataclass(frozen=True)
class ExpireDue(TimedKind):
    """A request's search ends: after its last wave, or unanswered after "did you mean ...?"."""

    KIND: ClassVar[str] = "expire"
    KEY: ClassVar[tuple[str, ...]] = ("request_id",)
    request_id: int


REQUEST_TIMERS = (WaveDue, ExpireDue)  # cancelled when the request is matched or closed


@dataclass(frozen=True)
class SessionWarningDue(TimedKind):
    """A session's end is near. `extensions` is part of the key: extending replaces the session's timers."""

    KIND: ClassVar[str] = "session_warning"
    KEY: ClassVar[tuple[str, ...]] = ("session_id", "extensions")
    session_id: int
    extensions: int = 0


@dataclass(frozen=True)
class SessionEndDue(TimedKind):
    KIND: ClassVar[str] = "session_end"
    KEY: ClassVar[tuple[str, ...]] = ("session_id", "extensions")
    session_id: int
    extensions: int = 0


SESSION_TIMERS = (SessionWarningDue, SessionEndDue)  # cancelled when the session is extended or ended


@dataclass(frozen=True)
class FollowupDue(TimedKind):
    """The `index`-th check-back after a session; cancelled once the requester says Solved."""

    KIND: ClassVar[str] = "followup"
    KEY: ClassVar[tuple[str, ...]] = ("session_id", "index")
    session_id: int
    request_id: int
    index: int = 0


@dataclass(frozen=True)
class DirectorySyncDue(TimedKind):
    """A walk of Slack's directory: one per six-hour slot however many processes run; an import's has its own."""

    KIND: ClassVar[str] = "directory_sync"
    EVERY: ClassVar[timedelta] = timedelta(hours=6)
    due_at: datetime
    after_import: bool = False

    @property
    def key(self) -> str:
        if self.after_import:
            return f"directory_sync:import:{self.due_at.isoformat()}"
        return f"directory_sync:{slot_start(self.due_at, self.EVERY):%Y-%m-%dT%H}"


@dataclass(frozen=True)
class CalendarRefreshDue(TimedKind):
    """A re-read of every calendar feed: one per refresh slot (of length `every`) however many processes run."""

    KIND: ClassVar[str] = "calendar_refresh"
    due_at: datetime
    every: timedelta = timedelta(minutes=15)  # rows of earlier versions do not say: the setting's default

    @property
    def key(self) -> str:
        return f"calendar_refresh:{slot_start(self.due_at, self.every):%Y-%m-%dT%H:%M:%S}"


Timer = WaveDue | ExpireDue | SessionWarningDue | SessionEndDue | FollowupDue | DirectorySyncDue | CalendarRefreshDue


# --- owed messages --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """What the step that owed a message had in hand at its commit; an owed message run from its row reads it."""

    request: HelpRequest
    pings: tuple[Ping, ...] = ()


@dataclass(frozen=True)
class SendPings(TimedKind):
    """A wave's pings (`reasons` by ping id), then the requester's "searching" note (unless `quiet`)."""

    KIND: ClassVar[str] = "send_pings"
    request_id: int
    pings: tuple[int, ...]
    reasons: Mapping[str, str]
    wave: int = 0
    quiet: bool = False
    handed_off_by: int | None = None  # the ping whose mentor named this one ("not me, try ..."), if so
    known: Known | None = field(default=None, compare=False, repr=False, metadata=NOT_STORED)

    @property
    def key(self) -> str:
        if self.handed_off_by is not None:
            return f"send_pings:{self.request_id}:handoff:{self.handed_off_by}"
        return f"send_pings:{self.request_id}:{self.wave}"


@dataclass(frozen=True)
class TellMatch(TimedKind):
    """The pair's session cards, then the request's other pings rewritten."""

    KIND: ClassVar[str] = "tell_match"
    KEY: ClassVar[tuple[str, ...]] = ("session_id",)
    request_id: int
    session_id: int
    pings: tuple[int, ...]


@dataclass(frozen=True)
class TellClosed(TimedKind):
    """The status edited (`told`: no_skill, nobody_free, expired, cancelled; "" for nothing), pings rewritten."""

    KIND: ClassVar[str] = "tell_closed"
    KEY: ClassVar[tuple[str, ...]] = ("request_id",)
    request_id: int
    told: str
    pings: tuple[int, ...] = ()
    asked: int = 0


@dataclass(frozen=True)
class RewritePings(TimedKind):
    """An answered ping (declined, snoozed) rewritten without its buttons."""

    KIND: ClassVar[str] = "rewrite_pings"
    request_id: int
    pings: tuple[int, ...]  # the one answered ping

    @property
    def key(self) -> str:
        return f"rewrite_pings:{self.pings[0]}"


@dataclass(frozen=True)
class AskWhich(TimedKind):
    """The requester asked which of a few skills they meant ("did you mean ...?")."""

    KIND: ClassVar[str] = "ask_which"
    KEY: ClassVar[tuple[str, ...]] = ("request_id",)
    request_id: int
    known: Known | None = field(default=None, compare=False, repr=False, metadata=NOT_STORED)


@dataclass(frozen=True)
class TellBusy(TimedKind):
    """Everyone who knows it is busy (`summary` says how): the requester hears when Burst tries again, if it does."""

    KIND: ClassVar[str] = "tell_busy"
    KEY: ClassVar[tuple[str, ...]] = ("request_id", "wave")
    request_id: int
    busy: int
    summary: str
    wave: int = 0
    retry_at: datetime | None = None


RequestOwed = SendPings | TellMatch | TellClosed | RewritePings | AskWhich | TellBusy


@dataclass(frozen=True)
class TellSession(TimedKind):
    """A session's warning, extension or end told to both people (`what`: warning, extended, ended, closed)."""

    KIND: ClassVar[str] = "tell_session"
    KEY: ClassVar[tuple[str, ...]] = ("session_id", "what", "extensions")
    request_id: int
    session_id: int
    what: str
    extensions: int = 0


@dataclass(frozen=True)
class TellFollowup(TimedKind):
    """The `index`-th follow-up, and the mentor's thanks (`thank`: sessions they have given) with the first."""

    KIND: ClassVar[str] = "tell_followup"
    KEY: ClassVar[tuple[str, ...]] = ("session_id", "index")
    request_id: int
    session_id: int
    index: int = 0
    thank: int | None = None


Owed = RequestOwed | TellSession | TellFollowup
Action = Timer | Owed
KINDS: tuple[type[TimedKind], ...] = tuple(typing.get_args(Action))


# --- a payload as a row and back -------------------------------------------------------------------------------

K = TypeVar("K", bound=TimedKind)
M = TypeVar("M", bound=TimedKind, covariant=True)


@dataclass(frozen=True)
class Owing(Generic[M]):
    """An owed message recorded in a step's commit, held by this process until it is sent (bot.runtime.ports.Outbox)."""

    row: TimedAction
    message: M


@dataclass(frozen=True)
class Row:
    """A payload as `timed_actions` stores it (the due time aside)."""

    kind: str
    key: str
    request_id: int | None
    session_id: int | None
    data: dict[str, object]


def stored(action: TimedKind) -> Row:
    data = {f.name: _to_json(getattr(action, f.name)) for f in _stored_fields(type(action)) if f.name not in COLUMNS}
    return Row(
        action.KIND,
        action.key,
        getattr(action, "request_id", None),
        getattr(action, "session_id", None),
        data,
    )


def loaded(kind: type[K], row: TimedAction) -> K:
    """The payload of `row`, which must be of `kind`; a JSON field the row lacks takes the field's default."""
    if row.kind != kind.KIND:
        raise ValueError(f"a {row.kind!r} row is not a {kind.__name__}")
    hints = _hints(kind)
    values: dict[str, Any] = {}
    for f in _stored_fields(kind):
        raw = getattr(row, f.name) if f.name in COLUMNS else row.data.get(f.name)
        if raw is None and (f.default is not MISSING or f.default_factory is not MISSING):
            continue
        values[f.name] = _from_json(hints[f.name], raw, f"{kind.__name__}.{f.name}")
    return kind(**values)


async def schedule(uow: UnitOfWork, timer: TimedKind, due_at: datetime) -> None:
    """Add `timer`, due at `due_at`, in `uow`; scheduling its key again keeps the first (a redelivery is harmless)."""
    row = stored(timer)
    await uow.timers.schedule(
        row.key, row.kind, due_at, request_id=row.request_id, session_id=row.session_id, data=row.data
    )


async def reschedule(uow: UnitOfWork, timer: TimedKind, due_at: datetime) -> bool:
    """Move `timer` if it is still pending (e.g. the next wave, now, when everyone declined)."""
    return await uow.timers.reschedule(timer.key, due_at)


async def cancel_for_request(uow: UnitOfWork, request_id: int, kinds: tuple[type[Timer], ...]) -> None:
    await uow.timers.cancel_for_request(request_id, tuple(k.KIND for k in kinds))


async def cancel_for_session(uow: UnitOfWork, session_id: int, kinds: tuple[type[Timer], ...]) -> None:
    await uow.timers.cancel_for_session(session_id, tuple(k.KIND for k in kinds))


# Per kind, read for every row a sweep loads: resolving the annotations took most of the time of loading one.
_HINTS: dict[type[TimedKind], dict[str, Any]] = {}
_STORED: dict[type[TimedKind], tuple[Any, ...]] = {}


def _hints(kind: type[TimedKind]) -> dict[str, Any]:
    if (found := _HINTS.get(kind)) is None:
        found = _HINTS[kind] = typing.get_type_hints(kind)
    return found


def _stored_fields(kind: type[TimedKind]) -> tuple[Any, ...]:
    if (found := _STORED.get(kind)) is None:
        found = _STORED[kind] = tuple(f for f in fields(kind) if f.metadata.get("stored", True))
    return found


def _to_json(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _to_json(v) for k, v in value.items()}
    return value


def _from_json(hint: Any, raw: Any, name: str) -> Any:
    """`raw` (a JSON value, or a column's) as the field's type: the few types payloads use."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        if raw is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _from_json(inner, raw, name)
    if raw is None:
        raise ValueError(f"{name}: missing")
    if hint is datetime:
        at = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
        return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    if hint is timedelta:
        return timedelta(seconds=float(raw))
    if origin is tuple and args[1:] == (Ellipsis,):
        return tuple(_from_json(args[0], v, name) for v in raw)
    if origin is Mapping:
        return {_from_json(args[0], k, name): _from_json(args[1], v, name) for k, v in dict(raw).items()}
    if hint in (int, str, bool):
        return hint(raw)
    raise TypeError(f"{name}: payloads hold no {hint!r}")
