"""Measure every agency for `skpdgen report`, the way the portal does, without writing build/.

Sources are read through the engine (load_site_model: discover, load, assemble, in memory).
What the public sees decides the numbers, as on the portal: an agency whose sources do not
build, or whose last recorded build failed, is measured from the summary of its last good
build (build/.skpdgen/sites/<slug>.json); the build manifest, when there is one, says how
each agency's last build went.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from skpdgen.config.agency import discover_agencies, unknown_site_hint
from skpdgen.config.region import Region, load_region
from skpdgen.diagnostics import ConfigError, Diagnostic, Diagnostics, internal_error
from skpdgen.manifest import read_manifest
from skpdgen.model import BuildOptions, build_now
from skpdgen.scorecard import BuildHealth, Identity, ScoreInput, SiteScore, measure_all
from skpdgen.site_build import load_site_model
from skpdgen.summary import load_summary, summarize
from skpdgen.theme import load_theme


@dataclass(frozen=True, slots=True)
class Scorecard:
    region: Region
    today: date
    scores: list[SiteScore]


def collect(root: Path, today: date | None = None, sites: Sequence[str] = (),
            build_dir: Path | None = None,
            progress: Callable[[str, int, int], None] | None = None) -> Scorecard:
    """The scorecard of the agencies asked for (all by default), as of `today`."""
    region = load_region(root)
    theme = load_theme(region.theme_dir, region.language)
    all_slugs = discover_agencies(region)
    for slug in sites:
        if slug not in all_slugs:
            raise ConfigError([Diagnostic(f"sites/{slug}", None, "error",
                                          f"no agency '{slug}' (no sites/{slug}/site.yaml)",
                                          unknown_site_hint(slug, all_slugs))])
    slugs = list(dict.fromkeys(sites)) or all_slugs
    options = BuildOptions(now=build_now(today, region))
    out = build_dir or root / "build"
    manifest = read_manifest(out)
    inputs = []
    for done, slug in enumerate(slugs, start=1):
        if progress:
            progress(slug, done, len(slugs))
        diags = Diagnostics()
        try:
            model = load_site_model(region, theme, slug, options, diags)
        except Exception as exc:  # noqa: BLE001 -- the safety net, as in build
            diags.extend([internal_error(f"sites/{slug}", "reading its files", exc)])
            model = None
        builds_now = model is not None and not diags.has_errors
        recorded = BuildHealth.from_manifest(manifest.get(slug))
        from_sources = builds_now and (recorded is None or recorded.build == "ok")
        summary = summarize(model) if model is not None and from_sources else load_summary(
            out, slug)
        health = recorded or BuildHealth.from_diagnostics(diags, builds_now, summary is not None)
        if summary is not None:
            identity = Identity.of_summary(summary)
        elif model is not None:
            identity = Identity.of_agency(model.agency)
        else:
            identity = Identity.of_config(region, slug)
        inputs.append(ScoreInput(identity, summary, health))
    return Scorecard(region, options.today, measure_all(region, inputs, options.today))
