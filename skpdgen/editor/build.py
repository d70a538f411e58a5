"""Where the build meets the editor: an agency's admin/ and the portal's /admin/.

Only when skpdgen.yaml has `editor:`. The vendored script is read once per process; the
tarball it comes from is kept in <region>/.cache/skpdgen/ (CI caches that folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from skpdgen import urls
from skpdgen.content.sections import SECTIONS
from skpdgen.diagnostics import Diagnostics
from skpdgen.editor.pages import EditorScripts, agency_editor, region_editor, settings_from
from skpdgen.editor.vendor import VendorError
from skpdgen.render import Output

if TYPE_CHECKING:
    from skpdgen.config.region import Region
    from skpdgen.model import SiteModel
    from skpdgen.theme import Theme

CACHE_DIR = Path(".cache") / "skpdgen"


@cache
def _scripts(region_root: Path) -> EditorScripts:
    return EditorScripts.load(region_root / CACHE_DIR)


def scripts_for(region: Region, diags: Diagnostics) -> EditorScripts | None:
    try:
        return _scripts(region.root.resolve())
    except VendorError as exc:
        diags.warning("skpdgen.yaml", None, f"editor: not built: {exc}")
        return None


def page_folders(agency_root: Path) -> list[str]:
    """The folders of an agency's plain pages ('' for content/ itself)."""
    content = agency_root / "content"
    folders = {p.parent.relative_to(content).as_posix() for p in content.rglob("*.md")}
    return sorted("" if f == "." else f for f in folders if f.split("/")[0] not in SECTIONS)


def agency_outputs(model: SiteModel, theme: Theme, diags: Diagnostics) -> Iterator[Output]:
    """<agency>/admin/ when the region has an editor."""
    region = model.region
    if not region.editor:
        return
    scripts = scripts_for(region, diags)
    if scripts is None:
        return
    css = theme.assets.get("css/main.css")
    agency = model.agency
    # single-domain agencies share the portal's copy of the editor script (same origin):
    # <portal>/<slug>/admin/ -> <portal>/admin/
    portal_admin = None if agency.own_domain else "../../admin/"
    yield from agency_editor(
        settings_from(region.editor), scripts, agency=agency,
        page_folders=page_folders(agency.root),
        site_url=agency.base_url, preview_css="../" + css.dest_path if css else "",
        portal_admin=portal_admin)


def portal_outputs(region: Region, theme: Theme, slugs: list[str],
                   diags: Diagnostics) -> Iterator[Output]:
    """/admin/ of the portal, with every agency whose site.yaml is usable."""
    if not region.editor:
        return
    scripts = scripts_for(region, diags)
    if scripts is None:
        return
    from skpdgen.config.agency import load_agency
    agencies = []
    for slug in slugs:
        agency = load_agency(region, slug, Diagnostics())   # its own build reports problems
        if agency is not None:
            agencies.append((agency, page_folders(agency.root)))
    css = theme.assets.get("css/main.css")
    yield from region_editor(settings_from(region.editor), scripts, region_name=region.name,
                             agencies=agencies, site_url=urls.normalize_base_url(region.base_url),
                             preview_css="../" + css.dest_path if css else "")
