"""The `burst` command line (typer): run, demo, db upgrade."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from bot.runtime import logs
from config import ConfigError, DatabaseSettings, DigestSettings, Settings, SlackApiSettings, load_settings
from config.settings import S

if TYPE_CHECKING:
    from bot.services.importer import ImportReport

cli = typer.Typer(help="Burst: on-demand micro-mentoring in Slack.", no_args_is_help=True, add_completion=False)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
# soft_wrap: a problem is one line however narrow the terminal (or pipe) is.
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def settings_or_exit(cls: type[S] = Settings) -> S:  # type: ignore[assignment]
    """Load settings; on a bad value print one line per problem and exit 2 (never a traceback)."""
    try:
        return load_settings(cls)
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(f"[red]config:[/red] {problem}", highlight=False)
        raise typer.Exit(2) from None


@cli.command()
def run() -> None:
    """Serve Slack: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on BURST_HTTP_PORT."""
    # Start-up builds about a million objects that live as long as the process (modules, the knowledge file and its
    # term indexes) and next to no garbage: collecting meanwhile only walks them again and again, a fifth of the
    # start. `serve` turns collection back on once they are built and frozen.
    gc.disable()
    from bot.entrypoints.server import serve

    settings: Settings = settings_or_exit()
    logs.configure(settings.burst_log_level, as_json=settings.burst_log_json)
    asyncio.run(serve(settings))


@cli.command()
def check(
    request_url: Annotated[
        str | None, typer.Option(help="HTTP mode: the public request URL, e.g. https://<host>/slack/events.")
    ] = None,
) -> None:
    """Is the Slack install ready? Granted scopes against the ones Burst needs, events, commands, and connectivity."""
    from bot.entrypoints.install_report import run_check

    settings: Settings = settings_or_exit()
    raise typer.Exit(asyncio.run(run_check(settings, request_url, out)))


@cli.command()
def demo(
    port: Annotated[int, typer.Option(help="Port of local-slack (web UI and API).")] = 3000,
    http_port: Annotated[int, typer.Option(help="Port of Burst's health endpoint.")] = 8080,
) -> None:
    """A seeded local workspace in local-slack, with Burst in it, to try in a browser."""
    from bot.entrypoints.demo import run_demo

    raise typer.Exit(run_demo(port=port, http_port=http_port))


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to DATABASE_URL."""
    from storage.migrate import upgrade

    url = settings_or_exit(DatabaseSettings).database_url
    upgrade(url)
    err.print(f"database is up to date: {url.split('@')[-1]}", highlight=False)


mentors_cli = typer.Typer(help="Mentor profiles.", no_args_is_help=True)
cli.add_typer(mentors_cli, name="mentors")


@mentors_cli.command("import")
def mentors_import(
    path: Annotated[Path, typer.Argument(help="CSV with columns user, skills, and optionally hours, cap.")],
) -> None:
    """Onboard many mentors at once: good rows are imported, bad rows reported with their line."""
    from rich.progress import Progress

    from bot.entrypoints.app import web_client
    from bot.services.importer import import_mentors
    from handlers.slack.gateway import SlackGateway
    from handlers.views.blocks import plural
    from storage.database import Database
    from storage.migrate import upgrade

    settings = settings_or_exit(SlackApiSettings)
    url = settings.database_url
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[red]cannot read {path}:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    upgrade(url)

    if not settings.slack_bot_token:
        err.print("SLACK_BOT_TOKEN is not set, so user IDs are not checked against Slack.", highlight=False)

    async def go() -> ImportReport:
        db = Database(url)
        directory = None
        if settings.slack_bot_token:
            directory = SlackGateway(web_client(settings, settings.slack_bot_token))
        try:
            with Progress(console=err, transient=True) as progress:
                task = progress.add_task("Importing mentors", total=None)
                return await import_mentors(
                    db, text, lambda done, total: progress.update(task, completed=done, total=total), directory
                )
        finally:
            await db.dispose()

    report = asyncio.run(go())
    out.print(f"Imported {plural(report.imported, 'mentor')}.")
    for note in report.notes:
        out.print(f"line {note.line}: {note.message}", highlight=False)
    for problem in report.errors:
        err.print(f"[yellow]line {problem.line}:[/yellow] {problem.message}", highlight=False)
    if report.errors:
        err.print(f"{plural(len(report.errors), 'row')} skipped; fix them and import again (imports are repeatable).")
        raise typer.Exit(1)


@cli.command("export")
def export_log(
    since: Annotated[str, typer.Option(help="First day to include, YYYY-MM-DD (UTC).")],
    fmt: Annotated[str, typer.Option("--format", help="csv or jsonl")] = "jsonl",
) -> None:
    """Write the interaction log to standard output, for analysis."""
    import sys
    from datetime import UTC, datetime

    from bot.services.export import export
    from handlers.views.blocks import plural
    from storage.database import Database

    if fmt not in ("csv", "jsonl"):
        err.print("[red]--format[/red] must be csv or jsonl", highlight=False)
        raise typer.Exit(2)
    try:
        start = datetime.fromisoformat(since).replace(tzinfo=UTC)
    except ValueError:
        err.print(f"[red]--since[/red] must be a date like 2026-11-01, not {since!r}", highlight=False)
        raise typer.Exit(2) from None
    url = settings_or_exit(DatabaseSettings).database_url

    async def go() -> int:
        db = Database(url)
        try:
            return await export(db, start, fmt, sys.stdout)
        finally:
            await db.dispose()

    count = asyncio.run(go())
    err.print(f"{plural(count, 'event')} exported.", highlight=False)


@cli.command()
def digest(
    preview: Annotated[bool, typer.Option("--preview", help="Show this week's digest here.")] = False,
    post: Annotated[bool, typer.Option("--post", help="Post it to BURST_DIGEST_CHANNEL now.")] = False,
) -> None:
    """The managers' weekly digest: preview it in the terminal, or post it now."""
    from bot.entrypoints.digest_cli import post_now, show_preview

    if preview == post:
        err.print("Choose one: [bold]--preview[/bold] or [bold]--post[/bold].")
        raise typer.Exit(2)
    if preview:  # reads the database only, so it needs no Slack tokens
        raise typer.Exit(asyncio.run(show_preview(settings_or_exit(DigestSettings), out)))
    settings: Settings = settings_or_exit()
    if not settings.burst_digest_channel:
        err.print("[red]config:[/red] BURST_DIGEST_CHANNEL: required to post the digest", highlight=False)
        raise typer.Exit(2)
    raise typer.Exit(asyncio.run(post_now(settings)))


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
