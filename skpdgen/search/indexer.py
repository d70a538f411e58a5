"""Run Pagefind over one folder of HTML and put its bundle in place atomically.

The binary comes from the `pagefind[bin]` wheel (no download at build time). It is run as a
command rather than through `pagefind.index.PagefindIndex`: that service polls its pipe every
100 ms per message, which made one agency cost 0.3 s instead of 0.07 s.

Pagefind reads only the pages the search shows: the ones with `data-pagefind-body` (items and
plain pages), named in its `--glob` (or, for a very large agency or an odd file name,
hard-linked into a folder of their own with the same paths, so the same URLs); lists and
their pagination, tag pages, redirects of aliases and the 404 page are never read. When an
agency has no such page, Pagefind reads every page, as it would by itself.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from skpdgen.diagnostics import Diagnostics
from skpdgen.write import exchange, remove_tree

INDEX_DIR = "pagefind"
ENTRY = "pagefind-entry.json"
# Content of an indexed page that is not what the page is about: the breadcrumb trail, the
# section name above the title (a filter instead), share buttons, previous/next links, the
# table of contents, the contact box beside a service, download and print buttons (the file
# name and size are in the facts list, which is indexed).
EXCLUDE_SELECTORS = (".crumbs", ".kicker", ".share", ".prevnext", ".toc", ".aside", ".actions",
                     ".back", ".js-print", "[data-search-ignore]")
# Pagefind's own UIs (the theme has its own small one) and the WASM for undetected languages
# (the language is forced): never loaded, so not published.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-highlight.js", "wasm.unknown.pagefind",
          # search.js runs Pagefind on the page (noWorker): one copy of its code to download
          "pagefind-worker.js")
TIMEOUT = 600
BODY_MARK = b"data-pagefind-body"
GLOB_LIMIT = 64_000       # characters of one --glob argument (Linux allows 128 KiB)
_GLOB_SPECIAL = frozenset("{},*?[]!\\")


class SearchError(Exception):
    """The index could not be built; the message says why and names the folder."""


def executable() -> Path:
    """The Pagefind binary shipped by the pagefind-bin wheel (or PAGEFIND_BINARY_PATH)."""
    env = os.environ.get("PAGEFIND_BINARY_PATH")
    if env:
        return Path(env)
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]
    except ImportError:
        found = shutil.which("pagefind")
        if found:
            return Path(found)
        raise SearchError("the Pagefind binary is not installed "
                          "(pip install 'pagefind[bin]', or reinstall skpdgen)") from None
    try:
        return Path(get_executable())
    except FileNotFoundError as exc:
        raise SearchError(f"the Pagefind binary is missing: {exc} "
                          "(pip install --force-reinstall 'pagefind[bin]')") from None


def has_index(site_dir: Path) -> bool:
    """True when `site_dir` has a complete search bundle."""
    return (site_dir / INDEX_DIR / ENTRY).is_file()


def index_site(site_dir: Path, language: str, source: Path | None = None) -> None:
    """Index the HTML under `source` (default `site_dir`) into `site_dir/pagefind/`.

    The bundle is written beside it first and swapped in, so a reader (or the preview server)
    never sees half an index; on failure the previous index stays.
    """
    source = source or site_dir
    fresh = site_dir / f".{INDEX_DIR}.new"
    remove_tree(fresh)
    try:
        with _searchable(source, site_dir.parent / f".{site_dir.name}.search.tmp{os.getpid()}"
                         ) as (pages, glob):
            command = [str(executable()), "--site", str(pages), "--output-path", str(fresh),
                       "--force-language", language, "--exclude-selectors",
                       ", ".join(EXCLUDE_SELECTORS), "--silent", *glob]
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                                  check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        remove_tree(fresh)
        raise SearchError(f"cannot run Pagefind on {source}: {exc}") from None
    if done.returncode != 0 or not (fresh / ENTRY).is_file():
        remove_tree(fresh)
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise SearchError(f"Pagefind failed on {source}: "
                          f"{detail[-1] if detail else f'exit status {done.returncode}'}")
    for name in UNUSED:
        (fresh / name).unlink(missing_ok=True)
    _swap_in(fresh, site_dir / INDEX_DIR)


@contextlib.contextmanager
def _searchable(source: Path, mirror: Path) -> Iterator[tuple[Path, list[str]]]:
    """The folder for Pagefind to read and its --glob arguments: `source` with a glob naming
    only the pages that carry data-pagefind-body, or `mirror` holding links to only those
    (removed afterwards), or `source` as it is when every page or none carries it."""
    every = sorted(path for path in source.rglob("*.html") if path.is_file())
    pages = [path for path in every if _has_body(path)]
    if not pages or len(pages) == len(every):
        yield source, []
        return
    names = [path.relative_to(source).as_posix() for path in pages]
    glob = names[0] if len(names) == 1 else "{" + ",".join(names) + "}"
    if len(glob) <= GLOB_LIMIT and not any(_GLOB_SPECIAL & set(name) for name in names):
        yield source, ["--glob", glob]
        return
    remove_tree(mirror)
    try:
        for path in pages:
            link = mirror / path.relative_to(source)
            link.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, link)
            except OSError:
                shutil.copyfile(path, link)
        yield mirror, []
    finally:
        remove_tree(mirror)


def _has_body(path: Path) -> bool:
    try:
        return BODY_MARK in path.read_bytes()
    except OSError:
        return False


def _swap_in(fresh: Path, target: Path) -> None:
    if target.exists() and exchange(fresh, target):
        remove_tree(fresh)
        return
    old = target.with_name(f".{target.name}.old")
    remove_tree(old)
    if target.exists():
        os.rename(target, old)
    os.rename(fresh, target)
    remove_tree(old)


def carry_over(old_site: Path, new_site: Path) -> bool:
    """Hard-link the last index of `old_site` into `new_site` (a staging folder).

    Used when indexing is deferred (the preview): the swapped-in site keeps a working, if a
    little old, search until its new index is ready. False when there was none.
    """
    if not has_index(old_site):
        return False
    target = new_site / INDEX_DIR
    remove_tree(target)
    try:
        shutil.copytree(old_site / INDEX_DIR, target, copy_function=os.link)
    except OSError:
        remove_tree(target)
        shutil.copytree(old_site / INDEX_DIR, target)
    return True


def prepare_index(staging: Path, target: Path, language: str, defer: bool,
                  diags: Diagnostics, slug: str) -> bool:
    """Before an agency's new output replaces `target`: index it into `staging`.

    When indexing is deferred (the preview indexes after the pages reload) or fails, the
    last index is carried over, so search keeps working with what it knew; False then (the
    build cache must not reuse this output as it is).
    """
    if not defer:
        try:
            index_site(staging, language)
            return True
        except SearchError as exc:
            diags.warning(f"sites/{slug}", None, f"search index not updated: {exc}",
                          "the site keeps its previous search index; build again to retry")
    carry_over(target, staging)
    return False
