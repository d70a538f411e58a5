"""The same title twice in a dated section (the monthly "Rapat Koordinasi") is not an error.

Rule: among the items of one dated section whose URL comes from the file name (no `slug:`),
the oldest keeps the plain URL (berita/rapat-koordinasi/) and every newer one gets its date
appended (berita/rapat-koordinasi-2026-12-01/). Adding a newer item never changes the URL of
an item already published. `skpdgen new` writes that slug into the new file, so it stays put.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from skpdgen.content.load import SourcePage
from skpdgen.content.sections import SECTIONS


def distinct_dated_slugs(sources: list[SourcePage]) -> list[SourcePage]:
    """`sources` with the newer of same-URL dated items moved to `<slug>-<date>/`."""
    groups: dict[str, list[SourcePage]] = defaultdict(list)
    for src in sources:
        spec = SECTIONS.get(src.section)
        if spec and spec.dated and not src.is_index and src.date and "slug" not in src.lines:
            groups[src.site_path].append(src)
    moved: dict[str, SourcePage] = {}
    for items in groups.values():
        if len(items) < 2:
            continue
        items.sort(key=lambda s: (s.date.at if s.date else None, s.src_path))
        for src in items[1:]:
            day = src.date.day.isoformat() if src.date else ""
            moved[src.src_path] = replace(src, site_path=f"{src.site_path[:-1]}-{day}/")
    if not moved:
        return sources
    taken = {s.site_path for s in sources if s.src_path not in moved}
    # a moved item whose dated URL is taken (same title, same day) stays: a collision error
    return [moved[s.src_path] if s.src_path in moved and moved[s.src_path].site_path not in taken
            else s for s in sources]


def dated_slug(existing_slugs: set[str], slug: str, day: str) -> str | None:
    """The `slug:` that `skpdgen new` writes when `slug` is taken in the section, else None."""
    return f"{slug}-{day}" if slug in existing_slugs else None
