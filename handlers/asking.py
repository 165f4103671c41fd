"""What a requester is told once they asked, whichever surface they used."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.requests import AnswerAsker, AskOutcome
from handlers.mrkdwn import escape


def ask_reply(outcome: AskOutcome) -> str | None:
    """The answer to an ask, sent once its request is stored and never before: a process killed in between must not
    leave a promise with no request behind it (the person, hearing nothing, asks again). None for a duplicate
    delivery, whose original was answered."""
    topic = escape(outcome.request.topic)
    if outcome.status == "already_open":
        return (
            f"You already have an open request about *{topic}*. `/burst cancel` it first to ask about something else."
        )
    if outcome.status in ("duplicate", "clarifying"):  # a redelivery; or the "did you mean ...?" DM is the answer
        return None
    if outcome.status == "vague":
        return (
            "What do you need help with? Name the tool, task or problem, for example "
            '`/burst help pivot tables in excel` or "help me with a flaky pytest fixture".'
        )
    return f":mag: Looking for someone who can help with *{topic}*. I'll DM you as soon as someone accepts."


def answering(send: Callable[[str], Awaitable[object]]) -> AnswerAsker:
    """What RequestService.ask calls once the request is stored: the reply, through this surface's way of talking."""

    async def answer(outcome: AskOutcome) -> None:
        if reply := ask_reply(outcome):
            await send(reply)

    return answer
