"""Names of interaction events (the append-only log). One place, so exports and the digest agree."""

from typing import Final

REQUEST_CREATED: Final = "request.created"
REQUEST_NO_MATCH: Final = "request.no_match"  # nobody knows the topic: unmet demand
REQUEST_EXPIRED: Final = "request.expired"  # nobody accepted in time: unmet demand
REQUEST_CANCELLED: Final = "request.cancelled"
REQUEST_CLARIFIED: Final = "request.clarified"  # the requester said which skill they meant (or none of those)
REQUEST_ALL_BUSY: Final = "request.all_busy"  # everyone who knows it was busy (calendar, DND, status, presence)
REQUEST_MATCHED: Final = "request.matched"
WAVE_SENT: Final = "wave.sent"
PING_SENT: Final = "ping.sent"
PING_FAILED: Final = "ping.failed"
PING_ACCEPTED: Final = "ping.accepted"
PING_DECLINED: Final = "ping.declined"
PING_SNOOZED: Final = "ping.snoozed"
PING_HANDED_OFF: Final = "ping.handed_off"  # declined, naming a colleague to ask instead
PING_LATE: Final = "ping.late"  # clicked after the request was taken or closed
SKILLS_ADDED: Final = "profile.skills_added"
SKILL_REMOVED: Final = "profile.skill_removed"
ABOUT_SET: Final = "profile.about_set"
EVIDENCE_LEARNED: Final = "profile.evidence_learned"  # a solved or helpful session, or a colleague's suggestion
SESSION_STARTED: Final = "session.started"
SESSION_WARNED: Final = "session.warned"
SESSION_EXTENDED: Final = "session.extended"
SESSION_ENDED: Final = "session.ended"
FEEDBACK_GIVEN: Final = "feedback.given"
FOLLOWUP_SENT: Final = "followup.sent"
FOLLOWUP_ANSWERED: Final = "followup.answered"
DATA_DELETED: Final = "privacy.data_deleted"  # no actor: the log must not point back at the person
FOLLOWUP_SKIPPED: Final = "followup.skipped"  # the requester had already said Solved
DIGEST_POSTED: Final = "digest.posted"
DIGEST_FAILED: Final = "digest.failed"
