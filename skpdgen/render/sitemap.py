"""Sitemaps: one per agency, and the portal's sitemap index over the sites of its own host.

Search engines refuse a sitemap index that names another host's sitemaps (unless both are
verified in one account), so the portal's index lists only the sites under its own domain;
an agency on its own domain announces its sitemap in the robots.txt of that domain.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape as _escape

from skpdgen import urls
from skpdgen.model import SiteModel

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def escape(text: str) -> str:
    """&, < and > as entities (what xml.sax.saxutils.escape does, without importing
    urllib.request)."""
    return _escape(text, quote=False)


def urlset(entries: Iterable[tuple[str, str | None]]) -> bytes:
    """(absolute url, lastmod ISO date or None) pairs as a <urlset>."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{NS}">']
    for loc, lastmod in entries:
        lines.append(f"<url><loc>{escape(loc)}</loc>"
                     + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap_index(entries: Iterable[tuple[str, str | None]]) -> bytes:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<sitemapindex xmlns="{NS}">']
    for loc, lastmod in entries:
        lines.append(f"<sitemap><loc>{escape(loc)}</loc>"
                     + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</sitemap>")
    lines.append("</sitemapindex>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(base_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n".encode()


def site_sitemap(model: SiteModel) -> bytes:
    base = model.agency.base_url
    last = model.last_update.isoformat() if model.last_update else None
    entries: list[tuple[str, str | None]] = [(base, last)]
    entries += [(base + s.path, last) for s in model.sections.values()]
    for page in sorted(model.pages, key=lambda p: p.path):
        if page.draft:
            continue
        stamp = page.updated or page.date
        entries.append((page.url, stamp.date().isoformat() if stamp else None))
    existing = {page.path for page in model.pages}
    # the list page of each folder of plain pages (profil/) that has no index page of its own
    folders = sorted({folder for page in model.pages if page.kind == "page" and not page.draft
                      for folder in urls.parent_folders(page.path)} - existing)
    entries += [(base + folder, last) for folder in folders]
    entries.append((base + "tag/", last))
    entries += [(base + ref.path, None) for ref, _ in model.tags.values()]
    return urlset(entries)
