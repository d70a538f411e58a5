"""build/.skpdgen/manifest.json: did each agency's last build succeed (read by deploy, report).

An agency that failed keeps its old output; the manifest says so, so deploy holds its
published version back and the scorecard can say the public sees an older version.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from skpdgen import __version__
from skpdgen.write import STATE_DIR, write_file_atomic

MANIFEST = "manifest.json"
SiteState = dict[str, object]


def manifest_file(out: Path) -> Path:
    return out / STATE_DIR / MANIFEST


def parse_manifest(text: str) -> dict[str, SiteState]:
    """{slug: state} from the manifest's text (ValueError when it is not JSON)."""
    data = json.loads(text)
    sites = data.get("sites") if isinstance(data, dict) else None
    if not isinstance(sites, dict):
        return {}
    return {slug: state for slug, state in sites.items() if isinstance(state, dict)}


def read_manifest(out: Path) -> dict[str, SiteState]:
    """{slug: state} of the last builds, or {} when there is none (or it is unreadable)."""
    try:
        return parse_manifest(manifest_file(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_manifest(out: Path, base_url: str, built: dict[str, tuple[bool, int, int]],
                   previous: dict[str, SiteState], today: date,
                   not_published: dict[str, tuple[str, ...]] | None = None) -> None:
    """Record the agencies just built ({slug: (ok, errors, broken links)}) over the previous.

    `not_published`: agencies published without some broken items (PATH:LINE of each).
    """
    sites = dict(previous)
    for slug, (ok, errors, broken_links) in built.items():
        has_output = (out / slug).is_dir()
        sites[slug] = {"build": "ok" if ok else "failed", "errors": errors,
                       "broken_links": broken_links,
                       "published_is_old": (not ok) and has_output, "has_output": has_output}
        left_out = (not_published or {}).get(slug)
        if left_out:
            sites[slug].update(build="partial", published_is_old=False,
                               not_published=list(left_out))
    manifest = {"skpdgen": __version__, "today": today.isoformat(), "base_url": base_url,
                "sites": dict(sorted(sites.items()))}
    write_file_atomic(manifest_file(out),
                      (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))
