"""Run the build for a plan and publish its outcome (what changed, which errors) to the state.

Nothing here stops the server: content errors are the engine's (the failing agency keeps its
last good output), a broken skpdgen.yaml becomes an error on every page, and even an
unexpected exception is reported and the next save tries again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from skpdgen import search
from skpdgen.config.agency import discover_agencies
from skpdgen.config.region import load_region
from skpdgen.diagnostics import ConfigError, Diagnostic
from skpdgen.pipeline import (
    BuildRequest,
    ProgressCallback,
    RegionResult,
    SiteResult,
    build_region,
)
from skpdgen.serve.plan import RebuildPlan
from skpdgen.serve.state import PORTAL, REGION, LiveState, Update
from skpdgen.summary import load_summary
from skpdgen.theme import Theme, load_theme
from skpdgen.urls import base_path

# how long a rebuild waits for the open tabs of an agency to reload before building the portal
MAKE_WAY_SECONDS = 0.4


@dataclass(frozen=True, slots=True)
class BuildSettings:
    """The build options fixed for the whole `serve` session."""

    root: Path
    out_dir: Path
    site: str | None = None
    drafts: bool = False
    future: bool = False
    today: date | None = None


@dataclass(frozen=True, slots=True)
class RebuildOutcome:
    """What one rebuild did, for the terminal."""

    plan: RebuildPlan
    seconds: float
    result: RegionResult | None = None
    config_errors: tuple[Diagnostic, ...] = ()
    crash: str | None = None
    updated: frozenset[str] = frozenset()    # scopes whose tabs were told to update

    @property
    def diagnostics(self) -> list[Diagnostic]:
        found = list(self.config_errors)
        if self.result is not None:
            found += self.result.diagnostics
        return found


class Rebuilder:
    """Builds into the serve output folder; one build at a time (called from one thread)."""

    def __init__(self, settings: BuildSettings, state: LiveState,
                 index_when_idle: bool = False):
        self.settings = settings
        self.state = state
        # serve: search indexes wait until the saves pause (index_deferred), so that indexing
        # one save never delays the rebuild of the next
        self._index_when_idle = index_when_idle
        self._unindexed: dict[str, str] = {}       # slug -> language of its pages
        self._known: frozenset[str] | None = None
        self._theme: Theme | None = None     # kept between rebuilds: compiled templates
        self._early: dict[str, frozenset[str]] = {}   # scopes told during the current build
        self._base_paths: dict[str, str] = {}

    def _build(self, plan: RebuildPlan, progress: ProgressCallback | None = None,
               defer_search: bool = True) -> RegionResult:
        if self._theme is None or plan.touches_theme:
            region = load_region(self.settings.root)
            self._theme = None                   # a failed load must not leave the old one
            self._theme = load_theme(region.theme_dir, region.language)
        self._early = {}
        told_early: set[str] = set()     # agencies told the moment their output went live

        def tell(site: SiteResult, changed: bool) -> None:
            told = self.state.publish(Update(frozenset({site.slug} if changed else ()),
                                             {site.slug: _errors(site.diagnostics)},
                                             plan.css_only))
            self._early[site.slug] = self._early.get(site.slug, frozenset()) | told
            if told and not plan.css_only:
                # the portal is built next, in this process: let the reloading tabs go first
                self.state.make_way(told, MAKE_WAY_SECONDS)

        def on_swapped(site: SiteResult) -> None:
            """The agency's new output is live: tell its tabs at once (its old output is
            deleted and its cache record written after this)."""
            told_early.add(site.slug)
            tell(site, site.stats.written + site.stats.removed > 0)

        def on_site(site: SiteResult) -> None:
            """Tell this agency's tabs now (when told already, only of new errors); the
            portal's are told when it is written."""
            touched = site.stats.written + site.stats.removed > 0
            tell(site, touched and site.slug not in told_early)
        return build_region(self._request(plan, defer_search), progress, self._theme, on_site,
                            on_swapped)

    def initial(self, progress: ProgressCallback | None = None) -> RebuildOutcome:
        """The first build; a ConfigError here (bad skpdgen.yaml, unknown --site) propagates."""
        site = self.settings.site
        plan = RebuildPlan((site,) if site else None, False, ())
        started = time.monotonic()
        result = self._build(plan, progress, defer_search=False)   # no tab is open yet
        return self._publish(plan, result, started)

    def rebuild(self, plan: RebuildPlan) -> RebuildOutcome:
        """Rebuild what `plan` names; never raises."""
        started = time.monotonic()
        try:
            plan = self._widen(plan)
            result = self._build(plan)
        except ConfigError as exc:
            errors = tuple(exc.diagnostics) or (Diagnostic(
                "skpdgen.yaml", None, "error", "the region configuration cannot be used"),)
            updated = self.state.publish(Update(frozenset(), {REGION: errors}))
            return RebuildOutcome(plan, time.monotonic() - started, config_errors=errors,
                                  updated=updated)
        except Exception as exc:  # a bug must not stop the preview
            message = f"internal error while rebuilding: {type(exc).__name__}: {exc}"
            error = Diagnostic(plan.describe(), None, "error", message,
                               "this is a bug in skpdgen; save again to retry, and report it")
            updated = self.state.publish(Update(frozenset(), {REGION: (error,)}))
            return RebuildOutcome(plan, time.monotonic() - started, crash=message,
                                  updated=updated)
        outcome = self._publish(plan, result, started)
        if self._index_when_idle:
            for site in self._to_index(result):
                self._unindexed[site.slug] = result.region.language
        else:
            self._index_search(result)
        return outcome

    def index_deferred(self) -> list[Diagnostic]:
        """Index the agencies rebuilt since the last call; a warning for each failure."""
        problems = []
        while self._unindexed:
            slug, language = self._unindexed.popitem()
            try:
                search.index_site(self.settings.out_dir / slug, language)
            except search.SearchError as exc:
                problems.append(_index_warning(slug, exc))
            except Exception as exc:  # noqa: BLE001 -- a bug must not stop the preview
                problems.append(_index_warning(slug, f"{type(exc).__name__}: {exc}"))
        return problems

    def _to_index(self, result: RegionResult) -> list[SiteResult]:
        """The agencies whose pages changed (or that have no index yet)."""
        return [site for site in result.sites
                if site.ok and ((site.stats.written + site.stats.removed > 0 and not site.reused)
                                or not search.has_index(self.settings.out_dir / site.slug))]

    def _index_search(self, result: RegionResult) -> None:
        """Index the agencies whose pages changed, once their tabs were told to reload.

        The swapped-in output carries the last index until then (search.prepare_index), so
        a save reloads the page at once and its search catches up a moment later.
        """
        for site in self._to_index(result):
            target = self.settings.out_dir / site.slug
            try:
                search.index_site(target, result.region.language)
            except search.SearchError as exc:
                site.diagnostics.append(_index_warning(site.slug, exc))

    def _widen(self, plan: RebuildPlan) -> RebuildPlan:
        """A new or removed agency changes the portal's list of sites: build everything."""
        if plan.sites is None or self.settings.site is not None:
            return plan
        existing = frozenset(discover_agencies(load_region(self.settings.root)))
        if self._known is not None and existing != self._known:
            return replace(plan, sites=None)
        if not set(plan.sites) <= existing:
            return replace(plan, sites=tuple(s for s in plan.sites if s in existing) or None)
        return plan

    def _request(self, plan: RebuildPlan, defer_search: bool = True) -> BuildRequest:
        s = self.settings
        return BuildRequest(root=s.root, sites=plan.sites or (), drafts=s.drafts,
                            future=s.future, today=s.today, out_dir=s.out_dir,
                            defer_search=defer_search)

    def _publish(self, plan: RebuildPlan, result: RegionResult, started: float
                 ) -> RebuildOutcome:
        """After the portal is written: its tabs, its errors, and the list of agencies."""
        slugs = frozenset(discover_agencies(result.region))
        self._known = slugs
        self._base_paths[PORTAL] = base_path(result.region.base_url)
        for site in result.sites:
            if site.summary is not None:
                self._base_paths[site.slug] = base_path(site.summary.base_url)
        for slug in slugs - self._base_paths.keys():      # not built by this serve yet
            if (summary := load_summary(self.settings.out_dir, slug)) is not None:
                self._base_paths[slug] = base_path(summary.base_url)
        site_changes = sum(s.stats.written + s.stats.removed for s in result.sites)
        portal_changed = result.stats.written + result.stats.removed > site_changes
        errors = {REGION: (), PORTAL: _errors(result.portal_diagnostics)}
        updated = self.state.publish(Update(frozenset({PORTAL} if portal_changed else ()),
                                            errors, plan.css_only, slugs,
                                            result.region.language, dict(self._base_paths)))
        told = updated.union(*self._early.values())
        return RebuildOutcome(plan, time.monotonic() - started, result, updated=told)


def _index_warning(slug: str, exc: Exception | str) -> Diagnostic:
    return Diagnostic(f"sites/{slug}", None, "warning", f"search index not updated: {exc}",
                      "the preview keeps the previous search index; save again to retry")


def _errors(diagnostics: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Errors and warnings alike: the preview banner shows both (warnings collapsed)."""
    return tuple(diagnostics)
