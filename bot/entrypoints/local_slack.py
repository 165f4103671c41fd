"""Install and run local-slack, the Slack emulator that `burst demo` and the end-to-end tests talk to.

The binary ships inside a per-platform package on the npm registry, so an `npm install` of one pinned version is all
it takes. It is cached under ~/.cache/burst (or $BURST_CACHE_DIR) and installed into a temporary folder that is
renamed into place only once complete, so an interrupted or failed install is never picked up later.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import yaml

from bot.entrypoints.folders import cache_dir

LOCAL_SLACK_VERSION = "0.1.8"

_ARCHES = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}
_NPM_TIMEOUT = 600.0
_STOP_GRACE = 5.0
_SOURCE_DUMP = re.compile(r"\s*\d+ \| ")  # Bun's "139 | <source line>" context around an error


class LocalSlackError(Exception):
    """local-slack could not be installed or started; the message says why in one line."""


def package_name() -> str:
    """The npm package holding the binary for this machine; only Linux x64 and arm64 builds are published."""
    arch = _ARCHES.get(platform.machine().lower())
    if not sys.platform.startswith("linux") or arch is None:
        raise LocalSlackError(f"local-slack has no build for {sys.platform}/{platform.machine()} (Linux x64 and arm64)")
    return f"local-slack-linux-{arch}"


def _binary_in(prefix: Path, package: str) -> Path:
    return prefix / "node_modules" / package / "bin" / "local-slack"


def ensure_installed() -> Path:
    """Return the local-slack binary, installing the pinned version with npm on first use."""
    package = package_name()
    home = cache_dir() / f"local-slack-{LOCAL_SLACK_VERSION}"
    binary = _binary_in(home, package)
    if binary.is_file():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise LocalSlackError("npm is not installed; install Node.js (with npm) to get local-slack")
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{home.name}-", dir=home.parent))
    try:
        _npm_install(npm, staging, f"{package}@{LOCAL_SLACK_VERSION}")
        staged = _binary_in(staging, package)
        if not staged.is_file():
            raise LocalSlackError(f"npm installed {package}@{LOCAL_SLACK_VERSION} but {staged.name} is missing")
        staged.chmod(0o755)
        _move_into_place(staging, home, binary)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return binary


def _npm_install(npm: str, prefix: Path, spec: str) -> None:
    command = [npm, "install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock", "--prefix", str(prefix)]
    try:
        done = subprocess.run(
            [*command, spec], capture_output=True, text=True, timeout=_NPM_TIMEOUT, check=False, cwd=prefix
        )
    except subprocess.TimeoutExpired:
        raise LocalSlackError(f"npm install {spec} took longer than {_NPM_TIMEOUT:.0f}s") from None
    except OSError as exc:
        raise LocalSlackError(f"could not run npm: {exc}") from None
    if done.returncode != 0:
        raise LocalSlackError(f"npm install {spec} failed (exit {done.returncode}): {_npm_error_tail(done.stderr)}")


def _npm_error_tail(stderr: str, lines: int = 3) -> str:
    """npm's last few error lines, without its warnings and the pointer to its debug log."""
    text = [line.strip() for line in stderr.splitlines() if line.strip() and "A complete log of this run" not in line]
    errors = [line for line in text if line.startswith("npm error") or line.startswith("npm ERR!")]
    return " | ".join((errors or text)[-lines:]) or "no output"


def _move_into_place(staging: Path, home: Path, binary: Path) -> None:
    """Rename the finished install into place; a concurrent installer that got there first wins."""
    if home.exists() and not binary.is_file():
        shutil.rmtree(home, ignore_errors=True)  # a foreign or broken folder: never ours, never usable
    try:
        staging.rename(home)
    except OSError as exc:
        if not binary.is_file():
            raise LocalSlackError(f"could not move local-slack into {home}: {exc}") from None


def _plain(value: Any) -> Any:
    """Mappings and tuples as dicts and lists, which is all yaml.safe_dump accepts."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def write_workspace(path: Path, workspace: Mapping[str, Any]) -> None:
    """Write local-slack's workspace YAML (workspace, app, users, channels)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(_plain(workspace), sort_keys=False, allow_unicode=True), encoding="utf-8")


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it), for servers started just after."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalSlackProcess:
    """One local-slack server in its own process group, so stopping it never leaves children behind."""

    def __init__(self, binary: Path, config: Path, port: int, log_path: Path | None = None) -> None:
        self.binary = binary
        self.config = config
        self.port = port
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API root, as Slack SDKs expect it (with the trailing slash)."""
        return f"{self.base_url}/api/"

    @property
    def control_url(self) -> str:
        return f"{self.base_url}/_control"

    @property
    def ui_url(self) -> str:
        return f"{self.base_url}/"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 20) -> None:
        """Start the server and return once its control API answers; on failure, raise with the log's tail."""
        if self.running:
            return
        if _port_taken(self.port):
            # Checked up front: another server there would answer our readiness probe in our place.
            raise LocalSlackError(f"port {self.port} is already in use; is another local-slack running?")
        command = [str(self.binary), "--config", str(self.config), "--port", str(self.port)]
        log: IO[bytes] | None = None
        try:
            if self.log_path is not None:
                self.log_path.parent.mkdir(parents=True, exist_ok=True)
                log = self.log_path.open("ab")
            target: IO[bytes] | int = log if log is not None else subprocess.DEVNULL
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=target, stderr=target, start_new_session=True
            )
        except OSError as exc:
            raise LocalSlackError(f"could not run {self.binary}: {exc}") from None
        finally:
            if log is not None:
                log.close()  # the child holds its own descriptor
        self._wait_until_ready(self._process, timeout)

    def _wait_until_ready(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if self._answers():
                # Checked again: if the port belonged to someone else, our server has exited by now.
                if process.poll() is None:
                    return
                break
            time.sleep(0.1)
        code = process.poll()
        self.stop()
        why = f"exited with {code}" if code is not None else f"did not answer within {timeout:g}s"
        raise LocalSlackError(f"local-slack on port {self.port} {why}: {self.log_tail()}")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.control_url}/state", timeout=1) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, http.client.HTTPException, OSError):
            return False

    def log_tail(self, lines: int = 8) -> str:
        """The log's last lines on one line, for error messages, without the minified source Bun prints on a crash."""
        if self.log_path is None:
            return "no log (started without log_path)"
        if not self.log_path.exists():
            return "no log written"
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        kept = [line.strip() for line in text if line.strip() and not _SOURCE_DUMP.match(line) and len(line) <= 300]
        return " | ".join(kept[-lines:]) or "empty log"

    def stop(self) -> None:
        """SIGTERM the process group, then SIGKILL if it has not gone within 5 s. Safe to call twice."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(_STOP_GRACE)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait(_STOP_GRACE)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # it exited between the check and the signal
        os.killpg(process.pid, sig)
