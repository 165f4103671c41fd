"""Scripts of asks, cancels, expiries and delete-my-data played against the real services, and the topics the
digest then names: the k-anonymity test (tests/service/test_k_anonymity.py) and `python -m benchmarks trust`."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from sqlalchemy import delete
from sqlmodel import SQLModel

from bot.services.asking import Ask
from bot.services.digest import DigestConfig, DigestService
from bot.services.privacy import PrivacyService
from storage.models import SkillLevel, utcnow
from tests.service.conftest import World
from tests.support.fakes import RecordingSlack

TOPICS = ("kafka", "kafka streams", "zebra farming")  # two matched to the same skill, one nobody knows
MENTORS = ("U0MENTOR1", "U0MENTOR2")
_keys = itertools.count()


@dataclass(frozen=True)
class Step:
    action: str  # ask | cancel | expire | forget
    person: int
    topic: int = 0


def steps(people: int) -> st.SearchStrategy[list[Step]]:
    one = st.one_of(
        st.builds(Step, st.just("ask"), st.integers(0, people - 1), st.integers(0, len(TOPICS) - 1)),
        st.builds(Step, st.sampled_from(["cancel", "expire", "forget"]), st.integers(0, people - 1)),
    )
    return st.lists(one, min_size=1, max_size=14)


async def empty(world: World) -> None:
    async with world.db.uow() as uow:
        for table in reversed(SQLModel.metadata.sorted_tables):
            await uow.db_session.execute(delete(table))
        await uow.commit()
    for mentor in MENTORS:
        await world.profiles.add_skills(mentor, [("kafka", SkillLevel.EXPERT)])


async def play(world: World, script: list[Step]) -> None:
    privacy = PrivacyService(world.db, world.answers, world.sessions)
    for step in script:
        person = f"U0ASKER{step.person}"
        if step.action == "ask":
            await world.requests.ask(
                Ask(requester_id=person, topic=TOPICS[step.topic], source="dm", dedup_key=f"k{next(_keys)}")
            )
        elif step.action == "cancel":
            await world.requests.cancel(person)
        elif step.action == "forget":
            await privacy.forget(person)
        else:
            async with world.db.uow(readonly=True) as uow:
                open_ = await uow.requests.open_for(person)
            for request in open_:
                await world.requests.expire(request.id or 0)


async def named_topics(world: World, min_askers: int) -> list[str]:
    config = DigestConfig(channel=None, cron="0 9 * * mon", zone=ZoneInfo("UTC"), min_askers=min_askers)
    this = (await DigestService(world.db, RecordingSlack(), config, "w").build(utcnow())).this
    return [topic for topic, _ in this.top_topics + this.unmet_topics]
