"""How build/ is written: atomic exchanges and file replacements, unchanged files kept.

An agency's site is staged and swapped in by skpdgen/staging.py; the portal's files are
replaced one by one (`write_tree_files`); state files with `write_file_atomic`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skpdgen.render import Output

STATE_DIR = ".skpdgen"


@dataclass(slots=True)
class WriteStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    rendered: int = 0       # HTML pages rendered by templates (deps.py keeps the others)

    def add(self, other: WriteStats) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.removed += other.removed
        self.rendered += other.rendered


class WriteError(Exception):
    """An output could not be written; the message names the path."""


def check_dest(dest_path: str) -> bool:
    """A dest path must stay inside its output folder."""
    parts = dest_path.split("/")
    return (bool(dest_path) and not dest_path.startswith("/") and "\\" not in dest_path
            and all(p not in ("", ".", "..") for p in parts))


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _same_file(old: Path, source: Path) -> bool:
    try:
        a, b = old.stat(), source.stat()
        if a.st_size != b.st_size:
            return False
        if a.st_ino == b.st_ino and a.st_dev == b.st_dev:
            return True
        return old.read_bytes() == source.read_bytes()
    except OSError:
        return False


def same_output(out: Output, path: Path) -> bool:
    """True when the file at `path` already holds exactly `out`."""
    if out.data is not None:
        return _same_bytes(path, out.data)
    return out.source is not None and _same_file(path, out.source)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@functools.cache
def _renameat2() -> Any:
    libc_name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        return ctypes.CDLL(libc_name, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where unsupported."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def write_file_atomic(path: Path, data: bytes) -> bool:
    """Replace one file atomically; False (nothing written) when the bytes are unchanged."""
    if _same_bytes(path, data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        # disk full, Ctrl-C: the old file stays, and no temporary file is left behind
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return True


def write_tree_files(outputs: Iterable[Output], root: Path, keep_top: set[str]) -> WriteStats:
    """Write portal outputs file by file (each atomic) into `root`, then prune stale files.

    Top-level entries in `keep_top` (agency folders, the state folder) are never touched.
    """
    stats = WriteStats()
    wanted: set[str] = set()
    for out in outputs:
        wanted.add(out.dest_path)
        dest = root / out.dest_path
        try:
            if out.data is not None:
                changed = write_file_atomic(dest, out.data)
            else:
                assert out.source is not None
                changed = not _same_file(dest, out.source)
                if changed:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    tmp = dest.with_name(f".{dest.name}.tmp{os.getpid()}")
                    try:
                        shutil.copyfile(out.source, tmp)
                        os.replace(tmp, dest)
                    except BaseException:
                        with contextlib.suppress(OSError):
                            tmp.unlink()
                        raise
        except OSError as exc:
            raise WriteError(f"cannot write {dest}: {exc.strerror}") from None
        stats.written += changed
        stats.unchanged += not changed
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        if entry.name in keep_top or entry.name.startswith("."):
            continue
        stats.removed += _prune(entry, root, wanted)
    return stats


def _prune(entry: Path, root: Path, wanted: set[str]) -> int:
    rel = entry.relative_to(root).as_posix()
    if entry.is_dir() and not entry.is_symlink():
        removed = sum(_prune(child, root, wanted) for child in sorted(entry.iterdir()))
        if not any(entry.iterdir()):
            entry.rmdir()
        return removed
    if rel not in wanted:
        entry.unlink()
        return 1
    return 0


_LEFTOVER = re.compile(r"\..+\.(staging|old)(-\d+)?|\..+\.tmp\d+")


def remove_leftovers(out: Path) -> None:
    """What a killed build left: staging and old folders in `out`, and the folders beside it
    that `build --clean` builds into. Call only while holding the build lock."""
    aside = re.compile(rf"\.{re.escape(out.name)}\.(clean|old)-\d+")
    for folder, pattern in ((out, _LEFTOVER), (out.parent, aside)):
        if folder.is_dir():
            for entry in folder.iterdir():
                if pattern.fullmatch(entry.name):
                    remove_tree(entry)


def remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
