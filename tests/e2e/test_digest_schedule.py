"""The scheduled weekly digest end to end: two `burst run` processes on one PostgreSQL post it once, a restart
does not post it again, and the post names no one who asked."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.entrypoints import demo_workspace as ws
from storage.database import Database
from storage.migrate import upgrade_async
from storage.models import HelpRequest, RequestState, utcnow
from tests.e2e.conftest import Slack, StartBurst
from tests.e2e.test_ask_and_accept import has
from tests.support.burst_process import BurstProcess
from tests.support.control import SlackControl
from tests.support.ports import free_port
from tests.support.postgres import ThrowawayPostgres
from tests.support.quiet import health_of
from tests.support.workload import text_of


def latest_monday_nine() -> datetime:
    """When "0 9 * * mon" (UTC) last fired."""
    now = utcnow()
    monday = (now - timedelta(days=now.weekday())).replace(hour=9, minute=0, second=0, microsecond=0)
    return monday if monday <= now else monday - timedelta(days=7)


async def seed_last_week(url: str) -> None:
    """Requests from before this week's scheduled digest (Monday 09:00 UTC), so that digest is due and missed."""
    await upgrade_async(url)
    db = Database(url)
    try:
        async with db.uow() as uow:
            asked = latest_monday_nine() - timedelta(days=2)  # inside the week that digest covers
            for i, (user, topic) in enumerate([("U0ALICE", "kafka"), ("U0LUCA", "kafka"), ("U0NINA", "kafka")]):
                request = uow.requests.add(
                    HelpRequest(
                        requester_id=user,
                        topic=topic,
                        state=RequestState.EXPIRED,
                        created_at=asked + timedelta(hours=i),
                    )
                )
                await uow.flush()
                uow.events.append("request.created", actor_id=user, request_id=request.id, at=request.created_at)
            await uow.commit()
    finally:
        await db.dispose()


async def looked_for_digests(process: BurstProcess) -> bool:
    health = await asyncio.to_thread(health_of, process)
    return health is not None and int(health["digest_checks"]) > 0


async def test_the_scheduled_digest_is_posted_once_by_two_processes_and_not_again_after_a_restart(
    slack_servers: dict[str, Slack], start_burst: StartBurst, postgres_server: ThrowawayPostgres
) -> None:
    slack = slack_servers["events"]
    url = postgres_server.new_database("digest")
    await seed_last_week(url)
    async with SlackControl(slack.base_url) as control:
        await control.reset()
        cron = {"BURST_DIGEST_CRON": "0 9 * * mon", "BURST_DIGEST_CHANNEL": ws.DIGEST_CHANNEL}
        start_burst(slack, database_url=url, name="a", **cron)
        b = start_burst(slack, database_url=url, name="b", BURST_HTTP_PORT=str(free_port()), **cron)
        posted = await control.wait_for_message(ws.DIGEST_CHANNEL, has("weekly digest"))
        assert "kafka" in text_of(posted)  # three people asked: a skill gap worth naming
        for asker in ("U0ALICE", "U0LUCA", "U0NINA"):
            assert asker not in text_of(posted)

        b.stop()
        b.start()
        await control.wait_for(lambda: looked_for_digests(b), what="the restarted process to look for due digests")
        digests = [m for m in await control.messages(ws.DIGEST_CHANNEL) if "weekly digest" in text_of(m).lower()]
        assert len(digests) == 1
