"""Every ping's message is rewritten once it is answered or moot, even when that happens while it is still being sent.

Through a slow or failing Slack, a wave's DMs go out one by one over seconds: the first mentor can accept before the
second one's DM has even arrived. Both messages must still end up saying what happened ("you accepted", "taken").
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.runtime.ports import MessageRef
from bot.services.asking import Ask
from storage.database import Database
from storage.models import HelpRequest, SkillLevel
from tests.service.conftest import make_world
from tests.support.fakes import RecordingSlack


@dataclass
class SlowSlack(RecordingSlack):
    """A ping to `slow` waits for `gate`, as a DM through a rate-limited Slack does."""

    slow: str = ""
    gate: asyncio.Event = field(default_factory=asyncio.Event)

    async def ping(self, mentor_id: str, request: HelpRequest, ping_id: int, reason: str) -> MessageRef | None:
        if mentor_id == self.slow:
            await self.gate.wait()
        return await super().ping(mentor_id, request, ping_id, reason)


async def test_a_ping_accepted_while_its_wave_is_still_being_sent_is_rewritten_and_so_is_the_late_one(
    db: Database,
) -> None:
    slack = SlowSlack(slow="U1")
    world = make_world(db, slack)
    for user in ("U1", "U2"):
        await world.profiles.add_skills(user, [("rust", SkillLevel.EXPERT)])
    asking = asyncio.create_task(world.requests.ask(Ask(requester_id="U0", topic="rust", source="command")))
    for _ in range(500):  # until U2's DM is out; U1's is still on its way
        if sent := [c["ping"] for c in slack.named("ping") if c["mentor"] == "U2"]:
            break
        await asyncio.sleep(0.01)
    [fast] = sent
    assert (await world.answers.accept(fast, "U2")).status == "accepted"
    slack.gate.set()
    await asking
    assert sorted((c["mentor"], c["outcome"]) for c in slack.named("ping_closed")) == [
        ("U1", "taken"),
        ("U2", "accepted"),
    ]
