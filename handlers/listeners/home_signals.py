"""The App Home's "What Burst sees": the signals it reads about you now, and your calendar (connect, disconnect)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.calendar_fetch import CalendarAddressError, calendar_address
from bot.services.container import Services
from handlers.listeners.calendar_replies import connect
from handlers.parsing.command_parser import ConnectCalendar
from handlers.slack.gateway import SlackGateway
from handlers.slack.listening import Listeners
from handlers.views import blocks as b
from handlers.views.replies import calendar_line, slack_lines
from storage.models import utcnow

HOME_CALENDAR = "home_calendar_connect"
HOME_CALENDAR_OFF = "home_calendar_disconnect"
CALENDAR_MODAL = "calendar_modal"
URL_BLOCK = "calendar_url"

Publish = Callable[[AsyncWebClient, str], Awaitable[None]]


async def blocks(services: Services, user: str) -> list[Block]:
    now = utcnow()
    switches = services.settings.signal_switches
    readings = None
    if services.signals is not None and switches.any:
        readings = (await services.signals.read([user], now)).get(user)
    calendar = await services.calendars.state(user)
    button = (
        b.button("Disconnect calendar", HOME_CALENDAR_OFF, "off")
        if calendar is not None
        else b.button("Connect calendar", HOME_CALENDAR, "connect")
    )
    return [
        b.divider(),
        b.header("What Burst sees right now"),
        b.section("\n".join([*slack_lines(readings, switches, now), calendar_line(calendar)])),
        b.actions(button),
    ]


def calendar_modal() -> b.Json:
    return b.modal(
        CALENDAR_MODAL,
        "Connect your calendar",
        [
            b.field(
                URL_BLOCK,
                "Secret address in iCal format",
                b.text_input(URL_BLOCK),
                hint="Google Calendar: Settings > your calendar > Integrate calendar. Outlook: Settings > "
                "Calendar > Shared calendars > Publish. Burst keeps only when you're busy, never what.",
            )
        ],
        submit="Connect",
    )


def _address(view: dict[str, Any]) -> str:
    values = view.get("state", {}).get("values", {})
    return str(values.get(URL_BLOCK, {}).get(URL_BLOCK, {}).get("value") or "").strip()


def register(app: AsyncApp, services: Services, gateway: SlackGateway, publish: Publish) -> None:
    listen = Listeners.of(app, services)

    def address_errors(view: dict[str, Any]) -> dict[str, str]:
        """What can be told at once goes next to the field; reading the calendar takes longer than an ack."""
        try:
            calendar_address(_address(view), allow_local=services.settings.burst_calendar_allow_local)
        except CalendarAddressError as exc:
            return {URL_BLOCK: str(exc)}
        return {}

    @listen.action(HOME_CALENDAR, opens_view=True)
    async def open_form(body: dict[str, Any]) -> None:
        await gateway.open_view(body["trigger_id"], calendar_modal(), body["user"]["id"])

    @listen.action(HOME_CALENDAR_OFF)
    async def disconnect(body: dict[str, Any], client: AsyncWebClient) -> None:
        await services.calendars.disconnect(body["user"]["id"])
        await publish(client, body["user"]["id"])

    @listen.view(CALENDAR_MODAL, check=address_errors)
    async def save(body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        user = body["user"]["id"]
        await gateway.dm(user, await connect(ConnectCalendar(_address(view)), user, services))
        await publish(client, user)
