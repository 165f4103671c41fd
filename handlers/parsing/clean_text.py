"""Text from Slack, made storable: U+0000 removed from every string of a request before any listener sees it.

Nobody types a NUL, but JSON can carry one, and PostgreSQL text cannot hold it: a topic or note with one failed
its listener with a database error on PostgreSQL (SQLite took it). Removing it at the edge keeps every service
free of the concern. The walk is a few microseconds on a Slack-sized body, well inside the ack.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

NUL = "\x00"


def without_nul(node: Any) -> Any:
    if isinstance(node, str):
        return node.replace(NUL, "") if NUL in node else node
    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = without_nul(value)
    elif isinstance(node, list):
        node[:] = [without_nul(item) for item in node]
    return node


async def drop_nul_characters(body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:
    """A Bolt global middleware: cleans the parsed body in place, which is what every listener argument reads."""
    without_nul(body)
    await next()
