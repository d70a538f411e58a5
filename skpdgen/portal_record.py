"""Keep the whole portal when nothing it is made of changed since the build that wrote it.

The portal (home, news, directory, scorecard, feeds, sitemaps, its search bundle) is a function
of the region key (code, options, skpdgen.yaml, theme), the build day, the git history the
scorecard reads, and each agency's cache key, summary and build health. The build that writes
it records a hash of all of them, with the size and mtime of every file it wrote and the mtime
of every folder they are in (build/.skpdgen/cache/.portal.json). A later build with the same
hash, whose portal files and folders are still as recorded, neither renders nor reads the
portal: a no-op build of a region of 40 agencies then reads no summary.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from skpdgen.cache import folders_unchanged
from skpdgen.write import STATE_DIR, write_file_atomic

RECORD = ".portal.json"


@dataclass(frozen=True, slots=True)
class PortalRecord:
    key: str
    files: dict[str, list[int]]     # path -> [size, mtime_ns]
    dirs: dict[str, int]            # folder ("" for build/ itself) -> mtime_ns


def record_path(out: Path) -> Path:
    return out / STATE_DIR / "cache" / RECORD


def portal_key(region_key: str, today: str, git_state: str | None,
               agencies: Iterable[tuple[str, str | None, str, Path]]) -> str:
    """The hash of what the portal is made of. `agencies`: (slug, its cache key, its health,
    its summary file) for every agency of the region; the summary as the portal reads it."""
    digest = hashlib.sha256(f"{region_key}\0{today}\0{git_state}".encode())
    for slug, key, health, summary in agencies:
        digest.update(f"\1{slug}\0{key}\0{health}\0".encode())
        try:
            digest.update(hashlib.sha256(summary.read_bytes()).digest())
        except OSError:
            digest.update(b"<none>")
    return digest.hexdigest()


def load(out: Path) -> PortalRecord | None:
    try:
        data = json.loads(record_path(out).read_text(encoding="utf-8"))
        return PortalRecord(str(data["key"]), dict(data["files"]), dict(data["dirs"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def unchanged(out: Path, key: str) -> PortalRecord | None:
    """The record of the portal in `out` when it was built from `key` and is still as that
    build wrote it."""
    record = load(out)
    return record if record is not None and record.key == key and intact(out, record) else None


def intact(out: Path, record: PortalRecord) -> bool:
    """Every recorded file and folder of the portal is as it was written (stat only)."""
    if not folders_unchanged(out, record.dirs):
        return False
    for rel, (size, mtime) in record.files.items():
        try:
            st = os.lstat(out / rel)
        except OSError:
            return False
        if not stat.S_ISREG(st.st_mode) or st.st_size != size or st.st_mtime_ns != mtime:
            return False
    return True


def save(out: Path, key: str, written: Iterable[str], keep_top: Collection[str]) -> None:
    """Record `key` with the stat of the portal files `written` (paths under `out`), and of
    the folders that hold them and the portal's own top-level folders (not `keep_top`:
    the agencies' folders and the state folder)."""
    files: dict[str, list[int]] = {}
    dirs: dict[str, int] = {"": os.lstat(out).st_mtime_ns}
    for rel in written:
        st = os.lstat(out / rel)
        files[rel] = [st.st_size, st.st_mtime_ns]
        parts = rel.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if folder not in dirs:
                dirs[folder] = os.lstat(out / folder).st_mtime_ns
    for entry in os.scandir(out):
        if (entry.is_dir(follow_symlinks=False) and entry.name not in keep_top
                and not entry.name.startswith(".") and entry.name not in dirs):
            dirs[entry.name] = entry.stat(follow_symlinks=False).st_mtime_ns
    write_file_atomic(record_path(out), json.dumps(
        {"key": key, "files": files, "dirs": dirs}, separators=(",", ":")).encode())


def forget(out: Path) -> None:
    record_path(out).unlink(missing_ok=True)
