"""How a long-running Burst process keeps its memory once started: what start-up built is out of the garbage
collector's sight, and the heap start-up freed goes back to the system. `burst run` applies it after warming up, and so
do the benchmarks that time a request as `burst run` serves it."""

from __future__ import annotations

import contextlib
import ctypes
import gc

FULL_COLLECTION_EVERY = 100
"""Middle-generation collections between full ones (CPython's default is 10)."""


def settle_after_start() -> None:
    """Freeze what start-up built, hand freed heap back, and make full collections rare.

    What start-up built (modules, the ORM's mappings, Bolt's listeners, the term indexes) lives as long as the process:
    out of the collector's sight, a full collection stops walking it. Those collections stalled the event loop while
    they walked it, and every ack arriving meanwhile waited (`benchmarks load`). Start-up leaves a thousand or two
    objects of garbage in cycles (`burst run` collects nothing until here): frozen with the rest, they cost less memory
    than a full collection of everything costs time (a third of a second).

    A full collection also waits for a quarter more long-lived objects than the last one left; with start-up frozen
    that base is tiny, so full collections came every tenth middle one, each walking all the backlog of a busy moment.
    One in a hundred keeps them rare, and the acks' tail with them (`benchmarks load`).
    """
    gc.freeze()
    gc.enable()
    _release_free_memory()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


def _release_free_memory() -> None:
    """Hand the heap that start-up used and freed back to the system: embedding every knowledge term builds large
    temporary arrays, and glibc keeps what they occupied mapped (about a tenth of the process's resident memory)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim, nothing lost
        ctypes.CDLL("libc.so.6").malloc_trim(0)
