"""Resolving what a page points at: other pages (`.md` links, `/paths`), images and files.

A PageResolver serves one page at a time; it turns references into relative hrefs from that
page and reports every reference that leads nowhere (or out of the agency's folder).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skpdgen import media, urls
from skpdgen.diagnostics import BROKEN_LINK as BROKEN_LINK  # re-exported
from skpdgen.diagnostics import Diagnostics, did_you_mean
from skpdgen.media import markup


@dataclass(frozen=True, slots=True)
class SiteIndex:
    """What exists in one agency's site: page paths by source file, files by site path."""

    agency_root: Path
    base_url: str
    diag_prefix: str                      # sites/<slug>/
    page_by_src: dict[str, str]           # content/... .md -> site path
    unpublished: frozenset[str]           # drafts and future pages (src paths)
    page_paths: frozenset[str]            # every site path that will exist
    files: dict[str, str]                 # site path -> src path (static/ and content/)




class PageResolver:
    """Resolves references written in one source file, as seen from one output page."""

    def __init__(self, index: SiteIndex, src_path: str, from_site_path: str,
                 diags: Diagnostics, diag_path: str | None = None):
        self.index = index
        self.src_dir = posixpath.dirname(src_path)
        self.from_site_path = from_site_path
        self.diags = diags
        self.diag_path = diag_path or index.diag_prefix + src_path

    # --- LinkResolver protocol -------------------------------------------------------------

    def warn(self, line: int, message: str, hint: str | None = None) -> None:
        self.diags.warning(self.diag_path, line, message, hint)

    def page_link(self, target: str, line: int) -> str | None:
        path, _, fragment = target.partition("#")
        suffix = f"#{fragment}" if fragment else ""
        if not path.endswith(".md"):
            site_path = path.strip("/") + "/" if path.strip("/") else ""
            if site_path in self.index.page_paths:
                return self.href(site_path) + suffix
            self._error(line, f"link to '{target}' leads to no page of this site",
                        "link to the content file instead, e.g. ../layanan/izin.md")
            return None
        src = self._normalize(path, base="content" if path.startswith("/") else self.src_dir)
        if src is None:
            self._error(line, f"link '{target}' points outside the agency folder",
                        "link only to files of this agency")
            return None
        found = self.index.page_by_src.get(src)
        if found is None:
            if src in self.index.unpublished:
                self.warn(line, f"link to '{target}', which is a draft or not yet published")
                return None
            names = [posixpath.basename(p) for p in self.index.page_by_src]
            hint = did_you_mean(posixpath.basename(src), names) or "check the file name and folder"
            self._error(line, f"link to '{target}': no such file ({self.index.diag_prefix}{src})",
                        hint)
            return None
        return self.href(found) + suffix

    def file_link(self, target: str, line: int, what: str) -> str | None:
        site_path = self.file_site_path(target, line, what)
        if site_path is None or not self.image_ok(site_path, line):
            return None
        return self.href(media.published_path(site_path))

    def image_ok(self, site_path: str, line: int | None) -> bool:
        """A raster image that can be published; else an error at `line` naming the file."""
        if not media.is_processed(site_path):
            return True
        try:
            media.probe(self.abs_file(site_path))
        except media.ImageProblem as exc:
            src_diag = self.index.diag_prefix + self.index.files[site_path]
            self.diags.error(self.diag_path, line, f"image '{src_diag}' {exc}",
                             "replace it with the original photo from the phone or camera, "
                             "or remove it and its references", code="bad-image")
            return False
        return True

    def picture(self, target: str) -> tuple[dict[str, Any], str] | None:
        """<picture> sources of a body image and the prefix to its site root, if processed."""
        site_path = self._file_site_path(target.split("#", 1)[0].split("?", 1)[0])
        if site_path is None or site_path not in self.index.files:
            return None
        size = media.image_size(self.abs_file(site_path))
        data = markup.picture_data({"path": site_path, "width": size[0] if size else None,
                                    "height": size[1] if size else None}, "body")
        return (data, urls.root_prefix(self.from_site_path)) if data else None

    def file_size(self, target: str) -> int | None:
        site_path = self._file_site_path(target)
        src = self.index.files.get(site_path or "")
        return media.file_size(self.index.agency_root / src) if src else None

    # --- front matter references ------------------------------------------------------------

    def file_site_path(self, target: str, line: int | None, what: str) -> str | None:
        """Site path of a file written as `/path` (static/) or relative to the source file."""
        target = target.split("#", 1)[0].split("?", 1)[0]
        site_path = self._file_site_path(target)
        if site_path is None:
            self._error(line, f"{what} '{target}' points outside the agency folder",
                        "use a path under static/, e.g. /img/photo.jpg")
            return None
        if site_path not in self.index.files:
            where = ("static/" + site_path) if target.startswith("/") else f"content/{site_path}"
            self._error(line, f"{what} '{target}' not found ({self.index.diag_prefix}{where})",
                        "check the file name; paths starting with / are under static/")
            return None
        return site_path

    def abs_file(self, site_path: str) -> Path:
        return self.index.agency_root / self.index.files[site_path]

    def href(self, site_path: str) -> str:
        return urls.root_prefix(self.from_site_path) + site_path or "./"

    def _file_site_path(self, target: str) -> str | None:
        if target.startswith("/"):
            src = self._normalize(target, base="static")
            return src[len("static/"):] if src else None
        src = self._normalize(target, base=self.src_dir)
        if src is None:
            return None
        return src.split("/", 1)[1]

    def _normalize(self, target: str, base: str) -> str | None:
        """Agency-relative POSIX path under content/ or static/, or None if it climbs out."""
        if "\\" in target or "\x00" in target:
            return None
        joined = posixpath.normpath(posixpath.join(base, target.lstrip("/")))
        if joined.split("/", 1)[0] not in ("content", "static") or "/" not in joined:
            return None
        return joined

    def _error(self, line: int | None, message: str, hint: str | None = None) -> None:
        self.diags.error(self.diag_path, line, message, hint, code=BROKEN_LINK)
