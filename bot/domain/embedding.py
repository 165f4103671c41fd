"""Sentence embeddings on the CPU, offline, from a package that ships its weights.

`Embedder` is the seam the semantic matcher needs: text in, unit-length vectors out. `WordLlamaEmbedder` wraps
wordllama's static model (64 of its 256 dimensions), whose weights and tokenizer live inside its wheel: nothing is
downloaded at run time, start-up takes a fraction of a second and one short text embeds in well under a millisecond.
docs/matching.md compares it with the alternatives that were measured.

A model that cannot load is not fatal: `load_embedder` returns None with one warning, and Burst matches lexically.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
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
    """wordllama's `l2_supercat` model cut to its first 64 dimensions, read from the installed package's files.

    The model is trained so that its leading dimensions are a smaller model of their own (Matryoshka), and it pools
    token vectors linearly, so keeping the first columns of its token matrix is that smaller model exactly. Measured
    on the labelled set and the eight blind workspaces, 64 read requests as well as 128 (two more hits on each, as
    many unanswerable requests pinged, a few more wrong pings in three workspaces) and 128 as well as all 256, at a
    quarter of the memory for the token matrix and the 51,000 knowledge terms' vectors. Multiplying a topic's phrases
    by those vectors is the largest piece of reading a topic, and it shrinks with them.

    The package's weights and tokenizer are read here, as its own inference reads them (a text's vector is the mean
    of its tokens' rows, pooled in float32: the same vectors, bit for bit), without importing its Python code: that
    brings an HTTP client for downloads Burst never makes (8 MB resident) and sets the root logger's level.
    """

    name = "wordllama l2_supercat 64"
    dim = 64
    WEIGHTS = "weights/l2_supercat_256.safetensors"  # the only size whose weights are in the wheel
    TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
    BATCH = 64  # texts tokenised and pooled at a time: bounds the padded batch when every knowledge term is embedded

    def __init__(self, package: Path | None = None) -> None:
        # The tokenizer's own thread pool costs more than it saves on a few dozen short phrases (measured: half the
        # time without it). Set before its first use; an operator's explicit setting wins.
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        # Imported here so a broken install degrades to lexical matching instead of failing start-up.
        from safetensors import safe_open
        from tokenizers import Tokenizer

        self.version = importlib.metadata.version("wordllama")  # its weights are the package's: a vector's provenance
        folder = package if package is not None else _package_folder("wordllama")
        weights, tokenizer = folder / self.WEIGHTS, folder / self.TOKENIZER
        for needed in (weights, tokenizer):
            if not needed.is_file():
                raise FileNotFoundError(f"the wordllama package has no {needed.relative_to(folder)}")
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_padding()
        self._tokenizer.no_truncation()
        with safe_open(str(weights), framework="np", device="cpu") as tensors:
            shipped = tensors.get_tensor("embedding.weight")
        # The rest is never read. Kept in half precision, as shipped (4 MB): a text's vector is the mean of a few of
        # these rows, pooled in float32.
        self._tokens = np.ascontiguousarray(shipped[:, : self.dim], dtype=np.float16)
        # Matching multiplies a few dozen phrases by a few thousand terms: on one thread that takes well under a
        # millisecond, while BLAS's thread pool costs more in hand-offs than it saves and competes with the event loop.
        threadpool_limits(limits=1, user_api="blas")

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.BATCH):
            vectors[start : start + self.BATCH] = self._pooled(list(texts[start : start + self.BATCH]))
        # An empty text pools to zeros, whose normalising divides by zero: it stays a zero row that scores nothing.
        with np.errstate(invalid="ignore", divide="ignore"):
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.nan_to_num(vectors, copy=False)

    def _pooled(self, texts: list[str]) -> Vectors:
        """The mean of each text's token rows (a text with no tokens: zeros)."""
        encoded = self._tokenizer.encode_batch(texts, is_pretokenized=False, add_special_tokens=False)
        ids = np.array([e.ids for e in encoded], dtype=np.int32)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
        np.clip(ids, 0, len(self._tokens) - 1, out=ids)
        counts = np.maximum(mask.sum(axis=1, keepdims=True), 1.0).astype(np.float32)
        pooled: Vectors = np.sum(self._tokens[ids] * mask[..., np.newaxis], axis=1, dtype=np.float32) / counts
        return pooled


def _package_folder(name: str) -> Path:
    """Where an installed package's files are, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the {name} package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def shared_embedder() -> Embedder | None:
    """The process's one model (it is read-only, so every service and test world can share it)."""
    return load_embedder()


def load_embedder(package: Path | None = None) -> Embedder | None:
    """The embedding model (from the installed package, or its files under `package`), or None, with one warning,
    when the package is missing or its files cannot be read."""
    try:
        return WordLlamaEmbedder(package)
    except (ImportError, OSError, ValueError, RuntimeError) as error:
        log.warning("matching.model_unavailable", error=str(error), fallback="lexical matching only")
        return None
