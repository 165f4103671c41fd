"""Safe text for Slack's mrkdwn: user text is escaped so nobody can inject `<!channel>` or a fake mention."""

from __future__ import annotations

from datetime import datetime

SECTION_LIMIT = 3000  # characters in a section's text
BUTTON_LIMIT = 75


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def when(at_epoch: float, fallback: str) -> str:
    """A time each reader sees in their own zone."""
    return f"<!date^{int(at_epoch)}^{{time}}|{fallback}>"


def local_time(at: datetime, *, with_date: bool = False) -> str:
    """`at` as each reader's own clock shows it ("Tue, Nov 24 at 09:30" with the date), UTC where Slack can't."""
    if not with_date:
        return when(at.timestamp(), f"{at:%H:%M} UTC")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{at:%Y-%m-%d %H:%M} UTC>"
