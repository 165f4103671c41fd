"""The digest names a topic only when at least BURST_DIGEST_MIN_ASKERS distinct people asked it, and no sequence of
asks, cancels, expiries and delete-my-data by fewer people gets it named (before erasure counted, one person asking,
deleting their data and asking again looked like several people). Hypothesis drives the real services on a real
database, on both engines; the database is emptied before each example.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.service.conftest import World
from tests.support.ask_scripts import Step, empty, named_topics, play, steps


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=steps(people=2), min_askers=st.integers(3, 4))
async def test_fewer_people_than_the_threshold_never_get_a_topic_named(
    world: World, script: list[Step], min_askers: int
) -> None:
    await empty(world)
    await play(world, script)
    assert await named_topics(world, min_askers) == []


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=steps(people=3))
async def test_enough_people_still_get_their_topic_named(world: World, script: list[Step]) -> None:
    """The control: whatever else happened first, three people still here who asked about kafka name it."""
    await empty(world)
    await play(world, script)
    await play(world, [Step("cancel", p) for p in range(3)] + [Step("ask", p, 0) for p in range(3)])
    assert "kafka" in await named_topics(world, 3)
