"""What a requester is told once they asked, whichever surface they used."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.requests import AnswerAsker, AskOutcome
from handlers.mrkdwn import escape

POINTS_TO_DM = ("command", "mention")
"""Surfaces away from the DM with Burst, where the status message lives: there the reply says where to look."""


def ask_reply(outcome: AskOutcome) -> str | None:
    """The answer to an ask on the surface it came from, sent once its request is stored and never before: a process
    killed in between must not leave a promise with no request behind it (the person, hearing nothing, asks again).

    How the search goes is the one status message in the DM with Burst (bot.ports.Notifier.searching), so a DM, the
    form or a button gets no other reply; a command or a mention in a channel is told to look there. None for a
    duplicate delivery, whose original was answered."""
    topic = escape(outcome.request.topic)
    if outcome.status == "already_open":
        return (
            f"You already have an open request about *{topic}*. `/burst cancel` it first to ask about something else."
        )
    if outcome.status == "duplicate" or outcome.request.source not in POINTS_TO_DM:
        return None
    return f":mag: Got it: *{topic}*. I'll keep you posted in our DM."


def answering(send: Callable[[str], Awaitable[object]]) -> AnswerAsker:
    """What RequestService.ask calls once the request is stored: the reply, through this surface's way of talking."""

    async def answer(outcome: AskOutcome) -> None:
        if reply := ask_reply(outcome):
            await send(reply)

    return answer
