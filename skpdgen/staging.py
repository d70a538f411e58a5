"""An agency's output, written into a staging folder and swapped in at once.

The staging folder is swapped with the live output in one atomic rename (renameat2
RENAME_EXCHANGE on Linux), so readers see either the old site or the new one, never a mix.
Files whose bytes did not change are hard-linked from the old output, so their inode and mtime
stay the same and the number of files really written is known. The old output is kept as the
spare (build/.skpdgen/cache/spare/<slug>), the next build's staging folder: an edit then
writes the few files it changed instead of a folder per page.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from skpdgen.render import Output
from skpdgen.write import (
    STATE_DIR,
    WriteError,
    WriteStats,
    exchange,
    remove_tree,
)


def _put(out: Output, staged: Path, live: Path, stats: WriteStats) -> None:
    """`out` into a new staging folder: linked from the live output when unchanged."""
    staged.parent.mkdir(parents=True, exist_ok=True)
    if _matching(out, live) is None or not _link(live, staged, stats):
        _write(out, staged, stats)


def _link(live: Path, staged: Path, stats: WriteStats) -> bool:
    try:
        os.link(live, staged)
    except OSError:
        return False
    stats.unchanged += 1
    return True


def _write(out: Output, staged: Path, stats: WriteStats) -> None:
    """A new file (never through an existing one: `staged` does not exist)."""
    if out.data is not None:
        staged.write_bytes(out.data)
    elif out.source is not None:
        shutil.copyfile(out.source, staged)
    stats.written += 1


def stage(outputs: Iterable[Output], target: Path, spare: Path | None = None
          ) -> tuple[Path, WriteStats]:
    """Write outputs into a staging folder; returns (staging, stats).

    Without `spare`, the staging folder is a new one beside `target`. With `spare`
    (spare_path: where the last swap left the output before it), the staging folder is that
    one brought up to date: a file that is already the right one stays, and
    only the folders that differ are made or removed. An edit then costs the few files it
    changed, not a new folder per page (see swap_in's `keep_old`)."""
    if spare is not None and not _same_device(spare.parent, target.parent):
        spare = None            # build/.skpdgen elsewhere (a link, a mount): no atomic swap
    staging = spare or target.parent / f".{target.name}.staging-{os.getpid()}"
    stats = WriteStats()
    try:
        listing = _listing(staging) if spare is not None else None
        if listing is None:
            remove_tree(staging)
            staging.mkdir(parents=True)
            for out in outputs:
                _put(out, staging / out.dest_path, target / out.dest_path, stats)
        else:
            _refresh(outputs, staging, target, stats, *listing)
    except OSError as exc:
        remove_tree(staging)
        raise WriteError(f"cannot write {exc.filename or target}: {exc.strerror}") from None
    except BaseException:
        # whatever stopped the outputs midway (a render error, Ctrl-C): no half-written
        # staging folder may stay behind; the live site was never touched
        remove_tree(staging)
        raise
    return staging, stats


def _same_device(folder: Path, other: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return os.stat(folder).st_dev == os.stat(other).st_dev
    except OSError:
        return False


def spare_path(out: Path, slug: str) -> Path:
    """Where an agency's output before last waits to become its next staging folder."""
    return out / STATE_DIR / "cache" / "spare" / slug


def prune_spares(out: Path, slugs: Iterable[str]) -> None:
    """The spare folders of agencies that are no longer in the region."""
    folder = out / STATE_DIR / "cache" / "spare"
    keep = set(slugs)
    with contextlib.suppress(OSError):
        for entry in list(folder.iterdir()):
            if entry.name not in keep:
                remove_tree(entry)


def _listing(root: Path) -> tuple[dict[str, int], set[str]] | None:
    """The files (with their inode) and folders below `root`, by relative path; None when it
    is not a plain folder of folders and files (then it is made afresh)."""
    if root.is_symlink() or not root.is_dir():
        return None
    files: dict[str, int] = {}
    dirs = {""}
    stack = [("", str(root))]
    while stack:
        rel, path = stack.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                name = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    dirs.add(name)
                    stack.append((name, entry.path))
                elif entry.is_file(follow_symlinks=False):
                    files[name] = entry.inode()
                else:
                    return None
    return files, dirs


def _refresh(outputs: Iterable[Output], staging: Path, target: Path, stats: WriteStats,
             files: dict[str, int], dirs: set[str]) -> None:
    """Make `staging` (an older output: `files` and `dirs`) hold exactly `outputs`. A file of
    it is never written through: it may be the live output's file (a hard link)."""
    wanted: set[str] = set()
    for out in outputs:
        rel = out.dest_path
        wanted.add(rel)
        folder = rel.rpartition("/")[0]
        if folder not in dirs:
            _make_folder(staging, folder, files, dirs)
        if rel in dirs:                 # a folder where this file goes
            _clear(staging, rel, files, dirs)
        staged, live = staging / rel, target / rel
        have = files.pop(rel, None)      # files keeps those no output claimed
        kept = _matching(out, live)
        if kept is not None and have == kept.st_ino and _same_inode(staged, kept):
            stats.unchanged += 1
            continue
        if have is not None:
            os.unlink(staged)
        if kept is None or not _link(live, staged, stats):
            _write(out, staged, stats)
    for rel in files:           # what no output is any more (files holds the others only)
        os.unlink(staging / rel)
    needed = {""}
    for rel in wanted:
        folder = rel.rpartition("/")[0]
        while folder not in needed:
            needed.add(folder)
            folder = folder.rpartition("/")[0]
    for folder in sorted(dirs - needed, key=lambda d: -d.count("/")):
        os.rmdir(staging / folder)


def _make_folder(staging: Path, folder: str, files: dict[str, int], dirs: set[str]) -> None:
    parts = folder.split("/")
    for depth in range(1, len(parts) + 1):
        rel = "/".join(parts[:depth])
        if rel in dirs:
            continue
        if rel in files:            # a file where this folder goes
            os.unlink(staging / rel)
            del files[rel]
        os.mkdir(staging / rel)
        dirs.add(rel)


def _clear(staging: Path, rel: str, files: dict[str, int], dirs: set[str]) -> None:
    remove_tree(staging / rel)
    inside = rel + "/"
    for name in [f for f in files if f.startswith(inside)]:
        del files[name]
    dirs.difference_update({d for d in dirs if d == rel or d.startswith(inside)})


def _same_inode(path: Path, st: os.stat_result) -> bool:
    """`path` is the file `st` was taken of (the listing's inode numbers come from the folder,
    which some file systems number differently from stat)."""
    try:
        mine = os.lstat(path)
    except OSError:
        return False
    return mine.st_ino == st.st_ino and mine.st_dev == st.st_dev


def _matching(out: Output, live: Path) -> os.stat_result | None:
    """The stat of the live file when it holds exactly `out` (it can then be linked)."""
    try:
        st = os.lstat(live)
        if not stat.S_ISREG(st.st_mode):
            return None
        if out.data is not None:
            return st if st.st_size == len(out.data) and live.read_bytes() == out.data else None
        if out.source is None:
            return None
        source = os.stat(out.source)
        if source.st_size != st.st_size:
            return None
        if (source.st_ino == st.st_ino and source.st_dev == st.st_dev) or (
                live.read_bytes() == Path(out.source).read_bytes()):
            return st
    except OSError:
        pass
    return None


def swap_in(staging: Path, target: Path, stats: WriteStats,
            swapped: Callable[[], None] | None = None, keep_old: bool = False) -> None:
    """Make `staging` the live `target` in one atomic step, then delete the old output.

    `swapped` is called as soon as the new output is live, before the old one is deleted.
    `keep_old`: the old output stays where `staging` was (the next build's spare) when the
    two could be exchanged."""
    if target.exists():
        stats.removed += _count_missing(target, staging)
        if exchange(staging, target):
            if swapped is not None:
                swapped()
            if not keep_old:
                remove_tree(staging)
            return
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        remove_tree(old)
        os.rename(target, old)
        os.rename(staging, target)
        if swapped is not None:
            swapped()
        remove_tree(old)
    else:
        os.rename(staging, target)
        if swapped is not None:
            swapped()


def _count_missing(old: Path, new: Path) -> int:
    count = 0
    for dirpath, _dirs, files in os.walk(old):
        rel = Path(dirpath).relative_to(old)
        count += sum(1 for name in files if not (new / rel / name).exists())
    return count
