"""`burst check` and the start-up warning read the scopes Slack says the token holds (a fake Web API that grants
what it is told, answers `x-oauth-scopes` and refuses what a missing scope forbids, as Slack does)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from handlers.slack.scopes import REQUIRED_SCOPES
from tests.support.fake_web_api import FakeWebApi
from tests.support.ports import free_port

SECRET = "check-secret"


@pytest.fixture
def short_of_mpim_history() -> Iterator[FakeWebApi]:
    api = FakeWebApi(granted=(REQUIRED_SCOPES - {"mpim:history"}) | {"channels:read"})
    api.start()
    yield api
    api.stop()


def env_for(api: FakeWebApi, tmp: Path, **more: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BURST_", "DATABASE_URL"))}
    return {
        **clean,
        "SLACK_BOT_TOKEN": "xoxb-check",
        "SLACK_API_URL": api.api_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'burst.db'}",
        **more,
    }


def burst(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_names_the_missing_and_extra_scopes_and_what_needs_them(
    short_of_mpim_history: FakeWebApi, tmp_path: Path
) -> None:
    env = env_for(short_of_mpim_history, tmp_path, SLACK_APP_TOKEN="xapp-check")
    done = burst("check", env=env, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "missing scope mpim:history: needed by conversations.history" in lines
    assert "extra scope channels:read: Burst does not use it" in lines
    assert "expected events: app_home_opened, app_mention, message.im" in lines
    assert "Socket Mode: answers" in lines
    assert "Traceback" not in done.stderr


def test_check_passes_with_the_manifest_scopes_and_says_when_the_request_url_is_silent(tmp_path: Path) -> None:
    api = FakeWebApi()
    api.start()
    try:
        silent = f"http://127.0.0.1:{free_port()}/slack/events"
        env = env_for(api, tmp_path, SLACK_SIGNING_SECRET=SECRET)
        done = burst("check", "--request-url", silent, env=env, cwd=tmp_path)
    finally:
        api.stop()
    lines = done.stdout.splitlines()
    assert f"scopes: exactly the {len(REQUIRED_SCOPES)} Burst needs" in lines
    assert any(line.startswith(f"request URL {silent}: ") and "answers" not in line for line in lines), lines
    assert done.returncode == 1


def test_a_slack_that_names_no_scopes_is_not_taken_for_one_that_granted_none(tmp_path: Path) -> None:
    """local-slack answers without x-oauth-scopes: the scopes are unknown, and nothing is reported missing."""
    api = FakeWebApi()
    api.name_scopes = False
    api.start()
    try:
        done = burst("check", env=env_for(api, tmp_path, SLACK_APP_TOKEN="xapp-check"), cwd=tmp_path)
    finally:
        api.stop()
    assert "scopes: Slack did not name them (no x-oauth-scopes header), so they are not checked" in done.stdout
    assert "missing scope" not in done.stdout
    assert done.returncode == 0, done.stdout


def test_run_answers_the_check_of_its_request_url_and_warns_once_per_missing_scope(
    short_of_mpim_history: FakeWebApi, tmp_path: Path
) -> None:
    port = free_port()
    env = env_for(short_of_mpim_history, tmp_path, SLACK_SIGNING_SECRET=SECRET, BURST_HTTP_PORT=str(port))
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.entrypoints.cli", "run"], env=env, cwd=tmp_path, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while "burst is serving" not in (tmp_path / "run.log").read_text() and time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "run.log").read_text()
            time.sleep(0.05)
        done = burst("check", "--request-url", f"http://127.0.0.1:{port}/slack/events", env=env, cwd=tmp_path)
        assert f"request URL http://127.0.0.1:{port}/slack/events: answers" in done.stdout.splitlines()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        log.close()
    output = (tmp_path / "run.log").read_text()
    warnings = [line for line in output.splitlines() if "missing Slack scope" in line]
    assert len(warnings) == 1, output
    assert "mpim:history" in warnings[0]
    assert "conversations.history" in warnings[0]
