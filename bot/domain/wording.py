"""Counts in words, with the noun that agrees: "1 person", "2 people", "1 session", "0 sessions".

One helper for every message, so no reply says "1 sessions" or "session(s)".
"""

from __future__ import annotations


def plural(count: int, one: str, many: str | None = None) -> str:
    """`count` and the noun that agrees with it; `many` defaults to `one` + "s"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"
