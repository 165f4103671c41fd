"""Install and run local-slack, the Slack emulator the demo and the end-to-end tests use.

The binary ships inside a platform package on the npm registry, so `npm install` of a pinned version is all it
takes; it is cached under `~/.cache/burst` (or $BURST_CACHE_DIR) and installed into a temporary folder first so a
broken install is never used.
"""

from __future__ import annotations

import os
import platform
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import yaml

LOCAL_SLACK_VERSION = "0.1.8"


class LocalSlackError(Exception):
    """local-slack could not be installed or started; the message says why in one line."""


def cache_dir() -> Path:
    return Path(os.environ.get("BURST_CACHE_DIR") or Path.home() / ".cache" / "burst")


def _package() -> str:
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower())
    if arch is None:
        raise LocalSlackError(f"local-slack has no build for {platform.machine()}")
    return f"local-slack-linux-{arch}"


def ensure_installed() -> Path:
    package = _package()
    home = cache_dir() / f"local-slack-{LOCAL_SLACK_VERSION}"
    binary = home / "node_modules" / package / "bin" / "local-slack"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise LocalSlackError("npm is not installed; install Node.js and npm, then try again")
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="local-slack-", dir=home.parent))
    try:
        done = subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(staging),
                f"{package}@{LOCAL_SLACK_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            tail = " | ".join(done.stderr.strip().splitlines()[-3:])
            raise LocalSlackError(f"npm install {package}@{LOCAL_SLACK_VERSION} failed: {tail}")
        if home.exists():  # another process finished first
            return binary
        staging.rename(home)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    binary.chmod(0o755)
    return binary


def write_workspace(path: Path, workspace: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dict(workspace), sort_keys=False), encoding="utf-8")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalSlackProcess:
    def __init__(self, binary: Path, config: Path, port: int, log_path: Path | None = None) -> None:
        self.binary, self.config, self.port, self.log_path = binary, config, port, log_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://localhost:{self.port}/api/"

    @property
    def control_url(self) -> str:
        return f"http://localhost:{self.port}/_control"

    @property
    def ui_url(self) -> str:
        return f"http://localhost:{self.port}/"

    def start(self, timeout: float = 20) -> None:
        out = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        try:
            self._process = subprocess.Popen(
                [str(self.binary), "--config", str(self.config), "--port", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            if self.log_path and not isinstance(out, int):
                out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.control_url}/state", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise LocalSlackError(f"local-slack did not start on port {self.port}: {self._log_tail()}")

    def _log_tail(self) -> str:
        if not self.log_path or not self.log_path.exists():
            return "no log"
        return " | ".join(self.log_path.read_text(errors="replace").strip().splitlines()[-5:])

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
