"""Sitemaps: one per agency, and the portal's sitemap index over every site."""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from skpdgen.model import SiteModel

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


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
    entries += [(base + ref.path, None) for ref, _ in model.tags.values()]
    return urlset(entries)
