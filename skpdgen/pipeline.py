"""The build, step by step: region -> each agency (isolated) -> portal -> manifest.

    model = assemble(load(discover(agency)))     # pure, may fail with diagnostics
    write(render(model, theme))                 # staging + atomic swap, only if no errors

One agency's broken content never stops another agency, and never replaces its own last good
output: its old folder stays as it was and the portal keeps its last good summary.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from skpdgen import cache, children, deps, gitdates, lock, portal_record, search
from skpdgen.config.agency import discover_agencies, unknown_site_hint
from skpdgen.config.region import Region, load_region
from skpdgen.config.schema import year_problem
from skpdgen.diagnostics import ConfigError, Diagnostic, Diagnostics, internal_error
from skpdgen.manifest import SiteState, read_manifest, write_manifest
from skpdgen.options import BuildOptions, build_now
from skpdgen.reuse import ON_SWAPPED, SiteResult, settle
from skpdgen.scaffold_checks import setup_diagnostics
from skpdgen.scorecard import BuildHealth
from skpdgen.shard import (
    Shard,
    ShardRecord,
    common_day,
    forget_records,
    load_records,
    remove_records,
    save_record,
)
from skpdgen.staging import prune_spares
from skpdgen.summary import summary_path
from skpdgen.theme import Theme, cache_templates_in, load_theme, theme_layers
from skpdgen.write import (
    STATE_DIR,
    WriteError,
    WriteStats,
    exchange,
    remove_leftovers,
    remove_tree,
    write_tree_files,
)

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from skpdgen.render import Output
    from skpdgen.summary import SiteSummary

__all__ = ["BuildRequest", "ProgressCallback", "RegionResult", "SiteResult", "build_region",
           "env_today"]


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
        token = ON_SWAPPED.set(on_swapped)
        try:
            return build_region(request, progress, theme, on_site)
        finally:
            ON_SWAPPED.reset(token)
    region = load_region(request.root)
    if (theme is None or theme.layers != theme_layers(region.theme_dir)
            or theme.language != region.language):
        theme = load_theme(region.theme_dir, region.language, lazy=True)
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
        if request.shard is not None:
            forget_records(out)
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
    kept = out / STATE_DIR / "templates"     # compiled templates: signed, checked when read
    if kept.is_dir() and not kept.is_symlink():
        with contextlib.suppress(OSError):   # only a shortcut: compiled again without them
            shutil.copytree(kept, aside / STATE_DIR / "templates", copy_function=_link_or_copy)
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
    # what every agency and the portal depend on (code, options, skpdgen.yaml, theme): once
    region_key = cache.region_key(region.root, theme.layers, options) if request.write else None
    results: list[SiteResult] = []
    for site_result in _build_sites(region, theme, slugs, options, request, progress,
                                    region_key):
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
    key = (_portal_key(region_key, options, out, all_slugs, by_slug, health, git_state)
           if region_key is not None and not request.sites and not request.portal_only
           else None)
    if key is not None and (kept := portal_record.unchanged(out, key)) is not None:
        stats = _stats(results)
        # the portal's files, as a build that writes them counts them (not its search index)
        stats.unchanged += sum(1 for rel in kept.files
                               if not rel.startswith(search.INDEX_DIR + "/"))
        region_result = RegionResult(region, results, portal_diags.items, stats, options.today)
        return _finish(request, region, out, all_slugs, by_slug, health, previous, records,
                       options, portal_diags, region_result)
    if request.write:
        portal_record.forget(out)
    theme.load()
    # the portal is to be built: what renders it is imported only now
    from skpdgen import portal, site_build
    from skpdgen.editor import build as editor_build
    from skpdgen.summary import load_summary
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
        for slug in unmeasured:
            try:
                summary, health[slug] = site_build.measure_sources(
                    region, theme, slug, options, out if request.write else None, region_key)
            except Exception as exc:  # noqa: BLE001 -- one agency's files never stop the portal
                portal_diags.extend([internal_error(f"sites/{slug}", "measuring its sources",
                                                    exc)])
                continue
            if summary is not None:
                unbuilt[slug] = summary
        portal_memo = (deps.PageMemo.load(out, deps.PORTAL, deps.agency_key(
            region_key, None), options.today, out) if region_key is not None else None)
        portal_outputs = list(portal.portal_outputs(region, theme, summaries, health,
                                                    options, portal_diags, unbuilt,
                                                    portal_memo))
        portal_outputs += editor_build.portal_outputs(region, theme, all_slugs,
                                                      portal_diags)
    except Exception as exc:  # noqa: BLE001 -- the safety net: the manifest is still written
        portal_diags.extend([internal_error("skpdgen.yaml", "building the portal", exc)])
        portal_outputs = []
    site_build.check_outputs(portal_outputs, "skpdgen.yaml", portal_diags)
    stats = _stats(results)
    region_result = RegionResult(region, results, portal_diags.items, stats, options.today)
    if not request.write:
        region_result.portal_outputs = portal_outputs
        return region_result
    if not portal_diags.has_errors:
        keep_top = set(all_slugs) | {STATE_DIR, search.INDEX_DIR}
        try:
            stats.add(write_tree_files(portal_outputs, out, keep_top))
            prune_spares(out, all_slugs)        # as write_tree_files removed their folders
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


def _portal_key(region_key: str, options: BuildOptions, out: Path,
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
    return portal_record.portal_key(region_key, options.today.isoformat(), git_state,
                                    agencies)


def _finish(request: BuildRequest, region: Region, out: Path, all_slugs: list[str],
            by_slug: dict[str, SiteResult], health: dict[str, BuildHealth],
            previous: dict[str, SiteState], records: dict[str, ShardRecord], options: BuildOptions,
            portal_diags: Diagnostics, region_result: RegionResult) -> RegionResult:
    """After the portal: unused image renditions pruned, the manifest written."""
    # every agency built, one at least not kept as it was: drop renditions of images no
    # longer used
    if not request.sites and not all(r.reused for r in by_slug.values()):
        from skpdgen.media.outputs import ImageStore
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
                 request: BuildRequest, progress: ProgressCallback | None, key: str | None
                 ) -> Iterator[SiteResult]:
    """Each agency's result, in their order. `key`: the region key (cache.py), None when
    nothing is written."""
    jobs = max(1, min(request.jobs, len(slugs)))
    total = len(slugs)
    # an agency whose inputs and output are as its last build left them is settled here,
    # without a worker: a no-op build starts no process and imports no renderer
    reused, checked = (settle(region, slugs, request.output, key, options, jobs)
                       if key is not None else ({}, {}))
    todo = [slug for slug in slugs if slug not in reused]
    if todo:    # the content model, Markdown, templates and images: only to build one
        theme.load()        # its strings and assets: read once, here, before any worker
        from skpdgen.site_build import build_site
    if jobs == 1 or len(todo) <= 1:
        for done, slug in enumerate(slugs, start=1):
            if progress:
                progress(slug, done, total)
            yield reused.get(slug) or build_site(
                region, theme, slug, options, request.output, request.write, key,
                defer_search=request.defer_search, checked_key=checked.get(slug))
        return
    with _pool(min(jobs, len(todo))) as pool:
        # largest first, so that a big agency does not start last and leave a core idle at the
        # end; results are still taken in the agencies' order
        submitted = {slug: pool.submit(build_site, region, theme, slug, options, request.output,
                                       request.write, key, os.getpid(), request.defer_search,
                                       checked.get(slug))
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


def _pool(workers: int) -> ProcessPoolExecutor:
    """The worker processes (their module is imported only when there are two to build)."""
    from concurrent.futures import ProcessPoolExecutor
    return ProcessPoolExecutor(max_workers=workers, initializer=children.die_with_parent,
                               initargs=(os.getpid(),))


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
