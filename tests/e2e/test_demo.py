"""`burst demo`, the README's main command: it comes up, answers the things its welcome suggests, stops on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.test_ask_and_accept import GEN, has
from tests.support.burst_process import REPO
from tests.support.control import SlackControl
from tests.support.ports import free_port


def wait_for_output(log: Path, fragment: str, process: subprocess.Popen[bytes], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        if fragment in text:
            return text
        assert process.poll() is None, f"burst demo exited with {process.returncode}:\n{text}"
        time.sleep(0.2)
    raise AssertionError(f"no {fragment!r} within {timeout}s:\n{log.read_text(errors='replace')}")


def start_demo(slack_port: int, http_port: int, log: Path, home: Path) -> subprocess.Popen[bytes]:
    """`burst demo` in its own process group, as a terminal runs it, with its data in `home`; output to `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.entrypoints.cli",
                "demo",
                "--port",
                str(slack_port),
                "--http-port",
                str(http_port),
            ],
            cwd=REPO,
            env={**os.environ, "COLUMNS": "200", "BURST_DEMO_DIR": str(home)},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


async def test_the_demo_answers_what_its_welcome_suggests_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    slack_port, http_port = free_port(), free_port()
    log, home = tmp_path / "demo.out", tmp_path / "demo"
    demo = start_demo(slack_port, http_port, log, home)
    try:
        welcome = wait_for_output(log, "Press Ctrl-C to stop", demo)
        assert f"http://localhost:{slack_port}/" in welcome
        assert (home / "burst-demo.db").exists()  # its own folder: a person's demo elsewhere is left alone
        async with SlackControl(f"http://localhost:{slack_port}") as control:
            # Try 2: a request in #general finds a seeded postgres mentor at any hour.
            await control.command(user="U0LUCA", text="help postgres indexes", channel=GEN)
            await control.wait_for_message(GEN, has("got it: *postgres indexes*"))
            await control.wait_for_message("U0BOB", has("needs help with"), what="Bob, a seeded postgres mentor")
            # Try 3: a new mentor.
            await control.command(user="U0NINA", text="skills add python, react:expert", channel=GEN)
            await control.wait_for_message(GEN, has("react"))
        os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group in a terminal
        assert demo.wait(20) == 0
        assert "Stopping" in log.read_text(errors="replace")
        assert "Traceback" not in log.read_text(errors="replace")
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait(10)
        killed = stop_leftovers(home)
    assert killed == [], f"the demo left processes running: {killed}"
    for port in (slack_port, http_port):
        assert not _listening(port), f"port {port} still served after the demo stopped"


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def stop_leftovers(home: Path) -> list[int]:
    """SIGKILL what the demo started (local-slack, `burst run`: their own sessions, found by BURST_DEMO_DIR in their
    environment) and is still running, so a failed test leaves nothing behind; returns their pids."""
    marker = f"BURST_DEMO_DIR={home}".encode()
    killed = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if marker in environ:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(proc.name), signal.SIGKILL)
                killed.append(int(proc.name))
    return killed
