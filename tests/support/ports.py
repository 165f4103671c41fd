"""Ports for the servers a test starts (local-slack, Burst, PostgreSQL, proxies), each its own.

A port is drawn at random below the range the OS takes outgoing connections' ports from, and checked free by
binding it; the server binds it a moment later, so another program may take it in between (rare, and shown as a
server that does not start, which the callers report; PostgreSQL tries a fresh port). A port is handed out once
per test process, and each pytest-xdist worker draws only from its own residue class, so two servers of one run
never get the same port.
"""

from __future__ import annotations

import os
import random
import socket
import threading

_given: set[int] = set()
_lock = threading.Lock()  # servers are also started from worker threads (asyncio.to_thread)
_random = random.Random()
_FIRST, _LAST = 15_000, 32_767  # Linux's ephemeral ports (outgoing connections) start at 32768
_ATTEMPTS = 1_000


def _worker() -> tuple[int, int]:
    """(this worker's number, how many workers) under pytest-xdist, else (0, 1)."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ...
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return (int(name[2:]) if name.startswith("gw") else 0), max(count, 1)


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("0.0.0.0", port))  # any address: a server on any of them holds the port
        except OSError:
            return False
    return True


def free_port() -> int:
    """A TCP port nobody listens on right now, that no other worker of this run and no earlier call of this one has
    handed out."""
    worker, workers = _worker()
    with _lock:
        for _ in range(_ATTEMPTS):
            port = _random.randrange(_FIRST + worker, _LAST + 1, workers)
            if port not in _given and _free(port):
                _given.add(port)
                return port
    raise OSError(f"no free port in {_ATTEMPTS} tries")
