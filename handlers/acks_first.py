"""Answer Slack the moment a listener acks; the rest of the listener runs on in the background.

Bolt, when it does not process before responding, starts the listener and then checks every 10 ms whether it has
acked: every ack waited for the next check (11-12 ms p50 for Burst and for a bare Bolt app alike), and under load
for a busy event loop to get back to the check. Here Bolt processes "before responding", and each listener is
wrapped so that what Bolt awaits ends as soon as the listener calls `ack()`; the listener's task goes on under the
process's work gate (bot.work_gate), which it enters right after its ack (handlers.deliveries.first_delivery).

A listener that fails before acking fails as Bolt's listener (Bolt's error handler answers Slack); one that fails
after is logged here, as Bolt's error handler would have.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import structlog
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.work_gate import WorkGate

log = structlog.get_logger(__name__)

Listener = Callable[..., Awaitable[BoltResponse | None]]


class AcksFirstApp(AsyncApp):
    """An AsyncApp whose listeners answer at their ack: every registration goes through `_register_listener`."""

    def __init__(self, *, gate: WorkGate, **kwargs: Any) -> None:
        super().__init__(process_before_response=True, **kwargs)
        self.gate = gate

    def _register_listener(self, functions: Sequence[Listener], *args: Any, **kwargs: Any) -> Listener | None:
        functions = list(functions)
        registered = super()._register_listener([acks_first(functions[0], self.gate), *functions[1:]], *args, **kwargs)
        # Decorator registration hands back the function as written, so it can still be called (tests do).
        return functions[0] if registered is not None else None


def acks_first(fn: Listener, gate: WorkGate) -> Listener:
    # functools.wraps: Bolt reads the arguments a listener wants from its signature, through __wrapped__.
    @functools.wraps(fn)
    async def listener(**kwargs: Any) -> BoltResponse | None:
        ack = kwargs.get("ack")
        acked = asyncio.Event()

        async def ack_then_answer(*args: Any, **ack_kwargs: Any) -> Any:
            try:
                return await ack(*args, **ack_kwargs)  # type: ignore[misc]
            finally:
                acked.set()

        async def run() -> BoltResponse | None:
            try:
                return await fn(**(kwargs | {"ack": ack_then_answer} if ack is not None else kwargs))
            except Exception as error:
                if ack is not None and not acked.is_set():
                    raise  # before the ack: Bolt's error handler answers Slack
                await log_listener_error(error, kwargs.get("body") or {})
                return None

        task = gate.spawn(run())
        if ack is None:  # an event: Bolt acks it itself once this returns
            return None
        answered = asyncio.ensure_future(acked.wait())
        await asyncio.wait({task, answered}, return_when=asyncio.FIRST_COMPLETED)
        answered.cancel()
        if task.done() and not acked.is_set():
            return task.result()  # it ended (or failed) without acking: as a plain Bolt listener would
        return None

    return listener


async def log_listener_error(error: Exception, body: dict[str, Any]) -> None:
    """The last net: a listener failed. Log it with the request's shape; the person saw no trace.

    Also Bolt's error handler (bot.app), for a listener that fails before its ack.
    """
    log.error(
        "listener failed",
        error=repr(error)[:500],
        type=body.get("type"),
        command=body.get("command"),
        callback_id=body.get("callback_id") or (body.get("view") or {}).get("callback_id"),
        exc_info=error,
    )
