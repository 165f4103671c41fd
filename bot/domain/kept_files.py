"""Files kept in a folder between starts (the knowledge index, the knowledge terms' vectors): each written whole or
not at all, and only the newest few of a kind kept.

A file is written under a temporary name and renamed into place, so two processes starting at once each write a
whole file and the last rename wins; a reader never sees half of one. A folder that cannot be written costs only the
time the file would have saved.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import structlog

log = structlog.get_logger(__name__)


def save(path: Path, kind: str, write: Callable[[BinaryIO], object], keep: int) -> None:
    """`write` the file at `path`, named `<kind>-...`; then all but the `keep` newest files of its kind are removed, a
    write a crash left half done among them (one under way is among the newest; another process may be removing the
    same files)."""
    folder = path.parent
    part: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # A name nobody can predict, created by this call alone (a link planted under it is not followed).
        handle, name = tempfile.mkstemp(dir=folder, prefix=f"{kind}-", suffix=".part")
        part = Path(name)
        with os.fdopen(handle, "wb") as file:
            write(file)
        os.replace(part, path)
    except OSError as error:
        if part is not None:
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)
        log.warning("matching.file_not_kept", kind=kind, folder=str(folder), error=str(error))
        return
    dated: list[tuple[float, Path]] = []
    for found in folder.glob(f"{kind}-*"):
        with contextlib.suppress(OSError):
            dated.append((found.stat().st_mtime, found))
    for _, stale in sorted(dated, reverse=True)[keep:]:
        with contextlib.suppress(OSError):
            stale.unlink(missing_ok=True)


def mark_used(path: Path) -> None:
    """A file just read is in use: the newest are the ones kept."""
    with contextlib.suppress(OSError):
        os.utime(path)
