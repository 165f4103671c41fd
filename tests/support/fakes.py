"""Fakes of the outbound ports (Slack cannot run inside a unit test; local-slack covers it end to end)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.runtime.ports import MessageRef, UserProfile, redelivering
from bot.services.digest import Digest
from storage.models import FlashSession, HelpRequest, PingState


@dataclass
class RecordingSlack:
    """Implements Notifier, Directory and DigestPoster by remembering every call, in order.

    Like Slack (through handlers.slack.gateway), it keeps what it posted: while `redelivering` is set, a message it
    has already is not posted again, and the call is not recorded. Share one between two worlds of a test, as two
    processes share one Slack.
    """

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    refuse_pings_to: set[str] = field(default_factory=set)
    digest_ok: bool = True
    zones: dict[str, str] = field(default_factory=dict)
    posted: dict[tuple[object, ...], MessageRef] = field(default_factory=dict)
    _ts: int = 0

    def _ref(self, channel: str) -> MessageRef:
        self._ts += 1
        return MessageRef(channel, f"{self._ts}.0")

    def _post(self, name: str, args: dict[str, Any], channel: str, *identity: object) -> MessageRef | None:
        """Record a posted message, unless a step running again finds it posted already."""
        if redelivering.get() and (name, *identity) in self.posted:
            return self.posted[(name, *identity)]
        self.calls.append((name, args))
        ref = self._ref(channel)
        self.posted[(name, *identity)] = ref
        return ref

    def named(self, name: str) -> list[dict[str, Any]]:
        return [args for n, args in self.calls if n == name]

    async def profile(self, user_id: str) -> UserProfile | None:
        return UserProfile(name=user_id.lower(), tz=self.zones.get(user_id, "UTC"))

    async def everyone(self) -> AsyncIterator[dict[str, UserProfile]]:
        """`zones` as the directory, two people a page (so paging is exercised)."""
        people = sorted(self.zones)
        for start in range(0, len(people), 2):
            self.calls.append(("users.list", {"page": start // 2}))
            yield {u: UserProfile(name=u.lower(), tz=self.zones[u]) for u in people[start : start + 2]}

    async def ping(self, mentor_id: str, request: HelpRequest, ping_id: int, reason: str) -> MessageRef | None:
        if mentor_id in self.refuse_pings_to:
            self.calls.append(("ping", {"mentor": mentor_id, "request": request.id, "ping": ping_id}))
            return None
        return self._post(
            "ping", {"mentor": mentor_id, "request": request.id, "ping": ping_id}, f"D{mentor_id}", ping_id
        )

    async def find_ping(self, mentor_id: str, ping_id: int) -> MessageRef | None:
        return self.posted.get(("ping", ping_id))

    async def ping_closed(self, ref: MessageRef, request: HelpRequest, outcome: PingState) -> None:
        self.calls.append(("ping_closed", {"mentor": ref.channel.removeprefix("D"), "outcome": outcome}))

    async def searching(self, request: HelpRequest, asked: int, wave: int) -> MessageRef | None:
        """The status message: "looking" when first posted (nobody asked yet), then "searching" per wave."""
        if not asked:
            return self._post("looking", {"request": request.id}, "D", request.id)
        return self._post("searching", {"pinged": asked, "wave": wave}, "D", request.id, wave)

    async def no_match(self, request: HelpRequest, reason: str) -> MessageRef | None:
        return self._post("no_match", {"reason": reason}, "D", request.id)

    async def expired(self, request: HelpRequest, asked: int) -> MessageRef | None:
        return self._post("expired", {"request": request.id}, "D", request.id)

    async def cancelled(self, request: HelpRequest) -> MessageRef | None:
        return self._post("cancelled", {"request": request.id}, "D", request.id)

    async def ask_which(self, request: HelpRequest) -> None:
        self._post("ask_which", {"skills": sorted(request.skills)}, "D", request.id)

    async def all_busy(self, request: HelpRequest, busy: int, why: str, retry_at: datetime | None) -> None:
        self._post("all_busy", {"busy": busy, "why": why, "retry_at": retry_at}, "D", request.id)

    async def matched(self, request: HelpRequest, flash: FlashSession) -> list[MessageRef]:
        ref = self._post("matched", {"mentor": flash.mentor_id, "session": flash.id}, f"G{flash.id}", flash.id)
        return [ref] if ref else []

    async def session_changed(self, request: HelpRequest, flash: FlashSession, what: str) -> None:
        args = {"what": what, "session": flash.id}
        self._post("session_changed", args, "G", what, flash.id, flash.extensions)

    async def follow_up(self, request: HelpRequest, flash: FlashSession, index: int) -> None:
        self._post("follow_up", {"session": flash.id, "index": index}, "D", flash.id, index)

    async def thank_mentor(self, request: HelpRequest, flash: FlashSession, sessions_given: int) -> None:
        self._post("thank_mentor", {"mentor": flash.mentor_id, "count": sessions_given}, "D", flash.id)

    async def post_digest(self, channel: str, digest: Digest) -> bool:
        self.calls.append(("post_digest", {"channel": channel, "period": digest.period}))
        return self.digest_ok


@dataclass
class NoWaker:
    """Records wake-ups instead of arming a scheduler; tests run the sweep themselves."""

    wakes: list[datetime] = field(default_factory=list)

    def wake_at(self, due_at: datetime) -> None:
        self.wakes.append(due_at)
