"""`burst demo`: local-slack with a seeded workspace, and Burst serving it on SQLite. Ctrl-C stops both."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

from bot.entrypoints import demo_workspace as ws
from bot.entrypoints.folders import cache_dir
from bot.entrypoints.local_slack import LocalSlackError, LocalSlackProcess, ensure_installed, write_workspace
from storage.database import Database
from storage.migrate import upgrade_async

console = Console()


async def seed(url: str) -> int:
    """Mentors and their skills, so a request finds someone right away. Idempotent."""
    await upgrade_async(url)
    db = Database(url)
    try:
        async with db.uow() as uow:
            zones = ws.time_zones()
            for uid, (name, tz) in zones.items():
                member = await uow.members.get_or_create(uid)
                member.display_name, member.tz = name, tz
            for uid, skills in ws.mentor_skills().items():
                for skill, level in skills:
                    await uow.members.set_skill(uid, skill, level)
            for uid, about in ws.ABOUT.items():
                await uow.evidence.set_about(uid, about)
            await uow.commit()
        return len(ws.mentor_skills())
    finally:
        await db.dispose()


def demo_dir() -> Path:
    """Where the demo keeps its database, workspace and logs: $BURST_DEMO_DIR, else the cache's `demo` folder.

    Its own variable, so a second demo (a test's) never deletes the database of one a person is running."""
    return Path(os.environ.get("BURST_DEMO_DIR") or cache_dir() / "demo")


def run_demo(port: int, http_port: int) -> int:
    home = demo_dir()
    home.mkdir(parents=True, exist_ok=True)
    try:
        with console.status("Installing local-slack (once)…"):
            binary = ensure_installed()
    except LocalSlackError as exc:
        console.print(f"[red]Could not install local-slack:[/red] {exc}")
        return 1
    config = home / "workspace.yaml"
    write_workspace(config, ws.workspace())
    slack = LocalSlackProcess(binary, config, port, log_path=home / "local-slack.log")
    # local-slack starts from its config every time, so the demo's database does too: yesterday's open requests
    # would point at messages this workspace never had.
    database = home / "burst-demo.db"
    for leftover in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{database}"
    mentors = asyncio.run(seed(url))
    try:
        slack.start()
    except LocalSlackError as exc:
        console.print(f"[red]local-slack did not start:[/red] {exc}")
        return 1
    try:
        return _serve(slack, url, http_port, home, mentors)
    finally:
        slack.stop()  # whatever happened after it started, local-slack goes with the demo


def _serve(slack: LocalSlackProcess, url: str, http_port: int, home: Path, mentors: int) -> int:
    """Run Burst against the started local-slack until Ctrl-C (or SIGTERM); always stops the Burst it started."""
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": ws.BOT_TOKEN,
        "SLACK_APP_TOKEN": ws.APP_TOKEN,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": url,
        "BURST_HTTP_PORT": str(http_port),
        "BURST_ADMINS": ws.ADMIN,
        "BURST_DIGEST_CHANNEL": ws.DIGEST_CHANNEL,
        "BURST_WAVE_TIMEOUT": os.environ.get("BURST_WAVE_TIMEOUT", "60"),
        "BURST_SESSION_LENGTH": os.environ.get("BURST_SESSION_LENGTH", "300"),
        "BURST_SESSION_WARNING": os.environ.get("BURST_SESSION_WARNING", "60"),
    }
    log_path = home / "burst.log"
    with log_path.open("ab") as log:
        burst = subprocess.Popen(
            [sys.executable, "-m", "bot.entrypoints.cli", "run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the demo as cleanly as Ctrl-C
    try:
        if not _wait_healthy(http_port, burst):
            console.print(f"[red]Burst did not start; see {log_path}[/red]")
            return 1
        _welcome(slack.ui_url, mentors, home)
        while burst.poll() is None:
            time.sleep(0.5)
        console.print(f"[red]Burst stopped unexpectedly; see {log_path}[/red]")
        return 1
    except KeyboardInterrupt:
        console.print("\nStopping…")
        return 0
    finally:
        if burst.poll() is None:
            burst.send_signal(signal.SIGTERM)
            try:
                burst.wait(10)
            except subprocess.TimeoutExpired:
                burst.kill()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> bool:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    return False


def _welcome(ui_url: str, mentors: int, home: Path) -> None:
    console.print(f"\n[bold green]Burst is running[/bold green] in a local Slack with {mentors} mentors.")
    console.print(f"Open [bold]{ui_url}[/bold] in your browser, pick a person, and try:")
    console.print(
        "  1. As [bold]alice[/bold], DM [bold]@burst[/bold]: [italic]help me with kubernetes[/italic]"
        " — then switch to [bold]sam[/bold] or [bold]priya[/bold] and press Accept."
    )
    console.print("  2. In #general, as [bold]luca[/bold]: [italic]/burst help postgres indexes[/italic]")
    console.print(
        "     or as it comes to mind: [italic]/burst help is this p-value significant?[/italic]"
        " (reaches lena, who wrote she helps with p-values)"
    )
    console.print(
        "  3. As [bold]nina[/bold]: [italic]/burst skills add python, react:expert[/italic],"
        " then [italic]/burst skills[/italic]"
    )
    console.print(
        f"Its database, workspace and logs are in {home} (BURST_DEMO_DIR); they start afresh each run. "
        "Press Ctrl-C to stop.\n"
    )
