"""The whole region's output in memory, and how a URL written in one file resolves in it.

Paths here are *region paths*: relative to build/, POSIX (`index.html` is the portal home,
`dinkes/berita/x/index.html` a page of an agency). A URL resolves like a browser resolves it
when build/ is served as it is (single-domain mode); an agency on its own domain must also
work when its folder is served at that domain's root, so its links may not climb out of it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from skpdgen import urls
from skpdgen.check.scan import PageScan, scan_css, scan_html
from skpdgen.render import Output

# Folders made after the build by other tools (the search indexer): not in memory, not checked.
GENERATED_LATER = ("pagefind",)
# Fragments a browser handles without an element of that id.
BUILTIN_FRAGMENTS = frozenset({"", "top"})


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """An agency as link resolution sees it."""

    slug: str
    base_url: str
    own_domain: bool


@dataclass(frozen=True, slots=True)
class TreeFile:
    """One output file of the region."""

    path: str                 # region path
    output: Output
    site: str | None          # agency slug; None for the portal

    @property
    def is_html(self) -> bool:
        return self.path.endswith(".html")

    @property
    def is_css(self) -> bool:
        return self.path.endswith(".css")

    def data(self) -> bytes:
        if self.output.data is not None:
            return self.output.data
        assert self.output.source is not None
        return self.output.source.read_bytes()

    def size(self) -> int:
        if self.output.data is not None:
            return len(self.output.data)
        assert self.output.source is not None
        return self.output.source.stat().st_size


@dataclass(frozen=True, slots=True)
class Target:
    """Where a URL leads: the file found (or None), and what was looked for."""

    path: str | None          # region path of the file it reaches
    wanted: str               # the address looked for, as served: /dinkes/berita/x/
    fragment: str
    problem: str | None = None


class RegionTree:
    """Every output of the region by region path; resolves URLs written in those outputs."""

    def __init__(self, base_url: str, sites: Iterable[SiteInfo], unknown_sites: Iterable[str]):
        self.base_path = urls.base_path(base_url)
        self.sites = {s.slug: s for s in sites}
        self.unknown_sites = frozenset(unknown_sites)
        bases = [(base_url, "")] + [(s.base_url, s.slug + "/") for s in self.sites.values()
                                    if s.own_domain]
        self.bases = sorted(bases, key=lambda b: len(b[0]), reverse=True)
        self.files: dict[str, TreeFile] = {}
        self._scans: dict[str, PageScan] = {}

    def add(self, outputs: Iterable[Output], site: str | None) -> None:
        prefix = f"{site}/" if site else ""
        for out in outputs:
            path = prefix + out.dest_path
            self.files[path] = TreeFile(path, out, site)

    def __iter__(self) -> Iterator[TreeFile]:
        return iter(self.files.values())

    def scan(self, file: TreeFile) -> PageScan:
        """References and anchors of an HTML or CSS file (scanned once)."""
        cached = self._scans.get(file.path)
        if cached is None:
            try:
                data = file.data()
            except OSError:
                data = b""
            cached = scan_html(data) if file.is_html else (
                scan_css(data) if file.is_css else PageScan(()))
            self._scans[file.path] = cached
        return cached

    def resolve(self, file: TreeFile, url: str) -> Target | None:
        """The target of `url` written in `file`; None for other origins or unchecked places."""
        url = url.strip()
        if not url:
            return None                      # the document itself
        parts = urlsplit(url)
        fragment = unquote(parts.fragment)
        if parts.scheme or url.startswith("//"):
            return self._resolve_absolute(url, parts.scheme.lower(), fragment)
        if url.startswith("#"):
            return Target(file.path, self.served(file.path), fragment)
        raw = unquote(parts.path)
        site = self.sites.get(file.site or "")
        if raw.startswith("/"):
            if site is not None and site.own_domain:
                joined = _normalize(f"{site.slug}/{raw.lstrip('/')}")
            elif raw.startswith(self.base_path):
                joined = _normalize(raw[len(self.base_path):])
            else:
                return Target(None, raw, fragment,
                              f"is outside the region's address {self.base_path}")
        else:
            joined = _normalize(posixpath.join(posixpath.dirname(file.path), raw))
        if joined == ".." or joined.startswith("../"):
            return Target(None, raw, fragment, "climbs above the root of the site")
        if site is not None and site.own_domain and not joined.startswith(site.slug + "/"):
            return Target(None, self.base_path + joined, fragment,
                          f"leaves the site, which is served on its own domain "
                          f"{site.base_url}; link to the full https:// address instead")
        return self._lookup(joined, fragment)

    def _resolve_absolute(self, url: str, scheme: str, fragment: str) -> Target | None:
        if scheme not in ("http", "https", ""):
            return None                      # mailto:, tel:, data: ...
        absolute = url if scheme else "https:" + url
        for base, prefix in self.bases:
            if absolute.startswith(base) or absolute + "/" == base:
                rest = urlsplit(absolute[len(base):] if absolute.startswith(base) else "").path
                return self._lookup(prefix + unquote(rest), fragment)
        return None

    def _lookup(self, joined: str, fragment: str) -> Target | None:
        top = joined.split("/", 1)[0]
        second = joined.split("/", 2)[1] if joined.count("/") >= 1 else ""
        if top in self.unknown_sites or top in GENERATED_LATER or (
                top in self.sites and second in GENERATED_LATER):
            return None
        wanted = self.base_path + joined
        if joined == "" or joined.endswith("/"):
            candidates = [joined + "index.html"]
        else:
            candidates = [joined, joined + "/index.html"]
        found = next((c for c in candidates if c in self.files), None)
        return Target(found, wanted, fragment)

    def served(self, path: str) -> str:
        """The address of a region path as a reader sees it (folders for pages)."""
        return self.base_path + urls.site_path_for_dest(path)

    def anchor_problem(self, target: Target) -> str | None:
        """Why `target.fragment` names no element of the target page, or None."""
        if target.path is None or target.fragment in BUILTIN_FRAGMENTS:
            return None
        if target.fragment.startswith((":~:", "!")):
            return None
        file = self.files[target.path]
        if not file.is_html:
            return None
        if target.fragment in self.scan(file).ids:
            return None
        return f"page {self.served(target.path)} has no anchor '#{target.fragment}'"


def _normalize(path: str) -> str:
    """A joined POSIX path without . and .. steps; a trailing slash (a folder) is kept."""
    folder = path in ("", ".") or path.endswith(("/", "/.", "/.."))
    joined = posixpath.normpath(path) if path else "."
    if joined == ".":
        return ""
    if folder and joined != ".." and not joined.startswith("../"):
        return joined + "/"
    return joined


def source_file(root: Path, file: TreeFile) -> Path | None:
    """The source file an output was made from, when it is a real file of the repository."""
    origin = file.output.origin
    if not origin or origin.endswith("/"):
        return None
    candidate = (root / "sites" / file.site / origin) if file.site else root / origin
    return candidate if candidate.is_file() else None
