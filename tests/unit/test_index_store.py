"""The folder that keeps the knowledge file as read and its index between starts (bot.domain.index_store)."""

from __future__ import annotations

import hashlib
import marshal
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.domain import index_store
from bot.domain.index_store import KEEP, IndexStore
from bot.domain.knowledge import KNOWLEDGE_FILE, Knowledge, parse_knowledge
from bot.domain.term_index import KnowledgeTables, knowledge_tables
from bot.domain.understanding import Understander

KNOWN = Knowledge(
    parse_knowledge(
        {
            "go": {"also": ["golang"], "terms": ["goroutine leak", "go mod tidy", "worker pool deadlock"]},
            "statistics": {"terms": ["p-value", "confidence interval", "sample size"], "related": ["a/b testing"]},
            "accounting": {"terms": ["month end close", "accruals", "reconcile the ledger"], "registered": ["books"]},
        }
    ),
    ["spark plugs", "book club", "rent deposit"],
)
TOPICS = ["goroutine leak in our worker pool", "is this p-value significant", "close the books at month end"]


class Builds:
    """`knowledge_tables(KNOWN)`, counting how often it was built."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> KnowledgeTables:
        self.count += 1
        return knowledge_tables(KNOWN)


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("index-*.marshal"))


def test_what_was_built_once_is_read_back_as_it_was(tmp_path: Path) -> None:
    builds = Builds()
    built = IndexStore(tmp_path).load(builds)
    read = IndexStore(tmp_path).load(builds)
    assert builds.count == 1
    assert read.known == built.known
    assert read.off_work == built.off_work
    assert read.bags.state() == built.bags.state()
    assert read.knowledge.state() == built.knowledge.state()
    assert read.knowledge.entry_for("books").names[1] == "accounting"  # a registered name still finds its entry
    # A reader of what was read reads every topic as one that built it all.
    held = frozenset({"go", "statistics", "accounting"})
    fresh, kept = Understander(None, KNOWN), Understander(None, tables=read)
    for topic in TOPICS:
        assert kept.understand(topic, held) == fresh.understand(topic, held)


def test_an_edited_knowledge_file_is_read_and_indexed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    knowledge_file = tmp_path / "skill_knowledge.yaml"
    shutil.copy(KNOWLEDGE_FILE, knowledge_file)
    monkeypatch.setattr(index_store, "KNOWLEDGE_FILE", knowledge_file)
    builds, folder = Builds(), tmp_path / "matching"
    IndexStore(folder).load(builds)
    with knowledge_file.open("a", encoding="utf-8") as file:
        file.write("\nknitting:\n  terms: [cable stitch]\n")
    IndexStore(folder).load(builds)
    assert builds.count == 2
    assert len(_files(folder)) == 2


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _other_shape(path: Path) -> None:
    """A whole file with a right digest, of something this module does not write."""
    payload = marshal.dumps({"not": "tables"})
    path.write_bytes(hashlib.blake2b(payload, digest_size=32).digest() + payload)


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b""),  # a write cut short
        lambda p: p.write_bytes(p.read_bytes()[:1000]),
        _flip_a_byte,
        _other_shape,
    ],
)
def test_a_damaged_file_is_built_again_and_rewritten(tmp_path: Path, damage: Callable[[Path], None]) -> None:
    builds = Builds()
    built = IndexStore(tmp_path).load(builds)
    [saved] = _files(tmp_path)
    damage(saved)
    again = IndexStore(tmp_path).load(builds)
    assert builds.count == 2
    assert again.known == built.known
    IndexStore(tmp_path).load(builds)  # the rewritten file is whole
    assert builds.count == 2


def test_a_folder_that_cannot_be_written_costs_only_time(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    builds = Builds()
    assert IndexStore(blocked / "matching").load(builds).known == knowledge_tables(KNOWN).known
    assert builds.count == 1


def test_stale_files_and_writes_cut_short_are_removed(tmp_path: Path) -> None:
    for n in range(KEEP + 2):
        (tmp_path / f"index-{n:032x}.marshal").write_bytes(b"an older version's index")
    (tmp_path / "index-abc.part").write_bytes(b"a write a crash cut short")
    IndexStore(tmp_path).load(Builds())
    assert len(list(tmp_path.glob("index-*"))) == KEEP
    assert index_store._key() in str(_files(tmp_path))
