"""Stored free text keeps no invisible characters: control and format characters (Unicode categories Cc and Cf,
such as NUL, U+202E RIGHT-TO-LEFT OVERRIDE or a zero-width space) are dropped, newlines and tabs kept.

A reversed or hidden run of text in a topic would otherwise reach every mentor pinged with it looking like something
else. `install` makes every ORM insert and update clean every text column, read off the mapping, so a column added
later is covered; `printable` is for text copied elsewhere first (an event's data).
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from sqlalchemy import String, TypeDecorator, event
from sqlalchemy.orm import Mapper
from sqlmodel import SQLModel

__all__ = ["install", "printable"]

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


def install() -> None:
    """Clean text columns on every ORM insert and update of every table model (idempotent)."""
    for name in ("before_insert", "before_update"):
        if not event.contains(SQLModel, name, _clean):
            event.listen(SQLModel, name, _clean, propagate=True)
