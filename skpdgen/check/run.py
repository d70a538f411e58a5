"""check_region: build in memory, then check the whole region's output; nothing is written.

    result = build_region(BuildRequest(write=False))      # every build error
    tree = RegionTree(portal + every agency)               # what a reader could reach
    findings = check_links(tree) + check_quality(tree)     # problems in output files
    diagnostics = SourceLocator(root).locate(findings)     # ... placed at source lines
    diagnostics += check_parsing(root, files)              # outputs their parser refuses

An agency whose build fails is still rendered as far as it goes, so its broken links and
anchors show in the same run as its build errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from skpdgen.check.findings import SourceLocator
from skpdgen.check.links import check_links
from skpdgen.check.parse import check_parsing
from skpdgen.check.quality import check_quality
from skpdgen.check.tree import RegionTree, SiteInfo, TreeFile
from skpdgen.config.agency import discover_agencies
from skpdgen.config.region import Region
from skpdgen.diagnostics import Diagnostic, Diagnostics, sort_key
from skpdgen.model import BuildOptions, build_now
from skpdgen.pipeline import BuildRequest, build_region
from skpdgen.render import Output
from skpdgen.render.environment import environment_for
from skpdgen.render.meta import SINGLE_DOMAIN_404
from skpdgen.render.site import SiteRenderer
from skpdgen.scaffold_checks import setup_diagnostics
from skpdgen.site_build import load_site_model
from skpdgen.theme import Theme, load_theme

_QUOTED = re.compile(r"'[^']+'")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Every problem found, and how much was looked at."""

    diagnostics: list[Diagnostic]
    sites: int
    pages: int
    references: int

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "warning")

    @property
    def ok(self) -> bool:
        return self.errors == 0


def check_region(root: Path, sites: tuple[str, ...] = (), today: date | None = None
                 ) -> CheckResult:
    """Build the region in memory and check it; a ConfigError means unusable config (exit 2)."""
    result = build_region(BuildRequest(root=root, sites=sites, today=today, write=False))
    region = result.region
    build_errors = result.diagnostics
    diags = Diagnostics(list(build_errors))

    infos: list[SiteInfo] = []
    outputs: dict[str, list[Output]] = {}
    theme: Theme | None = None      # loaded once, for the agencies whose build failed
    for site in result.sites:
        if site.ok and site.summary is not None and site.outputs is not None:
            infos.append(SiteInfo(site.slug, site.summary.base_url, site.summary.own_domain))
            outputs[site.slug] = site.outputs
            if not site.summary.description:
                diags.warning(f"sites/{site.slug}/site.yaml", None,
                              "the agency has no 'description'",
                              "add 'description: ...' (one or two sentences): search engines "
                              "and link previews show it")
        else:
            theme = theme or load_theme(region.theme_dir, region.language)
            rendered = _render_anyway(region, theme, site.slug, today)
            if rendered is not None:
                infos.append(rendered[0])
                outputs[site.slug] = rendered[1]
    diags.extend(setup_diagnostics(region, strict=True))
    if not sites and not region.description:
        diags.warning("skpdgen.yaml", None, "the region has no 'description'",
                      "add 'description: ...': the portal's search result text")

    unknown = set(discover_agencies(region)) - set(outputs)
    tree = RegionTree(region.base_url, infos, unknown)
    tree.add(result.portal_outputs or [], None)
    for slug, site_outputs in outputs.items():
        tree.add(site_outputs, slug)
    # the single-domain copy of an own-domain 404 page: 404.html with its links rebased
    checked = [f for f in tree if (not sites or f.site in sites)
               and not f.path.endswith("/" + SINGLE_DOMAIN_404)]

    findings = [*check_links(tree, checked), *check_quality(tree, checked)]
    located = SourceLocator(root).locate(findings)
    diags.extend(d for d in located if not _already_reported(d, build_errors))
    diags.extend(check_parsing(root, checked))       # feeds, sitemaps, calendars, JSON(-LD)
    return CheckResult(sorted(diags.items, key=sort_key), len(outputs),
                       sum(1 for f in checked if f.is_html),
                       sum(len(tree.scan(f).refs) for f in checked if _scanned(f)))


def _already_reported(found: Diagnostic, build: list[Diagnostic]) -> bool:
    """A broken reference the build already reported (same place, same address)."""
    quoted = _QUOTED.search(found.message)
    return quoted is not None and any(
        d.path == found.path and d.line == found.line and quoted.group(0) in d.message
        for d in build)


def _scanned(file: TreeFile) -> bool:
    return file.is_html or file.is_css


def _render_anyway(region: Region, theme: Theme, slug: str, today: date | None
                   ) -> tuple[SiteInfo, list[Output]] | None:
    """Render an agency whose build failed as far as it goes (its errors are already known)."""
    options = BuildOptions(now=build_now(today, region))
    scratch = Diagnostics()
    try:
        model = load_site_model(region, theme, slug, options, scratch)
        if model is None:
            return None
        env = environment_for(theme, model.agency.root / "templates")
        outputs = list(SiteRenderer(model, theme, env, scratch).outputs())
    except Exception:  # noqa: BLE001 - broken content may break rendering; already reported
        return None
    agency = model.agency
    return SiteInfo(slug, agency.base_url, agency.own_domain), outputs
