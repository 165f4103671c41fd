"""The composition of domain services one Burst process runs with."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.availability import SlackSignals
from bot.runtime.metrics import Metrics
from bot.runtime.timers import Timers
from bot.runtime.work_gate import DeliveryLedger, WorkGate
from bot.services.answering import AnswerService
from bot.services.asking import RequestService
from bot.services.calendars import CalendarService
from bot.services.digest import DigestService
from bot.services.directory_sync import DirectorySync
from bot.services.followups import FollowupService
from bot.services.privacy import PrivacyService
from bot.services.profiles import ProfileService
from bot.services.sessions import SessionService
from config import Settings
from storage.database import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    timers: Timers
    profiles: ProfileService
    requests: RequestService
    answers: AnswerService
    sessions: SessionService
    privacy: PrivacyService
    followups: FollowupService
    digest: DigestService
    directory_sync: DirectorySync
    deliveries: DeliveryLedger
    calendars: CalendarService
    signals: SlackSignals | None  # None where Slack's signals are not read (commands run outside `burst run`)
    after_ack: WorkGate  # admits the work listeners do after their ack, a few at a time
    metrics: Metrics
