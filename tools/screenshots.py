"""`make screenshots`: the main flows of the demo workspace, photographed in local-slack by headless Chromium.

Everything runs in a temporary folder (local-slack, `burst run` on SQLite, Chromium's profile) on free ports, and
is stopped at the end, whatever happened. The PNGs go to docs/screenshots/ (or the folder given), linked from the
README, so a reader sees the product before installing it. Chromium comes from Debian's packages when missing.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.entrypoints import demo_workspace as ws
from bot.entrypoints.demo import seed
from bot.entrypoints.local_slack import LocalSlackProcess, ensure_installed, free_port, write_workspace
from tests.support.control import Message, SlackControl
from tests.support.workload import buttons, text_of

REPO = Path(__file__).resolve().parent.parent
WINDOW = "1000,640"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def chromium() -> str:
    """The Chromium binary, installed from Debian's packages the first time (with an emoji font, which Slack's
    messages are full of)."""
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    subprocess.run(["apt-get", "update"], check=True)
    subprocess.run(["apt-get", "install", "-y", "chromium", "fonts-noto-color-emoji"], check=True)
    found = shutil.which("chromium")
    if found is None:
        raise SystemExit("chromium did not install")
    return found


def photograph(browser: str, url: str, png: Path, profile: Path) -> None:
    """One headless page load, given time for local-slack's UI to connect and draw the channel."""
    subprocess.run(
        [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={WINDOW}",
            "--virtual-time-budget=6000",
            f"--screenshot={png}",
            url,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=90,
    )


def start_burst(home: Path, slack: LocalSlackProcess, http_port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": ws.BOT_TOKEN,
        "SLACK_APP_TOKEN": ws.APP_TOKEN,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{home / 'burst.db'}",
        "BURST_HTTP_PORT": str(http_port),
        "BURST_ADMINS": ws.ADMIN,
        "BURST_DIGEST_CHANNEL": ws.DIGEST_CHANNEL,
        "BURST_SESSION_LENGTH": "900",
        "BURST_SWEEP_INTERVAL": "1",
    }
    with (home / "burst.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.entrypoints.cli", "run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=home,
        )


def wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit("Burst did not start")


def has(fragment: str) -> Callable[[Message], bool]:
    return lambda m: fragment.lower() in text_of(m).lower()


async def press(control: SlackControl, message: Message, user: str, action_id: str) -> None:
    found = buttons(message)[action_id]
    await control.interact(message["channel"], message["ts"], user, {**found, "type": "button"})


async def drive(control: SlackControl, shoot: Callable[[str, str], Awaitable[None]]) -> None:
    """Alice asks about kubernetes; her status and Sam's ping; Sam accepts; the session; the weekly digest."""
    await control.command(user="U0ALICE", text="help kubernetes ingress keeps returning 502", channel="C0GEN")
    await control.wait_for_message("U0ALICE", has("asking 2 people"), what="Alice's status")
    ping = await control.wait_for_message("U0SAM", lambda m: "ping_accept" in buttons(m), what="Sam's ping")
    await shoot("U0SAM", "1-ping")
    await shoot("U0ALICE", "2-asking")
    await press(control, ping, "U0SAM", "ping_accept")
    await control.wait_for_message("U0ALICE", lambda m: "session_end" in buttons(m), what="Alice's card")
    await shoot("U0ALICE", "3-session")
    await control.command(user=ws.ADMIN, text="digest post", channel="C0GEN")
    await control.wait_for_message(ws.DIGEST_CHANNEL, has("weekly digest"), what="the digest")
    await shoot(ws.DIGEST_CHANNEL, "4-digest")


async def take(out: Path, browser: str) -> list[Path]:
    taken: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="burst-screenshots-") as tmp:
        home = Path(tmp)
        config = home / "workspace.yaml"
        write_workspace(config, ws.workspace())
        await seed(f"sqlite+aiosqlite:///{home / 'burst.db'}")
        slack = LocalSlackProcess(ensure_installed(), config, free_port(), log_path=home / "local-slack.log")
        slack.start()
        burst: subprocess.Popen[bytes] | None = None
        try:
            http_port = free_port()
            burst = start_burst(home, slack, http_port)
            wait_healthy(http_port, burst)
            async with SlackControl(slack.base_url) as control:

                async def shoot(where: str, name: str) -> None:
                    channel = await control.dm_channel(where) if where.startswith("U") else where
                    png = out / f"{name}.png"
                    url = f"{slack.ui_url.rstrip('/')}/archives/{channel}"
                    await asyncio.to_thread(photograph, browser, url, png, home / f"chromium-{name}")
                    taken.append(png)

                await drive(control, shoot)
        finally:
            if burst is not None and burst.poll() is None:
                burst.send_signal(signal.SIGTERM)
                try:
                    burst.wait(10)
                except subprocess.TimeoutExpired:
                    burst.kill()
            slack.stop()
    return taken


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for png in asyncio.run(take(out, chromium())):
        print(f"{png.relative_to(REPO) if png.is_relative_to(REPO) else png}: {png.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
