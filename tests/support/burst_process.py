"""`burst run` as a real subprocess, so end-to-end tests exercise startup, signals and crashes for real.

It runs in its own process group (a signal reaches everything it started) and writes to a log file whose tail
goes into every failure message, since that is usually the only clue to why the bot did not come up.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

# Workloads that push many requests through a few people and mentors measure other things (faults, crashes, load):
# the abuse limits, which would rightly turn most of them away, are lifted for them.
NO_ABUSE_LIMITS = {
    "BURST_MAX_REQUESTS_PER_HOUR": "1000000",
    "BURST_CANCEL_COOLDOWN": "1",
    "BURST_MAX_PINGS_FROM_ONE_PER_HOUR": "1000000",
    "BURST_MAX_PINGS_PER_HOUR": "1000000",
}

REPO = Path(__file__).resolve().parents[2]
_KILL_WAIT = 5.0


class BurstProcess:
    """One `python -m bot.entrypoints.cli run`, healthy once GET /healthz answers 200 {"status": "ok"}.

    `command` runs something else with the same health contract (the benchmarks' bare Bolt baseline), so it is
    started, awaited and stopped exactly as Burst is.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        http_port: int,
        log_path: Path,
        *,
        cwd: Path | None = None,
        command: Sequence[str] | None = None,
    ) -> None:
        self.env = dict(env)
        self.http_port = http_port
        self.log_path = log_path
        self.cwd = cwd or REPO
        self.command = list(command or [sys.executable, "-m", "bot.entrypoints.cli", "run"])
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/healthz"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 30) -> None:
        """Start the bot and wait until it reports healthy; raise AssertionError with the log tail otherwise."""
        if self.running:
            raise RuntimeError("this BurstProcess is already running")
        # os.environ is read now, not in __init__, so fixtures that adjust it first are honoured.
        env = {"PYTHONUNBUFFERED": "1", **os.environ, **self.env}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_healthy(self.process, timeout)

    def _wait_healthy(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(
                    f"burst exited with {process.returncode} before it was healthy:\n{self.log_tail()}"
                )
            healthy, last = self._probe()
            if healthy:
                return
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"burst was not healthy within {timeout:g}s (last /healthz: {last}):\n{self.log_tail()}")

    def _probe(self) -> tuple[bool, str]:
        try:
            with urllib.request.urlopen(self.health_url, timeout=1) as answer:
                body = answer.read().decode(errors="replace")
                return answer.status == 200 and json.loads(body).get("status") == "ok", f"{answer.status} {body}"
        except urllib.error.HTTPError as exc:  # e.g. 503 while Socket Mode is still connecting
            return False, f"{exc.code} {exc.read().decode(errors='replace')[:200]}"
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            return False, str(exc)
        except (ValueError, AttributeError):  # not JSON, or JSON but not an object
            return False, "an answer that is not a JSON object"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        """Send `sig` and wait for the exit code; SIGKILL after `timeout`. Returns 0 if never started."""
        process = self.process
        if process is None:
            return 0
        if process.poll() is None:
            self._signal(process, sig)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal(process, signal.SIGKILL)
                process.wait(_KILL_WAIT)
        return int(process.returncode)

    def kill(self) -> None:
        """SIGKILL, as in a crash: no clean shutdown. The process is reaped so no zombie is left."""
        process = self.process
        if process is not None and process.poll() is None:
            self._signal(process, signal.SIGKILL)
            process.wait(_KILL_WAIT)

    @staticmethod
    def _signal(process: subprocess.Popen[bytes], sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # it exited between the check and the signal
            os.killpg(process.pid, sig)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:]) or "(empty log)"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
