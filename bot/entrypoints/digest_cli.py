"""`burst digest --preview|--post` in the terminal (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from bot.entrypoints.app import build_services, digest_config, web_client
from bot.services.digest import DigestService
from config import DigestSettings, Settings
from handlers.slack.gateway import SlackGateway
from handlers.views.digest_blocks import figures, headline, rare_line
from storage.database import Database
from storage.migrate import upgrade_async
from storage.models import utcnow


async def show_preview(settings: DigestSettings, console: Console) -> int:
    """Reads the database only: no Slack tokens needed."""
    await upgrade_async(settings.database_url)
    db = Database(settings.database_url)
    try:
        digest = await DigestService(db, None, digest_config(settings), worker="preview").build()
    finally:
        await db.dispose()
    console.print(f"[bold]Burst weekly digest, {digest.week_of}[/bold]: {plain(headline(digest))}")
    table = Table(show_header=True)
    table.add_column("Figure")
    table.add_column("This week, and the change from last week")
    for name, value in figures(digest.this, digest.last):
        table.add_row(name, value)
    table.add_row("Top topics", ", ".join(f"{t} ({n})" for t, n in digest.this.top_topics) or "none")
    gaps = [f"{t} ({n})" for t, n in digest.this.unmet_topics]
    if digest.this.unmet_other:
        gaps.append(rare_line(digest.this.unmet_other, digest.min_askers))
    table.add_row("Skill gaps", ", ".join(gaps) or "none")
    console.print(table)
    return 0


async def post_now(settings: Settings) -> int:
    await upgrade_async(settings.database_url)
    services = build_services(settings, SlackGateway(web_client(settings, settings.slack_bot_token)))
    try:
        label = await services.digest.post(utcnow(), force=True)
    finally:
        await services.db.dispose()
    Console(stderr=True).print("Posted the digest." if label else "Slack refused the post.")
    return 0 if label else 1


def plain(mrkdwn: str) -> str:
    """A headline for the terminal: Slack's bold markers dropped."""
    return mrkdwn.replace("*", "")
