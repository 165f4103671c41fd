"""The Slack edge: one module per surface, each with a `register`. Listeners (registered through
handlers.slack.listening) parse, call a service, render."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services.container import Services
from handlers.listeners import actions, commands, feedback, home, messages, modals
from handlers.slack.gateway import SlackGateway
from handlers.slack.listening import drop_nul_characters


def register_all(app: AsyncApp, services: Services, gateway: SlackGateway) -> None:
    app.middleware(drop_nul_characters)
    commands.register(app, services, gateway)
    messages.register(app, services)
    actions.register(app, services, gateway)
    modals.register(app, services, gateway)
    home.register(app, services, gateway)
    feedback.register(app, services, gateway)
