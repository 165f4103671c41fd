"""Mentor profiles: skills with levels, availability, working hours, weekly cap, snooze."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain import event_kinds as ev
from bot.domain.availability import WorkingHours
from bot.domain.evidence import clean_about
from bot.domain.skills import MAX_SKILLS, validate_skill
from bot.runtime.ports import Directory
from storage.database import Database
from storage.models import Member, MemberSkill, SkillLevel, utcnow

PROFILE_REFRESH = timedelta(hours=24)  # how stale a cached time zone may get before users.info is asked again


@dataclass(frozen=True)
class SkillChange:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # one friendly line per bad name


@dataclass(frozen=True)
class Profile:
    member: Member
    skills: list[MemberSkill]
    about: str = ""  # what they can help with, in their own words


class ProfileService:
    def __init__(self, db: Database, directory: Directory) -> None:
        self.db = db
        self.directory = directory

    async def refresh(self, user_id: str, *, force: bool = False) -> Member:
        """Make sure we know the person, and their current Slack time zone (kept at most a day old)."""
        now = utcnow()
        async with self.db.uow() as uow:
            member = await uow.members.get(user_id)
            fresh = (
                member is not None and member.profile_checked_at and now - member.profile_checked_at < PROFILE_REFRESH
            )
            if fresh and not force:
                assert member is not None
                return member
        profile = await self.directory.profile(user_id)
        async with self.db.uow() as uow:
            member = await uow.members.get_or_create(user_id)
            if profile is not None:
                member.tz, member.display_name = profile.tz, profile.name
                member.profile_checked_at = now
            await uow.commit()
            return member

    async def profile(self, user_id: str) -> Profile:
        await self.refresh(user_id)
        async with self.db.uow(readonly=True) as uow:
            member = await uow.members.get(user_id)
            assert member is not None
            return Profile(member, await uow.members.skills_of(user_id), await uow.evidence.about_of(user_id))

    async def add_skills(self, user_id: str, skills: Sequence[tuple[str, SkillLevel]]) -> SkillChange:
        await self.refresh(user_id)
        change = SkillChange()
        async with self.db.uow() as uow:
            listed = {s.skill for s in await uow.members.skills_of(user_id)}
            wanted = _validated(skills, change, listed=listed)
            for name, level in wanted.items():
                new = await uow.members.set_skill(user_id, name, level)
                (change.added if new else change.updated).append(f"{name}:{level}")
            if change.added or change.updated:
                uow.events.append(ev.SKILLS_ADDED, actor_id=user_id, added=change.added, updated=change.updated)
            await uow.commit()
        return change

    async def remove_skill(self, user_id: str, raw: str) -> str | None:
        """Returns the canonical name removed, or None when the person did not have it."""
        try:
            name = validate_skill(raw)
        except ValueError:
            return None
        async with self.db.uow() as uow:
            removed = await uow.members.remove_skill(user_id, name)
            if removed:
                uow.events.append(ev.SKILL_REMOVED, actor_id=user_id, skill=name)
            await uow.commit()
        return name if removed else None

    async def replace_profile(
        self,
        user_id: str,
        *,
        skills: Sequence[tuple[str, SkillLevel]],
        hours: WorkingHours | None,
        cap: int | None,
        thanks_opt_in: bool,
        about: str | None = None,
    ) -> SkillChange:
        """The App Home form: the whole profile at once, in one transaction (skills not listed are removed; `about`
        None leaves the about text as it is)."""
        await self.refresh(user_id)
        change = SkillChange()
        async with self.db.uow() as uow:
            member = await uow.members.get_or_create(user_id)
            wanted = _validated(skills, change, listed=())
            for existing in await uow.members.skills_of(user_id):
                if existing.skill not in wanted:
                    await uow.members.remove_skill(user_id, existing.skill)
            for name, level in wanted.items():
                new = await uow.members.set_skill(user_id, name, level)
                (change.added if new else change.updated).append(f"{name}:{level}")
            member.hours_start = hours.start.strftime("%H:%M") if hours else None
            member.hours_end = hours.end.strftime("%H:%M") if hours else None
            member.weekly_cap, member.thanks_opt_in = cap, thanks_opt_in
            if about is not None and about != await uow.evidence.about_of(user_id):
                await uow.evidence.set_about(user_id, clean_about(about))
            uow.events.append(ev.SKILLS_ADDED, actor_id=user_id, added=change.added, updated=change.updated)
            await uow.commit()
        return change

    async def set_about(self, user_id: str, text: str) -> str:
        """Set what the person can help with in their own words ("" clears it); returns the text as stored.

        Raises ValueError with a message fit to show the person when the text is too long.
        """
        about = clean_about(text)
        await self.refresh(user_id)
        async with self.db.uow() as uow:
            await uow.members.get_or_create(user_id)
            await uow.evidence.set_about(user_id, about)
            uow.events.append(ev.ABOUT_SET, actor_id=user_id, length=len(about))
            await uow.commit()
        return about

    async def set_away(self, user_id: str, until: datetime | None) -> Member:
        async with self.db.uow() as uow:
            member = await uow.members.get_or_create(user_id)
            member.away, member.away_until = True, until
            await uow.commit()
            return member

    async def set_available(self, user_id: str) -> Member:
        async with self.db.uow() as uow:
            member = await uow.members.get_or_create(user_id)
            member.away, member.away_until, member.snoozed_until = False, None, None
            await uow.commit()
            return member

    async def set_hours(self, user_id: str, hours: WorkingHours | None) -> Member:
        await self.refresh(user_id)
        async with self.db.uow() as uow:
            member = await uow.members.get_or_create(user_id)
            member.hours_start = hours.start.strftime("%H:%M") if hours else None
            member.hours_end = hours.end.strftime("%H:%M") if hours else None
            await uow.commit()
            return member

    async def set_cap(self, user_id: str, cap: int | None) -> Member:
        async with self.db.uow() as uow:
            member = await uow.members.get_or_create(user_id)
            member.weekly_cap = cap
            await uow.commit()
            return member

    async def snooze(self, user_id: str, duration: timedelta) -> Member:
        async with self.db.uow() as uow:
            member = await uow.members.get_or_create(user_id)
            member.snoozed_until = utcnow() + duration
            await uow.commit()
            return member


def _validated(
    skills: Sequence[tuple[str, SkillLevel]], change: SkillChange, *, listed: Collection[str]
) -> dict[str, SkillLevel]:
    """The canonical names asked for, with their levels (a name given twice keeps the last level given), at most
    MAX_SKILLS in all with those already `listed`; what is refused is said in `change.rejected`."""
    wanted: dict[str, SkillLevel] = {}
    for raw, level in skills:
        try:
            name = validate_skill(raw)
        except ValueError as exc:
            change.rejected.append(str(exc))
            continue
        if name not in wanted and name not in listed and len(wanted.keys() | listed) >= MAX_SKILLS:
            change.rejected.append(_too_many(name))
            continue
        wanted[name] = level
    return wanted


def _too_many(name: str) -> str:
    return f"`{name}` was skipped: you can list at most {MAX_SKILLS} skills (`/burst skills remove` one first)"
