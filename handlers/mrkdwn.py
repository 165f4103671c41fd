"""Safe text for Slack's mrkdwn: user text is escaped so nobody can inject `<!channel>` or a fake mention."""

from __future__ import annotations

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
