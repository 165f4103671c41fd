"""The narrow outbound ports the domain talks through. The Slack adapter in `handlers/` implements them.

Methods speak the domain's language (a ping, a match), not Slack's (blocks, channels), so services can be
tested with an in-memory fake and the wording and layout stay at the edge.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.runtime.timer_kinds import K, Owing, TimedKind
from storage.database import UnitOfWork
from storage.models import FlashSession, HelpRequest, PingState

redelivering: ContextVar[bool] = ContextVar("redelivering", default=False)
"""True while a step runs again after its first run may have sent some of its messages (a process died mid-way).

Steps commit, then talk to Slack, and their timed action's row is finished only after that; so a kill in between
leaves the row to be taken over, and the step runs again with this set. A Notifier then posts only what Slack does
not have yet (each message carries a key it can be found by), so a kill delays a message, never loses or doubles it.
"""


@dataclass(frozen=True)
class MessageRef:
    """Where a message Burst sent lives, so it can be updated later."""

    channel: str
    ts: str
    viewer: str | None = None  # the one person who reads it (a 1:1 DM with Burst); None where both do


@dataclass(frozen=True)
class UserProfile:
    name: str
    tz: str


class Waker(Protocol):
    """Asks the timer machinery to look at the durable timers at a moment (after the commit that added one)."""

    def wake_at(self, due_at: datetime) -> None: ...


class Outbox(Waker, Protocol):
    """The durable timers as the services that talk to people use them: what a step owes Slack survives a kill."""

    async def owe(self, uow: UnitOfWork, message: K) -> Owing[K] | None:
        """Record, in the step's own commit, a message it owes Slack, as a timed action this process holds.

        None if its key is owed already (the step ran before: a redelivery). After the commit, send it `settling`.
        """

    def settling(self, owing: Owing[TimedKind]) -> AbstractAsyncContextManager[None]:
        """Around sending what `owe` recorded, here and now: the row is finished after, or left for a retry if
        the sending fails (logged, not raised); if this process dies first, another one sends it later."""


class Directory(Protocol):
    async def profile(self, user_id: str) -> UserProfile | None: ...

    def everyone(self) -> AsyncIterator[dict[str, UserProfile]]:
        """The whole workspace, a page (user ID -> profile) at a time; stops early if Slack refuses."""
        ...


class Notifier(Protocol):
    async def ping(self, mentor_id: str, request: HelpRequest, ping_id: int, reason: str) -> MessageRef | None:
        """Ask a mentor to help; None when Slack refused the message."""

    async def ping_closed(self, ref: MessageRef, request: HelpRequest, outcome: PingState) -> None:
        """Rewrite a ping once it is answered or moot: outcome is a PingState value."""

    async def find_ping(self, mentor_id: str, ping_id: int) -> MessageRef | None:
        """A ping's message if Slack has it: one posted just before a crash, its place never stored."""

    async def searching(self, request: HelpRequest, asked: int, wave: int) -> MessageRef | None:
        """Post or edit the requester's status message: looking (asked 0), then how many were asked so far.

        This and the other status methods (no_match, expired, cancelled, matched) edit one message per request,
        found at request.status_channel/status_ts; they return where it is, so the service can store that.
        """

    async def no_match(self, request: HelpRequest, reason: str) -> MessageRef | None:
        """Nobody knows this topic (no_skill) or nobody is free (nobody_free): the request did not start."""

    async def expired(self, request: HelpRequest, asked: int) -> MessageRef | None:
        """Every wave went by: the `asked` people pinged could not take it."""

    async def cancelled(self, request: HelpRequest) -> MessageRef | None:
        """The requester stopped the search."""

    async def ask_which(self, request: HelpRequest) -> None:
        """Ask the requester which of the request's skills they meant, or none of them ("did you mean ...?")."""

    async def all_busy(self, request: HelpRequest, busy: int, why: str, retry_at: datetime | None) -> None:
        """Everyone who knows it is busy (`why`: "in meetings", "busy: 2 in meetings, 1 on Do Not Disturb");
        with `retry_at` Burst tries again then, without it the request has ended."""

    async def matched(self, request: HelpRequest, flash: FlashSession) -> list[MessageRef]:
        """Put requester and mentor in touch (the status message says who is helping); returns the session cards."""

    async def session_changed(self, request: HelpRequest, flash: FlashSession, what: str) -> None:
        """A session was warned, extended or ended: tell both people (and on extend or end, update its cards).

        `what` is one of "warning", "extended" and "ended".
        """

    async def follow_up(self, request: HelpRequest, flash: FlashSession, index: int) -> None:
        """Check back with the requester: Solved / Still stuck."""

    async def thank_mentor(self, request: HelpRequest, flash: FlashSession, sessions_given: int) -> None:
        """Thank the mentor, with how many bursts they have given."""
