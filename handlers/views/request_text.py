"""What a person is told about their requests, in words: the answer once they asked, whichever surface they used,
and how `/burst status` reads (also the App Home's status section)."""

from __future__ import annotations

import math
from datetime import datetime

from bot.services.asking import AskOutcome
from bot.services.overview import Overview
from handlers.slack.mrkdwn import escape, mention
from storage.models import RequestState, utcnow

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
    when = f"<!date^{int(retry_at.timestamp())}^{{time}}|{retry_at:%H:%M} UTC>"
    return (
        f":hourglass: You've asked for help a lot in the last hour, so I'm pausing new requests from you for a "
        f"little while. You can ask again in {minutes} minute{'s' if minutes != 1 else ''} (at {when})."
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
