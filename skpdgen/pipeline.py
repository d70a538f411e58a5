"""The build, step by step: region -> each agency (isolated) -> portal -> manifest.

    model = assemble(load(discover(agency)))     # pure, may fail with diagnostics
    write(render(model, theme))                 # staging + atomic swap, only if no errors

One agency's broken content never stops another agency, and never replaces its own last good
output: its old folder stays as it was and the portal keeps its last good summary.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from skpdgen import cache, deps, gitdates, isolate, lock, markdown, portal, portal_record, search
from skpdgen.config.agency import discover_agencies, load_agency, unknown_site_hint
from skpdgen.config.region import Region, load_region
from skpdgen.config.schema import year_problem
from skpdgen.content.load import discover, load_page
from skpdgen.content.publishable import show_names
from skpdgen.diagnostics import ConfigError, Diagnostic, Diagnostics
from skpdgen.editor import build as editor_build
from skpdgen.isolate import LeftOut
from skpdgen.manifest import SiteState, read_manifest, write_manifest
from skpdgen.media.outputs import ImageStore, image_outputs
from skpdgen.model import BuildOptions, SiteModel, assemble, build_now
from skpdgen.render import Output
from skpdgen.render.site import SiteRenderer
from skpdgen.report import measured
from skpdgen.scaffold_checks import setup_diagnostics
from skpdgen.scorecard import BuildHealth
from skpdgen.shard import Shard, ShardRecord, common_day, load_records, remove_records, save_record
from skpdgen.summary import SiteSummary, load_summary, summarize, summary_path
from skpdgen.theme import Theme, cache_templates_in, environment_for, load_theme, theme_layers
from skpdgen.write import (
    STATE_DIR,
    WriteError,
    WriteStats,
    check_dest,
    exchange,
    remove_leftovers,
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
    shard: Shard | None = None    # build only this shard's agencies, and no portal (shard.py)
    portal_only: bool = False     # build no agency: the portal from what build/ holds

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
    rendered: int = 0                       # HTML pages rendered (the others were unchanged)
    not_published: list[str] = field(default_factory=list)  # PATH:LINE of left-out items
    images_encoded: int = 0                 # source images encoded (not found in the cache)
    key: str | None = None                  # its cache key, when its build can be reused


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
        """Agencies held back entirely (their last good output stays)."""
        return [s.slug for s in self.sites if not s.ok and not s.not_published]

    @property
    def not_published(self) -> list[str]:
        """PATH:LINE of each broken item left out of an otherwise published agency."""
        return [item for s in self.sites for item in s.not_published]


ProgressCallback = Callable[[str, int, int], None]
# build_region's `on_swapped`, seen by the agencies built in this process (serve builds in one)
_ON_SWAPPED: ContextVar[Callable[[SiteResult], None] | None] = ContextVar("on_swapped",
                                                                          default=None)


def build_region(request: BuildRequest, progress: ProgressCallback | None = None,
                 theme: Theme | None = None,
                 on_site: Callable[[SiteResult], None] | None = None,
                 on_swapped: Callable[[SiteResult], None] | None = None) -> RegionResult:
    """Build the agencies asked for (all by default) and the portal.

    `theme`: the region's theme as loaded before, so a long-running caller (serve) reuses its
    compiled templates; it is loaded again when the region now names another theme or language.
    `on_site`: called with each agency's result as soon as its output is in place (before the
    portal is built), so a preview can reload that agency's pages without waiting.
    `on_swapped`: called earlier still, the moment an agency's new output is live (before the
    old one is deleted and its cache record written), by agencies built in this process.
    """
    if on_swapped is not None:
        token = _ON_SWAPPED.set(on_swapped)
        try:
            return build_region(request, progress, theme, on_site)
        finally:
            _ON_SWAPPED.reset(token)
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
    today, drafts, future = request.today, request.drafts, request.future
    if request.shard is not None:
        slugs = [slug for slug in all_slugs if request.shard.holds(slug)]
    if request.portal_only:     # as the shards were built: their day, drafts and future items
        slugs = []
        records = load_records(request.output, all_slugs)
        today = common_day(request.output, records, request.today)
        drafts = drafts or any(r.drafts for r in records.values())
        future = future or any(r.future for r in records.values())
    options = BuildOptions(now=build_now(today, region), drafts=drafts, future=future)
    if not request.write:
        return _build_into(request, region, theme, all_slugs, slugs, options, progress, on_site)
    out = request.output
    out.mkdir(parents=True, exist_ok=True)
    with lock.hold(out):
        remove_leftovers(out)
        if not request.clean:
            return _build_into(request, region, theme, all_slugs, slugs, options, progress,
                               on_site)
        return _build_clean(request, region, theme, all_slugs, slugs, options, progress,
                            on_site)


def _build_clean(request: BuildRequest, region: Region, theme: Theme, all_slugs: list[str],
                 slugs: list[str], options: BuildOptions, progress: ProgressCallback | None,
                 on_site: Callable[[SiteResult], None] | None) -> RegionResult:
    """`build --clean`: build everything into a fresh folder beside build/, then swap.

    The old build/ stays whole until the new one is complete (a kill leaves the old site); an
    agency that fails keeps its last good output, carried over from the old folder.
    """
    out = request.output
    aside = out.parent / f".{out.name}.clean-{os.getpid()}"
    remove_tree(aside)
    aside.mkdir(parents=True)
    try:
        result = _build_into(replace(request, out_dir=aside, clean=False), region, theme,
                             all_slugs, slugs, options, progress, on_site, _LastGood(out))
        lock.lock_path(aside).parent.mkdir(parents=True, exist_ok=True)
        lock.lock_path(aside).touch()   # the same files as an incremental build leaves
        if not exchange(aside, out):
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.rename(out, old)
            os.rename(aside, out)
            aside = old
    finally:
        remove_tree(aside)
    return result


@dataclass(frozen=True, slots=True)
class _LastGood:
    """Where the last good output of each agency is (build/ while --clean builds aside)."""

    out: Path


def _build_into(request: BuildRequest, region: Region, theme: Theme, all_slugs: list[str],
                slugs: list[str], options: BuildOptions, progress: ProgressCallback | None,
                on_site: Callable[[SiteResult], None] | None,
                last_good: _LastGood | None = None) -> RegionResult:
    out = request.output
    cache_templates_in(out / STATE_DIR / "templates" if request.write else None)
    results: list[SiteResult] = []
    for site_result in _build_sites(region, theme, slugs, options, request, progress):
        results.append(site_result)
        if on_site is not None:
            on_site(site_result)
        if site_result.summary is not None:     # kept until the portal: only what it reads
            site_result.summary = _for_portal(site_result.summary)
    records: dict[str, ShardRecord] = {}
    if request.portal_only:
        records = load_records(out, all_slugs)
        results = _recorded_results(out, all_slugs, records)
    by_slug = {r.slug: r for r in results}
    if request.write and last_good is not None:
        for slug in all_slugs:
            if not (slug in by_slug and by_slug[slug].ok):
                _carry_over(last_good.out, out, slug)
    if request.shard is not None:   # no portal: what the job that assembles it needs
        return _shard_result(request, region, results, options)

    # the portal is built on top of the agencies' summaries (last good ones for failed agencies)
    portal_diags = Diagnostics()
    portal_memo: deps.PageMemo | None = None
    git_state = gitdates.head_state(region.root)
    if git_state is not None and git_state.startswith("true"):     # a shallow clone
        portal_diags.warning(
            "skpdgen.yaml", None, "the repository is a shallow git clone: the scorecard "
            "misses the dates of older commits and may call active agencies inactive",
            "fetch the whole history (CI: actions/checkout with fetch-depth: 0; "
            "or git fetch --unshallow)")
    if request.write:      # sample values left by init, a CI install that cannot work
        portal_diags.extend(setup_diagnostics(region, strict=False))
    previous = read_manifest(last_good.out if last_good else out) if request.write else {}
    health = {slug: BuildHealth.from_diagnostics(r.diagnostics, r.ok, (out / slug).is_dir(),
                                                 r.not_published)
              for slug, r in by_slug.items()}
    for slug, record in records.items():     # built by a shard: as its shard recorded
        health[slug] = record.health
    for slug in all_slugs:   # not rebuilt this time (build --site): as its last build recorded
        if slug not in health:
            health[slug] = BuildHealth.from_manifest(previous.get(slug)) or BuildHealth()
    key = (_portal_key(region, theme, options, out, all_slugs, by_slug, health, git_state)
           if request.write and not request.sites and not request.portal_only else None)
    if key is not None and (kept := portal_record.unchanged(out, key)) is not None:
        stats = _stats(results)
        stats.unchanged += len(kept.files)
        region_result = RegionResult(region, results, portal_diags.items, stats, options.today)
        return _finish(request, region, out, all_slugs, by_slug, health, previous, records,
                       options, portal_diags, region_result)
    if request.write:
        portal_record.forget(out)
    summaries: list[SiteSummary] = []
    for slug in all_slugs:
        result = by_slug.get(slug)
        summary = result.summary if result and (result.ok or result.not_published) else None
        if summary is None and request.write:
            summary = load_summary(out, slug)
        if summary is not None:
            summaries.append(_for_portal(summary))
    try:
        # Left out of this run with no recorded measurement (a fresh clone, --clean, check --site):
        # measured from its sources without being built, never shown `mati` for not being built.
        recorded = {s.slug for s in summaries}
        unmeasured = [slug for slug in all_slugs if slug not in by_slug and slug not in recorded
                      and previous.get(slug) is None]
        unbuilt: dict[str, SiteSummary] = {}
        sources_key = (cache.region_key(region.root, theme.layers, options)
                       if request.write and unmeasured else None)
        for slug in unmeasured:
            try:
                summary, health[slug] = _measure_sources(
                    region, theme, slug, options, out if request.write else None, sources_key)
            except Exception as exc:  # noqa: BLE001 -- one agency's files never stop the portal
                portal_diags.extend([internal_error(f"sites/{slug}", "measuring its sources",
                                                    exc)])
                continue
            if summary is not None:
                unbuilt[slug] = summary
        portal_memo = (deps.PageMemo.load(out, deps.PORTAL, deps.agency_key(
            cache.region_key(region.root, theme.layers, options), None), options.today, out)
            if request.write else None)
        portal_outputs = list(portal.portal_outputs(region, theme, summaries, health,
                                                    options, portal_diags, unbuilt,
                                                    portal_memo))
        portal_outputs += editor_build.portal_outputs(region, theme, all_slugs,
                                                      portal_diags)
    except Exception as exc:  # noqa: BLE001 -- the safety net: the manifest is still written
        portal_diags.extend([internal_error("skpdgen.yaml", "building the portal", exc)])
        portal_outputs = []
    _check_outputs(portal_outputs, "skpdgen.yaml", portal_diags)
    stats = _stats(results)
    region_result = RegionResult(region, results, portal_diags.items, stats, options.today)
    if not request.write:
        region_result.portal_outputs = portal_outputs
        return region_result
    if not portal_diags.has_errors:
        keep_top = set(all_slugs) | {STATE_DIR, search.INDEX_DIR}
        try:
            stats.add(write_tree_files(portal_outputs, out, keep_top))
            if portal_memo is not None:
                stats.rendered += len(portal_memo.rendered)
                with contextlib.suppress(OSError):    # only a shortcut for the next build
                    portal_memo.save(out, deps.PORTAL, portal_memo.files())
            search.write_portal_index(out, summaries, theme.translator)
            if key is not None and not portal_diags.errors:
                with contextlib.suppress(OSError):    # only a shortcut for the next build
                    portal_record.save(out, key, [o.dest_path for o in portal_outputs] + (
                        [f"{search.INDEX_DIR}/{search.ENTRY}"] if search.has_index(out) else []),
                        keep_top)
        except WriteError as exc:
            portal_diags.error("build", None, str(exc))
        except (search.SearchError, OSError) as exc:
            portal_diags.warning("build/pagefind", None, f"search index not updated: {exc}")
    return _finish(request, region, out, all_slugs, by_slug, health, previous, records,
                   options, portal_diags, region_result)


def _stats(results: list[SiteResult]) -> WriteStats:
    stats = WriteStats()
    for r in results:
        stats.add(r.stats)
    return stats


def _portal_key(region: Region, theme: Theme, options: BuildOptions, out: Path,
                all_slugs: list[str], by_slug: dict[str, SiteResult],
                health: dict[str, BuildHealth], git_state: str | None) -> str | None:
    """What the portal is made of (portal_record.py); None when an agency has no record of
    its inputs (its last build was partial or failed): then the portal is always built."""
    agencies = []
    for slug in all_slugs:
        result = by_slug.get(slug)
        if result is None or result.key is None:
            return None
        agencies.append((slug, result.key, repr(health[slug]), summary_path(out, slug)))
    return portal_record.portal_key(cache.region_key(region.root, theme.layers, options),
                                    options.today.isoformat(), git_state, agencies)


def _finish(request: BuildRequest, region: Region, out: Path, all_slugs: list[str],
            by_slug: dict[str, SiteResult], health: dict[str, BuildHealth],
            previous: dict[str, SiteState], records: dict[str, ShardRecord], options: BuildOptions,
            portal_diags: Diagnostics, region_result: RegionResult) -> RegionResult:
    """After the portal: unused image renditions pruned, the manifest written."""
    if not request.sites:     # every agency built: drop renditions of images no longer used
        ImageStore(out / STATE_DIR / "images").prune(all_slugs)
    try:
        write_manifest(out, region.base_url,
                       {slug: (h.build == "ok", h.errors or 0, h.broken_links or 0)
                        for slug, h in health.items() if slug in by_slug}, previous,
                       options.today,
                       {slug: h.not_published for slug, h in health.items() if slug in by_slug})
    except OSError as exc:
        portal_diags.error(f"{_shown(out, request.root)}/{STATE_DIR}/manifest.json", None,
                           f"cannot write the manifest: {exc.strerror or exc}",
                           "free some disk space, then build again")
        region_result.portal_diagnostics = portal_diags.items
    else:
        remove_records(out, list(records))
    return region_result


def _for_portal(summary: SiteSummary) -> SiteSummary:
    """What the portal keeps of a summary: every dated item (`dated`) only when there are no
    dates of every page (`activity`, which the scorecard reads instead); a province's 400
    agencies' items took 160 MB otherwise."""
    return replace(summary, dated=[]) if summary.activity and summary.dated else summary


def _recorded_results(out: Path, all_slugs: list[str], records: dict[str, ShardRecord]
                      ) -> list[SiteResult]:
    """build --portal-only: each agency as its shard recorded it; one that no shard built and
    no earlier build recorded is an error (held back by deploy, never published empty)."""
    previous = read_manifest(out)
    results = []
    for slug in all_slugs:
        record = records.get(slug)
        if record is not None:
            health = record.health
            results.append(SiteResult(slug, health.build == "ok", [], page_count=record.page_count,
                                      reused=True, not_published=list(health.not_published)))
        elif previous.get(slug) is None:
            results.append(SiteResult(slug, False, [Diagnostic(
                f"sites/{slug}", None, "error",
                f"not built: build/ has no shard record of '{slug}' and no earlier build of it",
                "run every shard (skpdgen build --shard I/N) and copy each one's build/ folder "
                "into this build/ before --portal-only; deploy keeps its published version")]))
    return results


def _shard_result(request: BuildRequest, region: Region, results: list[SiteResult],
                  options: BuildOptions) -> RegionResult:
    """build --shard: a record of each agency for --portal-only, and no portal or manifest."""
    out = request.output
    portal_diags = Diagnostics()
    for r in results:
        if not request.write:
            break
        has_output = (out / r.slug).is_dir()
        health = BuildHealth.from_diagnostics(r.diagnostics, r.ok, has_output, r.not_published)
        try:
            save_record(out, ShardRecord(r.slug, options.today, options.drafts, options.future,
                                         health, r.page_count), has_output)
        except OSError as exc:
            portal_diags.error(f"{_shown(out, request.root)}/{STATE_DIR}/shards/{r.slug}.json",
                               None, f"cannot write the shard record: {exc.strerror or exc}",
                               "free some disk space, then build the shard again")
    stats = WriteStats()
    for r in results:
        stats.add(r.stats)
    return RegionResult(region, results, portal_diags.items, stats, options.today)


def _shown(path: Path, root: Path) -> str:
    """A path as the user would type it: relative to the region root when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _carry_over(old_out: Path, new_out: Path, slug: str) -> None:
    """The last good output, summary and cache entry of `slug` into a fresh output folder."""
    for rel in (Path(slug), summary_path(old_out, slug).relative_to(old_out),
                cache.entry_path(old_out, slug).relative_to(old_out)):
        source, dest = old_out / rel, new_out / rel
        if not source.exists() or source.is_symlink():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, dest, copy_function=_link_or_copy)
        else:
            _link_or_copy(source, dest)


def _link_or_copy(source: str | Path, dest: str | Path) -> None:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


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
                             defer_search=request.defer_search)
        return
    # an agency whose inputs and output are as its last build left them is settled here,
    # without a worker: a no-op build starts no process and imports no renderer
    reused: dict[str, SiteResult] = {}
    if key is not None:
        for slug in slugs:
            with contextlib.suppress(Exception):   # any doubt: its worker decides
                if (result := reuse_unchanged(region, slug, options, request.output, key)):
                    reused[slug] = result
    todo = [slug for slug in slugs if slug not in reused]
    if len(todo) <= 1:
        for done, slug in enumerate(slugs, start=1):
            if progress:
                progress(slug, done, total)
            yield reused.get(slug) or build_site(
                region, theme, slug, options, request.output, request.write, key,
                defer_search=request.defer_search)
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(todo))) as pool:
        # largest first, so that a big agency does not start last and leave a core idle at the
        # end; results are still taken in the agencies' order
        submitted = {slug: pool.submit(build_site, region, theme, slug, options, request.output,
                                       request.write, key, os.getpid(), request.defer_search)
                     for slug in sorted(todo, key=lambda s: -_content_size(region, s))}
        for done, slug in enumerate(slugs, start=1):
            if slug in reused:
                yield reused[slug]
            else:
                try:
                    yield submitted[slug].result()
                except Exception as exc:  # noqa: BLE001 -- a worker died (memory, a crash)
                    yield SiteResult(slug, False, [internal_error(
                        f"sites/{slug}", "building it in a worker", exc)])
            if progress:
                progress(slug, done, total)


def _content_size(region: Region, slug: str) -> int:
    """Bytes under sites/<slug>/content (links not followed): how long its build will take."""
    total, folders = 0, [region.sites_dir / slug / "content"]
    while folders:
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
    return total


def load_site_model(region: Region, theme: Theme, slug: str, options: BuildOptions,
                    diags: Diagnostics, left_out: LeftOut | None = None,
                    bodies: deps.BodyCache | None = None) -> SiteModel | None:
    """discover -> load -> assemble for one agency; None when its config is unusable.

    `left_out`: broken items to publish without (see isolate.py); `bodies`: the rendered
    bodies of its last build (deps.py).
    """
    agency = load_agency(region, slug, diags)
    if agency is None:
        return None
    files = discover(agency, diags)
    skip = frozenset(left_out.items) if left_out else frozenset()
    sources = [page for src in files.markdown if src not in skip
               and (page := load_page(agency, region, src, diags)) is not None]
    return assemble(agency, region, sources, files, options, theme.translator,
                    markdown.make_parser(), diags, skip, left_out.kept if left_out else None,
                    bodies)


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
               owner: int | None = None, defer_search: bool = False) -> SiteResult:
    """Build one agency; write it only when it has no errors.

    With a `region_key` (see cache.py), an agency whose inputs did not change since its last
    successful build, and whose output is still exactly as written, is not built again.

    A safety net: whatever unexpected exception one agency's files trigger becomes an error
    for that agency ("internal error while …"); its last good output stays, and the other
    agencies, the portal and the manifest are still built.
    """
    step = ["reading its files"]
    try:
        return _build_site(region, theme, slug, options, out, write, region_key, step, owner,
                           defer_search)
    except Exception as exc:  # noqa: BLE001 -- the safety net: never a region-wide traceback
        if write:
            with contextlib.suppress(OSError):
                remove_tree(out / f".{slug}.staging-{os.getpid()}")
        return SiteResult(slug, False, [internal_error(f"sites/{slug}", step[0], exc)])


def internal_error(path: str, step: str, exc: BaseException) -> Diagnostic:
    """The diagnostic of an unexpected exception: where, while doing what, which exception."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Diagnostic(path, None, "error", f"internal error while {step} ({detail[:300]})",
                      "a file of this folder triggers a bug in skpdgen: please report it; "
                      "the last good output is kept")


def _build_site(region: Region, theme: Theme, slug: str, options: BuildOptions, out: Path,
                write: bool, region_key: str | None, step: list[str],
                owner: int | None = None, defer_search: bool = False) -> SiteResult:
    key = None
    if write and region_key:
        step[0] = "checking its last output"
        key = _site_key(region, slug, out, region_key)
        reused = _reuse(out, slug, key, options)
        if reused is not None:
            return reused
    diags = Diagnostics()
    step[0] = "reading its files"
    bodies = deps.BodyCache.load(out, slug) if key is not None else None
    model = load_site_model(region, theme, slug, options, diags, None, bodies)
    left_out, previous = LeftOut(), isolate.load_items(out, slug) if write else {}
    if model is not None and diags.has_errors:   # publish without the broken items
        model, diags, left_out = isolate.settle(
            lambda left, d: load_site_model(region, theme, slug, options, d, left, bodies),
            diags, f"sites/{slug}/", previous)
    errors = len(diags.errors)
    if model is None or (errors and not left_out.items):
        return SiteResult(slug, False, diags.items)
    step[0] = "rendering its pages"
    env = environment_for(theme, model.agency.root / "templates")
    memo = (deps.PageMemo.load(out, slug, deps.agency_key(region_key, model.agency.root
                                                          / "templates"), options.today)
            if write and region_key else None)
    renderer = SiteRenderer(model, theme, env, diags, memo)
    store = ImageStore(out / STATE_DIR / "images") if write else None
    outputs, encoded = image_outputs(model, renderer.outputs(), store, diags, renderer.og_card)
    _check_outputs(outputs, f"sites/{slug}", diags)
    if len(diags.errors) > errors:
        return SiteResult(slug, False, diags.items, images_encoded=encoded)
    if write and left_out.items:
        outputs += isolate.kept_outputs(out / slug, previous, left_out.items,
                                        {o.dest_path for o in outputs})
    summary = summarize(model)
    if not write:
        return SiteResult(slug, not left_out.items, diags.items, summary=summary,
                          outputs=outputs, page_count=len(model.pages),
                          not_published=left_out.not_published)
    step[0] = "writing its output"
    target = out / slug
    try:
        # the live folder already holds exactly these outputs (a new day that changed no
        # page): nothing to stage, index or swap
        live = (cache.unchanged_output(out, slug, outputs)
                if key is not None and not left_out.items else None)
        if live is not None:
            if owner is not None and os.getppid() != owner:
                raise WriteError("the build that started this worker has stopped")
            stats, indexed = WriteStats(unchanged=len(outputs)), True
            files, dirs = ((live.files, live.dirs) if live.dirs
                           else cache.record_output(target, live.files))
        else:
            last = cache.load_entry(out, slug) if key is not None else None
            staging, stats = stage(outputs, target)
            if owner is not None and os.getppid() != owner:
                # a worker whose build was killed: it holds no lock, so it must not swap
                # anything in
                remove_tree(staging)
                raise WriteError("the build that started this worker has stopped")
            indexed = search.prepare_index(staging, target, region.language, defer_search,
                                           diags, slug)
            on_swapped = _ON_SWAPPED.get() if owner is None else None  # not in a pool's worker
            swap_in(staging, target, stats, None if on_swapped is None else functools.partial(
                on_swapped, SiteResult(slug, not left_out.items, list(diags.items), stats,
                                       summary, page_count=len(model.pages),
                                       not_published=left_out.not_published,
                                       images_encoded=encoded)))
            files, dirs = (cache.record_output(target, last.files if last else None)
                           if key is not None else ({}, {}))
        write_file_atomic(summary_path(out, slug), summary.to_json().encode("utf-8"))
        isolate.save_items(out, slug, isolate.record_items(outputs, previous, left_out.items))
        if memo is not None:
            stats.rendered = len(memo.rendered)
            with contextlib.suppress(OSError):    # only a shortcut for the next build
                memo.save(out, slug, files)
        if bodies is not None:
            with contextlib.suppress(OSError):
                bodies.save(out, slug)
        # a partial build is never reused, nor the full one before it; nor one whose search
        # index is behind
        if left_out.items or (key is not None and not indexed):
            cache.entry_path(out, slug).unlink(missing_ok=True)
            key = None
        elif key is not None:
            cache.save_entry(out, slug, cache.CacheEntry(
                key=key, today=options.today.isoformat(),
                valid_until=(until.isoformat() if (until := deps.valid_until(
                    model, memo, options.now)) else None), day_proof=memo is not None,
                page_count=len(model.pages), file_count=len(outputs),
                warnings=[d.to_json() for d in diags.warnings],
                files=files, dirs=dirs))
    except (WriteError, OSError) as exc:
        diags.error(f"build/{slug}", None, f"cannot write the site: {exc}")
        return SiteResult(slug, False, diags.items)
    return SiteResult(slug, not left_out.items, diags.items, stats, summary,
                      page_count=len(model.pages), not_published=left_out.not_published,
                      images_encoded=encoded, rendered=stats.rendered, key=key)


def reuse_unchanged(region: Region, slug: str, options: BuildOptions, out: Path,
                    region_key: str) -> SiteResult | None:
    """The result of the last build of `slug` when nothing it depends on changed (see
    `_reuse`), without loading its content; None when it must be built."""
    return _reuse(out, slug, _site_key(region, slug, out, region_key), options)


def _site_key(region: Region, slug: str, out: Path, region_key: str) -> str:
    """The agency's cache key, its input files known by their recorded stat."""
    inputs = cache.InputStats.load(out, slug)
    key = cache.site_key(region_key, region.sites_dir / slug, inputs)
    with contextlib.suppress(OSError):   # only a shortcut for the next build
        inputs.save(out, slug)
    return key


def _reuse(out: Path, slug: str, key: str, options: BuildOptions) -> SiteResult | None:
    """The result of the last build of `slug`, if its inputs and its day are the same and its
    output is still exactly the files that build wrote (else it is built again)."""
    entry = cache.load_entry(out, slug)
    if (entry is None or not entry.usable(key, options) or not (out / slug).is_dir()
            or not search.has_index(out / slug)):
        return None
    if not cache.output_intact(out / slug, entry.files, entry.dirs):
        return None
    if not summary_path(out, slug).is_file():
        return None
    # its summary is read only if the portal is built (a no-op build reads none)
    return SiteResult(slug, True, entry.diagnostics(), WriteStats(unchanged=entry.file_count),
                      None, page_count=entry.page_count, reused=True, key=key)


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
            shown, invisible = show_names(origins)
            diags.error(f"{where}/{origins[0]}", None,
                        f"{dest} is written by {len(origins)} inputs: {shown}",
                        invisible or "rename one of them or change its 'slug'")
        # a file where another output needs a folder (alias /feed.xml, a static file 'berita')
        parts = dest.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in writers:
                diags.error(f"{where}/{origins[0]}", None,
                            f"{dest} needs a folder '{folder}/', but {writers[folder][0]} "
                            f"writes a file '{folder}'",
                            "rename one of them, or remove the alias that takes that path")
                break


def env_today() -> date | None:
    """SKPDGEN_TODAY, when set (a ValueError names the problem)."""
    raw = os.environ.get("SKPDGEN_TODAY")
    if not raw:
        return None
    day = date.fromisoformat(raw)
    problem = year_problem(day)
    if problem:
        raise ConfigError([Diagnostic("SKPDGEN_TODAY", None, "error", f"'{raw}': {problem}",
                                      "check the year")])
    return day
