"""How a Slack delivery enters Burst: every Slack listener is registered here.

- NUL dropped. U+0000 is removed from every string of a request before any listener sees it. Nobody types a NUL, but
  JSON can carry one, and PostgreSQL text cannot hold it: a topic or note with one failed its listener with a
  database error on PostgreSQL (SQLite took it). Removing it at the edge keeps every service free of the concern.
  The walk is a few microseconds on a Slack-sized body, well inside the ack.
- Answered at the ack. Bolt, when it does not process before responding, starts a listener and then polls now and
  then whether it has acked, so every ack waited for the next poll, and under load for a busy event loop to get
  back to it. Here Bolt processes "before responding", and what Bolt awaits ends as soon as the listener is acked;
  the rest runs on in a task the work gate keeps (bot.runtime.work_gate), so a stop can wait for it.
- Once per delivery. Right after the ack the delivery's id is claimed in the ledger (bot.runtime.work_gate); a
  redelivery finds the claim and stops there. The claim comes after the ack so the ack stays free of database work.
- In turn. Then the listener waits for a work slot (bot.runtime.work_gate), held until it ends. A listener that opens a
  modal does not wait: Slack honours a trigger_id for three seconds only, so views.open goes out right after the
  ack, ahead of queued work (a second delivery is still not acted on: its trigger_id was used).
- Out without the slot. Slack calls give up their work slot while they wait: Web API calls and `respond()`
  (handlers.slack.gateway, where the calls are made).

A form's check runs before the ack, whose errors it carries; a failure there is Bolt's (Bolt's error handler answers
Slack). A failure after the ack is logged here, as Bolt's error handler would have.

Registration goes through Bolt's public decorators (`app.action(...)` and the others) with the wrapped function.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import structlog
from slack_bolt.async_app import AsyncApp

from bot.runtime.work_gate import WorkGate
from bot.services.container import Services

log = structlog.get_logger(__name__)

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


Work = Callable[..., Awaitable[None]]
W = TypeVar("W", bound=Work)
Body = dict[str, Any]
Claim = Callable[[Body], Awaitable[bool]]
"""A delivery's body -> True the first time it is seen (bot.runtime.work_gate), False for every redelivery of
it."""
Check = Callable[[dict[str, Any]], dict[str, str]]
"""A submitted view -> the errors to show next to its fields, by block id; empty when the form is fine."""

MARK = "__burst_listener__"
"""Set on what Bolt runs, so a test can tell that every listener of the app was registered here."""


def delivery_key(body: Body) -> str | None:
    """The id Slack repeats on every redelivery of one delivery: events carry an event_id; commands, clicks,
    submissions and shortcuts a trigger_id unique to each."""
    if event_id := body.get("event_id"):
        return f"event:{event_id}"
    if trigger_id := body.get("trigger_id"):
        return f"trigger:{trigger_id}"
    return None


def _never(_: Body) -> bool:
    return False


def _always(_: Body) -> bool:
    return True


class AcksFirstApp(AsyncApp):
    """An AsyncApp that processes before responding: what Bolt awaits is a listener up to its ack (`Listeners`)."""

    def __init__(self, *, gate: WorkGate, **kwargs: Any) -> None:
        super().__init__(process_before_response=True, **kwargs)
        self.gate = gate


class Listeners:
    """Registers listeners that ack, claim their delivery and enter the work gate before their own code runs.

    The decorated function takes only what it needs of Bolt's arguments (body, client, respond, action, ...), never
    `ack`; it runs once per delivery, after the ack, holding a work slot unless it opens a modal.
    """

    def __init__(self, app: AsyncApp, gate: WorkGate, claim: Claim) -> None:
        self.app = app
        self.gate = gate
        self.claim = claim

    @classmethod
    def of(cls, app: AsyncApp, services: Services) -> Listeners:
        async def claim(body: Body) -> bool:
            key = delivery_key(body)
            return key is None or await services.deliveries.first(key)

        return cls(app, services.after_ack, claim)

    def command(self, name: str, *, opens_view: Callable[[Body], bool] = _never) -> Callable[[W], W]:
        """`opens_view` reads the command's body: whether this one opens a modal (so it skips the wait)."""
        return self._register(self.app.command(name), acks=True, opens_view=opens_view)

    def action(self, constraints: str | re.Pattern[str], *, opens_view: bool = False) -> Callable[[W], W]:
        return self._register(self.app.action(constraints), acks=True, opens_view=_always if opens_view else _never)

    def shortcut(self, callback_id: str, *, opens_view: bool = False) -> Callable[[W], W]:
        return self._register(self.app.shortcut(callback_id), acks=True, opens_view=_always if opens_view else _never)

    def view(self, callback_id: str, *, check: Check | None = None) -> Callable[[W], W]:
        return self._register(self.app.view(callback_id), acks=True, check=check)

    def event(self, name: str, *, acts_on: Callable[[Body], bool] = _always) -> Callable[[W], W]:
        """`acts_on` picks the events of this type Burst acts on; the others (a bot's own message, an edit) are
        dropped before any claim, so they cost no database write and no turn."""
        return self._register(self.app.event(name), acks=False, acts_on=acts_on)

    def _register(
        self,
        bolt_decorator: Callable[[Callable[..., Awaitable[None]]], Any],
        *,
        acks: bool,
        opens_view: Callable[[Body], bool] = _never,
        check: Check | None = None,
        acts_on: Callable[[Body], bool] = _always,
    ) -> Callable[[W], W]:
        def register(fn: W) -> W:
            bolt_decorator(
                ack_claim_and_take_turn(
                    fn, self.gate, self.claim, acks=acks, opens_view=opens_view, check=check, acts_on=acts_on
                )
            )
            return fn  # as written, so it can still be called

        return register


def ack_claim_and_take_turn(
    fn: Work,
    gate: WorkGate,
    claim: Claim,
    *,
    acks: bool,
    opens_view: Callable[[Body], bool] = _never,
    check: Check | None = None,
    acts_on: Callable[[Body], bool] = _always,
) -> Callable[..., Awaitable[None]]:
    """What Bolt runs for `fn`: ack (with the form's errors, if any), claim the delivery, wait for a work slot, run.

    Bolt passes a listener the arguments its signature names, so the wrapper's signature names `fn`'s own plus the
    `ack` and `body` it needs itself.
    """
    wanted = inspect.getfullargspec(fn).args

    async def listener(**kwargs: Any) -> None:
        body: Body = kwargs["body"]
        ack = kwargs.get("ack")
        acked = asyncio.Event()

        async def run() -> None:
            try:
                if ack is not None:
                    errors = check(body.get("view") or {}) if check is not None else {}
                    try:
                        await (ack(response_action="errors", errors=errors) if errors else ack())
                    finally:
                        acked.set()
                    if errors:
                        return
                elif not acts_on(body):
                    return
                if not opens_view(body):
                    await gate.enter()
                if await claim(body):
                    await fn(**{name: kwargs[name] for name in wanted})
            except Exception as error:
                if ack is not None and not acked.is_set():
                    raise  # before the ack: Bolt's error handler answers Slack
                await log_listener_error(error, body)

        task = gate.spawn(run())
        if ack is None:  # an event: Bolt acks it itself once this returns
            return
        answered = asyncio.ensure_future(acked.wait())
        await asyncio.wait({task, answered}, return_when=asyncio.FIRST_COMPLETED)
        answered.cancel()
        if task.done() and not acked.is_set():
            task.result()  # it failed before acking: raise it, as a plain Bolt listener would

    names = dict.fromkeys([*(["ack"] if acks else []), "body", *wanted])
    listener.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in names]
    )
    listener.__name__, listener.__qualname__ = fn.__name__, fn.__qualname__
    setattr(listener, MARK, True)
    return listener


async def log_listener_error(error: Exception, body: dict[str, Any]) -> None:
    """The last net: a listener failed. Log it with the request's shape; the person saw no trace.

    Also Bolt's error handler (bot.entrypoints.app), for a listener that fails before its ack.
    """
    log.error(
        "listener failed",
        error=repr(error)[:500],
        type=body.get("type"),
        command=body.get("command"),
        callback_id=body.get("callback_id") or (body.get("view") or {}).get("callback_id"),
        exc_info=error,
    )
