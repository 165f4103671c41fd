"""The composition of domain services one Burst process runs with."""

from __future__ import annotations

from dataclasses import dataclass

from bot.availability import SlackSignals
from bot.calendars import CalendarService
from bot.deliveries import DeliveryLedger
from bot.digest import DigestService
from bot.directory_sync import DirectorySync
from bot.followups import FollowupService
from bot.metrics import Metrics
from bot.privacy import PrivacyService
from bot.profiles import ProfileService
from bot.requests import RequestService
from bot.sessions import SessionService
from bot.timers import Timers
from bot.work_gate import WorkGate
from config import Settings
from storage.database import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    timers: Timers
    profiles: ProfileService
    requests: RequestService
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
