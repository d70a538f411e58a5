"""An agency whose last build still stands: its result without building it.

The no-op path of a build: everything here is cheap to import (no content model, no
templates), so that a build with nothing to do starts no renderer. `site_build.py` builds
an agency when this says it must.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from skpdgen import cache, children
from skpdgen.diagnostics import Diagnostic
from skpdgen.options import BuildOptions
from skpdgen.search.indexer import has_index
from skpdgen.summary import summary_path
from skpdgen.write import WriteStats

if TYPE_CHECKING:
    from skpdgen.config.region import Region
    from skpdgen.render import Output
    from skpdgen.summary import SiteSummary


@dataclass(slots=True)
class SiteResult:
    slug: str
    ok: bool
    diagnostics: list[Diagnostic]
    stats: WriteStats = field(default_factory=WriteStats)
    summary: SiteSummary | None = None
    outputs: list[Output] | None = None     # only when not writing (in-memory builds)
    page_count: int = 0
    reused: bool = False                    # inputs unchanged: the last output was kept
    rendered: int = 0                       # HTML pages rendered (the others were unchanged)
    not_published: list[str] = field(default_factory=list)  # PATH:LINE of left-out items
    images_encoded: int = 0                 # source images encoded (not found in the cache)
    key: str | None = None                  # its cache key, when its build can be reused


# build_region's `on_swapped`, seen by the agencies built in this process (serve builds in one)
ON_SWAPPED: ContextVar[Callable[[SiteResult], None] | None] = ContextVar("on_swapped",
                                                                          default=None)


def inputs_key(region: Region, slug: str, out: Path, region_key: str) -> str:
    """The agency's cache key, its input files known by their recorded stat (the key its
    `reuse` and its build are checked against)."""
    inputs = cache.InputStats.load(out, slug)
    key = cache.site_key(region_key, region.sites_dir / slug, inputs)
    with contextlib.suppress(OSError):   # only a shortcut for the next build
        inputs.save(out, slug)
    return key


def reuse(out: Path, slug: str, key: str, options: BuildOptions) -> SiteResult | None:
    """The result of the last build of `slug`, if its inputs and its day are the same and its
    output is still exactly the files that build wrote (else it is built again)."""
    entry = cache.load_entry(out, slug)
    if (entry is None or not entry.usable(key, options) or not (out / slug).is_dir()
            or not has_index(out / slug)):
        return None
    checked = cache.kept_output(out / slug, entry)
    if checked is None:
        return None
    if checked is not entry:    # matched by content under other mtimes: by stat next time
        with contextlib.suppress(OSError):
            cache.save_entry(out, slug, checked)
    if not summary_path(out, slug).is_file():
        return None
    # its summary is read only if the portal is built (a no-op build reads none)
    return SiteResult(slug, True, entry.diagnostics(), WriteStats(unchanged=entry.file_count),
                      None, page_count=entry.page_count, reused=True, key=key)


# Below this many agencies to check, a second process costs more than it saves.
SPLIT_FROM = 8


def settle(region: Region, slugs: list[str], out: Path, region_key: str, options: BuildOptions,
           jobs: int) -> tuple[dict[str, SiteResult], dict[str, str]]:
    """The agencies whose last build still stands (their results), and the keys of all those
    checked (for the build of the others, which then does not check them again).

    The check is mostly the lstat of every input and output file (≈ 50,000 for 10,000
    posts): with `jobs` ≥ 2 and many agencies, a forked child checks every other agency
    while this process checks the rest. Whatever goes wrong with the child, this process
    checks its agencies itself; an agency whose check fails is simply built.
    """
    theirs = slugs[1::2] if jobs >= 2 and len(slugs) >= SPLIT_FROM else []
    child = children.fork_call(_check, region, theirs, out, region_key, options) if theirs else None
    reused, checked = _check(region, slugs if child is None else slugs[0::2], out, region_key,
                             options)
    if child is not None:
        found = child.result()
        if not (isinstance(found, tuple) and len(found) == 2):   # checked here instead
            found = _check(region, theirs, out, region_key, options)
        reused.update(found[0])
        checked.update(found[1])
    return reused, checked


def _check(region: Region, slugs: list[str], out: Path, region_key: str,
           options: BuildOptions) -> tuple[dict[str, SiteResult], dict[str, str]]:
    reused: dict[str, SiteResult] = {}
    checked: dict[str, str] = {}
    for slug in slugs:
        with contextlib.suppress(Exception):   # any doubt: its build decides
            checked[slug] = inputs_key(region, slug, out, region_key)
            if (result := reuse(out, slug, checked[slug], options)):
                reused[slug] = result
    return reused, checked
