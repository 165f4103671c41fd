"""The digest chart renders headless, and in worker threads at once (the gateway draws it off the event loop)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.digest import Digest, WeekStats
from bot.digest_chart import render_chart

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def digest(period: str) -> Digest:
    end = datetime(2026, 11, 23, 9, tzinfo=UTC)
    return Digest(
        period=period,
        start=end - timedelta(days=7),
        end=end,
        this=WeekStats(requests=12, matched=9, unmet=3, sessions=9),
        last=WeekStats(requests=8, matched=7, unmet=1, sessions=7),
    )


def test_the_chart_is_a_png() -> None:
    png = render_chart(digest("2026-W47"))
    assert png.startswith(PNG_MAGIC)
    assert 2_000 < len(png) < 200_000


async def test_charts_render_in_parallel_threads() -> None:
    pngs = await asyncio.gather(*(asyncio.to_thread(render_chart, digest(f"2026-W{w}")) for w in range(40, 46)))
    assert all(p.startswith(PNG_MAGIC) for p in pngs)
    assert len(set(pngs)) == len(pngs)  # each titled with its own week: no figure state shared between threads
