"""Who may press which button and run which command: one table of (actor, action, outcome) rows.

Every row starts from a fresh workspace with the same cast: a requester who asked about rust, the mentor pinged
for it, another mentor pinged for the same request, a stranger, and an admin (BURST_ADMINS). Depending on the
action, the scene goes on to a session between requester and mentor, or to its end and follow-up, or to the
requester's delete-my-data prompt. Then the actor does the action, through the real Bolt app (signed requests).

ALLOWED: the action does its work (someone sees it done) and no refusal is shown.
REFUSED: the actor alone gets a polite refusal (an ephemeral message or an ephemeral command reply), nobody else
is sent anything, and the database is exactly as it was (apart from noting the delivery).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pytest

from handlers.listeners.commands import DELETE_CONFIRM
from handlers.listeners.feedback import NOTE_MODAL
from handlers.views import blocks as b
from tests.app.flows import add_mentor, ask, ok, person, ping_for
from tests.support.block_kit import MESSAGE_METHODS, VIEW_METHODS
from tests.support.db_snapshot import changes, snapshot
from tests.support.fake_web_api import ApiCall
from tests.support.in_process import ADMIN, Inbound, InProcessBurst, Transport

Actor = Literal["requester", "mentor", "other mentor", "stranger", "admin"]
Scene = Literal["pinged", "in session", "ended", "delete prompt"]
ALLOWED, REFUSED = "allowed", "refused"


@dataclass
class Cast:
    ids: dict[str, str]
    ping_id: int = 0
    request_id: int = 0
    session_id: int = 0
    delete_value: str = ""  # the value of the requester's "Yes, delete my data" button

    def __getitem__(self, actor: str) -> str:
        return self.ids[actor]


@dataclass(frozen=True)
class Action:
    scene: Scene
    make: Callable[[InProcessBurst, Cast, str], Inbound]  # (app, cast, actor's user ID) -> the request
    done: str  # shown to someone when the action is allowed
    refusal: str  # shown to the actor alone when it is not
    stores: bool = True  # whether the allowed action changes the database


def note(burst: InProcessBurst, cast: Cast, user: str) -> Inbound:
    values = {
        "helpful": {"helpful": {"type": "radio_buttons", "selected_option": {"value": "yes"}}},
        "note": {"note": {"type": "plain_text_input", "value": "thanks!"}},
    }
    return burst.submit(user, NOTE_MODAL, values, json.dumps({"session": cast.session_id}))


PING = "meant for someone else"
SESSION = "Only the two people in this session"
REQUESTER = "Only the person who asked"
FEEDBACK = "Only the two people in this session can give feedback"
ADMINS = "only Burst admins"

ACTIONS: dict[str, Action] = {
    "ping: Accept": Action("pinged", lambda a, c, u: a.click(u, b.PING_ACCEPT, str(c.ping_id)), "is helping", PING),
    "ping: Decline": Action("pinged", lambda a, c, u: a.click(u, b.PING_DECLINE, str(c.ping_id)), "declined", PING),
    "ping: Snooze": Action("pinged", lambda a, c, u: a.click(u, b.PING_SNOOZE, str(c.ping_id)), "Snoozed", PING),
    "session: Extend": Action(
        "in session", lambda a, c, u: a.click(u, b.SESSION_EXTEND, str(c.session_id)), "extended", SESSION
    ),
    "session: End": Action(
        "in session", lambda a, c, u: a.click(u, b.SESSION_END, str(c.session_id)), "has ended", SESSION
    ),
    "follow-up: Solved": Action(
        "ended", lambda a, c, u: a.click(u, b.FOLLOWUP_SOLVED, str(c.session_id)), "Glad", REQUESTER
    ),
    "follow-up: Still stuck": Action(
        "ended", lambda a, c, u: a.click(u, b.FOLLOWUP_STUCK, str(c.session_id)), "still stuck", REQUESTER
    ),
    "feedback: Helpful": Action(
        "ended", lambda a, c, u: a.click(u, b.FEEDBACK_YES, str(c.session_id)), "You answered", FEEDBACK
    ),
    "feedback: Not really": Action(
        "ended", lambda a, c, u: a.click(u, b.FEEDBACK_NO, str(c.session_id)), "You answered", FEEDBACK
    ),
    "feedback: Add a note": Action(
        "ended",
        lambda a, c, u: a.click(u, b.FEEDBACK_NOTE, str(c.session_id)),
        "Session feedback",  # the note form opens
        FEEDBACK,
        stores=False,
    ),
    "feedback: the note form": Action("ended", note, "", FEEDBACK),
    "delete-my-data: Yes": Action(
        "delete prompt",
        lambda a, c, u: a.click(u, DELETE_CONFIRM, c.delete_value, channel="C0GEN"),
        "forgotten you",
        "Only the person who asked to delete their data",
    ),
    "/burst digest": Action("pinged", lambda a, c, u: a.command(u, "digest"), "weekly digest", ADMINS, stores=False),
    "/burst digest post": Action("pinged", lambda a, c, u: a.command(u, "digest post"), "Posted the digest", ADMINS),
    "/burst cancel": Action("pinged", lambda a, c, u: a.command(u, "cancel"), "Cancelled", "no open request"),
    "status: Cancel": Action(
        "pinged", lambda a, c, u: a.click(u, b.REQUEST_CANCEL, str(c.request_id)), "Cancelled", "Only the person who"
    ),
}

# fmt: off
TABLE: list[tuple[Actor, str, str]] = [
    # actor            action                      outcome
    ("mentor",         "ping: Accept",             ALLOWED),
    ("requester",      "ping: Accept",             REFUSED),
    ("other mentor",   "ping: Accept",             REFUSED),
    ("stranger",       "ping: Accept",             REFUSED),
    ("admin",          "ping: Accept",             REFUSED),
    ("mentor",         "ping: Decline",            ALLOWED),
    ("requester",      "ping: Decline",            REFUSED),
    ("other mentor",   "ping: Decline",            REFUSED),
    ("stranger",       "ping: Decline",            REFUSED),
    ("admin",          "ping: Decline",            REFUSED),
    ("mentor",         "ping: Snooze",             ALLOWED),
    ("requester",      "ping: Snooze",             REFUSED),
    ("other mentor",   "ping: Snooze",             REFUSED),
    ("stranger",       "ping: Snooze",             REFUSED),
    ("admin",          "ping: Snooze",             REFUSED),
    ("requester",      "session: Extend",          ALLOWED),
    ("mentor",         "session: Extend",          ALLOWED),
    ("other mentor",   "session: Extend",          REFUSED),
    ("stranger",       "session: Extend",          REFUSED),
    ("admin",          "session: Extend",          REFUSED),
    ("requester",      "session: End",             ALLOWED),
    ("mentor",         "session: End",             ALLOWED),
    ("other mentor",   "session: End",             REFUSED),
    ("stranger",       "session: End",             REFUSED),
    ("admin",          "session: End",             REFUSED),
    ("requester",      "follow-up: Solved",        ALLOWED),
    ("mentor",         "follow-up: Solved",        REFUSED),
    ("other mentor",   "follow-up: Solved",        REFUSED),
    ("stranger",       "follow-up: Solved",        REFUSED),
    ("admin",          "follow-up: Solved",        REFUSED),
    ("requester",      "follow-up: Still stuck",   ALLOWED),
    ("mentor",         "follow-up: Still stuck",   REFUSED),
    ("other mentor",   "follow-up: Still stuck",   REFUSED),
    ("stranger",       "follow-up: Still stuck",   REFUSED),
    ("admin",          "follow-up: Still stuck",   REFUSED),
    ("requester",      "feedback: Helpful",        ALLOWED),
    ("mentor",         "feedback: Helpful",        ALLOWED),
    ("other mentor",   "feedback: Helpful",        REFUSED),
    ("stranger",       "feedback: Helpful",        REFUSED),
    ("admin",          "feedback: Helpful",        REFUSED),
    ("requester",      "feedback: Not really",     ALLOWED),
    ("mentor",         "feedback: Not really",     ALLOWED),
    ("other mentor",   "feedback: Not really",     REFUSED),
    ("stranger",       "feedback: Not really",     REFUSED),
    ("admin",          "feedback: Not really",     REFUSED),
    ("requester",      "feedback: Add a note",     ALLOWED),
    ("mentor",         "feedback: Add a note",     ALLOWED),
    ("other mentor",   "feedback: Add a note",     REFUSED),
    ("stranger",       "feedback: Add a note",     REFUSED),
    ("admin",          "feedback: Add a note",     REFUSED),
    ("requester",      "feedback: the note form",  ALLOWED),
    ("mentor",         "feedback: the note form",  ALLOWED),
    ("other mentor",   "feedback: the note form",  REFUSED),
    ("stranger",       "feedback: the note form",  REFUSED),
    ("admin",          "feedback: the note form",  REFUSED),
    ("requester",      "delete-my-data: Yes",      ALLOWED),
    ("mentor",         "delete-my-data: Yes",      REFUSED),
    ("other mentor",   "delete-my-data: Yes",      REFUSED),
    ("stranger",       "delete-my-data: Yes",      REFUSED),
    ("admin",          "delete-my-data: Yes",      REFUSED),
    ("admin",          "/burst digest",            ALLOWED),
    ("requester",      "/burst digest",            REFUSED),
    ("mentor",         "/burst digest",            REFUSED),
    ("other mentor",   "/burst digest",            REFUSED),
    ("stranger",       "/burst digest",            REFUSED),
    ("admin",          "/burst digest post",       ALLOWED),
    ("requester",      "/burst digest post",       REFUSED),
    ("mentor",         "/burst digest post",       REFUSED),
    ("other mentor",   "/burst digest post",       REFUSED),
    ("stranger",       "/burst digest post",       REFUSED),
    ("requester",      "/burst cancel",            ALLOWED),
    ("mentor",         "/burst cancel",            REFUSED),
    ("other mentor",   "/burst cancel",            REFUSED),
    ("stranger",       "/burst cancel",            REFUSED),
    ("admin",          "/burst cancel",            REFUSED),
    ("requester",      "status: Cancel",           ALLOWED),
    ("mentor",         "status: Cancel",           REFUSED),
    ("other mentor",   "status: Cancel",           REFUSED),
    ("stranger",       "status: Cancel",           REFUSED),
    ("admin",          "status: Cancel",           REFUSED),
]
# fmt: on
ACTORS: tuple[Actor, ...] = ("requester", "mentor", "other mentor", "stranger", "admin")


@pytest.fixture
def transport() -> Transport:
    """Who may do what does not depend on the transport (tests/app/test_duplicates.py runs both)."""
    return "http"


async def set_scene(burst: InProcessBurst, scene: Scene) -> Cast:
    cast = Cast({"requester": person("asker"), "mentor": person("mentor"), "other mentor": person("mentor")})
    cast.ids |= {"stranger": person("stranger"), "admin": ADMIN}
    await add_mentor(burst, cast["mentor"], "rust:expert")
    await add_mentor(burst, cast["other mentor"], "rust:expert")
    request = await ask(burst, cast["requester"], "rust")
    cast.request_id = request.id or 0
    cast.ping_id = (await ping_for(burst, request, cast["mentor"])).id or 0
    await ping_for(burst, request, cast["other mentor"])  # both mentors were pinged for it
    if scene in ("in session", "ended"):
        ok(await burst.deliver(burst.click(cast["mentor"], b.PING_ACCEPT, str(cast.ping_id))))
        async with burst.services.db.uow(readonly=True) as uow:
            cast.session_id = (await uow.sessions.active_for(cast["requester"]))[0].id or 0
    if scene == "ended":
        ok(await burst.deliver(burst.click(cast["requester"], b.SESSION_END, str(cast.session_id))))
        await burst.services.timers.sweep()  # the follow-up falls due at once in the harness
    if scene == "delete prompt":
        prompt = ok(await burst.deliver(burst.command(cast["requester"], "delete-my-data")))
        cast.delete_value = next(
            e["value"]
            for call in prompt.calls
            for block in call.args.get("blocks") or []
            for e in block.get("elements") or []
            if e.get("action_id") == DELETE_CONFIRM
        )
    return cast


def shown(calls: list[ApiCall]) -> str:
    return json.dumps([c.args for c in calls], ensure_ascii=False)


def privately_to(user: str, call: ApiCall) -> bool:
    """An ephemeral message to `user`, or an ephemeral reply to their command or click."""
    if call.method == "chat.postEphemeral":
        return call.args.get("user") == user
    return call.method == "response_url" and call.args.get("response_type", "ephemeral") == "ephemeral"


def test_the_table_has_every_actor_for_every_action_once() -> None:
    pairs = [(actor, action) for actor, action, _ in TABLE]
    assert sorted(pairs) == sorted((actor, action) for action in ACTIONS for actor in ACTORS)


@pytest.mark.parametrize(("actor", "action", "outcome"), TABLE, ids=[f"{r[1]} by {r[0]}" for r in TABLE])
async def test_who_may_do_what(burst: InProcessBurst, actor: Actor, action: str, outcome: str) -> None:
    spec = ACTIONS[action]
    cast = await set_scene(burst, spec.scene)
    before = await snapshot(burst.services.db)
    delivery = ok(await burst.deliver(spec.make(burst, cast, cast[actor])))
    changed = set(changes(before, await snapshot(burst.services.db))) - {"slack_deliveries"}
    sent = [c for c in delivery.calls if c.method in MESSAGE_METHODS + VIEW_METHODS]

    if outcome == ALLOWED:
        assert spec.refusal not in shown(sent)
        assert spec.done in shown(sent), shown(sent)
        assert bool(changed) == spec.stores, changed
    else:
        assert spec.refusal in shown(sent), f"no polite refusal: {shown(sent)}"
        assert all(privately_to(cast[actor], c) for c in sent), f"sent to others: {shown(sent)}"
        assert changed == set(), changes(before, await snapshot(burst.services.db))
