"""The digest's numbers on a hand-computed week, its privacy rules, and posting once per period."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.digest import CLAIM_LEASE, DigestConfig, DigestService, percentile
from handlers.views.digest_blocks import digest_blocks
from storage.database import Database
from storage.models import Feedback, FlashSession, HelpRequest, Member, RequestState, SessionState
from tests.support.fakes import RecordingSlack

# Monday 2026-11-16 09:00 UTC: the digest of the week before it.
END = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def service(db: Database, slack: RecordingSlack, worker: str = "w1", min_askers: int = 3) -> DigestService:
    config = DigestConfig(channel="C0DIGEST", cron="0 9 * * mon", zone=ZoneInfo("UTC"), min_askers=min_askers)
    return DigestService(db, slack, config, worker)


async def seed_week(db: Database) -> None:
    t0 = END - 6 * DAY
    async with db.uow() as uow:
        s = uow.db_session
        s.add_all([Member(id="M1", thanks_opt_in=True), Member(id="M2"), Member(id="M3", thanks_opt_in=True)])
        matched = [(60, "M1", 10), (120, "M1", 15), (180, "M2", 20), (600, "M3", 5)]
        sessions: list[int] = []
        for i, (wait, mentor, minutes) in enumerate(matched):
            created = t0 + timedelta(hours=i)
            r = HelpRequest(
                requester_id=f"R{i}",
                topic="python decorators",
                skills={"python": 1.0},
                state=RequestState.MATCHED,
                mentor_id=mentor,
                created_at=created,
                matched_at=created + timedelta(seconds=wait),
                anonymous=i == 0,
            )
            s.add(r)
            await s.flush()
            started = created + timedelta(seconds=wait)
            f = FlashSession(
                request_id=r.id or 0,
                requester_id=r.requester_id,
                mentor_id=mentor,
                started_at=started,
                ends_at=started + timedelta(minutes=minutes),
                ended_at=started + timedelta(minutes=minutes),
                state=SessionState.ENDED,
            )
            s.add(f)
            await s.flush()
            sessions.append(f.id or 0)
            s.add(
                Feedback(session_id=f.id or 0, member_id=r.requester_id, helpful=i != 3, created_at=started + DAY / 24)
            )
        for i, (asker, topic) in enumerate([("U1", "cobol"), ("U2", "cobol"), ("U3", "cobol"), ("U4", "fortran")]):
            s.add(
                HelpRequest(
                    requester_id=asker,
                    topic=topic,
                    state=RequestState.EXPIRED,
                    created_at=t0 + DAY + timedelta(hours=i),
                )
            )
        # The week before: one matched, one unmet.
        s.add(
            HelpRequest(
                requester_id="R9",
                topic="go",
                skills={"go": 1.0},
                state=RequestState.MATCHED,
                created_at=END - 10 * DAY,
                matched_at=END - 10 * DAY + timedelta(minutes=4),
            )
        )
        s.add(HelpRequest(requester_id="R9", topic="rust", state=RequestState.EXPIRED, created_at=END - 9 * DAY))
        # Three sessions answered; the first said "still stuck" before "solved" and counts once, as solved.
        answers = [(0, "stuck", 1), (0, "solved", 2), (1, "solved", 2), (2, "stuck", 3)]
        for session, outcome, day in answers:
            uow.events.append("followup.answered", at=t0 + day * DAY, session_id=sessions[session], outcome=outcome)
        await uow.commit()


async def test_numbers_of_a_hand_computed_week(db: Database) -> None:
    await seed_week(db)
    digest = await service(db, RecordingSlack()).build(END)
    w = digest.this
    assert digest.period == "2026-W46"
    assert (w.requests, w.matched, w.unmet) == (8, 4, 4)
    assert w.match_rate == 0.5
    assert w.median_accept == 150  # median of 60, 120, 180, 600 s
    assert w.p90_accept == 600  # nearest rank: the 4th of 4
    assert (w.sessions, w.minutes) == (4, 50.0)
    assert w.top_topics == [("python", 4), ("cobol", 3)]  # fortran: one person asked, so it is not named
    assert (w.helpful, w.not_helpful, w.solved, w.stuck) == (3, 1, 2, 1)
    assert w.thanks == [("M1", 2), ("M3", 1)]  # M2 did not opt in to being named
    last = digest.last
    assert (last.requests, last.matched, last.unmet, last.median_accept) == (2, 1, 1, 240)


async def test_a_gap_asked_by_too_few_people_is_only_a_count(db: Database) -> None:
    await seed_week(db)
    w = (await service(db, RecordingSlack()).build(END)).this
    assert w.unmet_topics == [("cobol", 3)]  # three different people asked
    assert w.unmet_other == 1  # fortran, asked by one person, is not named
    w4 = (await service(db, RecordingSlack(), min_askers=4).build(END)).this
    assert (w4.unmet_topics, w4.unmet_other) == ([], 4)


async def test_the_rendered_digest_names_no_rare_topic_and_no_person_who_asked(db: Database) -> None:
    await seed_week(db)
    digest = await service(db, RecordingSlack()).build(END)
    shown = json.dumps(digest_blocks(digest))
    assert "cobol" in shown
    assert "fortran" not in shown
    assert "fewer than 3 people" in shown
    assert not re.search(r"\bR\d\b", shown)  # no requester, anonymous or not
    assert "M2" not in shown  # a mentor who did not opt in is not thanked by name


async def test_the_scheduled_digest_posts_once_across_processes_and_catches_up(db: Database) -> None:
    await seed_week(db)
    slack = RecordingSlack()
    now = END + timedelta(days=2, hours=3)  # Burst was down at Monday 09:00
    posted = await asyncio.gather(*(service(db, slack, worker=f"w{i}").post_due(now) for i in range(5)))
    assert sorted(label for labels in posted for label in labels) == ["2026-W46"]
    assert slack.named("post_digest") == [{"channel": "C0DIGEST", "period": "2026-W46"}]
    assert await service(db, slack).post_due(now + timedelta(hours=1)) == []  # a restart: not again


async def test_weeks_missed_while_down_are_each_posted_once_oldest_first(db: Database) -> None:
    await seed_week(db)
    slack = RecordingSlack()
    back = END + timedelta(days=15)  # down for two more Mondays
    assert await service(db, slack).post_due(back) == ["2026-W46", "2026-W47", "2026-W48"]
    assert await service(db, slack, worker="w2").post_due(back + timedelta(minutes=5)) == []
    assert [c["period"] for c in slack.named("post_digest")] == ["2026-W46", "2026-W47", "2026-W48"]


async def test_a_claim_left_by_a_dead_process_is_taken_over_after_its_lease(db: Database) -> None:
    await seed_week(db)
    async with db.uow() as uow:
        assert await uow.digests.claim("2026-W46", "dead", END, CLAIM_LEASE)
        await uow.commit()
    slack = RecordingSlack()
    assert await service(db, slack).post_due(END + CLAIM_LEASE / 2) == []  # it may still be posting
    assert await service(db, slack).post_due(END + CLAIM_LEASE + timedelta(minutes=1)) == ["2026-W46"]
    assert len(slack.named("post_digest")) == 1


async def test_a_failed_post_is_retried_later(db: Database) -> None:
    await seed_week(db)
    slack = RecordingSlack(digest_ok=False)
    assert await service(db, slack).post_due(END + timedelta(minutes=1)) == []
    slack.digest_ok = True
    assert await service(db, slack).post_due(END + timedelta(minutes=2)) == ["2026-W46"]
    assert len(slack.named("post_digest")) == 2


async def test_nothing_is_posted_for_a_week_before_burst_was_used(db: Database) -> None:
    slack = RecordingSlack()
    assert await service(db, slack).post_due(END) == []
    assert slack.named("post_digest") == []


@pytest.mark.parametrize(
    ("values", "pct", "expected"), [([], 90, None), ([5.0], 90, 5.0), ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9)]
)
def test_percentile_is_nearest_rank(values: list[float], pct: float, expected: float | None) -> None:
    assert percentile(values, pct) == expected
