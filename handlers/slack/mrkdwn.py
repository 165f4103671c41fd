"""Safe text for Slack's mrkdwn: user text is escaped so nobody can inject `<!channel>` or a fake mention.

Also the way back: Slack's own encoding of a message (`&lt;`, `<@U123|ana>`, `<https://x|a link>`) decoded into
what the person saw, and mrkdwn turned into plain text for the places Slack shows as typed (a form's errors).
"""

from __future__ import annotations

import re
from datetime import datetime

SECTION_LIMIT = 3000  # characters in a section's text
BUTTON_LIMIT = 75


_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# "@here" typed as a plain word: Slack may still read it as a broadcast (a client's or a workflow's link_names), so a
# word joiner goes after the @ and the word reads the same but notifies nobody.
_BROADCAST = re.compile(r"@(here|channel|everyone)\b", re.IGNORECASE)
_TOKEN = re.compile(r"<([^<>]*)>")


def escape(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@\u2060\\1", escaped)


def escape_within(text: str, limit: int) -> str:
    """User text escaped into at most `limit` characters: trimmed before escaping, so no `&amp;` is cut in half."""
    if len(escape(text)) <= limit:
        return escape(text)
    room = limit - 1  # for the ellipsis
    used = 0
    for end, char in enumerate(text):
        used += len(_ENTITIES.get(char, char))
        if used > room:
            return escape(text[:end]) + "…"
    return escape(text)


def _decoded_token(token: str) -> str:
    target, _, label = token.partition("|")
    if target.startswith(("@", "#")):
        return target[0] + label if label else target
    if target.startswith("!"):
        name = target[1:].split("^")[0]
        if label:
            return label
        return f"@{name}" if name in ("here", "channel", "everyone") else ""
    return label or target


def from_slack(text: str) -> str:
    """A message as Slack stores it (mentions, links and `&lt;` encoded) as the person saw it."""
    decoded = _TOKEN.sub(lambda m: _decoded_token(m.group(1)), text)
    return decoded.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_text(mrkdwn: str) -> str:
    """What a mrkdwn line says, for a field Slack shows as typed: bold, italics and code marks gone, `&lt;` as `<`."""
    text = re.sub(r"`([^`]*)`", r"\1", mrkdwn)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"\1", text)
    return from_slack(text)


def clip(text: str, limit: int = SECTION_LIMIT) -> str:
    """At most `limit` characters, never cutting through an entity (`&amp;`) or a token (`<@U123>`)."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    for opener, closer in (("&", ";"), ("<", ">")):
        start = text.rfind(opener, 0, cut)
        if start != -1 and closer not in text[start:cut]:
            cut = start
    return text[:cut] + "…"


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
