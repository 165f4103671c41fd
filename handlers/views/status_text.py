"""How `/burst status` reads."""

from __future__ import annotations

from bot.services.overview import Overview
from handlers.slack.mrkdwn import escape, mention
from storage.models import RequestState

STATE_WORDS = {
    RequestState.OPEN: "looking for someone",
    RequestState.MATCHED: "matched",
    RequestState.EXPIRED: "nobody was free",
    RequestState.CANCELLED: "cancelled",
}


def status_text(view: Overview, user_id: str) -> str:
    lines: list[str] = []
    for r in view.open_requests:
        lines.append(f":mag: Open request: *{escape(r.topic)}* (round {max(r.wave, 1)}). `/burst cancel` stops it.")
    for s in view.active_sessions:
        other = s.mentor_id if s.requester_id == user_id else s.requester_id
        lines.append(
            f":zap: In a session with {mention(other)} until <!date^{int(s.ends_at.timestamp())}^{{time}}|soon>."
        )
    if not lines:
        lines.append("You have no open request and no session running.")
    if view.recent:
        lines.append("*Recent bursts*")
        for r in view.recent:
            role = "you asked" if r.requester_id == user_id else f"you helped {mention(r.requester_id)}"
            lines.append(f"• {escape(r.topic)}: {STATE_WORDS.get(r.state, r.state)} ({role})")
    return "\n".join(lines)
