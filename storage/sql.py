"""Two small typed helpers the repositories share."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched: how a conditional update tells who won a race."""
    return int(cast(CursorResult[Any], result).rowcount)


def dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name
