"""A scripted workload of people using Burst through local-slack, for the fault and crash runs.

Requesters ask one question after another (`/burst help python task 007`, a topic unique to the request) in their
own channel; mentors answer the pings that reach their DM: most accept, some decline (so the next wave goes early),
some never answer (so the wave times out). Sessions run on their short timers to the end; people sometimes give
feedback and sometimes answer the follow-up. Everyone acts only on what local-slack shows them, the way a person would,
and does what a person does when Slack seems stuck: asks again when the command got no answer, clicks again when a
click changed nothing. Those repeats are harmless by design (a request per person is open at most once; answering a
ping twice is refused), and they are what keeps a workload moving while Burst is being killed and restarted.

Choices are drawn from a seeded generator per person, so a run is reproducible up to the timing of the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.entrypoints.demo_workspace import BOT_TOKEN, BOT_USER
from tests.support.control import Message, SlackControl

SKILL = "python"
BOT_APP = {"appId": "A0BURST", "botUserId": BOT_USER, "botName": "burst", "botToken": BOT_TOKEN}
APP_TOKEN, SIGNING_SECRET = "xapp-local", "local-secret"
ACCEPT, DECLINE = 0.55, 0.30  # how a mentor answers a ping; the rest never answer
RECLICK_AFTER = 5.0  # a click that changed nothing is repeated after this long (the delivery may have been lost)
MAX_CLICKS = 3  # then the person gives up on that button
ACK_WAIT = 4.0  # a command with no answer in this long is sent again
MATCHED_WORDS = ("Flash session", "is helping", "left in your session", "has ended", "did it stick")


def topic(n: int) -> str:
    return f"{SKILL} task {n:03d}"


def requester(i: int) -> str:
    return f"U0R{i:03d}"


def mentor(i: int) -> str:
    return f"U0M{i:03d}"


def own_channel(user: str) -> str:
    return "C" + user[1:]


@dataclass(frozen=True)
class WorkloadPlan:
    requests: int
    requesters: int
    mentors: int
    seed: int = 7
    step_budget: float = 60.0  # how long a person waits for the next thing before giving up on that request
    poll: float = 0.5

    @property
    def requester_ids(self) -> list[str]:
        return [requester(i) for i in range(self.requesters)]

    @property
    def mentor_ids(self) -> list[str]:
        return [mentor(i) for i in range(self.mentors)]

    def topics_of(self, index: int) -> list[str]:
        """Requests are dealt out to requesters in turn."""
        return [topic(n) for n in range(index, self.requests, self.requesters)]


def workspace(plan: WorkloadPlan, mode: str, request_url: str | None) -> dict[str, Any]:
    """local-slack's configuration: the workload's people, a channel of their own each, and the bot."""
    app: dict[str, Any] = {**BOT_APP, "appToken": APP_TOKEN, "signingSecret": SIGNING_SECRET, "mode": mode}
    if request_url:
        app["requestUrl"] = request_url
    people = plan.requester_ids + plan.mentor_ids
    return {
        "workspace": {"name": "Chaos", "domain": "chaos", "teamId": "T0CHAOS"},
        "app": app,
        "users": [{"id": u, "name": u.lower(), "real_name": u, "tz": "UTC"} for u in people],
        "channels": [{"id": own_channel(u), "name": u.lower(), "members": [u, BOT_USER]} for u in people],
    }


def text_of(message: Message) -> str:
    """The fallback text and every text inside the blocks: what a person reads."""
    parts = [str(message.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks") or [])
    return "\n".join(parts)


def buttons(message: Message) -> dict[str, dict[str, Any]]:
    """The message's buttons by action_id, as local-slack's /interact wants them."""
    found = {}
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("type") == "button" and element.get("action_id"):
                found[element["action_id"]] = {
                    "action_id": element["action_id"],
                    "value": element.get("value"),
                    "type": "button",
                }
    return found


@dataclass
class Seen:
    """What people saw happen, per topic: the workload's own record, compared with Burst's afterwards."""

    asked: dict[str, int] = field(default_factory=dict)  # commands sent per topic (more than 1: asked again)
    acked: set[str] = field(default_factory=set)
    matched: set[str] = field(default_factory=set)
    expired: set[str] = field(default_factory=set)
    gave_up: dict[str, str] = field(default_factory=dict)  # topic -> the step nobody came back from
    clicks: int = 0
    reclicks: int = 0


class Person:
    """One workspace member reading their DM with Burst and clicking in it."""

    def __init__(self, control: SlackControl, user: str, plan: WorkloadPlan, seen: Seen) -> None:
        self.control = control
        self.user = user
        self.plan = plan
        self.seen = seen
        self.random = random.Random(f"{plan.seed}:{user}")
        self._dm: str | None = None

    async def dm(self) -> list[Message]:
        if self._dm is None:
            self._dm = await self.control.dm_channel(self.user)
        return await self.control.messages(self._dm) if self._dm else []

    async def click(self, message: Message, action: dict[str, Any]) -> None:
        self.seen.clicks += 1
        await self.control.interact(message["channel"], message["ts"], self.user, action)

    async def wait(self, probe: Callable[[], Awaitable[Any]], budget: float) -> Any:
        """Poll until `probe` returns something truthy, or None once the budget is spent."""
        deadline = time.monotonic() + budget
        while time.monotonic() < deadline:
            if found := await probe():
                return found
            await asyncio.sleep(self.plan.poll)
        return None

    async def find(self, fragment: str, action_id: str | None = None) -> Message | None:
        """The newest DM that mentions `fragment` (and has the button, if one is named)."""
        for message in reversed(await self.dm()):
            if fragment in text_of(message) and (action_id is None or action_id in buttons(message)):
                return message
        return None


class Requester(Person):
    async def run(self, topics: list[str]) -> None:
        for name in topics:
            await self.one_request(name)

    async def one_request(self, name: str) -> None:
        bold = f"*{name}*"
        if not await self.ask(name):
            self.seen.gave_up[name] = "no answer to the command"
            return
        outcome = await self.wait(lambda: self._outcome(bold), self.plan.step_budget)
        if outcome is None:
            self.seen.gave_up[name] = "neither matched nor expired"
            return
        if outcome == "expired":
            self.seen.expired.add(name)
            return
        self.seen.matched.add(name)
        # The end message, or else a follow-up (a kill can lose the one message but not both).
        ended = await self.wait(lambda: self._after_the_end(bold), self.plan.step_budget)
        if ended is None:
            self.seen.gave_up[name] = "session never ended"
            return
        if "feedback_helpful" in buttons(ended) and self.random.random() < 0.5:
            choice = "feedback_helpful" if self.random.random() < 0.8 else "feedback_not_helpful"
            await self.click(ended, buttons(ended)[choice])
        check = await self.wait(lambda: self.find(bold, "followup_solved"), self.plan.step_budget)
        if check is None:
            self.seen.gave_up[name] = "no follow-up"
            return
        answer = self.random.choice(["followup_solved", "followup_stuck", None])
        if answer:
            await self.click(check, buttons(check)[answer])

    async def _after_the_end(self, bold: str) -> Message | None:
        return await self.find(bold, "feedback_helpful") or await self.find(bold, "followup_solved")

    async def ask(self, name: str) -> bool:
        """Run the command; when Burst does not answer it (it may be down), run it again, as a person would."""
        channel = own_channel(self.user)
        deadline = time.monotonic() + self.plan.step_budget
        while time.monotonic() < deadline:
            self.seen.asked[name] = self.seen.asked.get(name, 0) + 1
            await self.control.command(self.user, f"help {name}", channel=channel)
            if await self.wait(lambda: self._acked(channel, name), ACK_WAIT):
                self.seen.acked.add(name)
                return True
        return False

    async def _acked(self, channel: str, name: str) -> bool:
        return any(
            m.get("ephemeral_to") == self.user and f"*{name}*" in text_of(m)
            for m in await self.control.messages(channel)
        )

    async def _outcome(self, bold: str) -> str | None:
        for message in reversed(await self.dm()):
            text = text_of(message)
            if bold not in text:
                continue
            # The card, or anything only a matched request gets (a kill can lose the card).
            if "session_end" in buttons(message) or any(w in text for w in MATCHED_WORDS):
                return "matched"
            if "nobody could take" in text or "couldn't find anyone" in text or "is busy, away" in text:
                return "expired"
        return None


class Mentor(Person):
    """Answers every ping as it arrives; keeps going until told to stop."""

    def __init__(self, control: SlackControl, user: str, plan: WorkloadPlan, seen: Seen) -> None:
        super().__init__(control, user, plan, seen)
        self.decided: dict[str, str | None] = {}  # ping id -> the button pressed (None: ignored)
        self.clicked_at: dict[str, float] = {}
        self.clicks: dict[str, int] = {}
        self.feedback_done: set[str] = set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for message in await self.dm():
                await self.react(message)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.plan.poll)

    async def react(self, message: Message) -> None:
        found = buttons(message)
        if "ping_accept" in found:
            ping = str(found["ping_accept"]["value"])
            if ping not in self.decided:
                roll = self.random.random()
                self.decided[ping] = (
                    "ping_accept" if roll < ACCEPT else "ping_decline" if roll < ACCEPT + DECLINE else None
                )
            action = self.decided[ping]
            # Still showing its buttons after a click: the click was lost (Burst down), so press again, a few times.
            clicks = self.clicks.get(ping, 0)
            if action and clicks < MAX_CLICKS and time.monotonic() - self.clicked_at.get(ping, 0) >= RECLICK_AFTER:
                self.seen.reclicks += clicks > 0
                self.clicks[ping] = clicks + 1
                self.clicked_at[ping] = time.monotonic()
                await self.click(message, found[action])
        elif "feedback_helpful" in found and message["ts"] not in self.feedback_done:
            self.feedback_done.add(message["ts"])
            if self.random.random() < 0.3:
                await self.click(message, found["feedback_helpful"])


class Workload:
    def __init__(self, control: SlackControl, plan: WorkloadPlan) -> None:
        self.control = control
        self.plan = plan
        self.seen = Seen()

    async def setup(self) -> None:
        """Every mentor lists the skill; done once Burst confirmed each of them."""
        for user in self.plan.mentor_ids:
            channel = own_channel(user)
            for _ in range(10):
                await self.control.command(user, f"skills add {SKILL}:expert", channel=channel)
                if await self._confirmed(channel, user):
                    break
            else:
                raise AssertionError(f"Burst never confirmed {user}'s skills")

    async def _confirmed(self, channel: str, user: str) -> bool:
        deadline = time.monotonic() + ACK_WAIT
        while time.monotonic() < deadline:
            if any("Your skills:" in text_of(m) for m in await self.control.messages(channel)):
                return True
            await asyncio.sleep(self.plan.poll)
        return False

    async def run(self) -> Seen:
        stop = asyncio.Event()
        mentors = [Mentor(self.control, u, self.plan, self.seen) for u in self.plan.mentor_ids]
        answering = [asyncio.create_task(m.run(stop)) for m in mentors]
        try:
            await asyncio.gather(
                *(
                    Requester(self.control, u, self.plan, self.seen).run(self.plan.topics_of(i))
                    for i, u in enumerate(self.plan.requester_ids)
                )
            )
        finally:
            stop.set()
            await asyncio.gather(*answering)
        return self.seen
