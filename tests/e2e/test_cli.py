"""The command line as a person uses it: clear one-line errors, clean shutdown, imports, exports, the digest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.entrypoints import demo_workspace as ws
from bot.entrypoints.server import DRAIN_SECONDS
from storage.database import Database
from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN, add_skills, has
from tests.support.control import SlackControl
from tests.support.workload import text_of


def burst(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BURST_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_bad_configuration_stops_start_up_with_one_line_per_problem(tmp_path: Path) -> None:
    env = {
        "BURST_WAVE_TIMEOUT": "soon",
        "BURST_TIMEZONE": "Mars/Olympus",
        "BURST_DIGEST_CRON": "every monday",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
    }
    done = burst("run", env=env, cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr
    assert any(line.startswith("config: SLACK_BOT_TOKEN: required") for line in lines), lines
    assert any("BURST_WAVE_TIMEOUT" in line and "soon" in line for line in lines), lines
    assert any("BURST_TIMEZONE" in line and "Mars/Olympus" in line for line in lines), lines
    assert len(lines) == 3  # the cron is checked once the values it needs are valid


def test_a_bad_cron_is_named(tmp_path: Path) -> None:
    env = {"SLACK_BOT_TOKEN": "x", "SLACK_APP_TOKEN": "y", "BURST_DIGEST_CRON": "every monday"}
    done = burst("run", env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("config: BURST_DIGEST_CRON: not a crontab expression")
    assert "Traceback" not in done.stderr


def test_sigterm_stops_burst_cleanly(slack: Slack, start_burst: StartBurst) -> None:
    process = start_burst(slack)
    # Longer than Burst's own stop budget (DRAIN_SECONDS for listeners part-way, then the timers and the pool): on
    # a busy machine a clean stop can take more than the default wait, after which SIGKILL would make it exit -9.
    code = process.stop(signal.SIGTERM, timeout=DRAIN_SECONDS + 50)
    assert code == 0, process.log_tail()
    assert "burst is stopping" in process.log_text()
    assert "Traceback" not in process.log_text()


def test_mentors_import_keeps_good_rows_and_reports_bad_ones(tmp_path: Path) -> None:
    csv = tmp_path / "mentors.csv"
    csv.write_text(
        "user,skills,hours,cap\n"
        "U0BOB,python:expert; postgres,09:00-17:00,3\n"
        "bob@acme.test,python,,\n"
        "U0SAM,kubernetes:guru,,\n"
        "U0ZOE,figma,25:00-26:00,\n"
        "U0OMAR,excel;sql:expert,,\n",
        encoding="utf-8",
    )
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}"}
    done = burst("mentors", "import", str(csv), env=env, cwd=tmp_path)
    assert done.returncode == 1  # some rows were skipped
    assert "Imported 2 mentors." in done.stdout
    assert "line 3:" in done.stderr
    assert "line 4:" in done.stderr
    assert "line 5:" in done.stderr
    assert "Traceback" not in done.stderr
    exported = burst("export", "--since", "2000-01-01", "--format", "jsonl", env=env, cwd=tmp_path)
    assert exported.returncode == 0
    events = [json.loads(line) for line in exported.stdout.splitlines()]
    assert sorted(e["actor_id"] for e in events if e["kind"] == "profile.skills_added") == ["U0BOB", "U0OMAR"]
    as_csv = burst("export", "--since", "2000-01-01", "--format", "csv", env=env, cwd=tmp_path)
    assert as_csv.stdout.splitlines()[0] == "id,at,kind,actor_id,request_id,session_id,data"
    bad = burst("export", "--since", "last tuesday", env=env, cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0  # one line


@pytest.mark.parametrize("who", ["U0MAYA", "U0ALICE"])
async def test_digest_on_demand_is_for_admins(who: str, socket_slack: Slack, start_burst: StartBurst) -> None:
    async with SlackControl(socket_slack.base_url) as control:
        await control.reset()
        start_burst(socket_slack)
        await add_skills(control, "U0BOB", "python:expert")
        await control.command(user="U0ALICE", text="help cobol", channel=GEN)
        await control.wait_for_message("U0ALICE", has("couldn't find anyone"))
        await control.command(user=who, text="digest", channel=GEN)
        if who != "U0MAYA":
            await control.wait_for_message(GEN, has("only burst admins"))
            await control.command(user=who, text="digest post", channel=GEN)
            await control.wait_for(lambda: _refusals(control), what="two refusals")
            assert not await control.messages("C0DIGEST")
            return
        preview = await control.wait_for_message(GEN, has("weekly digest"))
        assert "1 other unmet request on rarer topics (each asked by fewer than 3 people" in text_of(preview)
        assert "1 request for help, 0 matched (0%). 1 found nobody." in text_of(preview)  # the headline
        assert "week of " in text_of(preview)
        assert "-W" not in text_of(preview)  # no ISO week label
        assert "cobol" not in text_of(preview)  # one person asked: named, it could point at them
        await control.command(user=who, text="digest post", channel=GEN)
        posted = await control.wait_for_message("C0DIGEST", has("weekly digest"), what="the digest in its channel")
        assert "Requests" in text_of(posted)
        assert "U0ALICE" not in text_of(posted)  # aggregates only
        # The week's chart is the main post, uploaded through Slack's files API with the summary as its comment.
        assert posted.get("thread_ts") in (None, posted["ts"])
        assert [(f["mimetype"], f["name"].endswith(".png")) for f in posted["files"]] == [("image/png", True)]
        assert len(await control.messages("C0DIGEST")) == 1  # one post, not a summary and a thread reply


async def _refusals(control: SlackControl) -> bool:
    return len([m for m in await control.messages(GEN) if "only burst admins" in text_of(m).lower()]) >= 2


def test_digest_preview_in_the_terminal_needs_only_the_database(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}", "COLUMNS": "160"}
    done = burst("digest", "--preview", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Burst weekly digest" in done.stdout
    assert "Match rate" in done.stdout
    both = burst("digest", "--preview", "--post", env=env, cwd=tmp_path)
    assert both.returncode == 2
    assert "Choose one" in both.stderr
    post = burst("digest", "--post", env=env, cwd=tmp_path)  # posting does need Slack
    assert post.returncode == 2
    assert "SLACK_BOT_TOKEN" in post.stderr


async def test_an_imported_mentor_gets_their_slack_time_zone_from_a_running_burst(
    socket_slack: Slack, start_burst: StartBurst, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}"
    start_burst(socket_slack, database_url=url)
    csv = tmp_path / "mentors.csv"
    csv.write_text("user,skills,hours\nU0KENJI,rust:expert,09:00-18:00\n", encoding="utf-8")
    done = burst("mentors", "import", str(csv), env={"DATABASE_URL": url}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr

    async def zone() -> str | None:
        db = Database(url)
        try:
            async with db.uow(readonly=True) as uow:
                member = await uow.members.get("U0KENJI")
        finally:
            await db.dispose()
        return member.tz if member is not None and member.tz != "UTC" else None

    async with SlackControl(socket_slack.base_url) as control:
        assert await control.wait_for(zone, what="Kenji's zone from users.list") == "Asia/Tokyo"


async def test_mentors_import_checks_user_ids_with_slack_and_never_demotes_a_level_it_does_not_state(
    socket_slack: Slack, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}"
    env = {"DATABASE_URL": url, "SLACK_BOT_TOKEN": ws.BOT_TOKEN, "SLACK_API_URL": socket_slack.process.api_url}
    first = tmp_path / "first.csv"
    first.write_text("user,skills\nU0BOB,python:expert\n", encoding="utf-8")
    assert burst("mentors", "import", str(first), env=env, cwd=tmp_path).returncode == 0
    again = tmp_path / "again.csv"
    again.write_text("user,skills,hours\nU0BOB,python; sql,\nU0NOBODY42,rust,\nU0OMAR,go,9-5\n", encoding="utf-8")
    done = burst("mentors", "import", str(again), env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert "Imported 2 mentors." in done.stdout
    assert "line 3:" in done.stderr
    assert "U0NOBODY42" in done.stderr
    assert "line 2:" not in done.stderr
    assert "line 4: hours `9-5` read as 09:00-17:00" in done.stdout  # ambiguous, so said back

    db = Database(url)
    try:
        async with db.uow(readonly=True) as uow:
            bob = {s.skill: s.level for s in await uow.members.skills_of("U0BOB")}
            omar = await uow.members.get("U0OMAR")
            nobody = await uow.members.get("U0NOBODY42")
    finally:
        await db.dispose()
    assert bob == {"python": "expert", "sql": "peer"}  # python kept its level; sql is new, so peer
    assert nobody is None  # never imported, so never pinged
    assert omar is not None
    assert (omar.hours_start, omar.hours_end) == ("09:00", "17:00")
