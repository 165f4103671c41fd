"""The embedding model read from wordllama's package files: the same vectors as wordllama's own inference, and a
package that cannot be read is lexical matching with one warning, not a failed start."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import structlog

from bot.domain.embedding import WordLlamaEmbedder, load_embedder, shared_embedder

TEXTS = [
    "goroutine leak in our worker pool",
    "is this p-value significant",
    "close the books at month end",
    "",
    "🔥🔥🔥",
    "ünïcödé — and a much longer text that pads every other one in its batch " * 3,
]


def test_vectors_are_wordllamas_own_cut_to_the_leading_dimensions() -> None:
    import wordllama  # its inference, as the package documents it; Burst only reads its files
    from wordllama import WordLlama

    package = Path(wordllama.__file__).parent
    theirs = WordLlama.load(cache_dir=package, disable_download=True, dim=256)
    embedder = shared_embedder()
    assert isinstance(embedder, WordLlamaEmbedder)
    expected = np.asarray(theirs.embed(TEXTS), dtype=np.float32)[:, : embedder.dim]
    with np.errstate(invalid="ignore", divide="ignore"):
        expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    ours = embedder.embed(TEXTS)
    np.testing.assert_array_equal(ours, np.nan_to_num(expected))
    assert not ours[3].any(), "an empty text is a zero row, which scores nothing"
    assert np.allclose(np.linalg.norm(ours[[0, 1, 2, 5]], axis=1), 1.0, atol=1e-5)


def test_a_batch_larger_than_one_pooling_reads_each_text_as_alone() -> None:
    embedder = shared_embedder()
    assert isinstance(embedder, WordLlamaEmbedder)
    many = [f"{text} {i}" for i in range(WordLlamaEmbedder.BATCH + 5) for text in TEXTS[:1]]
    together = embedder.embed(many)
    alone = np.vstack([embedder.embed([text]) for text in many[-7:]])
    np.testing.assert_array_equal(together[-7:], alone)


def test_a_package_without_its_files_is_lexical_matching_with_one_warning(tmp_path: Path) -> None:
    with structlog.testing.capture_logs() as logs:
        assert load_embedder(tmp_path) is None
    warnings = [entry for entry in logs if entry["log_level"] == "warning"]
    assert [w["event"] for w in warnings] == ["matching.model_unavailable"]
    assert "weights/l2_supercat_256.safetensors" in warnings[0]["error"]
