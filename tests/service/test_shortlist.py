"""bot.services.shortlist.choose on a real database: the SQL page, the exact checks, and the next page when they thin
it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.hours import local_clocks
from bot.services.shortlist import PAGE, choose
from storage.database import Database
from storage.models import Member, SkillLevel, WantedLevel
from storage.types import utcnow


async def test_a_page_emptied_by_the_weekly_cap_is_followed_by_the_next(db: Database) -> None:
    async with db.uow() as uow:
        # The first page (by id, all alike otherwise) is at a cap of zero: only the exact check knows.
        for i in range(PAGE + 5):
            uow.db_session.add(Member(id=f"M{i:03}", weekly_cap=0 if i < PAGE else None))
        await uow.flush()
        for i in range(PAGE + 5):
            await uow.members.set_skill(f"M{i:03}", "python", SkillLevel.EXPERT)
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        chosen = await choose(
            uow,
            skill_scores={"python": 1.0},
            level=WantedLevel.ANY,
            requester_id="U0",
            request_id=1,
            now=utcnow(),
            want=3,
        )
    assert [c.member_id for c in chosen.chosen] == [f"M{PAGE + i:03}" for i in range(3)]


async def test_nobody_is_chosen_for_no_skill_or_no_want(db: Database) -> None:
    async with db.uow(readonly=True) as uow:
        none = await choose(
            uow, skill_scores={}, level=WantedLevel.ANY, requester_id="U0", request_id=1, now=utcnow(), want=3
        )
        zero = await choose(
            uow, skill_scores={"go": 1.0}, level=WantedLevel.ANY, requester_id="U0", request_id=1, now=utcnow(), want=0
        )
    assert none.chosen == zero.chosen == []


def test_local_clocks_follow_daylight_saving_and_read_unknown_zones_as_utc() -> None:
    winter = datetime(2026, 1, 15, 12, 0, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 12, 0, 30, tzinfo=UTC)
    zones = ["Europe/Berlin", "Asia/Kolkata", "Not/AZone", ""]
    assert local_clocks(zones, winter) == {
        "Europe/Berlin": "13:00",
        "Asia/Kolkata": "17:30",
        "Not/AZone": "12:00",
        "": "12:00",
    }
    assert local_clocks(["Europe/Berlin"], summer) == {"Europe/Berlin": "14:00"}
