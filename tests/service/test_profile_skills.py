"""Skills given through `/burst add-skill` and through the App Home form are read by one rule."""

from __future__ import annotations

from bot.domain.skills import MAX_SKILLS
from storage.models import SkillLevel
from tests.service.conftest import World

EXPERT, PEER = SkillLevel.EXPERT, SkillLevel.PEER


async def levels(world: World, user: str) -> dict[str, SkillLevel]:
    async with world.db.uow(readonly=True) as uow:
        return {s.skill: s.level for s in await uow.members.skills_of(user)}


async def test_a_skill_given_twice_keeps_the_last_level_on_both_surfaces(world: World) -> None:
    await world.profiles.add_skills("UA", [("python", EXPERT), ("Python", PEER)])
    await world.profiles.replace_profile(
        "UB", skills=[("python", PEER), ("python", EXPERT)], hours=None, cap=None, thanks_opt_in=False
    )
    assert await levels(world, "UA") == {"python": PEER}
    assert await levels(world, "UB") == {"python": EXPERT}


async def test_the_cap_counts_skills_already_listed_when_adding_but_not_when_replacing(world: World) -> None:
    names = [f"skill{i}" for i in range(MAX_SKILLS)]
    await world.profiles.add_skills("UA", [(n, PEER) for n in names])
    change = await world.profiles.add_skills("UA", [("one more", PEER), (names[0], EXPERT)])
    assert len(change.rejected) == 1
    assert "one more" in change.rejected[0]
    assert change.updated == [f"{names[0]}:expert"]

    replaced = await world.profiles.replace_profile(
        "UA", skills=[("one more", PEER), *((n, PEER) for n in names[1:])], hours=None, cap=None, thanks_opt_in=False
    )
    assert replaced.rejected == []
    assert set(await levels(world, "UA")) == {"one more", *names[1:]}
