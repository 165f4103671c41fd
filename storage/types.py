"""What the columns hold, and the small typed helpers around them.

Column types shared by the tables: UTC datetimes (`UtcDateTime`, `utcnow`) and enums stored as text (`EnumText`).

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
from typing import Any, TypeVar, cast

from sqlalchemy import DateTime, String, event
from sqlalchemy.engine import CursorResult, Dialect, Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel


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
