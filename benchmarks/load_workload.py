"""What the load benchmark sends, and to whom: a seeded workspace, fresh requesters, and Slack-shaped bodies.

The database is the routing benchmark's (mentors with Zipf-popular skills, 90 days of history, so fairness and
"already pinged" have rows to read). Every `/burst help` comes from a requester nobody has seen before, so each one
really creates a request, routes it and pings mentors instead of stopping at "you already have one open". Bodies
are shaped like local-slack's own deliveries (the fields Slack sends); their response_url points at local-slack's
hook endpoint under an id it never issued, so Burst's replies make the same HTTP round trip and are answered
`expired_url` (Bolt does not raise on that), which keeps thousands of ephemeral replies out of the emulator's state.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from benchmarks import routing
from benchmarks.load_generator import Shot
from benchmarks.population import HEAD, build_vocabulary, member_id, request_topics, topic
from bot.entrypoints import demo_workspace as ws
from handlers.views import blocks as b
from storage.models import utcnow
from tests.support.signing import form_body

# One in four of each: asks, profile reads, status reads, Decline clicks on real pings.
MIX = ("help", "skills", "status", "click")
FORM = "application/x-www-form-urlencoded"
REQUESTER_BASE = 5_000_000  # requester ids start here: far from the seeded members' ids


def kinds_in(count: int) -> list[str]:
    return [MIX[i % len(MIX)] for i in range(count)]


@dataclass(frozen=True)
class PingMessage:
    """A ping Burst really posted to a mentor in local-slack: what a button click refers to."""

    channel: str
    ts: str
    mentor: str
    ping_id: str
    message: dict[str, Any]


class Workload:
    """The seeded members, and a pool of `requesters` fresh ids that asks take from, each id once."""

    def __init__(self, rng: random.Random, mentors: int, requesters: int) -> None:
        self.rng = rng
        self.vocabulary = build_vocabulary(rng)
        self.data = routing.seed(rng, mentors, utcnow(), self.vocabulary)
        self.members = [str(row["id"]) for row in self.data["members"]]
        self._zones = {str(row["id"]): str(row["tz"]) for row in self.data["members"]}
        self.requesters = [member_id(REQUESTER_BASE + n) for n in range(requesters)]
        self._unused = iter(self.requesters)

    def kinds(self, count: int) -> list[str]:
        """`count` request kinds in the MIX proportions, in a seeded random order."""
        kinds = kinds_in(count)
        self.rng.shuffle(kinds)
        return kinds

    def take_requesters(self, count: int) -> list[str]:
        taken = list(itertools.islice(self._unused, count))
        if len(taken) < count:
            raise RuntimeError(f"the requester pool of {len(self.requesters)} is used up")
        return taken

    def common_topics(self, count: int) -> list[str]:
        """Topics on popular skills, which some mentor is free for at any hour: a first ping is expected."""
        return [topic(self.rng, self.rng.choice(HEAD[:12]), self.rng.choice(HEAD)) for _ in range(count)]

    def slack_workspace(self, request_url: str) -> dict[str, Any]:
        """local-slack's config: the demo workspace plus every seeded member and every requester (in #general)."""
        workspace = ws.workspace(mode="events", request_url=request_url)
        people = [*self.members, *self.requesters]
        workspace["users"] += [
            {"id": uid, "name": uid.lower(), "real_name": f"Member {uid}", "tz": self._zones.get(uid, "UTC")}
            for uid in people
        ]
        for channel in workspace["channels"]:
            if channel["id"] == ws.GENERAL:
                channel["members"] = [*channel["members"], *people]
        return workspace

    def shots(self, kinds: Sequence[str], pings: Sequence[PingMessage], hooks_url: str) -> list[Shot]:
        """Bodies for `kinds`, in order; clicks go round the real pings (every kind but clicks when there are none)."""
        asks = iter(self.take_requesters(kinds.count("help")))
        help_topics = iter(t for _, _, t in request_topics(self.rng, self.vocabulary, kinds.count("help")))
        clicks: Iterator[PingMessage] = itertools.cycle(pings)
        found: list[Shot] = []
        for kind in kinds:
            if kind == "help":
                found.append(Shot(kind, FORM, command_body(next(asks), f"help {next(help_topics)}", hooks_url)))
            elif kind == "skills":
                found.append(Shot(kind, FORM, command_body(self.rng.choice(self.members), "skills", hooks_url)))
            elif kind == "status":
                found.append(Shot(kind, FORM, command_body(self.rng.choice(self.members), "status", hooks_url)))
            elif pings:
                found.append(Shot(kind, FORM, click_body(next(clicks), hooks_url)))
        return found


def _trigger_id() -> str:
    return f"{uuid.uuid4().int % 10**10}.{uuid.uuid4().int % 10**10}.{uuid.uuid4().hex[:24]}"


def command_body(user: str, text: str, hooks_url: str) -> str:
    """A `/burst` slash command as Slack posts it (form-encoded; fields as local-slack sends them)."""
    return urlencode(
        {
            "token": "verification-token",
            "team_id": "T0ACME",
            "team_domain": "acme",
            "channel_id": ws.GENERAL,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/burst",
            "text": text,
            "api_app_id": "A0BURST",
            "is_enterprise_install": "false",
            "response_url": f"{hooks_url}{uuid.uuid4()}",
            "trigger_id": _trigger_id(),
        }
    )


def click_body(ping: PingMessage, hooks_url: str) -> str:
    """The mentor pressing Decline on a ping: a block_actions payload shaped like local-slack's."""
    now = utcnow().timestamp()
    payload = {
        "type": "block_actions",
        "api_app_id": "A0BURST",
        "token": "verification-token",
        "team": {"id": "T0ACME", "domain": "acme"},
        "is_enterprise_install": False,
        "user": {"id": ping.mentor, "username": ping.mentor.lower(), "name": ping.mentor.lower(), "team_id": "T0ACME"},
        "container": {"type": "message", "message_ts": ping.ts, "channel_id": ping.channel, "is_ephemeral": False},
        "trigger_id": _trigger_id(),
        "channel": {"id": ping.channel, "name": f"dm-{ping.mentor}"},
        "message": ping.message,
        "state": {"values": {}},
        "response_url": f"{hooks_url}{uuid.uuid4()}",
        "actions": [
            {
                "type": "button",
                "action_id": b.PING_DECLINE,
                "block_id": f"ping:{ping.ping_id}",
                "value": ping.ping_id,
                "action_ts": f"{now:.3f}",
            }
        ],
    }
    return form_body(payload)


def ping_messages(state: dict[str, Any], messages: dict[str, list[dict[str, Any]]]) -> list[PingMessage]:
    """Pings in the bot's DMs, from local-slack's /state and each DM's /messages: the targets of the clicks."""
    found = []
    for channel in state.get("channels") or []:
        if not channel.get("is_im"):
            continue
        others = [m for m in channel.get("members") or [] if m != ws.BOT_USER]
        for message in messages.get(str(channel["id"]), []):
            value = _decline_value(message)
            if value is not None and others:
                found.append(PingMessage(str(channel["id"]), str(message["ts"]), others[0], value, message))
    return found


def _decline_value(message: dict[str, Any]) -> str | None:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == b.PING_DECLINE:
                return str(element.get("value"))
    return None
