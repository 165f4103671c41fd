"""What a requester is told the moment they ask, whichever surface they used."""

from __future__ import annotations

from bot.requests import AskOutcome
from handlers.mrkdwn import escape


def acknowledge_ask(topic: str) -> str:
    return f":mag: Looking for someone who can help with *{escape(topic)}*. I'll DM you as soon as someone accepts."


def answer_ask(outcome: AskOutcome) -> str | None:
    """A follow-up to the acknowledgement, when the ask did not start a search; None when it did."""
    if outcome.status == "already_open":
        return (
            f"You already have an open request about *{escape(outcome.request.topic)}*. "
            "`/burst cancel` it first to ask about something else."
        )
    return None
