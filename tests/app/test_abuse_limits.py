"""Abuse limits through the real Bolt app: a person asking and cancelling in a loop reaches each mentor at most three
times, and once they hit the cap on requests they are told, in plain words, when they can ask again."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlmodel import col

from storage.models import HelpRequest, Ping
from tests.app.flows import add_mentor, ok, person
from tests.support.in_process import InProcessBurst


async def test_fifteen_ask_cancel_cycles_reach_a_mentor_at_most_three_times(burst: InProcessBurst) -> None:
    requester = person("asker")
    mentors = [person("mentor") for _ in range(5)]
    for mentor in mentors:
        await add_mentor(burst, mentor, "kafka:expert")
    replies = []
    for n in range(15):
        # Rephrased each time, the same skill: the same words again this soon would be told what became of them.
        topic = f"{['kafka', 'kafka streams', 'kafka consumer lag'][n % 3]}, take {n + 1}"
        asked = ok(await burst.deliver(burst.command(requester, f"help {topic}")))
        replies += [c.args.get("text", "") for c in asked.calls if c.method == "response_url"]
        ok(await burst.deliver(burst.command(requester, "cancel")))
    async with burst.services.db.uow(readonly=True) as uow:
        per_mentor = dict(
            (
                await uow.db_session.execute(select(col(Ping.mentor_id), func.count()).group_by(col(Ping.mentor_id)))
            ).all()
        )
        stored = await uow.db_session.scalar(select(func.count()).select_from(HelpRequest))
    assert per_mentor, "nobody was pinged at all"
    assert max(per_mentor.values()) <= 3, per_mentor
    assert stored == 10  # BURST_MAX_REQUESTS_PER_HOUR's default: the other five were refused
    refusals = [r for r in replies if "ask again" in r]
    assert len(refusals) == 5
    assert re.search(r"You can ask again in (60|59) minutes \(at <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>\)", refusals[0])
