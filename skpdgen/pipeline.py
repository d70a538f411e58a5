"""The build, step by step: region -> each agency (isolated) -> portal -> manifest.

    model = assemble(load(discover(agency)))     # pure, may fail with diagnostics
    write(render(model, theme))                 # staging + atomic swap, only if no errors

One agency's broken content never stops another agency, and never replaces its own last good
output: its old folder stays as it was and the portal keeps its last good summary.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from skpdgen import cache, markdown, portal, search
from skpdgen.config.agency import discover_agencies, load_agency, unknown_site_hint
from skpdgen.config.region import Region, load_region
from skpdgen.content.load import discover, load_page
from skpdgen.diagnostics import ConfigError, Diagnostic, Diagnostics
from skpdgen.editor import build as editor_build
from skpdgen.manifest import read_manifest, write_manifest
from skpdgen.model import BuildOptions, SiteModel, assemble, build_now
from skpdgen.render import Output
from skpdgen.render.site import SiteRenderer
from skpdgen.report import measured
from skpdgen.scorecard import BuildHealth
from skpdgen.summary import SiteSummary, load_summary, summarize, summary_path
from skpdgen.theme import Theme, environment_for, load_theme, theme_layers
from skpdgen.write import (
    STATE_DIR,
    WriteError,
    WriteStats,
    check_dest,
    remove_tree,
    stage,
    swap_in,
    write_file_atomic,
    write_tree_files,
)


@dataclass(frozen=True, slots=True)
class BuildRequest:
    """What `skpdgen build` was asked to do."""

    root: Path
    sites: tuple[str, ...] = ()
    drafts: bool = False
    future: bool = False
    clean: bool = False
    jobs: int = 1
    today: date | None = None
    out_dir: Path | None = None
    write: bool = True
    defer_search: bool = False    # serve: index after the pages reload (search.index_site)

    @property
    def output(self) -> Path:
        return self.out_dir or self.root / "build"


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


@dataclass(slots=True)
class RegionResult:
    region: Region
    sites: list[SiteResult]
    portal_diagnostics: list[Diagnostic]
    stats: WriteStats
    today: date
    portal_outputs: list[Output] | None = None

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.sites) and not any(
            d.severity == "error" for d in self.portal_diagnostics)

    @property
    def portal_ok(self) -> bool:
        return not any(d.severity == "error" for d in self.portal_diagnostics)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        result = [d for s in self.sites for d in s.diagnostics]
        return result + self.portal_diagnostics

    @property
    def failed(self) -> list[str]:
        return [s.slug for s in self.sites if not s.ok]


ProgressCallback = Callable[[str, int, int], None]


def build_region(request: BuildRequest, progress: ProgressCallback | None = None,
                 theme: Theme | None = None,
                 on_site: Callable[[SiteResult], None] | None = None) -> RegionResult:
    """Build the agencies asked for (all by default) and the portal.

    `theme`: the region's theme as loaded before, so a long-running caller (serve) reuses its
    compiled templates; it is loaded again when the region now names another theme or language.
    `on_site`: called with each agency's result as soon as its output is in place (before the
    portal is built), so a preview can reload that agency's pages without waiting.
    """
    region = load_region(request.root)
    if (theme is None or theme.layers != theme_layers(region.theme_dir)
            or theme.translator.lang != region.language):
        theme = load_theme(region.theme_dir, region.language)
    all_slugs = discover_agencies(region)
    for slug in request.sites:
        if slug not in all_slugs:
            raise ConfigError([Diagnostic(f"sites/{slug}", None, "error",
                                          f"no agency '{slug}' (no sites/{slug}/site.yaml)",
                                          unknown_site_hint(slug, all_slugs))])
    slugs = list(request.sites) or all_slugs
    options = BuildOptions(now=build_now(request.today, region), drafts=request.drafts,
                           future=request.future)
    out = request.output
    if request.write:
        if request.clean:
            remove_tree(out)
        out.mkdir(parents=True, exist_ok=True)

    results: list[SiteResult] = []
    for site_result in _build_sites(region, theme, slugs, options, request, progress):
        results.append(site_result)
        if on_site is not None:
            on_site(site_result)
    by_slug = {r.slug: r for r in results}
    summaries: list[SiteSummary] = []
    for slug in all_slugs:
        result = by_slug.get(slug)
        summary = result.summary if result and result.ok else None
        if summary is None and request.write:
            summary = load_summary(out, slug)
        if summary is not None:
            summaries.append(summary)

    # the portal is built on top of the agencies' summaries (last good ones for failed agencies)
    portal_diags = Diagnostics()
    previous = read_manifest(out) if request.write else {}
    health = {slug: BuildHealth.from_diagnostics(r.diagnostics, r.ok, (out / slug).is_dir())
              for slug, r in by_slug.items()}
    for slug in all_slugs:   # not rebuilt this time (build --site): as its last build recorded
        if slug not in health:
            health[slug] = BuildHealth.from_manifest(previous.get(slug)) or BuildHealth()
    # Left out of this run with no recorded measurement (a fresh clone, --clean, check --site):
    # measured from its sources without being built, never shown `mati` for not being built.
    recorded = {s.slug for s in summaries}
    unmeasured = [slug for slug in all_slugs if slug not in by_slug and slug not in recorded
                  and previous.get(slug) is None]
    unbuilt: dict[str, SiteSummary] = {}
    sources_key = (cache.region_key(region.root, theme.layers, options)
                   if request.write and unmeasured else None)
    for slug in unmeasured:
        summary, health[slug] = _measure_sources(region, theme, slug, options,
                                                 out if request.write else None, sources_key)
        if summary is not None:
            unbuilt[slug] = summary
    portal_outputs = list(portal.portal_outputs(region, theme, summaries, health, options,
                                                portal_diags, unbuilt))
    portal_outputs += editor_build.portal_outputs(region, theme, all_slugs, portal_diags)
    _check_outputs(portal_outputs, "skpdgen.yaml", portal_diags)
    stats = WriteStats()
    for r in results:
        stats.add(r.stats)
    region_result = RegionResult(region, results, portal_diags.items, stats, options.today)
    if not request.write:
        region_result.portal_outputs = portal_outputs
        return region_result
    if not portal_diags.has_errors:
        try:
            stats.add(write_tree_files(portal_outputs, out,
                                       set(all_slugs) | {STATE_DIR, search.INDEX_DIR}))
        except WriteError as exc:
            portal_diags.error("build", None, str(exc))
        try:
            search.write_portal_index(out, summaries, theme.translator)
        except (search.SearchError, OSError) as exc:
            portal_diags.warning("build/pagefind", None, f"search index not updated: {exc}")
    write_manifest(out, region.base_url,
                   {slug: (h.build == "ok", h.errors or 0, h.broken_links or 0)
                    for slug, h in health.items() if slug in by_slug}, previous, options.today)
    return region_result


def _build_sites(region: Region, theme: Theme, slugs: list[str], options: BuildOptions,
                 request: BuildRequest, progress: ProgressCallback | None
                 ) -> Iterator[SiteResult]:
    jobs = max(1, min(request.jobs, len(slugs)))
    total = len(slugs)
    key = cache.region_key(region.root, theme.layers, options) if request.write else None
    if jobs == 1:
        for done, slug in enumerate(slugs, start=1):
            if progress:
                progress(slug, done, total)
            yield build_site(region, theme, slug, options, request.output, request.write, key,
                             request.defer_search)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(build_site, region, theme, slug, options, request.output,
                               request.write, key, request.defer_search) for slug in slugs]
        for done, (slug, future) in enumerate(zip(slugs, futures, strict=True), start=1):
            yield future.result()
            if progress:
                progress(slug, done, total)


def load_site_model(region: Region, theme: Theme, slug: str, options: BuildOptions,
                    diags: Diagnostics) -> SiteModel | None:
    """discover -> load -> assemble for one agency; None when its config is unusable."""
    agency = load_agency(region, slug, diags)
    if agency is None:
        return None
    files = discover(agency, diags)
    sources = [page for src in files.markdown
               if (page := load_page(agency, region, src, diags)) is not None]
    return assemble(agency, region, sources, files, options, theme.translator,
                    markdown.make_parser(), diags)


def _measure_sources(region: Region, theme: Theme, slug: str, options: BuildOptions,
                     out: Path | None = None, region_key: str | None = None
                     ) -> tuple[SiteSummary | None, BuildHealth]:
    """What an agency's sources publish (for the scorecard), without rendering its pages or
    writing its site; kept in build/.skpdgen/measured/ while its inputs stay the same."""
    key = cache.site_key(region_key, region.sites_dir / slug) if out and region_key else None
    if out is not None and key is not None:
        kept = measured.load(out, slug, key, options.today)
        if kept is not None:
            return kept
    diags = Diagnostics()
    model = load_site_model(region, theme, slug, options, diags)
    ok = model is not None and not diags.has_errors
    # sources that would not build publish nothing, as a full build would record
    result = (summarize(model) if model is not None and ok else None,
              BuildHealth.from_diagnostics(diags.items, ok, False))
    if out is not None and key is not None:
        with contextlib.suppress(WriteError, OSError):   # only a shortcut for the next run
            measured.save(out, slug, key, options.today, *result)
    return result


def build_site(region: Region, theme: Theme, slug: str, options: BuildOptions, out: Path,
               write: bool = True, region_key: str | None = None,
               defer_search: bool = False) -> SiteResult:
    """Build one agency; write it only when it has no errors.

    With a `region_key` (see cache.py), an agency whose inputs did not change since its last
    successful build is not built again: its output and summary are reused as they are.
    """
    key = cache.site_key(region_key, region.sites_dir / slug) if write and region_key else None
    if key is not None:
        reused = _reuse(out, slug, key, options)
        if reused is not None:
            return reused
    diags = Diagnostics()
    model = load_site_model(region, theme, slug, options, diags)
    if model is None or diags.has_errors:
        return SiteResult(slug, False, diags.items)
    env = environment_for(theme, model.agency.root / "templates")
    outputs = list(SiteRenderer(model, theme, env, diags).outputs())
    _check_outputs(outputs, f"sites/{slug}", diags)
    if diags.has_errors:
        return SiteResult(slug, False, diags.items)
    summary = summarize(model)
    if not write:
        return SiteResult(slug, True, diags.items, summary=summary, outputs=outputs,
                          page_count=len(model.pages))
    target = out / slug
    try:
        staging, stats = stage(outputs, target)
        indexed = search.prepare_index(staging, target, region.language, defer_search, diags,
                                       slug)
        swap_in(staging, target, stats)
        write_file_atomic(summary_path(out, slug), summary.to_json().encode("utf-8"))
        if key is not None and not indexed:     # its search index is behind: not reusable
            cache.entry_path(out, slug).unlink(missing_ok=True)
        elif key is not None:
            cache.save_entry(out, slug, cache.CacheEntry(
                key=key, today=options.today.isoformat(),
                valid_until=(model.next_publication.isoformat()
                             if model.next_publication else None),
                page_count=len(model.pages), file_count=len(outputs),
                warnings=[d.to_json() for d in diags.warnings]))
    except (WriteError, OSError) as exc:
        diags.error(f"build/{slug}", None, f"cannot write the site: {exc}")
        return SiteResult(slug, False, diags.items)
    return SiteResult(slug, True, diags.items, stats, summary, page_count=len(model.pages))


def _reuse(out: Path, slug: str, key: str, options: BuildOptions) -> SiteResult | None:
    """The result of the last build of `slug`, if its inputs and its day are the same."""
    entry = cache.load_entry(out, slug)
    if (entry is None or not entry.usable(key, options) or not (out / slug).is_dir()
            or not search.has_index(out / slug)):
        return None
    summary = load_summary(out, slug)
    if summary is None:
        return None
    return SiteResult(slug, True, entry.diagnostics(), WriteStats(unchanged=entry.file_count),
                      summary, page_count=entry.page_count, reused=True)


def _check_outputs(outputs: list[Output], where: str, diags: Diagnostics) -> None:
    """Every dest path is safe and written by exactly one input."""
    writers: dict[str, list[str]] = {}
    for out in outputs:
        if not check_dest(out.dest_path):
            diags.error(where, None, f"output path '{out.dest_path}' is not allowed")
            continue
        writers.setdefault(out.dest_path, []).append(out.origin)
    for dest, origins in writers.items():
        if len(origins) > 1:
            diags.error(f"{where}/{origins[0]}", None,
                        f"{dest} is written by {len(origins)} inputs: {', '.join(origins)}",
                        "rename one of them or change its 'slug'")


def env_today() -> date | None:
    """SKPDGEN_TODAY, when set (a ValueError names the problem)."""
    raw = os.environ.get("SKPDGEN_TODAY")
    return date.fromisoformat(raw) if raw else None
