"""Domain services on a real database, with the Slack port faked and timers swept by the test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.domain.availability import SignalSwitches
from bot.domain.embedding import shared_embedder
from bot.domain.understanding import Understander
from bot.entrypoints.app import wire_timers
from bot.runtime.timers import Timers
from bot.services.answering import AnswerService
from bot.services.asking import RequestService, RoutingConfig
from bot.services.directory_sync import DirectorySync
from bot.services.followups import FollowupService
from bot.services.profiles import ProfileService
from bot.services.routing import Screen, TopicReader
from bot.services.sessions import SessionConfig, SessionService
from storage.database import Database
from tests.support.fakes import RecordingSlack


@dataclass
class World:
    db: Database
    slack: RecordingSlack
    timers: Timers
    profiles: ProfileService
    requests: RequestService
    answers: AnswerService
    sessions: SessionService
    followups: FollowupService


def make_world(db: Database, slack: RecordingSlack | None = None, worker: str = "w1") -> World:
    slack = slack or RecordingSlack()
    timers = Timers(db, sweep_interval=timedelta(seconds=60), worker=worker)
    followups = FollowupService(db, slack, timers, (timedelta(seconds=0), timedelta(days=7)))
    sessions = SessionService(db, slack, timers, followups, SessionConfig(warning=timedelta(minutes=2)))
    requests = RequestService(
        db,
        slack,
        TopicReader(Understander(shared_embedder())),
        timers,
        sessions,
        RoutingConfig(wave_size=2, wave_timeout=timedelta(minutes=3), max_waves=2, default_length_seconds=900),
        Screen(None, SignalSwitches()),  # calendars only: Slack's signals are the app tests' business
    )
    wire_timers(timers, requests, sessions, followups, DirectorySync(db, slack, timers))
    return World(db, slack, timers, ProfileService(db, slack), requests, AnswerService(requests), sessions, followups)


@pytest.fixture
def world(db: Database) -> World:
    return make_world(db)
