"""Skip an agency whose inputs have not changed since its last successful build.

The key is a hash of everything the agency's output depends on: every file under
sites/<slug>/ (content, static, templates, site.yaml), the theme (templates, strings,
assets), skpdgen.yaml, skpdgen's own code, and the build options. Output also depends on
time (future items go live, announcements expire, events become past, the footer's year), so
an entry is reused before `valid_until`: the moment the next dated item of the agency is due,
or, with page-level dependencies (deps.py), the first moment any date-derived value of the
agency or any answer its templates got from the build day may change; a later day before it
builds the same bytes. Without them, only on the same `today`. Warnings of the cached build
are kept and shown again.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from skpdgen import __version__
from skpdgen.diagnostics import Diagnostic
from skpdgen.options import BuildOptions
from skpdgen.render import Output
from skpdgen.search.indexer import INDEX_DIR
from skpdgen.write import STATE_DIR, same_output, write_file_atomic

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class CacheEntry:
    key: str
    today: str
    valid_until: str | None        # ISO datetime of the next item that becomes public
    page_count: int
    file_count: int
    warnings: list[dict[str, object]]
    # the output as written, path -> [size, sha256, mtime_ns]; none recorded never matches
    files: dict[str, list[object]] = field(default_factory=dict)
    # valid_until also bounds what the build day changes (buildday.valid_until): a later day
    # before it builds the same output
    day_proof: bool = False
    # every folder of the output, path -> mtime_ns: a folder whose mtime is as recorded had
    # no entry added, removed or renamed, so checking the output needs no listing
    dirs: dict[str, int] = field(default_factory=dict)

    def usable(self, key: str, options: BuildOptions) -> bool:
        if self.key != key:
            return False
        if self.today != options.today.isoformat() and not (
                self.day_proof and self.today < options.today.isoformat()):
            return False
        return self.valid_until is None or options.now < datetime.fromisoformat(self.valid_until)

    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic(**w) for w in self.warnings]  # type: ignore[arg-type]


def _hash_tree(digest: hashlib._Hash, root: Path, known: InputStats | None = None) -> None:
    """Names and bytes of every regular file below `root`, in a stable order.

    Nothing but a regular file is ever opened (lstat first): a link is hashed by its target's
    name, a FIFO or device by its kind, so a pipe cannot hang the build and a link to /dev/zero
    cannot fill the memory; discover reports both as errors. With `known`, a file whose
    stat is as recorded is not read again: its recorded hash stands for its bytes.
    """
    if not root.exists():
        return
    base = str(root)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        folder = dirpath[len(base) + 1:] + "/" if dirpath != base else ""
        for name in sorted(filenames) + [d for d in dirnames
                                         if os.path.islink(os.path.join(dirpath, d))]:
            path = os.path.join(dirpath, name)
            rel = folder + name
            digest.update(rel.encode() + b"\0")
            if known is None:
                digest.update(_file_token(Path(path)))
            else:
                digest.update(known.token(rel, path).encode())
            digest.update(b"\0")


@dataclass(slots=True)
class InputStats:
    """The hash of each input file of an agency by its stat (size, mtime, inode), so a build
    with unchanged inputs reads none of them (build/.skpdgen/cache/<slug>.inputs.json).

    A file changed less than RACY before the record was written is never trusted by its stat
    alone (an edit in the same clock tick keeps its mtime), like git's racy-clean check.
    """

    at: int = 0                        # when the record was written (ns)
    old: dict[str, list[Any]] = field(default_factory=dict)
    new: dict[str, list[Any]] = field(default_factory=dict)

    RACY = 2_000_000_000

    @classmethod
    def load(cls, out: Path, slug: str) -> InputStats:
        try:
            data = json.loads(inputs_path(out, slug).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if (not isinstance(data, dict) or not isinstance(data.get("at"), int)
                or not isinstance(data.get("files"), dict)):
            return cls()
        return cls(data["at"], data["files"])

    def token(self, rel: str, path: str) -> str:
        try:
            st = os.lstat(path)
        except OSError:
            return "<unreadable>"
        if not stat.S_ISREG(st.st_mode):
            return hashlib.sha256(_file_token(Path(path))).hexdigest() + "*"
        here = [st.st_size, st.st_mtime_ns, st.st_ino]
        old = self.old.get(rel)
        if (isinstance(old, list) and len(old) == 4 and old[:3] == here
                and st.st_mtime_ns < self.at - self.RACY):
            self.new[rel] = old
            return str(old[3])
        sha = hashlib.sha256(_file_token(Path(path))).hexdigest()
        self.new[rel] = [*here, sha]
        return sha

    def save(self, out: Path, slug: str) -> None:
        if self.new != self.old:
            write_file_atomic(inputs_path(out, slug), json.dumps(
                {"at": time.time_ns(), "files": self.new}, separators=(",", ":")).encode())


def inputs_path(out: Path, slug: str) -> Path:
    return out / STATE_DIR / "cache" / f"{slug}.inputs.json"


hash_tree = _hash_tree


def _file_token(path: Path) -> bytes:
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            return b"<link>" + os.fsencode(os.readlink(path))
        if not stat.S_ISREG(mode):
            return b"<special>"
        return path.read_bytes()
    except OSError:
        return b"<unreadable>"


@cache
def code_fingerprint() -> str:
    """skpdgen's version and source: a code change invalidates every entry (also in dev)."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def region_key(region_root: Path, theme_layers: tuple[Path, ...], options: BuildOptions) -> str:
    """What every agency depends on: code, options, skpdgen.yaml, the theme (once a build)."""
    digest = hashlib.sha256()
    digest.update(code_fingerprint().encode())
    digest.update(json.dumps([options.drafts, options.future]).encode())
    config = region_root / "skpdgen.yaml"
    digest.update(config.read_bytes() if config.is_file() else b"")
    digest.update(b"\1theme\1")
    for layer in theme_layers:
        _hash_tree(digest, layer)
    return digest.hexdigest()


def site_key(region_key: str, agency_root: Path, known: InputStats | None = None) -> str:
    """The region key plus every file of the agency (by its recorded hash in `known`)."""
    digest = hashlib.sha256(region_key.encode())
    if agency_root.is_symlink():   # an error (load_agency); never walk where it points
        digest.update(b"<link>" + os.fsencode(os.readlink(agency_root)))
        return digest.hexdigest()
    if known is not None:
        digest.update(b"\1by-hash\1")
    _hash_tree(digest, agency_root, known)
    return digest.hexdigest()


def entry_path(out: Path, slug: str) -> Path:
    return out / STATE_DIR / "cache" / f"{slug}.json"


def load_entry(out: Path, slug: str) -> CacheEntry | None:
    try:
        data = json.loads(entry_path(out, slug).read_text(encoding="utf-8"))
        return CacheEntry(**data)
    except (OSError, ValueError, TypeError):
        return None


def save_entry(out: Path, slug: str, entry: CacheEntry) -> None:
    write_file_atomic(entry_path(out, slug),
                      json.dumps(asdict(entry), ensure_ascii=False).encode("utf-8"))



def record_output(target: Path, previous: dict[str, list[object]] | None = None
                  ) -> tuple[dict[str, list[object]], dict[str, int]]:
    """Every file of an agency's output folder, relative path -> [size, sha256, mtime_ns],
    and every folder, relative path ("" for `target`) -> mtime_ns.

    A file with the size and mtime `previous` recorded (an unchanged file, hard-linked from
    the last output) keeps its recorded sha256 instead of being read again.
    """
    previous = previous or {}
    files: dict[str, list[object]] = {}
    dirs: dict[str, int] = {}
    base = str(target)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        folder = dirpath[len(base) + 1:] if dirpath != base else ""
        dirs[folder] = os.lstat(dirpath).st_mtime_ns
        prefix = folder + "/" if folder else ""
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = prefix + name
            st = os.lstat(path)
            old = previous.get(rel)
            if (old is not None and len(old) == 3 and old[0] == st.st_size
                    and old[2] == st.st_mtime_ns and stat.S_ISREG(st.st_mode)):
                files[rel] = list(old)
                continue
            sha = (hashlib.sha256(Path(path).read_bytes()).hexdigest()
                   if stat.S_ISREG(st.st_mode) else "")
            files[rel] = [st.st_size, sha, st.st_mtime_ns]
    return files, dirs


def unchanged_output(out: Path, slug: str, outputs: list[Output]) -> CacheEntry | None:
    """The cache entry of build/<slug>/ when it already holds exactly `outputs` (and the
    search index made from them): then nothing needs writing, indexing or swapping.

    Only after a complete build whose index was current (its cache entry exists, see
    pipeline.py) and whose files are still as it wrote them; else None.
    """
    entry = load_entry(out, slug)
    target = out / slug
    if entry is None or not entry.files or not (target / INDEX_DIR).is_dir():
        return None
    pages = {rel for rel in entry.files if not rel.startswith(INDEX_DIR + "/")}
    if (len(pages) != len(outputs) or {o.dest_path for o in outputs} != pages
            or not output_intact(target, entry.files, entry.dirs)):
        return None
    if all(same_output(o, target / o.dest_path) for o in outputs):
        return entry
    return None


def output_intact(target: Path, files: dict[str, list[object]],
                  dirs: dict[str, int] | None = None,
                  rehashed: dict[str, list[object]] | None = None) -> bool:
    """True when `target` holds exactly `files`, each with its recorded size and sha256.

    A file deleted, added or edited by hand (or by a second build) is noticed. Stat first:
    a file whose size and modification time are as recorded is not read again (a no-op build
    of 10,000 pages would otherwise hash every output); any other is hashed. With the
    folders' recorded mtimes (`dirs`), when every folder still has its mtime no entry was
    added, removed or renamed anywhere, so the recorded files are only stat'ed, not listed.
    `rehashed` receives the record, with its present mtime, of each file that had the right
    bytes under another mtime (see kept_output).
    """
    if dirs and folders_unchanged(target, dirs):
        return _files_unchanged(str(target) + "/", files, rehashed)
    seen = 0
    base = str(target)
    for dirpath, _dirnames, filenames in os.walk(base):
        folder = dirpath[len(base) + 1:] + "/" if dirpath != base else ""
        for name in filenames:
            rel = folder + name
            record = files.get(rel)
            if record is None or not _file_intact(os.path.join(dirpath, name), record, rel,
                                                  rehashed):
                return False
            seen += 1
    return seen == len(files)


def kept_output(target: Path, entry: CacheEntry) -> CacheEntry | None:
    """`entry` when `target` still holds exactly its files (output_intact), else None.

    When some files or folders matched only by content (a build/ restored from a CI cache or
    copied: other mtimes, the same bytes), the entry comes back with their present mtimes, for
    the caller to save: the next check needs their stat only.
    """
    rehashed: dict[str, list[object]] = {}
    folders_same = bool(entry.dirs) and folders_unchanged(target, entry.dirs)
    if not (_files_unchanged(str(target) + "/", entry.files, rehashed) if folders_same
            else output_intact(target, entry.files, None, rehashed)):
        return None
    if folders_same and not rehashed:
        return entry
    return replace(entry, files={**entry.files, **rehashed},
                   dirs=entry.dirs if folders_same else _folder_mtimes(target))


def _folder_mtimes(target: Path) -> dict[str, int]:
    base = str(target)
    return {(dirpath[len(base) + 1:] if dirpath != base else ""): os.lstat(dirpath).st_mtime_ns
            for dirpath, _dirnames, _filenames in os.walk(base)}


def folders_unchanged(target: Path, dirs: dict[str, int]) -> bool:
    """Each recorded folder below `target` ("" for itself) is one, with its recorded mtime:
    nothing was added, removed or renamed in it."""
    base, lstat = str(target) + "/", os.lstat     # the hot loop of a no-op build
    for rel, mtime in dirs.items():
        try:
            st = lstat(base + rel)
        except OSError:
            return False
        if st.st_mtime_ns != mtime or not stat.S_ISDIR(st.st_mode):
            return False
    return True


def _files_unchanged(base: str, files: dict[str, list[object]],
                     rehashed: dict[str, list[object]] | None = None) -> bool:
    """Each recorded file under `base` (ending in "/") by its stat, hashed only when its mtime
    changed. No file was replaced by another kind: its folder's mtime would have changed."""
    lstat = os.lstat
    for rel, record in files.items():
        try:
            st = lstat(base + rel)
        except OSError:
            return False
        if (len(record) != 3 or st.st_size != record[0] or st.st_mtime_ns != record[2]
                ) and not _file_intact(base + rel, record, rel, rehashed):
            return False
    return True


def _file_intact(path: str, record: list[object], rel: str = "",
                 rehashed: dict[str, list[object]] | None = None) -> bool:
    """The file at `path` has the recorded size and sha256 (by its mtime when recorded); one
    that had to be hashed goes into `rehashed` with its present mtime."""
    if len(record) not in (2, 3):
        return False
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size != record[0]:
            return False
        if len(record) == 3 and st.st_mtime_ns == record[2]:
            return True
        if hashlib.sha256(Path(path).read_bytes()).hexdigest() != record[1]:
            return False
    except OSError:
        return False
    if rehashed is not None:
        rehashed[rel] = [record[0], record[1], st.st_mtime_ns]
    return True
