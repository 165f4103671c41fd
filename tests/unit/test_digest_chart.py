"""The digest chart renders headless, and in worker threads at once (the gateway draws it off the event loop)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.services.digest import Digest, WeekStats
from bot.services.digest_chart import render_chart

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def digest(period: str, weeks_back: int = 0) -> Digest:
    end = datetime(2026, 11, 23, 9, tzinfo=UTC) - timedelta(weeks=weeks_back)
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
    weeks = [digest(f"2026-W{47 - back}", back) for back in range(6)]
    pngs = await asyncio.gather(*(asyncio.to_thread(render_chart, week) for week in weeks))
    assert all(p.startswith(PNG_MAGIC) for p in pngs)
    assert len(set(pngs)) == len(pngs)  # each titled with its own week: no figure state shared between threads


def test_the_digest_reads_like_a_summary_with_a_headline_and_the_week_named_as_people_do() -> None:
    from handlers.views.digest_blocks import digest_markdown, digest_text

    week = digest("2026-W47")
    assert week.week_of == "week of 16 Nov"
    text = digest_text(week)
    assert "12 requests for help, 9 matched (75%). 3 found nobody." in text
    assert "W47" not in digest_markdown(week)
    assert "3 other unmet requests on rarer topics" in digest_markdown(
        Digest(week.period, week.start, week.end, WeekStats(requests=3, unmet=3, unmet_other=3), week.last)
    )
