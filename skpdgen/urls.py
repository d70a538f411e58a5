"""Slugs, permalinks and relative links: pure functions on strings.

Vocabulary: a *site path* is relative to a site's root, has no leading slash and ends with
`/` for a page (`berita/vaksinasi/`, `` for the home page); a *dest path* is the file written
under the site's output folder (`berita/vaksinasi/index.html`); a *url* is absolute.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from urllib.parse import urlsplit

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")


def slugify(text: str) -> str:
    """ASCII, lowercase, words joined by hyphens: 'Vaksinasi Massal 2024!' -> 'vaksinasi-massal-2024'."""
    normalized = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", normalized.lower()).strip("-")


def item_slug_from_filename(stem: str) -> str:
    """A file name without a leading YYYY-MM-DD- date, slugified."""
    return slugify(_DATE_PREFIX.sub("", stem))


def dest_for(site_path: str) -> str:
    """The file written for a site path: pages are folders with index.html."""
    if site_path == "" or site_path.endswith("/"):
        return site_path + "index.html"
    return site_path


def site_path_for_dest(dest_path: str) -> str:
    if dest_path == "index.html":
        return ""
    if dest_path.endswith("/index.html"):
        return dest_path[: -len("index.html")]
    return dest_path


def root_prefix(site_path: str) -> str:
    """The relative prefix from a page at `site_path` back to its site root."""
    if site_path == "":
        return ""
    directory = site_path if site_path.endswith("/") else posixpath.dirname(site_path) + "/"
    depth = directory.count("/") if directory != "/" else 0
    return "../" * depth


def parent_folders(site_path: str) -> list[str]:
    """The folders above a page: 'profil/tim/kepala/' -> ['profil/', 'profil/tim/']."""
    parts = site_path.strip("/").split("/")
    return ["/".join(parts[:depth]) + "/" for depth in range(1, len(parts))]


def absolute(base_url: str, site_path: str) -> str:
    return base_url + site_path


def normalize_base_url(raw: str) -> str:
    """Ensure a trailing slash so that joining site paths is plain concatenation."""
    return raw if raw.endswith("/") else raw + "/"


def base_path(base_url: str) -> str:
    """The path part of a base URL: '/' or '/situs/'."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def query_alias(raw: str) -> str | None:
    """An old URL with one query parameter ('/?p=123', '/index.php?page_id=5') as
    'index.php?page_id=5' (no leading slash), or None. Static hosts cannot serve these as files:
    the agency home and 404 pages redirect them in the browser (see render/site.py)."""
    path, sep, query = raw.strip().partition("?")
    if not sep or not re.fullmatch(r"[a-z_]{1,20}=[A-Za-z0-9_-]{1,64}", query):
        return None
    if path.strip("/") == "":
        return "?" + query
    clean = clean_alias(path)
    return clean.rstrip("/") + "?" + query if clean else None


def clean_alias(raw: str) -> str | None:
    """An old URL path as a safe site path ending in '/', or None if it escapes or is odd."""
    value = raw.strip()
    if "://" in value or "?" in value or "#" in value or "\\" in value:
        return None
    parts = [p for p in value.strip("/").split("/") if p]
    if not parts or any(p in (".", "..") or p.startswith(".") for p in parts):
        return None
    if any(not re.fullmatch(r"[A-Za-z0-9._~%+-]+", p) for p in parts):
        return None
    return "/".join(parts) + "/"
