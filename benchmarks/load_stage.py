"""The processes of the load benchmark: local-slack in events mode, a real `burst run`, and the bare Bolt baselines.

Two local-slack servers, because an emulator delivers slash commands to one request URL: Burst's (where Burst's
Web API calls go too) and the bare DM app's. The bare ack-only app shares Burst's local-slack for its one Web API
call (auth.test on its first request, which Bolt makes for Burst too). Every process runs in its own process group,
on a loopback port, with its log in the run's temporary folder; all are stopped on the way out, whatever happened.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.entrypoints import demo_workspace as ws
from bot.entrypoints.local_slack import LocalSlackProcess, ensure_installed, free_port, write_workspace
from tests.support.burst_process import NO_ABUSE_LIMITS, BurstProcess

BURST_START_TIMEOUT = 60.0
BARE_COMMAND = [sys.executable, "-m", "benchmarks.bare_bolt"]


@dataclass(frozen=True)
class Stage:
    slack: LocalSlackProcess  # Burst's Slack
    bare_slack: LocalSlackProcess  # the bare DM app's Slack
    burst: BurstProcess
    bare: BurstProcess  # acks only
    bare_dm: BurstProcess  # acks, then posts one DM per slash command

    @staticmethod
    def events_url(process: BurstProcess) -> str:
        return f"http://127.0.0.1:{process.http_port}/slack/events"

    @property
    def hooks_url(self) -> str:
        """Where response_url points: local-slack's hook endpoint (see load_workload)."""
        return f"{self.slack.base_url}/_hooks/response/"


def burst_env(api_url: str, database_url: str, port: int, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """`burst run` in HTTP mode against local-slack, with the product's default timings and log level."""
    return {
        "SLACK_BOT_TOKEN": ws.BOT_TOKEN,
        "SLACK_APP_TOKEN": "",
        "SLACK_SIGNING_SECRET": ws.SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "BURST_HTTP_PORT": str(port),
        "BURST_TIMEZONE": "UTC",
        "BURST_LOG_LEVEL": "INFO",
        **NO_ABUSE_LIMITS,  # the generated load is a few people asking again and again
        **(extra or {}),
    }


def bare_process(api_url: str, folder: Path, name: str, port: int, dm_user: str | None = None) -> BurstProcess:
    env = {
        "BARE_PORT": str(port),
        "SLACK_SIGNING_SECRET": ws.SIGNING_SECRET,
        "SLACK_BOT_TOKEN": ws.BOT_TOKEN,
        "SLACK_API_URL": api_url,
        "BARE_DM_USER": dm_user or "",
    }
    return BurstProcess(env, port, folder / f"{name}.log", command=BARE_COMMAND)


def start_slack(folder: Path, name: str, workspace: Mapping[str, Any]) -> LocalSlackProcess:
    config = folder / f"{name}.yaml"
    write_workspace(config, workspace)
    process = LocalSlackProcess(ensure_installed(), config, free_port(), log_path=folder / f"{name}.log")
    process.start(timeout=60)
    return process


@contextmanager
def running_stage(
    folder: Path, workspace_for: Callable[[str], Mapping[str, Any]], database_url: str, dm_user: str
) -> Iterator[Stage]:
    """Start everything; `workspace_for(request_url)` gives local-slack's config for an app at that URL."""
    burst_port, bare_dm_port = free_port(), free_port()
    with ExitStack() as stack:
        slack = start_slack(folder, "local-slack", workspace_for(f"http://127.0.0.1:{burst_port}/slack/events"))
        stack.callback(slack.stop)
        bare_slack = start_slack(
            folder, "local-slack-bare", workspace_for(f"http://127.0.0.1:{bare_dm_port}/slack/events")
        )
        stack.callback(bare_slack.stop)
        burst = BurstProcess(burst_env(slack.api_url, database_url, burst_port), burst_port, folder / "burst.log")
        bare = bare_process(slack.api_url, folder, "bare-bolt", free_port())
        bare_dm = bare_process(bare_slack.api_url, folder, "bare-bolt-dm", bare_dm_port, dm_user)
        for process in (burst, bare, bare_dm):
            stack.callback(process.stop)
            process.start(timeout=BURST_START_TIMEOUT)
        yield Stage(slack, bare_slack, burst, bare, bare_dm)
