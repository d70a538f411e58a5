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

from skpdgen import cache
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
