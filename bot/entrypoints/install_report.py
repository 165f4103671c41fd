"""`burst check`: what the configured tokens may do in Slack, against what Burst needs, printed for a person."""

from __future__ import annotations

from rich.console import Console

from bot.entrypoints.app import web_client
from config import Settings
from handlers.slack.install_check import check_token, request_url_answers, socket_mode_answers
from handlers.slack.scopes import COMMANDS, EVENTS, REQUIRED_SCOPES, SHORTCUTS, needing


async def run_check(settings: Settings, request_url: str | None, out: Console) -> int:
    """Print the report; 0 when Burst can run as configured, 1 when something it needs is missing or silent."""
    problems = 0
    client = web_client(settings, settings.slack_bot_token)
    token = await check_token(client)
    if not token.answered:
        out.print(f"[red]bot token:[/red] auth.test failed: {token.error}", highlight=False)
        return 1
    out.print(f"bot token: {token.bot} in {token.team}", highlight=False)
    if token.scopes is None:
        out.print("scopes: Slack did not name them (no x-oauth-scopes header), so they are not checked")
    else:
        for scope in sorted(token.scopes.missing):
            out.print(f"[red]missing scope[/red] {scope}: needed by {', '.join(needing(scope))}", highlight=False)
        for scope in sorted(token.scopes.extra):
            out.print(f"[yellow]extra scope[/yellow] {scope}: Burst does not use it", highlight=False)
        if not token.scopes.missing and not token.scopes.extra:
            out.print(f"scopes: exactly the {len(REQUIRED_SCOPES)} Burst needs", highlight=False)
        problems += len(token.scopes.missing)
    out.print(f"expected events: {', '.join(EVENTS)}", highlight=False)
    out.print(f"expected command: {', '.join(COMMANDS)}; message shortcut: {', '.join(SHORTCUTS)}", highlight=False)
    if settings.socket_mode:
        assert settings.slack_app_token
        failed = await socket_mode_answers(client, settings.slack_app_token)
        out.print(f"Socket Mode: {'[red]' + failed + '[/red]' if failed else 'answers'}", highlight=False)
    elif request_url:
        failed = await request_url_answers(request_url, settings.slack_signing_secret or "")
        out.print(f"request URL {request_url}: {'[red]' + failed + '[/red]' if failed else 'answers'}", highlight=False)
    else:
        failed = ""
        out.print("HTTP mode: give --request-url to check that Slack can reach Burst", highlight=False)
    return 1 if problems or failed else 0
