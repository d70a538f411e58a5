"""Discover an agency's files and load each Markdown file into a validated SourcePage.

Nothing here renders Markdown or knows other pages: link resolution happens once every page
has its URL (model.py). Every problem is a Diagnostic naming the file and line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skpdgen import urls, yamlio
from skpdgen.config.agency import Agency
from skpdgen.config.region import Region, decode_text
from skpdgen.config.schema import Context, When, validate
from skpdgen.content.sections import SECTIONS, schema_for, spec_for
from skpdgen.diagnostics import Diagnostics

INDEX_NAMES = ("_index.md", "index.md")
MAX_CONTENT_BYTES = 2_000_000


@dataclass(frozen=True, slots=True)
class SourcePage:
    """One Markdown file, validated. `src_path` is relative to the agency root (POSIX)."""

    src_path: str
    diag_path: str
    section: str
    site_path: str
    is_index: bool
    title: str
    date: When | None
    updated: When | None
    summary: str | None
    image: str | None
    image_alt: str | None
    tags: tuple[str, ...]
    draft: bool
    author: str | None
    aliases: tuple[str, ...]
    weight: int | None
    extra: dict[str, Any]
    body: str
    body_line: int
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def is_section_intro(self) -> bool:
        """`content/<known section>/_index.md` (or `content/_index.md`): the intro of a list."""
        return self.is_index and (self.section in SECTIONS or self.site_path == "")


@dataclass(frozen=True, slots=True)
class SiteFiles:
    """Every source file of an agency, found once per build."""

    markdown: tuple[str, ...]                 # content/**.md, agency-relative
    resources: tuple[tuple[str, str], ...]    # (src_path, site_path) copied as they are


def discover(agency: Agency, diags: Diagnostics) -> SiteFiles:
    """Walk content/ and static/ without following links out of the agency's folder."""
    markdown: list[str] = []
    resources: list[tuple[str, str]] = []
    root = agency.root.resolve()
    for top in ("static", "content", "templates"):
        base = agency.root / top
        if base.is_symlink() and not _inside(base, root):
            # os.walk would follow a linked top folder: check it like any folder inside
            diags.error(agency.src_prefix + top, None,
                        "symbolic link points outside the agency folder",
                        "copy the files into the folder instead")
            continue
        if top == "templates" or not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for dirname in list(dirnames):
                full = Path(dirpath, dirname)
                if full.is_symlink() and not _inside(full, root):
                    diags.error(agency.src_prefix + _rel(full, agency.root), None,
                                "symbolic link points outside the agency folder",
                                "copy the files into the folder instead")
                    dirnames.remove(dirname)
            for name in sorted(filenames):
                if name.startswith(".") or name.endswith("~"):
                    continue
                full = Path(dirpath, name)
                src_path = _rel(full, agency.root)
                if full.is_symlink() and not _inside(full, root):
                    diags.error(agency.src_prefix + src_path, None,
                                "symbolic link points outside the agency folder",
                                "copy the file into the folder instead")
                    continue
                if top == "content" and name.endswith(".md"):
                    markdown.append(src_path)
                else:
                    resources.append((src_path, src_path.split("/", 1)[1]))
    return SiteFiles(tuple(markdown), tuple(resources))


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line of the body's first line) or None when there is none."""
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return None
    end = text.find("\n---", 3)
    while end != -1:
        after = text[end + 4: end + 5]
        if after in ("", "\n") or text[end + 4:].split("\n", 1)[0].strip() == "":
            break
        end = text.find("\n---", end + 4)
    if end == -1:
        return None
    front = text[4:end + 1]
    rest = text[end + 4:]
    rest = rest.split("\n", 1)[1] if "\n" in rest else ""
    body_line = front.count("\n") + 3
    return front, rest, body_line


def load_page(agency: Agency, region: Region, src_path: str, diags: Diagnostics
              ) -> SourcePage | None:
    """Read and validate one Markdown file; None (with diagnostics) when it is unusable."""
    diag_path = agency.src_prefix + src_path
    try:
        raw = (agency.root / src_path).read_bytes()
    except OSError as exc:
        diags.error(diag_path, None, f"cannot read: {exc.strerror}")
        return None
    if len(raw) > MAX_CONTENT_BYTES:
        diags.error(diag_path, None, "file is larger than 2 MB", "split it or link a document")
        return None
    text = decode_text(raw, diag_path, diags)
    if text is None:
        return None
    if not text.strip():
        diags.error(diag_path, 1, "file is empty", "start it with front matter: ---, title: ..., ---")
        return None
    parts = split_front_matter(text)
    if parts is None:
        diags.error(diag_path, 1, "missing front matter",
                    "start the file with a line '---', then 'title: ...', then '---'")
        return None
    front, body, body_line = parts
    try:
        node = yamlio.parse(front, line_offset=1)
    except yamlio.YamlError as exc:
        diags.error(diag_path, exc.line, exc.message, exc.hint)
        return None
    if node is not None and not isinstance(node, yamlio.YMap):
        diags.error(diag_path, 2, "front matter must be 'key: value' lines")
        return None

    rel = src_path[len("content/"):]
    folders = rel.split("/")[:-1]
    section = folders[0] if folders else ""
    spec = spec_for(section)
    before = len(diags.errors)
    values = validate(node, schema_for(spec), Context(diag_path, diags, region.tz), line=2)
    key_lines = dict(node.key_lines) if isinstance(node, yamlio.YMap) else {}

    file_name = rel.rsplit("/", 1)[-1]
    is_index = file_name in INDEX_NAMES
    slug = values["slug"]
    if slug is not None and not urls.SLUG_RE.fullmatch(slug):
        diags.error(diag_path, key_lines.get("slug"),
                    f"'slug' must be lowercase letters, digits and hyphens, got '{slug}'",
                    f"use '{urls.slugify(slug) or 'my-page'}'")
        slug = None
    if slug is None:
        slug = "" if is_index else urls.item_slug_from_filename(file_name[:-3])
    if not is_index and not slug:
        diags.error(diag_path, None, "file name gives an empty URL", "rename the file, e.g. judul.md")
    if values["image"] and not values["image_alt"]:
        diags.error(diag_path, key_lines.get("image"), "'image' needs 'image_alt'",
                    "describe the image for readers who cannot see it: image_alt: ...")
    aliases = node.items.get("aliases") if isinstance(node, yamlio.YMap) else None
    for item in aliases.items if isinstance(aliases, yamlio.YSeq) else (aliases,):
        if isinstance(item, yamlio.YScalar) and not item.is_null and (
                urls.clean_alias(item.value) is None and urls.query_alias(item.value) is None):
            diags.error(diag_path, item.line, f"alias '{item.value}' is not a path of this site",
                        "write the old path only, e.g. /index.php/berita/123")
    if len(diags.errors) > before:
        return None
    if section == "agenda" and not is_index and not values.get("location"):
        diags.warning(diag_path, key_lines.get("start") or key_lines.get("title"),
                      "event has no 'location' (its Event data uses the agency's address)",
                      "add 'location: ...': where the event takes place")

    if section in SECTIONS:
        site_path = f"{section}/" if is_index else f"{section}/{slug}/"
    else:
        site_path = "".join(f"{urls.slugify(d) or d}/" for d in folders)
        if not is_index:
            site_path += f"{slug}/"
    return SourcePage(
        src_path=src_path, diag_path=diag_path, section=section, site_path=site_path,
        is_index=is_index, title=values["title"], date=values["date"],
        updated=values["updated"], summary=values["summary"], image=values["image"],
        image_alt=values["image_alt"], tags=tuple(values["tags"] or ()),
        draft=bool(values["draft"]), author=values["author"],
        aliases=tuple(values["aliases"] or ()), weight=values["weight"],
        extra={name: values[name] for name in spec.fields}, body=body, body_line=body_line,
        lines=key_lines,
    )
