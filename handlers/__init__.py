"""The Slack edge: one module per surface, each with a `register`. Listeners (registered through
handlers.slack.listening) parse, call a service, render."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.services.container import Services
    from handlers.slack.gateway import SlackGateway


def register_all(app: AsyncApp, services: Services, gateway: SlackGateway) -> None:
    # Imported here, not at the top: importing any piece of handlers runs this package first, and the listeners
    # bring every service with them, a second's load for a command line that only wants to say a count in words.
    from handlers.listeners import actions, commands, feedback, home, messages, modals
    from handlers.slack.listening import drop_nul_characters

    app.middleware(drop_nul_characters)
    commands.register(app, services, gateway)
    messages.register(app, services)
    actions.register(app, services, gateway)
    modals.register(app, services, gateway)
    home.register(app, services, gateway)
    feedback.register(app, services, gateway)
