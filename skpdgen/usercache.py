"""This user's cache folder for skpdgen (outside any repository): the key that signs kept
templates, the parsed message catalogue. Whatever is kept here is only a shortcut."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir() -> Path:
    """$XDG_CACHE_HOME/skpdgen, else ~/.cache/skpdgen (not created here)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "skpdgen"
