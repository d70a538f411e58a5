"""The `dir` target: atomic releases in a folder served by nginx or Apache.

    <path>/releases/<id>/     one complete site per deploy (ids sort by time)
    <path>/current            symlink to releases/<id>: what the web server serves

A release is written under a temporary name and renamed into place complete; `current` is
switched by creating the new symlink under a temporary name and renaming it over the old one
(one atomic rename), so a reader gets the old site or the new one, never a mix. Files equal
to the live release are hard-linked from it, so a release costs only what changed. A lock
file keeps two deploys from running into each other.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from skpdgen.deploy.config import DirTarget
from skpdgen.deploy.plan import Changes, DeployError, Outcome, Plan

RELEASES = "releases"
CURRENT = "current"
LOCK = ".deploy.lock"


@dataclass(frozen=True, slots=True)
class DirDeploy:
    """One run of the dir target."""

    target: DirTarget

    @property
    def releases_dir(self) -> Path:
        return self.target.path / RELEASES

    def publish(self, plan: Plan, dry_run: bool) -> Outcome:
        name = self.target.name
        if dry_run:
            live = self.live_release()
            changes, never = _compare_plan(plan, live)
            what = "would make a new release" if not changes.empty else "nothing changed"
            return Outcome(name, changes, what, plan.held_back, never, True)
        with self._locked():
            live = self.live_release()
            release_id = _new_id(self.releases_dir)
            staging = self.releases_dir / f".{release_id}.tmp"
            try:
                changes, never = _write_release(plan, live, staging)
                if changes.empty and live is not None:
                    _remove(staging)
                    return Outcome(name, changes, f"nothing changed: release {live.name} "
                                                  "stays live", plan.held_back, never)
                os.chmod(staging, 0o755)
                os.rename(staging, self.releases_dir / release_id)
            except OSError as exc:
                _remove(staging)
                where = f" ({exc.filename})" if exc.filename else ""
                raise DeployError(f"cannot write the release in {self.releases_dir}: "
                                  f"{exc.strerror or exc}{where}") from None
            self._point_current(release_id)
            removed = self._prune(keep=self.target.keep)
        return Outcome(name, changes, release_done(release_id, removed), plan.held_back, never)

    def rollback(self, dry_run: bool) -> Outcome:
        with self._locked():
            live = self.live_release()
            releases = self.release_ids()
            if live is None or live.name not in releases:
                raise DeployError(f"{self.target.path}/current points to no release: "
                                  "nothing to roll back")
            previous = previous_release(releases, live.name)
            changes = _compare_trees(live, self.releases_dir / previous)
            if dry_run:
                return Outcome(self.target.name, changes,
                               f"would serve release {previous} again (now {live.name})",
                               dry_run=True)
            self._point_current(previous)
        return Outcome(self.target.name, changes,
                       f"release {previous} is live again (was {live.name})")

    def live_release(self) -> Path | None:
        """The release `current` points to, or None before the first deploy."""
        current = self.target.path / CURRENT
        if not current.is_symlink():
            if current.exists():
                raise DeployError(f"{current} is not a symlink; move it away so that "
                                  "skpdgen can manage releases there")
            return None
        target = (current.parent / os.readlink(current)).resolve()
        return target if target.is_dir() else None

    def release_ids(self) -> list[str]:
        if not self.releases_dir.is_dir():
            return []
        return sorted(p.name for p in self.releases_dir.iterdir()
                      if p.is_dir() and not p.name.startswith("."))

    def _point_current(self, release_id: str) -> None:
        current = self.target.path / CURRENT
        temporary = self.target.path / f".{CURRENT}.{os.getpid()}.tmp"
        try:
            if temporary.is_symlink() or temporary.exists():
                temporary.unlink()
            os.symlink(f"{RELEASES}/{release_id}", temporary)
            os.replace(temporary, current)
        except OSError as exc:    # e.g. a file system without symbolic links
            raise DeployError(f"cannot point {current} at release {release_id}: "
                              f"{exc.strerror}") from None

    def _prune(self, keep: int) -> int:
        """Delete all but the newest `keep` releases (never the live one) and leftovers."""
        live = self.live_release()
        removed = 0
        for release_id in prunable(self.release_ids(), live.name if live else None, keep):
            _remove(self.releases_dir / release_id)
            removed += 1
        for leftover in self.releases_dir.glob(".*.tmp"):
            _remove(leftover)
        return removed

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.releases_dir.mkdir(parents=True, exist_ok=True)
            handle = open(self.target.path / LOCK, "a+b")  # noqa: SIM115 - held for the block
        except OSError as exc:
            raise DeployError(f"cannot use {self.target.path}: {exc.strerror}") from None
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise DeployError(f"another deploy to {self.target.path} is running") from None
            yield


def _new_id(releases: Path) -> str:
    return new_release_id(lambda release_id: (releases / release_id).exists())


# --- the logic every release-folder target shares (dir here, ssh on a server) ---------------

def new_release_id(taken: Callable[[str], bool]) -> str:
    """A new release id; ids sort in the order they were made."""
    while True:
        now = datetime.now(UTC)
        release_id = now.strftime("%Y%m%dT%H%M%S") + f".{now.microsecond:06d}Z"
        if not taken(release_id):
            return release_id


def previous_release(releases: list[str], live: str) -> str:
    """The release before the live one, for --rollback."""
    index = releases.index(live)
    if index == 0:
        raise DeployError(f"release {live} is the oldest one kept: there is no "
                          "earlier release to roll back to")
    return releases[index - 1]


def prunable(releases: list[str], live: str | None, keep: int) -> list[str]:
    """All but the newest `keep` releases, never the live one."""
    old = releases[:-keep] if len(releases) > keep else []
    return [release_id for release_id in old if release_id != live]


def release_done(release_id: str, removed: int) -> str:
    done = f"release {release_id} is live"
    if removed:
        done += f" ({removed} old release{'s' if removed > 1 else ''} removed)"
    return done


def _same(path: Path, source: Path | bytes) -> bool:
    try:
        stat = path.lstat()
        if not path.is_file() or path.is_symlink():
            return False
        if isinstance(source, bytes):
            return stat.st_size == len(source) and path.read_bytes() == source
        other = source.stat()
        if stat.st_size != other.st_size:
            return False
        if (stat.st_ino, stat.st_dev) == (other.st_ino, other.st_dev):
            return True
        return path.read_bytes() == source.read_bytes()
    except OSError:
        return False


def _write_release(plan: Plan, live: Path | None, staging: Path) -> tuple[Changes, tuple[str, ...]]:
    """Fill `staging` with the plan (links to unchanged live files); the changes it makes."""
    staging.mkdir(mode=0o755)
    changes = Changes()
    for rel, source in sorted(plan.files.items()):
        if plan.is_carried(rel):
            continue
        dest = staging / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        old = live / rel if live is not None else None
        if old is not None and _same(old, source):
            _link_or_copy(old, dest)
            continue
        if isinstance(source, bytes):
            dest.write_bytes(source)
            dest.chmod(0o644)
        else:
            shutil.copyfile(source, dest)
            dest.chmod(0o644)
        (changes.changed if old is not None and old.is_file() else changes.added).append(rel)
    never: list[str] = []
    for slug in plan.held_back:
        kept = live / slug if live is not None else None
        if kept is None or not kept.is_dir():
            never.append(slug)
            continue
        for rel, path in _files(kept, prefix=slug + "/"):
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(path, staging / rel)
    if live is not None:
        changes.removed.extend(rel for rel, _ in _files(live)
                               if not (staging / rel).is_file())
    for dirpath, _dirs, _names in os.walk(staging):
        os.chmod(dirpath, 0o755)      # readable by the web server whatever the umask
    changes.added.sort()
    changes.changed.sort()
    changes.removed.sort()
    return changes, tuple(never)


def _compare_plan(plan: Plan, live: Path | None) -> tuple[Changes, tuple[str, ...]]:
    """What `_write_release` would change, without writing anything."""
    changes = Changes()
    for rel, source in sorted(plan.files.items()):
        if plan.is_carried(rel):
            continue
        old = live / rel if live is not None else None
        if old is None or not old.is_file():
            changes.added.append(rel)
        elif not _same(old, source):
            changes.changed.append(rel)
    never = tuple(slug for slug in plan.held_back
                  if live is None or not (live / slug).is_dir())
    if live is not None:
        changes.removed.extend(rel for rel, _ in _files(live)
                               if rel not in plan.files and not plan.is_carried(rel))
    return changes, never


def _compare_trees(old: Path, new: Path) -> Changes:
    old_files = dict(_files(old))
    new_files = dict(_files(new))
    return Changes(sorted(p for p in new_files if p not in old_files),
                   sorted(p for p in new_files if p in old_files
                          and not _same(old_files[p], new_files[p])),
                   sorted(p for p in old_files if p not in new_files))


def _files(root: Path, prefix: str = "") -> Iterator[tuple[str, Path]]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        base = prefix + ("" if rel_dir == "." else rel_dir + "/")
        for name in sorted(filenames):
            yield base + name, Path(dirpath, name)


def _link_or_copy(source: Path, dest: Path) -> None:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)

