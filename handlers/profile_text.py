"""How a profile and a person's requests read in Slack (shared by `/burst skills`, `/burst status` and App Home)."""

from __future__ import annotations

from datetime import datetime

from bot.profiles import Profile
from handlers.mrkdwn import escape, local_time
from storage.types import utcnow


def skills_line(profile: Profile) -> str:
    if not profile.skills:
        return "You have no skills listed yet. Add some: `/burst skills add python, postgres:expert`"
    listed = ", ".join(f"*{escape(s.skill)}* ({s.level})" for s in profile.skills)
    return f"Your skills: {listed}"


def availability_line(profile: Profile, now: datetime | None = None) -> str:
    m = profile.member
    now = now or utcnow()
    parts: list[str] = []
    if m.away and (m.away_until is None or m.away_until > now):
        parts.append("away" + (f" until {local_time(m.away_until, with_date=True)}" if m.away_until else ""))
    elif m.snoozed_until and m.snoozed_until > now:
        parts.append(f"snoozed until {local_time(m.snoozed_until)}")
    else:
        parts.append("available")
    if m.hours_start and m.hours_end:
        parts.append(f"working hours {m.hours_start}-{m.hours_end} ({escape(m.tz)})")
    else:
        parts.append("no working hours set, so you may be pinged at any time")
    parts.append(f"weekly cap {m.weekly_cap}" if m.weekly_cap is not None else "no weekly cap")
    return "You are " + "; ".join(parts) + "."
