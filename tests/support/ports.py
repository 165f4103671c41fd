"""Ports for the servers a test starts (local-slack, Burst, PostgreSQL, proxies), each its own.

The OS picks a port nobody listens on; the server binds it a moment later, so another process may take it in
between, and the OS may hand the same port out again once it is free. A port is handed out once per test process,
and each pytest-xdist worker takes only the ports of its own residue class, so two servers of one run never get the
same port; a clash with another program shows up as a server that does not start, which the callers report
(PostgreSQL tries a fresh port).
"""

from __future__ import annotations

import os
import socket
import threading

_given: set[int] = set()
_lock = threading.Lock()  # servers are also started from worker threads (asyncio.to_thread)
_ATTEMPTS = 1_000


def _worker() -> tuple[int, int]:
    """(this worker's number, how many workers) under pytest-xdist, else (0, 1)."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ...
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return (int(name[2:]) if name.startswith("gw") else 0), max(count, 1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now, that no other worker of this run and no earlier call
    of this one has handed out."""
    worker, workers = _worker()
    with _lock:
        for _ in range(_ATTEMPTS):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.bind(("127.0.0.1", 0))
                port = int(s.getsockname()[1])
            if port % workers == worker and port not in _given:
                _given.add(port)
                return port
    raise OSError(f"no fresh port in {_ATTEMPTS} tries")
