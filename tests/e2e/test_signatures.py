"""HTTP mode accepts only requests signed with the signing secret in the last five minutes; the rest get 401.

Each forgery carries something Burst would act on (a command that adds a skill, a DM asking for help, a click
on the delete-my-data confirmation), sent to a real `burst run` in HTTP mode. Rejection happens before any
listener runs, so once the 401 is back there is nothing left to wait for: the database must be as it was, and
local-slack must have seen no Web API call. The same requests, signed properly, do act (the control case).
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select
from sqlmodel import col

from bot.entrypoints import demo_workspace as ws
from bot.runtime.timer_kinds import CalendarRefreshDue, DirectorySyncDue
from storage.database import Database
from storage.models import TimedAction, TimerState, utcnow
from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN
from tests.support.burst_process import BurstProcess
from tests.support.control import SlackControl
from tests.support.db_snapshot import changes, snapshot
from tests.support.signing import form_body, sign

FORM, JSON = "application/x-www-form-urlencoded", "application/json"
STALE = 5 * 60 + 30  # seconds: Slack's window is five minutes


def command_body() -> str:
    return urllib.parse.urlencode(
        {
            "command": "/burst",
            "text": "skills add forgery:expert",
            "user_id": "U0NINA",
            "channel_id": GEN,
            "team_id": "T0ACME",
            "api_app_id": "A0BURST",
            "trigger_id": f"{time.time()}.forged",
            "response_url": "http://127.0.0.1:9/unused",
        }
    )


def event_body() -> str:
    event = {"type": "message", "channel_type": "im", "channel": "D0NINA", "user": "U0NINA", "text": "help me with go"}
    return json.dumps(
        {"type": "event_callback", "team_id": "T0ACME", "api_app_id": "A0BURST", "event_id": "EvFORGED", "event": event}
    )


def click_body() -> str:
    return form_body(
        {
            "type": "block_actions",
            "team": {"id": "T0ACME"},
            "api_app_id": "A0BURST",
            "user": {"id": "U0LUCA"},
            "channel": {"id": GEN},
            "trigger_id": f"{time.time()}.forged",
            "response_url": "http://127.0.0.1:9/unused",
            "actions": [{"type": "button", "action_id": "delete_my_data_confirm", "value": "yes", "action_ts": "1.0"}],
        }
    )


BODIES: dict[str, tuple[Callable[[], str], str]] = {
    "slash command": (command_body, FORM),
    "event": (event_body, JSON),
    "button click": (click_body, FORM),
}


@dataclass(frozen=True)
class Forgery:
    """How a request's headers are made from its body."""

    headers: Callable[[str], dict[str, str]]
    tamper: Callable[[str], str] = lambda body: body  # the body sent, after signing the original


def without(*names: str) -> Callable[[str], dict[str, str]]:
    return lambda body: {k: v for k, v in sign(ws.SIGNING_SECRET, body).items() if k not in names}


FORGERIES = {
    "wrong secret": Forgery(lambda body: sign("not-the-secret", body)),
    "tampered body": Forgery(lambda body: sign(ws.SIGNING_SECRET, body), lambda body: body.replace("U0", "U1", 1)),
    "body that is not JSON or a form": Forgery(lambda body: sign(ws.SIGNING_SECRET, body), lambda body: "{" + body),
    "no signature": Forgery(without("X-Slack-Signature")),
    "no timestamp": Forgery(without("X-Slack-Request-Timestamp")),
    "no headers at all": Forgery(lambda body: {}),
    "stale timestamp": Forgery(lambda body: sign(ws.SIGNING_SECRET, body, int(time.time()) - STALE)),
    "timestamp from the future": Forgery(lambda body: sign(ws.SIGNING_SECRET, body, int(time.time()) + STALE)),
    "timestamp that is not a number": Forgery(
        lambda body: {**sign(ws.SIGNING_SECRET, body), "X-Slack-Request-Timestamp": "soon"}
    ),
    "signature of another version": Forgery(
        lambda body: {**sign(ws.SIGNING_SECRET, body), "X-Slack-Signature": "v1=" + "0" * 64}
    ),
    "a retry of a forgery": Forgery(lambda body: {**sign("not-the-secret", body), "X-Slack-Retry-Num": "1"}),
}


async def post(url: str, body: str, content_type: str, headers: dict[str, str]) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http,
        http.post(url, data=body.encode(), headers={"Content-Type": content_type, **headers}) as answer,
    ):
        return answer.status, await answer.text()


@dataclass
class Served:
    url: str
    db: Database
    burst: BurstProcess
    control: SlackControl


async def start_up_walk_done(db: Database) -> bool:
    async with db.uow(readonly=True) as uow:
        rows = await uow.db_session.scalars(select(TimedAction).where(col(TimedAction.kind) == DirectorySyncDue.KIND))
        states = [row.state for row in rows]
    return TimerState.DONE in states and TimerState.PENDING in states  # done, and the next one scheduled


HOUSEKEEPING = (DirectorySyncDue.KIND, CalendarRefreshDue.KIND)
QUIET_FOR = timedelta(minutes=2)
"""Longer than the test takes on a busy machine: no housekeeping of Burst's own falls due while it compares."""


async def no_housekeeping_due_soon(db: Database) -> bool:
    """Burst's own recurring work (the directory walk, calendar refreshes) runs on wall-clock slots and writes rows:
    the test starts only once none is running or due within QUIET_FOR, so what it compares is what the requests did
    (the first calendar refresh is due at start-up, and may still be running after the directory walk is done)."""
    async with db.uow(readonly=True) as uow:
        rows = await uow.db_session.execute(
            select(col(TimedAction.state), col(TimedAction.due_at)).where(
                col(TimedAction.kind).in_(HOUSEKEEPING),
                col(TimedAction.state).in_([TimerState.PENDING, TimerState.RUNNING]),
            )
        )
        return all(state == TimerState.PENDING and at > utcnow() + QUIET_FOR for state, at in rows.all())


@pytest.fixture
async def served(slack_servers: dict[str, Slack], start_burst: StartBurst, tmp_path: Path) -> AsyncIterator[Served]:
    slack = slack_servers["events"]
    burst = start_burst(slack, BURST_CALENDAR_REFRESH="24h")  # fewer slots to wait past (see QUIET_FOR)
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}")
    async with SlackControl(slack.base_url) as control:
        # The start-up directory walk (users.list, and the next walk's row) is Burst's own doing, not a request's:
        # let it finish before the test compares the database and the bot's calls with what came before.
        await control.wait_for(lambda: start_up_walk_done(db), what="the start-up directory walk")
        wait = QUIET_FOR.total_seconds() + 60  # a slot due just now runs, then the next is a slot away
        await control.wait_for(lambda: no_housekeeping_due_soon(db), timeout=wait, what="a quiet stretch")
        await control.reset()
        yield Served(f"http://127.0.0.1:{slack.burst_port}/slack/events", db, burst, control)
    await db.dispose()


async def test_forged_and_stale_requests_get_401_and_change_nothing(served: Served) -> None:
    before = await snapshot(served.db)
    answers = {}
    for forgery_name, forgery in FORGERIES.items():
        for body_name, (make, content_type) in BODIES.items():
            body = make()
            answers[f"{forgery_name}, {body_name}"] = await post(
                served.url, forgery.tamper(body), content_type, forgery.headers(body)
            )
    assert {case: status for case, (status, _) in answers.items() if status != 401} == {}
    assert changes(before, await snapshot(served.db)) == {}
    assert [e for e in await served.control.log() if e.get("direction") == "from_bot"] == []
    assert "Traceback" not in served.burst.log_text()

    # The control case: the same command, properly signed four minutes ago (inside Slack's window), is acted on.
    body = command_body()
    assert (await post(served.url, body, FORM, sign(ws.SIGNING_SECRET, body, int(time.time()) - 240)))[0] == 200
    await served.control.wait_for(lambda: _has_skill(served.db, "U0NINA", "forgery"), what="the signed command")


async def _has_skill(db: Database, user: str, skill: str) -> bool:
    async with db.uow(readonly=True) as uow:
        return skill in [s.skill for s in await uow.members.skills_of(user)]
