"""A throwaway PostgreSQL server for the tests, built from the distribution's server package.

PostgreSQL refuses to run as root, and test containers often are root, so as root every server command runs as
the `postgres` system user the Debian package creates. The server is tuned for speed, not durability (no fsync),
listens on 127.0.0.1 only and trusts every local connection: it holds nothing worth keeping.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.support.ports import free_port

SUPERUSER = "burst"
_SYSTEM_USER = "postgres"
_DEBIAN_BINS = Path("/usr/lib/postgresql")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_START_ATTEMPTS = 3  # free_port() can race with another process; a fresh port usually fixes it
_COMMAND_TIMEOUT = 120.0


class PostgresError(Exception):
    """The throwaway server could not be set up, started or used; the message carries the server log's tail."""


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in bin_dir.parent.name.split("."))
    except ValueError:
        return (-1,)


def _server_bin(directory: Path) -> bool:
    return (directory / "initdb").is_file() and (directory / "pg_ctl").is_file()


def find_pg_bin() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin with initdb and pg_ctl, else the folder of initdb on PATH."""
    for candidate in sorted(_DEBIAN_BINS.glob("*/bin"), key=_version_key, reverse=True):
        if _server_bin(candidate):
            return candidate
    found = shutil.which("pg_ctl")
    if found is None:
        return None
    for directory in (Path(found).resolve().parent, Path(found).parent):  # a symlink may point into the real bin
        if _server_bin(directory):
            return directory
    return None


def ensure_postgres_installed() -> Path | None:
    """find_pg_bin(), installing the `postgresql` package first when we are root on a Debian-like system."""
    found = find_pg_bin()
    if found is not None or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "postgresql"]):
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            warnings.warn(f"{' '.join(command)} failed: {exc}", stacklevel=2)
            return None
        if done.returncode != 0:
            tail = " | ".join(done.stderr.strip().splitlines()[-3:])
            warnings.warn(f"{' '.join(command)} failed (exit {done.returncode}): {tail}", stacklevel=2)
            return None
    return find_pg_bin()


def _traversable_by_others(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in path.resolve().parents)


def _scratch_parent() -> str:
    """A temp folder the `postgres` user can reach; $TMPDIR under /root, say, would not do."""
    for candidate in (tempfile.gettempdir(), "/tmp"):
        if _traversable_by_others(Path(candidate) / "x"):
            return candidate
    raise PostgresError(f"no temporary folder the {_SYSTEM_USER!r} user can reach (tried $TMPDIR and /tmp)")


class ThrowawayPostgres:
    """initdb + pg_ctl in a fresh temporary folder, removed again by stop()."""

    def __init__(self, bin_dir: Path | None = None) -> None:
        self._bin_dir = bin_dir
        self.port = 0
        self.root: Path | None = None
        self._as_root = os.geteuid() == 0
        self._created = 0

    @property
    def bin_dir(self) -> Path:
        if self._bin_dir is None:
            self._bin_dir = find_pg_bin()
        if self._bin_dir is None or not _server_bin(self._bin_dir):
            where = f" in {self._bin_dir}" if self._bin_dir else ""
            raise PostgresError(f"PostgreSQL server binaries (initdb, pg_ctl) not found{where}; install `postgresql`")
        return self._bin_dir

    @property
    def _scratch(self) -> Path:
        if self.root is None:
            raise PostgresError("the server is not started")
        return self.root

    @property
    def data_dir(self) -> Path:
        return self._scratch / "data"

    @property
    def socket_dir(self) -> Path:
        return self._scratch / "sockets"

    @property
    def log_path(self) -> Path:
        return self._scratch / "server.log"

    def start(self) -> None:
        """initdb, start on a free port, and create the `burst` database."""
        if self.root is not None:
            return
        bin_dir = self.bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="burst-pg-", dir=_scratch_parent() if self._as_root else None))
        atexit.register(self.stop)  # a test run that dies early must not leave a server behind
        try:
            self.socket_dir.mkdir()
            if self._as_root:
                self._hand_over_to_system_user()
            self._run(
                bin_dir / "initdb", "-D", self.data_dir, "-A", "trust", "-U", SUPERUSER, "--no-sync",
                "-E", "UTF8", "--locale=C",
            )  # fmt: skip
            self._start_server(bin_dir)
            self.create_database("burst")
        except BaseException:
            self.stop()
            raise

    def _hand_over_to_system_user(self) -> None:
        try:
            pwd.getpwnam(_SYSTEM_USER)
        except KeyError:
            raise PostgresError(f"running as root needs a {_SYSTEM_USER!r} system user to run PostgreSQL") from None
        for path in (self._scratch, self.socket_dir):
            shutil.chown(path, _SYSTEM_USER, _SYSTEM_USER)

    def _start_server(self, bin_dir: Path) -> None:
        for attempt in range(1, _START_ATTEMPTS + 1):
            self.port = free_port()
            options = (
                f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            try:
                self._run(bin_dir / "pg_ctl", "-D", self.data_dir, "-l", self.log_path, "-o", options, "-w", "start")
                return
            except PostgresError:
                if attempt == _START_ATTEMPTS or "could not bind" not in self._log_text():
                    raise

    def url(self, database: str = "burst") -> str:
        """The SQLAlchemy URL Burst takes as DATABASE_URL."""
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "burst") -> str:
        """The same database as a plain libpq URL, for asyncpg.connect()."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create an empty database, or a copy of `template` (a database nobody is connected to), and return its
        url(); names are plain identifiers, so no quoting surprises."""
        for identifier in (name, template or name):
            if not _IDENTIFIER.fullmatch(identifier):
                raise ValueError(f"database name {identifier!r} must be a plain identifier of at most 63 characters")
        self.psql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def new_database(self, prefix: str, template: str | None = None) -> str:
        """create_database under a name no other test of this server has used: `prefix` and a number."""
        self._created += 1
        return self.create_database(f"{prefix}_{self._created}", template)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL through psql over the unix socket and return its unaligned output."""
        done = self._run(
            self.bin_dir / "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
            "-h", self.socket_dir, "-p", str(self.port), "-U", SUPERUSER, "-d", database, "-c", sql,
            server_log=False,
        )  # fmt: skip
        return done.stdout

    def stop(self) -> None:
        """Stop the server at once (no checkpoint; nothing is kept) and remove its folder. Safe to call twice."""
        atexit.unregister(self.stop)
        root = self.root
        if root is None:
            return
        try:
            if (self.data_dir / "postmaster.pid").exists():
                with contextlib.suppress(PostgresError):  # already gone: the folder goes anyway
                    self._run(self.bin_dir / "pg_ctl", "-D", self.data_dir, "-m", "immediate", "-w", "-t", "30", "stop")
        finally:
            self.root = None
            shutil.rmtree(root, ignore_errors=True)

    def _run(self, *command: str | Path, server_log: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a server command as the right user, with none of the caller's PG* settings leaking in."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(HOME=str(self._scratch), LC_ALL="C")
        argv: Sequence[str] = [str(part) for part in command]
        try:
            done = subprocess.run(
                argv,
                cwd=self._scratch,  # the caller's folder may be unreadable for `postgres`
                env=env,
                user=_SYSTEM_USER if self._as_root else None,
                group=_SYSTEM_USER if self._as_root else None,
                extra_groups=[] if self._as_root else None,
                capture_output=True,
                text=True,
                check=False,
                timeout=_COMMAND_TIMEOUT,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresError(f"{Path(argv[0]).name} failed: {exc}{self._log_note(server_log)}") from None
        if done.returncode != 0:
            output = " | ".join((done.stderr or done.stdout).strip().splitlines()[-5:])
            raise PostgresError(
                f"{Path(argv[0]).name} failed (exit {done.returncode}): {output}{self._log_note(server_log)}"
            )
        return done

    def _log_note(self, wanted: bool) -> str:
        return f"; server log: {self._log_tail()}" if wanted else ""

    def _log_text(self) -> str:
        if self.root is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def _log_tail(self, lines: int = 8) -> str:
        return " | ".join(self._log_text().strip().splitlines()[-lines:]) or "(empty)"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
