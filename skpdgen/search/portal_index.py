"""The portal's own search bundle: one record per agency (name, kind, description, contact).

The portal's `/cari/` loads this bundle first (its WASM serves every merged index) and merges
each agency's `/<slug>/pagefind/` into it in the browser, so the portal never re-indexes the
agencies' pages. The records are tiny HTML pages written to a temporary folder (never
published); the bundle is rebuilt only when a record changed.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from html import escape
from pathlib import Path

from skpdgen.i18n import Translator
from skpdgen.search.indexer import SearchError, executable, has_index, index_site
from skpdgen.summary import SiteSummary
from skpdgen.write import STATE_DIR, write_file_atomic

CONTACT_FIELDS = ("address", "phone", "whatsapp", "email", "hours")


def agency_record(summary: SiteSummary, t: Translator, indexed: bool) -> str:
    """The HTML Pagefind indexes for one agency of the directory.

    `indexed`: the agency has a search bundle; its slug is then a value of the `bundle`
    filter, which tells the portal's /cari/ which bundles to merge (a missing one would stop
    Pagefind's whole search).
    """
    section = t("search.directory_section")
    kind = t.label("kinds", summary.kind) or ""
    lines = [f"<h1>{escape(summary.name)}</h1>",
             f"<p>{escape(summary.short_name)} · {escape(kind)}</p>"]
    if summary.description:
        lines.append(f"<p>{escape(summary.description)}</p>")
    lines += [f"<p>{escape(str(summary.contact[key]))}</p>" for key in CONTACT_FIELDS
              if summary.contact.get(key)]
    link = summary.base_url if summary.own_domain else ""
    head = [f'<meta data-pagefind-meta="agency[content]" content="{escape(summary.name)}">',
            f'<meta data-pagefind-meta="section[content]" content="{escape(section)}">',
            f'<meta data-pagefind-filter="agency[content]" content="{escape(summary.name)}">',
            f'<meta data-pagefind-filter="section[content]" content="{escape(section)}">']
    if indexed:
        head.append(f'<meta data-pagefind-filter="bundle[content]" content="{summary.slug}">')
    if link:
        head.append(f'<meta data-pagefind-meta="link[content]" content="{escape(link)}">')
    return ("<!doctype html>\n"
            f'<html lang="{t.lang}"><head><meta charset="utf-8">'
            f"<title>{escape(summary.name)}</title>{''.join(head)}</head>\n"
            f"<body><main data-pagefind-body>{''.join(lines)}</main></body></html>\n")


def _fingerprint(records: dict[str, str], language: str) -> str:
    digest = hashlib.sha256(language.encode())
    digest.update(_binary().encode())
    for slug, html in sorted(records.items()):
        digest.update(f"\0{slug}\0{html}".encode())
    return digest.hexdigest()


def _binary() -> str:
    """Which Pagefind would write the bundle (its path, size and mtime: another version or
    PAGEFIND_BINARY_PATH makes another bundle); cheaper than asking the package's metadata."""
    try:
        path = executable()
        st = path.stat()
    except (SearchError, OSError):
        return ""
    return f"{path}\0{st.st_size}\0{st.st_mtime_ns}"


def write_portal_index(out: Path, summaries: Sequence[SiteSummary], t: Translator) -> bool:
    """(Re)write `out/pagefind/` when the agencies' records changed; True when written."""
    records = {s.slug: agency_record(s, t, has_index(out / s.slug)) for s in summaries}
    marker = out / STATE_DIR / "search-portal.sha256"
    fingerprint = _fingerprint(records, t.lang)
    try:
        if has_index(out) and marker.read_text(encoding="utf-8") == fingerprint:
            return False
    except OSError:
        pass
    if not records:   # no agency built yet: Pagefind refuses to index nothing; search.js says so
        return False
    with tempfile.TemporaryDirectory(prefix="skpdgen-search-") as tmp:
        for slug, html in records.items():
            page = Path(tmp, slug, "index.html")
            page.parent.mkdir(parents=True)
            page.write_text(html, encoding="utf-8")
        index_site(out, t.lang, source=Path(tmp))
    write_file_atomic(marker, fingerprint.encode())
    return True
