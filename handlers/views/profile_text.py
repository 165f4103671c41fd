"""How a profile and a person's requests read in Slack (shared by `/burst skills`, `/burst status` and App Home)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.wording import plural
from bot.services.profiles import Profile
from handlers.slack.mrkdwn import escape, local_time
from storage.models import utcnow


def skills_line(profile: Profile) -> str:
    if not profile.skills:
        return "You have no skills listed yet. Add some: `/burst skills add python, postgres:expert`"
    listed = ", ".join(f"*{escape(s.skill)}* ({s.level})" for s in profile.skills)
    return f"Your skills: {listed}"


def availability_line(profile: Profile, now: datetime | None = None) -> str:
    """One sentence that never contradicts itself: "any time" is said only of someone who is available now."""
    m = profile.member
    now = now or utcnow()
    if m.away and (m.away_until is None or m.away_until > now):
        state = "You're away" + (f" until {local_time(m.away_until, with_date=True)}" if m.away_until else "")
    elif m.snoozed_until and m.snoozed_until > now:
        state = f"You're snoozed until {local_time(m.snoozed_until)}"
    else:
        state = "You're available"
    if m.hours_start and m.hours_end:
        hours = f"working hours {m.hours_start}-{m.hours_end} ({escape(m.tz)})"
    elif state == "You're available":
        hours = "no working hours set, so pings may come at any time"
    else:
        hours = "no working hours set"
    cap = f"at most {plural(m.weekly_cap, 'burst')} a week" if m.weekly_cap is not None else "no weekly cap"
    return f"{state}; {hours}; {cap}."
