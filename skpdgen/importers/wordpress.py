"""`skpdgen import wordpress`: a WordPress export becomes an agency's content, old URLs kept.

Two streaming passes over the export: the first indexes every post, page and attachment (ids,
old URLs, new paths: small records), the second converts each post and page and writes it.
Posts go to `berita` (or the section a category is mapped to), pages become plain pages in
their parent hierarchy, uploads are copied from a local copy of wp-content/uploads, and every
old URL form becomes an alias of the new page.

Running it again with a newer export adds new items and updates changed ones; a file that a
person edited since the import is never overwritten without `force` (its hash is recorded in
sites/<slug>/import/wordpress.json, see wp_state.py). The first pass is in wp_plan.py, the
resolution of old links, images and URLs in wp_links.py.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from skpdgen.importers import html2md
from skpdgen.importers.wp_links import all_aliases, gallery, image_path, is_internal, link
from skpdgen.importers.wp_plan import Entry, Plan, index, post_time, to_int
from skpdgen.importers.wp_state import load_state, save_state, write_item
from skpdgen.importers.wxr import Channel, WpItem, WxrError, read_wxr
from skpdgen.urls import slugify

IMPORTABLE_SECTIONS = ("berita", "pengumuman")
SKIPPED_CATEGORIES = frozenset({"uncategorized", "tak-berkategori", "uncategorised"})


class ImportError_(Exception):
    """The import cannot run (bad export, missing agency); nothing was written."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class ImportOptions:
    root: Path
    export: Path
    site: str
    uploads: Path | None = None
    since: date | None = None
    dry_run: bool = False
    force: bool = False
    category_map: tuple[tuple[str, str], ...] = ()    # (category slug or name, section)


@dataclass(slots=True)
class ImportReport:
    """What the import did and what a person should look at (printed as the summary)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_edited: list[str] = field(default_factory=list)     # edited by staff: not overwritten
    kept_deleted: list[str] = field(default_factory=list)    # deleted by staff: not restored
    drafts: int = 0
    scheduled: int = 0
    skipped_private: int = 0
    skipped_password: int = 0
    skipped_before: int = 0
    skipped_other: Counter[str] = field(default_factory=Counter)
    comments: int = 0
    files_copied: int = 0
    files_missing: list[str] = field(default_factory=list)
    aliases: int = 0
    spam_links: list[tuple[str, str]] = field(default_factory=list)   # (file, url)
    shortcodes: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    images_without_alt: int = 0
    renamed_pages: list[tuple[str, str]] = field(default_factory=list)
    dry_run: bool = False


def import_wordpress(options: ImportOptions) -> ImportReport:
    """Import the export into sites/<site>/ (or only report, with dry_run)."""
    site_dir = options.root / "sites" / options.site
    if not (site_dir / "site.yaml").is_file():
        raise ImportError_(f"no agency '{options.site}' (sites/{options.site}/site.yaml); "
                           f"create it first: skpdgen new site {options.site} --name \"…\"")
    for _, section in options.category_map:
        if section not in IMPORTABLE_SECTIONS:
            raise ImportError_(f"--map can send a category to {' or '.join(IMPORTABLE_SECTIONS)}, "
                               f"not '{section}'")
    if options.uploads is not None and not options.uploads.is_dir():
        raise ImportError_(f"--uploads {options.uploads} is not a folder")
    channel = Channel()
    try:
        plan = index(options.export, options.uploads, channel)
        state = load_state(site_dir)
        report = ImportReport(dry_run=options.dry_run)
        written = _convert(options, channel, plan, state, report, site_dir)
    except WxrError as exc:
        raise ImportError_(exc.message, exc.line) from None
    if not options.dry_run:
        for site_path, source in plan.copies.items():
            target = site_dir / "static" / site_path.lstrip("/")
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            report.files_copied += 1
        if written:
            save_state(site_dir, state)
    else:
        report.files_copied = sum(1 for p in plan.copies
                                  if not (site_dir / "static" / p.lstrip("/")).exists())
    report.files_missing = sorted(plan.missing)
    report.renamed_pages = plan.renamed
    return report


# --- second pass: convert and write ---------------------------------------------------------

def _convert(options: ImportOptions, channel: Channel, plan: Plan, state: dict[str, object],
             report: ImportReport, site_dir: Path) -> bool:
    """Convert and write every post and page; True when anything was written."""
    items_state = state.setdefault("items", {})
    assert isinstance(items_state, dict)
    written = False
    for item in read_wxr(options.export, Channel()):
        report.comments += item.comments
        kind = item.post_type
        if kind not in ("post", "page"):
            if kind not in ("attachment", "nav_menu_item", "revision"):
                report.skipped_other[kind] += 1
            continue
        entry = plan.entries.get(item.post_id)
        if entry is None or not _wanted(item, entry, options, report):
            continue
        section = _section_for(item, options) if kind == "post" else None
        if section and section != "berita":
            entry.src_path = entry.src_path.replace("content/berita/", f"content/{section}/", 1)
            entry.new_path = entry.new_path.replace("berita/", f"{section}/", 1)
        text, findings = _document(item, entry, channel, plan)
        for url in findings.spam_links:
            report.spam_links.append((f"sites/{options.site}/{entry.src_path}", url))
        report.shortcodes.update(findings.shortcodes)
        report.dropped.update(findings.dropped)
        report.images_without_alt += findings.images_without_alt
        report.aliases += text.count("\n  - ")
        written |= write_item(site_dir, entry, text, items_state, options, report)
    return written


def _wanted(item: WpItem, entry: Entry, options: ImportOptions, report: ImportReport) -> bool:
    status = item.status
    if item.get("wp:post_password"):
        report.skipped_password += 1
        return False
    if status == "private":
        report.skipped_private += 1
        return False
    if status in ("trash", "auto-draft", "inherit"):
        report.skipped_other[status] += 1
        return False
    if entry.kind == "post" and not entry.day:
        report.skipped_other["no date"] += 1
        return False
    if (options.since and entry.kind == "post"
            and date.fromisoformat(entry.day) < options.since):
        report.skipped_before += 1
        return False
    if status in ("draft", "pending"):
        report.drafts += 1
    elif status == "future":
        report.scheduled += 1
    return True


def _section_for(item: WpItem, options: ImportOptions) -> str:
    wanted = {key.lower(): section for key, section in options.category_map}
    for domain, nicename, name in item.categories:
        if domain != "category":
            continue
        for key in (nicename.lower(), name.lower(), slugify(name)):
            if key in wanted:
                return wanted[key]
    return "berita"


def _document(item: WpItem, entry: Entry, channel: Channel, plan: Plan
              ) -> tuple[str, html2md.Findings]:
    """The Markdown file (front matter + body) of a post or page."""
    findings = html2md.Findings()
    hooks = html2md.Hooks(
        image=lambda url: image_path(url, plan),
        link=lambda url: link(url, plan),
        internal=lambda url: is_internal(url, plan),
        gallery=lambda ids: gallery(ids, plan))
    body = html2md.convert(item.get("content:encoded"), hooks, findings)
    title = entry.title or f"Tanpa judul ({entry.post_id})"
    lines = ["---", f"title: {_q(title)}"]
    when = post_time(item) or post_time(item, "wp:post_modified")
    if entry.kind == "post" and when:
        lines.append(f"date: {when}")
        modified = post_time(item, "wp:post_modified")
        if modified and modified[:10] > when[:10]:
            lines.append(f"updated: {modified[:10]}")
    author = channel.authors.get(item.get("dc:creator"), item.get("dc:creator"))
    if author and "@" not in author:
        lines.append(f"author: {_q(author)}")
    excerpt = html2md.plain_text(item.get("excerpt:encoded"))
    if excerpt:
        lines.append(f"summary: {_q(excerpt)}")
    featured = plan.entries.get(to_int(item.meta.get("_thumbnail_id", "")))
    if featured is not None and featured.url:
        image = image_path(featured.url, plan)
        if image:
            lines.append(f"image: {image}")
            lines.append(f"image_alt: {_q(featured.alt or featured.title or title)}")
    tags = _tags(item)
    if tags:
        lines.append("tags: [" + ", ".join(_q(t) for t in tags) + "]")
    if entry.kind == "page":
        order = to_int(item.get("wp:menu_order"))
        if order:
            lines.append(f"weight: {order}")
    if item.status in ("draft", "pending"):
        lines.append("draft: true")
    aliases = all_aliases(entry, plan)
    if aliases:
        lines.append("aliases:")
        lines.extend(f"  - {_q(a)}" for a in aliases)
    lines.append("---")
    return "\n".join(lines) + "\n" + body, findings


def _tags(item: WpItem) -> list[str]:
    names: list[str] = []
    for domain, nicename, name in item.categories:
        if domain not in ("category", "post_tag") or nicename.lower() in SKIPPED_CATEGORIES:
            continue
        clean = " ".join(html2md.plain_text(name).split())
        if clean and slugify(clean) and clean not in names:
            names.append(clean)
    return names


# --- small helpers -------------------------------------------------------------------------

def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)
