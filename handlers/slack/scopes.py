"""What Burst asks of a Slack workspace, as Slack's documentation lists it: one table of the Web API methods Burst
calls (the bot token's scopes each needs and its rate-limit Tier), the events it subscribes to and what they need.

`tests/unit/test_slack_scopes.py` keeps this honest: every method the code calls must be here, nothing else may be,
and slack-manifest.yaml and the README must ask for exactly `REQUIRED_SCOPES`. Calling a new method means adding
its row here (with the scopes from its page at docs.slack.dev/reference/methods) and the scope to the manifest.
`burst check` and the start-up warning compare the token's granted scopes with this.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    scopes: tuple[str, ...]  # every bot scope this method needs for the conversations Burst uses it on
    tier: str  # Slack's rate-limit tier: "1".."4", or "special" (chat.postMessage: about one a second a channel)
    why: str


# Scopes per method as docs.slack.dev lists them for a bot token; where a method's scope depends on the kind of
# conversation, the scopes of the kinds Burst uses it on (a 1:1 DM, the group DM of requester and mentor).
METHODS: dict[str, Method] = {
    "auth.test": Method((), "special", "who the bot is (Bolt at start-up), and the granted scopes"),
    "apps.connections.open": Method((), "1", "`burst check` of Socket Mode (the app token's connections:write)"),
    "chat.postMessage": Method(("chat:write",), "special", "pings, session cards, follow-ups, the digest"),
    "chat.postEphemeral": Method(("chat:write",), "4", "answers only the clicker sees"),
    "chat.update": Method(("chat:write",), "3", "a ping once answered; a session card on extend and end"),
    "conversations.open": Method(
        ("im:write", "mpim:write"), "3", "a DM whose id is not known yet; the group DM of requester and mentor"
    ),
    # Tier 3 for Marketplace apps; since 2025 Slack allows other apps (a self-hosted Burst) one call a minute of at
    # most 15 messages. Burst reads history only after a crash or a lost answer, never in a normal flow.
    "conversations.history": Method(
        ("im:history", "mpim:history"), "1", "after a crash or a lost answer, find what was posted before posting it"
    ),
    "dnd.teamInfo": Method(("dnd:read",), "4", "Do Not Disturb of a wave's candidates, a batch at a time"),
    "users.getPresence": Method(("users:read",), "3", "whether a wave's candidate is away"),
    "users.info": Method(("users:read",), "4", "a new member's name and time zone; a candidate's status"),
    "users.list": Method(("users:read",), "2", "the daily directory walk"),
    "views.open": Method((), "4", "the request form"),
    "views.publish": Method((), "4", "the App Home"),
    "files.getUploadURLExternal": Method(("files:write",), "4", "the digest's chart"),
    "files.completeUploadExternal": Method(("files:write",), "4", "the digest's chart"),
}

# Bot events (manifest: settings.event_subscriptions.bot_events) and the scope Slack requires to send each.
EVENTS: dict[str, str | None] = {
    "app_home_opened": None,
    "app_mention": "app_mentions:read",
    "message.im": "im:history",
}
COMMANDS = ("/burst",)
SHORTCUTS = ("get_help_with_this",)  # a message shortcut's callback_id
FEATURE_SCOPES = ("commands",)  # the slash command and the message shortcut

REQUIRED_SCOPES: frozenset[str] = frozenset(
    {scope for method in METHODS.values() for scope in method.scopes}
    | {scope for scope in EVENTS.values() if scope}
    | set(FEATURE_SCOPES)
)

# Slack's published per-method limits, calls a minute for a workspace (a floor: "50+"), by Tier.
TIER_PER_MINUTE: dict[str, int] = {"1": 1, "2": 20, "3": 50, "4": 100}


def granted_scopes(header: str | None) -> frozenset[str] | None:
    """The scopes Slack says a token holds: every Web API answer carries them in its `x-oauth-scopes` header.

    None when the answer has no such header (an emulator such as local-slack): the scopes are then unknown, not
    all missing."""
    if header is None:
        return None
    return frozenset(s.strip() for s in header.split(",") if s.strip())


@dataclass(frozen=True)
class ScopeReport:
    missing: frozenset[str]
    extra: frozenset[str]


def compare(granted: frozenset[str]) -> ScopeReport:
    return ScopeReport(missing=REQUIRED_SCOPES - granted, extra=granted - REQUIRED_SCOPES)


def needing(scope: str) -> list[str]:
    """What stops working without `scope`: the methods and events that need it, for a warning a person can act on."""
    uses = [name for name, method in METHODS.items() if scope in method.scopes]
    uses += [f"event {name}" for name, needed in EVENTS.items() if needed == scope]
    if scope in FEATURE_SCOPES:
        uses.append("/burst and the message shortcut")
    return uses
