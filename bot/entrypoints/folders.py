"""Where Burst keeps what it can rebuild: local-slack's download, the demo's workspace, the knowledge terms' vectors."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """$BURST_CACHE_DIR, else ~/.cache/burst: CI and tests set it to keep their files apart from a developer's home."""
    return Path(os.environ.get("BURST_CACHE_DIR") or Path.home() / ".cache" / "burst")
