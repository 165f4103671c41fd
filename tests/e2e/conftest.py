"""End-to-end fixtures: a real local-slack (Socket Mode and Events API) and real `burst run` processes."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.entrypoints import demo_workspace as ws
from bot.entrypoints.local_slack import LocalSlackProcess, ensure_installed, write_workspace
from tests.support.burst_process import NO_ABUSE_LIMITS, BurstProcess
from tests.support.control import SlackControl
from tests.support.ports import free_port

# Second-long timers so whole flows run in seconds (durations accept plain seconds).
FAST_TIMERS = {
    "BURST_WAVE_SIZE": "2",
    "BURST_WAVE_TIMEOUT": "3",
    "BURST_MAX_WAVES": "2",
    "BURST_SESSION_LENGTH": "8",
    "BURST_SESSION_WARNING": "3",
    "BURST_FOLLOWUP_DELAYS": "3,6",
    "BURST_SWEEP_INTERVAL": "1",
    "BURST_LOG_LEVEL": "DEBUG",
    **NO_ABUSE_LIMITS,
}


@dataclass
class Slack:
    process: LocalSlackProcess
    mode: str  # socket | events
    burst_port: int  # where Burst must listen (the Events API request URL points there)

    @property
    def base_url(self) -> str:
        return f"http://localhost:{self.process.port}"


def _start_slack(tmp: Path, mode: str) -> Slack:
    burst_port = free_port()
    request_url = f"http://127.0.0.1:{burst_port}/slack/events" if mode == "events" else None
    config = tmp / f"workspace-{mode}.yaml"
    write_workspace(config, ws.workspace(mode=mode, request_url=request_url))
    process = LocalSlackProcess(ensure_installed(), config, free_port(), log_path=tmp / f"local-slack-{mode}.log")
    process.start()
    return Slack(process, mode, burst_port)


@pytest.fixture(scope="session")
def slack_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Slack]]:
    tmp = tmp_path_factory.mktemp("local-slack")
    servers: dict[str, Slack] = {}
    try:
        for mode in ("socket", "events"):
            servers[mode] = _start_slack(tmp, mode)
        yield servers
    finally:
        for server in servers.values():
            server.process.stop()


@pytest.fixture(params=["socket", "events"])
def slack(request: pytest.FixtureRequest, slack_servers: dict[str, Slack]) -> Slack:
    """Each end-to-end test runs in Socket Mode and in HTTP (Events API) mode."""
    return slack_servers[request.param]


@pytest.fixture
def socket_slack(slack_servers: dict[str, Slack]) -> Slack:
    return slack_servers["socket"]


@pytest.fixture
async def control(slack: Slack) -> AsyncIterator[SlackControl]:
    async with SlackControl(slack.base_url) as ctl:
        await ctl.reset()
        yield ctl


StartBurst = Callable[..., BurstProcess]


def burst_env(slack: Slack, database_url: str, **overrides: str) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": ws.BOT_TOKEN,
        "SLACK_API_URL": slack.process.api_url,
        "DATABASE_URL": database_url,
        "BURST_HTTP_PORT": str(slack.burst_port),
        "BURST_ADMINS": ws.ADMIN,
        "BURST_DIGEST_CHANNEL": ws.DIGEST_CHANNEL,
        "BURST_TIMEZONE": "UTC",
        **FAST_TIMERS,
    }
    if slack.mode == "socket":
        env["SLACK_APP_TOKEN"] = ws.APP_TOKEN
        env["SLACK_SIGNING_SECRET"] = ""
    else:
        env["SLACK_APP_TOKEN"] = ""
        env["SLACK_SIGNING_SECRET"] = ws.SIGNING_SECRET
    env.update(overrides)
    return env


@pytest.fixture
def start_burst(tmp_path: Path) -> Iterator[StartBurst]:
    """Start `burst run` processes; all are stopped (SIGTERM) at the end of the test."""
    started: list[BurstProcess] = []

    def start(slack: Slack, database_url: str | None = None, name: str = "burst", **env: str) -> BurstProcess:
        url = database_url or f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}"
        process_env = burst_env(slack, url, **env)
        # Wait on the port this process really listens on: a second replica gets its own BURST_HTTP_PORT.
        port = int(process_env["BURST_HTTP_PORT"])
        process = BurstProcess(process_env, port, tmp_path / f"{name}.log")
        process.start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A developer's .env must not leak into the processes under test."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith(("SLACK_", "BURST_")) or key == "DATABASE_URL":
            monkeypatch.delenv(key)
