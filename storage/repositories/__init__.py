"""Small repositories over one `AsyncSession`. They query and stage changes; they never commit."""

from storage.repositories.digests import DigestRepository
from storage.repositories.events import DeliveryRepository, EventRepository
from storage.repositories.evidence import EvidenceRepository
from storage.repositories.members import (
    CalendarRepository,
    CandidateMember,
    CandidateQuery,
    CandidateRow,
    MemberRepository,
)
from storage.repositories.privacy import PrivacyRepository
from storage.repositories.requests import PingRepository, RequestRepository
from storage.repositories.sessions import SessionRepository
from storage.repositories.timers import TimerRepository

__all__ = [
    "CalendarRepository",
    "CandidateMember",
    "CandidateQuery",
    "CandidateRow",
    "DeliveryRepository",
    "DigestRepository",
    "EventRepository",
    "EvidenceRepository",
    "MemberRepository",
    "PingRepository",
    "PrivacyRepository",
    "RequestRepository",
    "SessionRepository",
    "TimerRepository",
]
