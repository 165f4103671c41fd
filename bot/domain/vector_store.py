"""Embedded knowledge terms kept in a folder between starts, keyed by what was embedded and by which model.

Start-up embeds the knowledge file's 37,000 names and terms and 3,100 terms of life outside work (most of a second on
a small machine). They change only when the file or the model does, so the vectors are saved once per change and read
back at the next start. A file is named by a hash of the model and of every text in order, so an edit of the file, an
upgrade of the model or another process's different knowledge never reads vectors that are not its own.

Files are plain `.npy` arrays read without pickling (a file cannot run code), written under a temporary name and
renamed into place (two processes starting at once each write a whole file, and the last rename wins). A missing,
truncated or foreign file is embedded again; a folder that cannot be written costs only the time saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import structlog

from bot.domain.embedding import Embedder, Vectors

log = structlog.get_logger(__name__)

FORMAT = 1
"""Bumped when what a file holds changes meaning (not when texts or the model change: those are in the name)."""
KEEP = 4
"""Vector files kept in the folder; older ones (of knowledge since edited) are removed."""


class VectorStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def embed(self, embedder: Embedder, texts: Sequence[str]) -> Vectors:
        """`embedder.embed(texts)`, read from the folder when these texts were embedded by this model before."""
        path = self.folder / f"vectors-{_key(embedder, texts)}.npy"
        found = _load(path, (len(texts), embedder.dim))
        if found is not None:
            return found
        vectors = embedder.embed(texts)
        self._save(path, vectors)
        return vectors

    def _save(self, path: Path, vectors: Vectors) -> None:
        part = path.with_name(f"{path.stem}.{os.getpid()}.part.npy")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            np.save(part, vectors, allow_pickle=False)
            os.replace(part, path)
        except OSError as error:
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)
            log.warning("matching.vectors_not_saved", folder=str(self.folder), error=str(error))
            return
        self._forget_stale()

    def _forget_stale(self) -> None:
        """All but the KEEP newest files, a write a crash left half done among them (one under way is among the newest;
        another process may be removing the same files)."""
        dated: list[tuple[float, Path]] = []
        for found in self.folder.glob("vectors-*.npy"):
            with contextlib.suppress(OSError):
                dated.append((found.stat().st_mtime, found))
        for _, stale in sorted(dated, reverse=True)[KEEP:]:
            with contextlib.suppress(OSError):
                stale.unlink(missing_ok=True)


def _key(embedder: Embedder, texts: Sequence[str]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{FORMAT}\0{embedder.name}\0{getattr(embedder, 'version', '')}\0{embedder.dim}".encode())
    for text in texts:
        digest.update(b"\0" + text.encode())
    return digest.hexdigest()


def _load(path: Path, shape: tuple[int, int]) -> Vectors | None:
    try:
        found = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None  # not there yet, or not a whole array (a write cut short): embedded again and rewritten
    if found.shape != shape or found.dtype != np.float32:
        return None
    return np.ascontiguousarray(found)
