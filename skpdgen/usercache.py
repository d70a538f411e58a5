"""This user's cache folder for skpdgen (outside any repository): the key that signs kept
templates, the parsed message catalogue, the parsed skpdgen.yaml. Whatever is kept here is
only a shortcut: a missing, damaged or unwritable entry costs the work it would have saved."""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
KEEP = 8        # entries of one kind: the versions of a file a user switches between


def user_cache_dir() -> Path:
    """$XDG_CACHE_HOME/skpdgen, else ~/.cache/skpdgen (not created here)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "skpdgen"


def kept(kind: str, data: bytes, make: Callable[[], Any], load: Callable[[Any], T]) -> T:
    """`load(make())`, with `make()`'s value kept for the next command with the same `data`.

    The value is marshalled (plain data: no code runs when it is read back) under a name made
    of `kind` and the sha256 of `data` and the Python version. `load` turns it into what the
    caller uses and raises ValueError or TypeError on a value of the wrong shape (a damaged
    file): then `make()` runs again. The newest KEEP entries of a kind are kept.
    """
    digest = hashlib.sha256(data + repr((sys.version_info[:2], marshal.version)).encode())
    path = user_cache_dir() / f"{kind}-{digest.hexdigest()[:20]}.marshal"
    try:
        return load(marshal.loads(path.read_bytes()))
    except (OSError, ValueError, EOFError, TypeError):
        pass
    value = make()
    result = load(value)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(marshal.dumps(value))
        os.replace(temporary, path)
        _prune(path.parent, kind)
    except (OSError, ValueError):   # a read-only home; a value marshal cannot write
        with contextlib.suppress(OSError):
            temporary.unlink()
    return result


def _prune(folder: Path, kind: str) -> None:
    entries = []
    for path in folder.glob(f"{kind}-*.marshal"):
        with contextlib.suppress(OSError):
            entries.append((path.stat().st_mtime_ns, path))
    for _, path in sorted(entries, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()
