"""Embedded knowledge terms kept in a folder between starts, keyed by what was embedded and by which model.

Start-up embeds the knowledge file's 51,000 names and terms and 3,100 terms of life outside work (most of a second on
a small machine). They change only when the file or the model does, so the vectors are saved once per change and read
back at the next start. A file is named by a hash of the model and of every text in order, so an edit of the file, an
upgrade of the model or another process's different knowledge never reads vectors that are not its own.

Files are plain `.npy` arrays read without pickling (a file cannot run code), written under a temporary name and
renamed into place (two processes starting at once each write a whole file, and the last rename wins). A missing,
truncated or foreign file is embedded again; a folder that cannot be written costs only the time saved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.domain import kept_files
from bot.domain.embedding import Embedder, Vectors

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
            kept_files.mark_used(path)
            return found
        vectors = embedder.embed(texts)
        self._save(path, vectors)
        return vectors

    def _save(self, path: Path, vectors: Vectors) -> None:
        kept_files.save(path, "vectors", lambda file: np.save(file, vectors, allow_pickle=False), KEEP)


PROBE = "goroutine leak in our worker pool"
"""Embedded for every key: a model whose vectors changed under the same name and version gets other files."""


def _key(embedder: Embedder, texts: Sequence[str]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{FORMAT}\0{embedder.name}\0{getattr(embedder, 'version', '')}\0{embedder.dim}".encode())
    digest.update(np.ascontiguousarray(embedder.embed([PROBE]), dtype=np.float32).tobytes())
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little") + data)  # lengths first: no two lists of texts hash alike
    return digest.hexdigest()


def _load(path: Path, shape: tuple[int, int]) -> Vectors | None:
    """The vectors saved at `path` if they are a whole float32 array of `shape` and all finite, else None."""
    try:
        # Mapped, not read: a header claiming a huge shape costs nothing before it is checked.
        found = np.load(path, mmap_mode="r", allow_pickle=False)
        whole = isinstance(found, np.memmap) and path.stat().st_size == found.offset + found.nbytes
        if not whole or found.shape != shape or found.dtype != np.float32:
            return None
        vectors = np.array(found, dtype=np.float32)
    except (OSError, ValueError, EOFError):
        return None  # not there yet, or not a whole array (a write cut short): embedded again and rewritten
    return vectors if np.isfinite(vectors).all() else None
