"""What the kernel says about a server process: its CPU time, its memory, and whether it has gone quiet.

Read from /proc rather than asked of the process, so the measurement costs the measured process nothing.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # The command name (field 2) may hold spaces, so count fields from the closing parenthesis.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB: resident memory now, and its peak since the process started."""
    found: dict[str, float] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024  # the kernel reports kB
    return found["VmRSS"], found["VmHWM"]


@dataclass(frozen=True)
class Quiet:
    seconds: float  # how long it took to go quiet
    settled: bool  # False: still busy when the limit ran out


async def wait_quiet(pid: int, *, limit: float, interval: float = 0.25, busy_share: float = 0.03) -> Quiet:
    """Wait until the process uses under `busy_share` of a core for two intervals in a row (or `limit` passes).

    After an open-loop phase a server may still be working through what it accepted (pings, DMs, database
    writes); the next phase must not pay for that, and how long it takes says whether the server kept up.
    """
    began = time.monotonic()
    before, calm = cpu_seconds(pid), 0
    while time.monotonic() - began < limit:
        await asyncio.sleep(interval)
        now = cpu_seconds(pid)
        calm = calm + 1 if now - before < busy_share * interval else 0
        before = now
        if calm >= 2:
            return Quiet(max(0.0, time.monotonic() - began - 2 * interval), True)
    return Quiet(time.monotonic() - began, False)


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"
