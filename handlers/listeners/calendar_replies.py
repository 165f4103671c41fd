"""`/burst calendar <address>`, `/burst calendar off` and `/burst calendar`: the replies, in words."""

from __future__ import annotations

from bot.domain.calendar_feed import CalendarError
from bot.services.calendar_fetch import CalendarAddressError
from bot.services.container import Services
from handlers.parsing import command_parser as cp
from handlers.views.blocks import escape, local_time
from handlers.views.replies import calendar_line


async def connect(cmd: cp.ConnectCalendar, user: str, services: Services) -> str:
    try:
        connected = await services.calendars.connect(user, cmd.address)
    except (CalendarAddressError, CalendarError) as exc:
        return f":warning: {escape(str(exc))}"
    first = (
        f" The next: {local_time(connected.next_busy[0])} to {local_time(connected.next_busy[1])}."
        if connected.next_busy
        else ""
    )
    return (
        f":spiral_calendar_pad: Calendar connected ({escape(connected.hint)}): {connected.busy} busy time(s) in the "
        f"next two days.{first} Burst won't ping you while you're busy, and keeps only when, never what. "
        "`/burst calendar off` forgets it."
    )


async def disconnect(_: cp.DisconnectCalendar, user: str, services: Services) -> str:
    if await services.calendars.disconnect(user):
        return "Calendar forgotten: its address and busy times are deleted."
    return "You have no calendar connected."


async def show(_: cp.ShowCalendar, user: str, services: Services) -> str:
    return calendar_line(await services.calendars.state(user))
