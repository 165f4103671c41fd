"""The knowledge file as read and its terms as indexed word for word, kept in a folder between starts.

Reading `skill_knowledge.yaml` and `off_work.yaml` and indexing their 55,000 names and terms is over a second of every
start, and the result changes only when the files, or the rules that read them, do. It is built once per change and
read back: a file is named by a hash of both files, of every module of `bot.domain` (the rules) and of the Python,
word list and stemmer versions they run on, so an edit, a change of the rules or an upgrade never reads what is not
its own. The terms' embeddings are kept beside it by `bot.domain.vector_store`.

Files hold `marshal` data, the format of Python's own compiled modules: it loads plain values (dicts, tuples, strings,
numbers) and runs nothing. A digest of the payload comes first, so a file cut short or changed is built again; files
are written under a temporary name and renamed into place. Like `__pycache__`, the folder is the process's own.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from bot.domain import kept_files
from bot.domain.knowledge import KNOWLEDGE_FILE, OFF_WORK_FILE, Knowledge
from bot.domain.term_index import KnowledgeTables, tables_from_state, tables_state
from bot.domain.word_bags import WordBags

FORMAT = 2
"""Bumped when what a file holds changes shape (changes of the files or the rules are in the name already)."""
KEEP = 2
"""Files kept in the folder; older ones (of knowledge since edited) are removed."""
_DIGEST = 32


class IndexStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self, build: Callable[[], KnowledgeTables]) -> KnowledgeTables:
        """`build()`, read from the folder when it was built from these files by these rules before."""
        path = self.folder / f"index-{_key()}.marshal"
        found = _read(path)
        if found is not None:
            kept_files.mark_used(path)
            return found
        built = build()
        self._save(path, built)
        return built

    def _save(self, path: Path, built: KnowledgeTables) -> None:
        state = (built.knowledge.state(), tables_state(built.known), tables_state(built.off_work), built.bags.state())
        payload = marshal.dumps(state)
        digest = hashlib.blake2b(payload, digest_size=_DIGEST).digest()
        kept_files.save(path, "index", lambda file: file.write(digest + payload), KEEP)


def _key() -> str:
    digest = hashlib.blake2b(digest_size=16)
    versions = [metadata.version(package) for package in ("wordfreq", "snowballstemmer", "pystemmer")]
    digest.update("\0".join([str(FORMAT), sys.version, *versions]).encode())
    rules = sorted(Path(__file__).parent.glob("*.py"))
    for path in [KNOWLEDGE_FILE, OFF_WORK_FILE, *rules]:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


def _read(path: Path) -> KnowledgeTables | None:
    """What was saved at `path` if it is whole and of the shape this module writes, else None."""
    try:
        data = path.read_bytes()
        payload = memoryview(data)[_DIGEST:]  # not a copy of 8 MB
        if hashlib.blake2b(payload, digest_size=_DIGEST).digest() != data[:_DIGEST]:
            return None
        knowledge, known, off_work, bags = marshal.loads(payload)
        return KnowledgeTables(
            Knowledge.from_state(knowledge),
            tables_from_state(known),
            tables_from_state(off_work),
            WordBags.from_state(bags),
        )
    except (OSError, ValueError, EOFError, TypeError, KeyError):
        return None  # not there yet, cut short or of another shape: built again and rewritten
