"""What a person is told about their own affairs, in words, by `/burst` replies and the App Home.

Their requests: the answer once they asked, whichever surface they used, and how `/burst status` reads (also the App
Home's status section). Their profile: the skills and availability lines `/burst skills`, `/burst status` and the App
Home share. What Burst currently reads about them: their calendar and Slack's signals, for the App Home's "What Burst
sees" and `/burst calendar`.
"""

from __future__ import annotations

import math
from datetime import datetime

from bot.domain.availability import Readings, SignalSwitches, dnd_busy, presence_busy, status_busy
from bot.services.asking import AskOutcome
from bot.services.calendars import CalendarState
from bot.services.overview import Overview
from bot.services.profiles import Profile
from handlers.views.blocks import escape, local_time, mention, plural
from storage.models import HelpRequest, RequestState, utcnow

POINTS_TO_DM = ("command", "mention")
"""Surfaces away from the DM with Burst, where the status message lives: there the reply says where to look."""


def ask_reply(outcome: AskOutcome) -> str | None:
    """The answer to an ask on the surface it came from, sent once its request is stored and never before: a process
    killed in between must not leave a promise with no request behind it (the person, hearing nothing, asks again).

    How the search goes is the one status message in the DM with Burst (bot.runtime.ports.Notifier.searching), so a DM,
    the form or a button gets no other reply; a command or a mention in a channel is told to look there. None for a
    duplicate delivery, whose original was answered."""
    topic = escape(outcome.request.topic)
    if outcome.status == "already_open":
        return (
            f"You already have an open request about *{topic}*. `/burst cancel` it first to ask about something else."
        )
    if outcome.status == "repeat" and outcome.retry_at is not None:  # answered on every surface: nothing else is
        return repeat_reply(outcome.request, outcome.retry_at)
    if outcome.status == "vague":  # nothing stored: answered wherever they asked
        return (
            "What do you need help with? Name the tool, task or problem, for example "
            '`/burst help pivot tables in excel` or "help me with a flaky pytest fixture".'
        )
    if outcome.status == "limited" and outcome.retry_at is not None:
        return limited_reply(outcome.retry_at)
    if outcome.status == "duplicate" or outcome.request.source not in POINTS_TO_DM:
        return None
    return f":mag: Got it: *{topic}*. I'll keep you posted in our DM."


def limited_reply(retry_at: datetime, now: datetime | None = None) -> str:
    """Plain words on when they can ask again: minutes from now, and the time in their own zone (Slack's date token
    shows it in the reader's time zone; the fallback is UTC)."""
    minutes = max(1, math.ceil(((retry_at - (now or utcnow())).total_seconds()) / 60))
    when = local_time(retry_at)
    return (
        f":hourglass: You've asked for help a lot in the last hour, so I'm pausing new requests from you for a "
        f"little while. You can ask again in {minutes} minute{'s' if minutes != 1 else ''} (at {when})."
    )


def repeat_reply(earlier: HelpRequest, retry_at: datetime) -> str:
    """The same question again moments after it closed: what became of it, and when asking again searches anew."""
    topic = escape(earlier.topic)
    if earlier.state == RequestState.MATCHED and earlier.mentor_id:
        return f"You just asked about *{topic}*, and {mention(earlier.mentor_id)} took it: your session is in our DM."
    when = local_time(retry_at)
    if not earlier.skills:  # closed as unmet demand: asking again in the same words would find nobody either
        what = "nobody here lists that yet, so I noted it for the weekly digest"
    elif earlier.wave == 0:  # closed asking which skill they meant, before any search
        what = "it closed before you picked what you meant"
    else:
        what = "nobody was free to take it"
    return (
        f"You just asked about *{topic}*: {what}. Add a detail or name the tool to search again now, "
        f"or ask in the same words from {when}."
    )


STATE_WORDS = {
    RequestState.OPEN: "looking for someone",
    RequestState.MATCHED: "matched",
    RequestState.EXPIRED: "nobody was free",
    RequestState.CANCELLED: "cancelled",
}


def status_text(view: Overview, user_id: str) -> str:
    lines: list[str] = []
    for r in view.open_requests:
        lines.append(f":mag: Open request: *{escape(r.topic)}* (round {max(r.wave, 1)}). `/burst cancel` stops it.")
    for s in view.active_sessions:
        other = s.mentor_id if s.requester_id == user_id else s.requester_id
        lines.append(
            f":zap: In a session with {mention(other)} until <!date^{int(s.ends_at.timestamp())}^{{time}}|soon>."
        )
    if not lines:
        lines.append("You have no open request and no session running.")
    if view.recent:
        lines.append("*Recent bursts*")
        for r in view.recent:
            role = "you asked" if r.requester_id == user_id else f"you helped {mention(r.requester_id)}"
            lines.append(f"• {escape(r.topic)}: {STATE_WORDS.get(r.state, r.state)} ({role})")
    return "\n".join(lines)


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


def calendar_line(state: CalendarState | None) -> str:
    if state is None:
        return (
            ":spiral_calendar_pad: No calendar connected. `/burst calendar <secret iCal address>` keeps pings out "
            "of your meetings (Burst stores only when you're busy, never what)."
        )
    read = f", last read {local_time(state.fetched_at)}" if state.fetched_at else ""
    line = f":spiral_calendar_pad: Calendar connected ({escape(state.hint)}{read})"
    if state.failure:
        line += f"; the last read failed: {escape(state.failure)}"
    if state.busy_until:
        return line + f". You're busy in your calendar until {local_time(state.busy_until)}."
    if state.next_busy:
        return line + f". Free now; busy from {local_time(state.next_busy)}."
    return line + ". Free for the next two days."


def slack_lines(readings: Readings | None, switches: SignalSwitches, now: datetime) -> list[str]:
    """One line per signal that says busy; a note when none does."""
    lines: list[str] = []
    if readings is not None:
        if switches.dnd and readings.dnd is not None and (busy := dnd_busy(readings.dnd, now)):
            lines.append(":no_bell: Do Not Disturb" + (f" until {local_time(busy.until)}" if busy.until else ""))
        if switches.status and readings.status is not None and (busy := status_busy(readings.status, now)):
            status = escape(f"{readings.status.emoji} {readings.status.text}".strip())
            until = f" until {local_time(busy.until)}" if busy.until else ""
            lines.append(f":speech_balloon: Your status ({status}) reads as busy{until}")
        if switches.presence and presence_busy(readings.presence):
            lines.append(":new_moon: Slack shows you as away")
    if lines:
        return [*lines, "Burst won't ping you while these last."]
    return ["Nothing in Slack says you're busy (Do Not Disturb, status, presence)."]
