"""Where Burst keeps what it can rebuild: local-slack's download, the demo's workspace, the knowledge index."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """$BURST_CACHE_DIR, else ~/.cache/burst: CI and tests set it to keep their files apart from a developer's home."""
    return Path(os.environ.get("BURST_CACHE_DIR") or Path.home() / ".cache" / "burst")


def matching_dir() -> Path | None:
    """Where the knowledge file as read, its index and its terms' embeddings are kept between starts; None without a
    cache folder to be had (no $BURST_CACHE_DIR and no home directory, as for a service user without one): they are
    then built every start."""
    try:
        return cache_dir() / "matching"
    except RuntimeError:
        return None
