"""Sentence embeddings on the CPU, offline, from a package that ships its weights.

`Embedder` is the seam the semantic matcher needs: text in, unit-length vectors out. `WordLlamaEmbedder` wraps
wordllama's static model (64 of its 256 dimensions), whose weights and tokenizer live inside its wheel: nothing is
downloaded at run time, start-up takes a fraction of a second and one short text embeds in well under a millisecond.
docs/matching.md compares it with the alternatives that were measured.

A model that cannot load is not fatal: `load_embedder` returns None with one warning, and Burst matches lexically.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
import structlog
from threadpoolctl import threadpool_limits

log = structlog.get_logger(__name__)

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Texts -> one unit-length row per text (so a dot product is a cosine similarity)."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors: ...


class WordLlamaEmbedder:
    """wordllama's `l2_supercat` model cut to its first 64 dimensions, loaded from the installed package only.

    The model is trained so that its leading dimensions are a smaller model of their own (Matryoshka), and it pools
    token vectors linearly, so keeping the first columns of its token matrix is that smaller model exactly. Measured
    on the labelled set and the eight blind workspaces, 64 read requests as well as 128 (two more hits on each, as
    many unanswerable requests pinged, a few more wrong pings in three workspaces) and 128 as well as all 256, at a
    quarter of the memory for the token matrix and the 51,000 knowledge terms' vectors. Multiplying a topic's phrases
    by those vectors is the largest piece of reading a topic, and it shrinks with them.
    """

    name = "wordllama l2_supercat 64"
    dim = 64
    SHIPPED = 256  # the only size whose weights are in the wheel

    def __init__(self) -> None:
        # The tokenizer's own thread pool costs more than it saves on a few dozen short phrases (measured: half the
        # time without it). Set before its first use; an operator's explicit setting wins.
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import wordllama  # imported here so a broken install degrades to lexical matching instead of failing start-up
        from wordllama import WordLlama

        self.version = importlib.metadata.version("wordllama")  # its weights are the package's: a vector's provenance

        # Its loader looks for the tokenizer under the cache folder, not the package, unless told where to look.
        package = Path(wordllama.__file__).parent
        self._model = WordLlama.load(cache_dir=package, disable_download=True, dim=self.SHIPPED)
        tokens = getattr(self._model, "embedding", None)
        if isinstance(tokens, np.ndarray) and tokens.ndim == 2 and tokens.shape[1] > self.dim:
            # The rest is never read again. Kept in half precision (8 MB, not 16): a text's vector is the mean of a
            # few of these rows, which wordllama pools in float32, and every benchmark set reads the same either way.
            self._model.embedding = np.ascontiguousarray(tokens[:, : self.dim], dtype=np.float16)
        # Matching multiplies a few dozen phrases by a few thousand terms: on one thread that takes well under a
        # millisecond, while BLAS's thread pool costs more in hand-offs than it saves and competes with the event loop.
        threadpool_limits(limits=1, user_api="blas")

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # An empty text embeds to zeros, whose normalising divides by zero: it stays a zero row that scores nothing.
        with np.errstate(invalid="ignore", divide="ignore"):
            vectors = np.asarray(self._model.embed(list(texts)), dtype=np.float32)[:, : self.dim]
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(np.nan_to_num(vectors, copy=False))


@cache
def shared_embedder() -> Embedder | None:
    """The process's one model (it is read-only, so every service and test world can share it)."""
    return load_embedder()


def load_embedder() -> Embedder | None:
    """The embedding model, or None (with one warning) when the package is missing or its files cannot be read."""
    try:
        return WordLlamaEmbedder()
    except (ImportError, OSError, ValueError, RuntimeError) as error:
        log.warning("matching.model_unavailable", error=str(error), fallback="lexical matching only")
        return None
