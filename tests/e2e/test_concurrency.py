"""First accept wins across two Burst processes on one PostgreSQL, and a redelivered command acts once.

Clicks are sent as signed Events API requests straight to each process (local-slack delivers to one request URL),
the way Slack would deliver them to two replicas behind a load balancer.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bot.entrypoints import demo_workspace as ws
from storage.database import Database
from storage.models import HelpRequest, InteractionEvent
from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import GEN, add_skills, button, has
from tests.support.control import SlackControl
from tests.support.ports import free_port
from tests.support.postgres import ThrowawayPostgres
from tests.support.quiet import settled
from tests.support.signing import form_body, post_signed
from tests.support.workload import text_of

GO_MENTORS = ("U0BOB", "U0SAM", "U0PRIYA", "U0KENJI", "U0LENA", "U0TOM", "U0ZOE", "U0OMAR")


def click(user: str, ping: dict[str, Any], action: dict[str, Any]) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0ACME", "domain": "acme"},
        "api_app_id": "A0BURST",
        "user": {"id": user, "username": user.lower(), "team_id": "T0ACME"},
        "container": {"type": "message", "message_ts": ping["ts"], "channel_id": ping["channel"]},
        "channel": {"id": ping["channel"], "name": "dm"},
        "message": ping,
        "trigger_id": f"{time.time()}.{user}",
        "actions": [{**action, "action_ts": str(time.time())}],
    }
    return form_body(payload)


async def every_click_logged(
    db: Database, mentors: tuple[str, ...]
) -> tuple[HelpRequest, list[InteractionEvent]] | None:
    """Alice's request and its events, once each mentor's click is in the log (as the accept, or as too late)."""
    async with db.uow(readonly=True) as uow:
        request = (await uow.requests.recent_for("U0ALICE"))[0]
        events = await uow.events.for_request(request.id or 0)
    answered = {e.actor_id for e in events if e.kind in ("ping.accepted", "ping.late")}
    return (request, events) if answered >= set(mentors) else None


async def test_first_accept_wins_across_two_processes_on_postgresql(
    slack_servers: dict[str, Slack], start_burst: StartBurst, postgres_server: ThrowawayPostgres
) -> None:
    slack = slack_servers["events"]
    url = postgres_server.new_database("two_procs")
    second_port = free_port()
    start_burst(slack, database_url=url, name="a", BURST_WAVE_SIZE="10")
    start_burst(slack, database_url=url, name="b", BURST_WAVE_SIZE="10", BURST_HTTP_PORT=str(second_port))
    async with SlackControl(slack.base_url) as control:
        await control.reset()
        for user in GO_MENTORS:
            await add_skills(control, user, "go:expert")
        await control.command(user="U0ALICE", text="help golang generics", channel=GEN)
        pings = [await control.wait_for_message(u, has("needs help with"), what=f"{u}'s ping") for u in GO_MENTORS]
        ports = [slack.burst_port, second_port]
        answers = await asyncio.gather(
            *(
                post_signed(
                    f"http://127.0.0.1:{ports[i % 2]}/slack/events",
                    ws.SIGNING_SECRET,
                    click(user, ping, button(ping, "ping_accept")),
                    "application/x-www-form-urlencoded",
                )
                for i, (user, ping) in enumerate(zip(GO_MENTORS, pings, strict=True))
            )
        )
        assert [status for status, _ in answers] == [200] * len(GO_MENTORS)
        winners = []
        for user in GO_MENTORS:
            await control.wait_for_message(user, has("needed help"), what=f"{user}'s ping rewritten")
            if [m for m in await control.dm_messages(user) if "you accepted" in text_of(m).lower()]:
                winners.append(user)
        assert len(winners) == 1
        await control.wait_for_message("U0ALICE", has(f"<@{winners[0]}> is helping"))
        # A loser's ping is rewritten by the winner's process, maybe before the loser's own click has been handled
        # (its HTTP 200 is the ack; the work follows): wait until every click has left its event.
        db = Database(url)
        try:
            request, events = await control.wait_for(
                lambda: every_click_logged(db, GO_MENTORS), what="an accept or late event from every mentor"
            )
        finally:
            await db.dispose()
    assert request.state == "matched"
    assert request.mentor_id == winners[0]
    assert [e.kind for e in events].count("session.started") == 1
    assert [e.kind for e in events].count("ping.late") == len(GO_MENTORS) - 1


async def test_a_redelivered_slash_command_makes_one_request(
    slack_servers: dict[str, Slack], start_burst: StartBurst, tmp_path: Path
) -> None:
    slack = slack_servers["events"]
    burst = start_burst(slack)
    async with SlackControl(slack.base_url) as control:
        await control.reset()
        await add_skills(control, "U0BOB", "python:expert")
        body = urllib.parse.urlencode(
            {
                "command": "/burst",
                "text": "help python typing",
                "user_id": "U0ALICE",
                "user_name": "alice",
                "channel_id": GEN,
                "team_id": "T0ACME",
                "api_app_id": "A0BURST",
                "trigger_id": "1234.5678.same-trigger",
                "response_url": f"{slack.base_url}/_hooks/response/none",
            }
        )
        target = f"http://127.0.0.1:{slack.burst_port}/slack/events"
        kind = "application/x-www-form-urlencoded"
        first = await post_signed(target, ws.SIGNING_SECRET, body, kind)
        again = await post_signed(target, ws.SIGNING_SECRET, body, kind, {"X-Slack-Retry-Num": "1"})
        assert first[0] == again[0] == 200
        assert first[1] == ""  # acked at once; "Looking for someone" follows once the request is stored
        await control.wait_for_message("U0BOB", has("needs help with"))
        await settled(f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}", burst)  # both deliveries handled
        pings = [m for m in await control.dm_messages("U0BOB") if "python typing" in text_of(m)]
        assert len(pings) == 1
