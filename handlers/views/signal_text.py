"""What Burst currently reads about a person, in words: the App Home's "What Burst sees" and `/burst calendar`."""

from __future__ import annotations

from datetime import datetime

from bot.domain.availability import Readings, SignalSwitches, dnd_busy, presence_busy, status_busy
from bot.services.calendars import CalendarState
from handlers.views.blocks import escape, local_time


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
