"""The folder that keeps the knowledge terms' vectors between starts (bot.domain.vector_store)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bot.domain.embedding import Embedder, shared_embedder
from bot.domain.knowledge import Knowledge, parse_knowledge
from bot.domain.similarity import as_columns
from bot.domain.understanding import Understander
from bot.domain.vector_store import KEEP, VectorStore

TEXTS = ["goroutine leak", "borrow checker", "month end close", "p-value"]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    found = shared_embedder()
    assert found is not None, "the embedding model is a dependency: it must load"
    return found


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("vectors-*.npy"))


def test_vectors_embedded_once_are_read_back_from_the_folder(tmp_path: Path, embedder: Embedder) -> None:
    store = VectorStore(tmp_path)
    first = store.embed(embedder, TEXTS)
    np.testing.assert_array_equal(first, embedder.embed(TEXTS))
    [saved] = _files(tmp_path)
    # What the next start reads is the file: replaced by other vectors of the same shape, those come back.
    planted = np.full_like(first, 0.5)
    np.save(saved, planted)
    np.testing.assert_array_equal(VectorStore(tmp_path).embed(embedder, TEXTS), planted)


def test_other_texts_or_another_order_are_embedded_anew(tmp_path: Path, embedder: Embedder) -> None:
    store = VectorStore(tmp_path)
    store.embed(embedder, TEXTS)
    reordered = store.embed(embedder, list(reversed(TEXTS)))
    np.testing.assert_array_equal(reordered, embedder.embed(list(reversed(TEXTS))))
    store.embed(embedder, [*TEXTS, "kubectl rollout"])
    assert len(_files(tmp_path)) == 3


def _huge_header(path: Path) -> None:
    """An array header claiming 100 billion rows, and nothing after it."""
    with path.open("wb") as file:
        header = {"descr": "<f4", "fortran_order": False, "shape": (10**11, 64)}
        np.lib.format.write_array_header_1_0(file, header)


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b""),  # a write cut short
        lambda p: p.write_bytes(b"\x93NUMPY not an array"),
        lambda p: p.write_bytes(p.read_bytes() + b"more"),  # a whole array, and more
        lambda p: p.write_bytes(p.read_bytes()[:-8]),
        lambda p: np.save(p, np.full((len(TEXTS), 64), np.nan, dtype=np.float32)),
        _huge_header,  # read, it would ask for 25 TB before anything was checked
    ],
)
def test_a_damaged_file_is_embedded_again_and_rewritten(
    tmp_path: Path, embedder: Embedder, damage: Callable[[Path], object]
) -> None:
    store = VectorStore(tmp_path)
    store.embed(embedder, TEXTS)
    [saved] = _files(tmp_path)
    damage(saved)
    np.testing.assert_array_equal(store.embed(embedder, TEXTS), embedder.embed(TEXTS))
    np.testing.assert_array_equal(np.load(saved, allow_pickle=False), embedder.embed(TEXTS))


def test_vectors_of_another_shape_are_not_used(tmp_path: Path, embedder: Embedder) -> None:
    store = VectorStore(tmp_path)
    store.embed(embedder, TEXTS)
    [saved] = _files(tmp_path)
    np.save(saved, np.zeros((len(TEXTS), embedder.dim + 1), dtype=np.float32))
    np.testing.assert_array_equal(store.embed(embedder, TEXTS), embedder.embed(TEXTS))


def test_a_folder_that_cannot_be_written_costs_only_time(tmp_path: Path, embedder: Embedder) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    vectors = VectorStore(blocked / "vectors").embed(embedder, TEXTS)
    np.testing.assert_array_equal(vectors, embedder.embed(TEXTS))


def test_the_files_in_use_are_kept_and_the_rest_removed(tmp_path: Path, embedder: Embedder) -> None:
    store = VectorStore(tmp_path)
    sets = [[*TEXTS, f"term {n}"] for n in range(KEEP + 2)]
    store.embed(embedder, sets[0])
    [first] = _files(tmp_path)
    for texts in sets[1:KEEP]:
        store.embed(embedder, texts)
    store.embed(embedder, sets[0])  # read again: in use
    for texts in sets[KEEP:]:
        store.embed(embedder, texts)
    kept = _files(tmp_path)
    assert len(kept) == KEEP
    assert first in kept
    assert not list(tmp_path.glob("*.part"))


def test_a_reader_with_a_store_reads_what_another_one_saved(tmp_path: Path, embedder: Embedder) -> None:
    """The index of the knowledge file is embedded by the first reader and read back by the next; a workspace's
    skills the file lacks are not kept."""
    terms = [f"made up term {n}" for n in range(50)]
    known = Knowledge(parse_knowledge({"testing": {"terms": terms}}))
    first = Understander(embedder, known, store=VectorStore(tmp_path))._known()
    np.testing.assert_array_equal(first.columns, Understander(embedder, known)._known().columns)
    [saved] = _files(tmp_path)
    planted = np.full(np.load(saved).shape, 0.25, dtype=np.float32)  # the entry's name and its terms
    np.save(saved, planted)  # what the next reader gets is what the file holds
    second = Understander(embedder, known, store=VectorStore(tmp_path))
    np.testing.assert_array_equal(second._known().columns, as_columns(planted))
    # Reading a topic adds the off-work terms' file; the skills the file lacks (cobol, fortran) add none.
    second.understand("our cobol copybook", frozenset({"cobol", "fortran"}))
    assert len(_files(tmp_path)) == 2
    assert saved in _files(tmp_path)
