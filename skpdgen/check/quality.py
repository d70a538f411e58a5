"""Warnings about quality, not correctness: descriptions, heavy images, duplicate titles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from skpdgen.check.findings import Finding
from skpdgen.check.tree import RegionTree, TreeFile
from skpdgen.media import is_processed

MAX_IMAGE_BYTES = 500_000          # 500 KB: several seconds on a slow mobile connection
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".bmp", ".tif",
                  ".tiff")
TITLE_NEEDLES = ("title:",)


def check_quality(tree: RegionTree, files: list[TreeFile]) -> Iterator[Finding]:
    """Warnings for the files being checked."""
    yield from _heavy_images(files)
    yield from _descriptions(tree, files)
    yield from _duplicate_titles(tree, files)


def _heavy_images(files: Iterable[TreeFile]) -> Iterator[Finding]:
    for file in files:
        if not file.path.lower().endswith(IMAGE_SUFFIXES):
            continue
        if is_processed(file.output.origin):    # renditions: bounded by the image pipeline
            continue
        try:
            size = file.size()
        except OSError:
            continue
        if size > MAX_IMAGE_BYTES:
            yield Finding(
                file, "warning",
                f"image is {round(size / 1000)} KB; images over {MAX_IMAGE_BYTES // 1000} KB "
                "load slowly on mobile data",
                "make it at most 1600 pixels wide and save it as JPEG (quality 80) or WebP",
                page_level=True)


def _descriptions(tree: RegionTree, files: list[TreeFile]) -> Iterator[Finding]:
    homes = {f.site: tree.scan(f).description for f in files
             if f.path == (f"{f.site}/index.html" if f.site else "index.html")}
    for file in files:
        if not file.is_html:
            continue
        scan = tree.scan(file)
        if scan.noindex:
            continue
        if not (scan.description or "").strip():
            yield Finding(file, "warning", "page has no meta description",
                          "search engines and link previews show a description; give the page "
                          "a 'summary'", needles=TITLE_NEEDLES, page_level=True,
                          group="no-description")
        elif (file.output.origin.endswith(".md") and file.site in homes
              and scan.description == homes[file.site]
              and file.path != f"{file.site}/index.html"):
            yield Finding(file, "warning",
                          "page has no summary and no opening paragraph, so search engines "
                          "and link previews show the agency's description instead",
                          "add 'summary: one or two sentences' to the front matter",
                          needles=TITLE_NEEDLES, page_level=True)


def _duplicate_titles(tree: RegionTree, files: list[TreeFile]) -> Iterator[Finding]:
    by_title: dict[str, list[TreeFile]] = defaultdict(list)
    for file in files:
        if not file.is_html:
            continue
        scan = tree.scan(file)
        if scan.title and not scan.noindex:
            by_title[scan.title].append(file)
    for title, same in by_title.items():
        if len(same) < 2:
            continue
        for file in same:
            others = [tree.served(f.path) for f in same if f is not file]
            listed = ", ".join(others[:3]) + (f" and {len(others) - 3} more"
                                              if len(others) > 3 else "")
            yield Finding(file, "warning", f"title '{title}' is also the title of {listed}",
                          "give each page its own title; search results and browser tabs "
                          "cannot tell them apart", needles=TITLE_NEEDLES, page_level=True,
                          group=f"title|{title}|{file.path}")
