"""The first pass of the WordPress import: every post, page and attachment, and its new path.

`index` reads the export once and keeps small records (ids, old URLs, new paths); uploads
are looked up in the local copy of wp-content/uploads and given their site path here, so the
second pass (wordpress.py, wp_links.py) can resolve every old URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from skpdgen.content.sections import SECTIONS
from skpdgen.importers import html2md
from skpdgen.importers.wxr import Channel, WpItem, read_wxr
from skpdgen.urls import slugify

IMAGE_EXTS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".heic", ".heif"})
# first folders of an agency's site that a page may not take (sections and generated paths)
RESERVED_TOP = frozenset(SECTIONS) | {"tag", "cari", "assets", "pagefind", "admin", "img",
                                      "files", "status", "feed.xml", "agenda.ics"}
SIZE_SUFFIX = re.compile(r"-\d{2,5}x\d{2,5}(?=\.[A-Za-z0-9]+$)")
MAX_SLUG = 80


@dataclass(slots=True)
class Entry:
    """An indexed post, page or attachment (first pass)."""

    post_id: int
    kind: str
    status: str
    link: str
    slug: str
    parent: int
    day: str
    title: str
    url: str = ""          # attachments: the file's URL
    alt: str = ""
    new_path: str = ""     # posts and pages: the site path (berita/judul/)
    src_path: str = ""     # posts and pages: the file under the agency (content/…)


@dataclass(slots=True)
class Plan:
    """Everything the second pass needs to resolve old URLs."""

    blog_base: str                       # path of the old site ('/' or '/blog/')
    hosts: frozenset[str]
    entries: dict[int, Entry]
    by_old_path: dict[str, str]          # old path (no base) -> new site path
    uploads: dict[str, str]              # relative upload path -> new site path of the copy
    copies: dict[str, Path]              # new site path -> file to copy
    missing: set[str]
    uploads_dir: Path | None = None
    attachments: dict[int, list[Entry]] = field(default_factory=dict)   # by parent post id
    renamed: list[tuple[str, str]] = field(default_factory=list)   # (old URL, new path)


def index(export: Path, uploads: Path | None, channel: Channel) -> Plan:
    entries: dict[int, Entry] = {}
    for item in read_wxr(export, channel):
        kind = item.post_type
        if kind not in ("post", "page", "attachment"):
            continue
        entries[item.post_id] = Entry(
            post_id=item.post_id, kind=kind, status=item.status, link=item.get("link"),
            slug=unquote(item.get("wp:post_name")), parent=to_int(item.get("wp:post_parent")),
            day=post_day(item), title=html2md.plain_text(item.get("title")),
            url=item.get("wp:attachment_url"),
            alt=item.meta.get("_wp_attachment_image_alt", "").strip())
    base = urlsplit(channel.base_blog_url or channel.link)
    blog_base = "/" + base.path.strip("/") + "/" if base.path.strip("/") else "/"
    hosts = {h for h in (base.hostname, urlsplit(channel.link).hostname) if h}
    hosts |= {f"www.{h}" for h in hosts} | {h.removeprefix("www.") for h in hosts}
    plan = Plan(blog_base, frozenset(hosts), entries, {}, {}, {}, set(), uploads)
    _assign_paths(plan)
    return plan


def _assign_paths(plan: Plan) -> None:
    taken: set[str] = set()
    pages = {e.post_id: e for e in plan.entries.values() if e.kind == "page"}
    parents = {e.parent for e in pages.values()}
    for entry in sorted(plan.entries.values(), key=lambda e: (e.kind, e.day, e.post_id)):
        if entry.kind == "post":
            section = "berita"   # the category map is applied in the second pass, by name too
            slug = _unique(_slug(entry), f"{section}/", taken, entry.post_id)
            entry.new_path = f"{section}/{slug}/"
            entry.src_path = f"content/{section}/{entry.day}-{slug}.md"
        elif entry.kind == "page":
            segments = _page_segments(entry, pages)
            if segments[0] in RESERVED_TOP:
                segments[0] = f"halaman-{segments[0]}"
                plan.renamed.append((entry.link, "/".join(segments) + "/"))
            path = "/".join(segments)
            if f"{path}/" in taken:
                segments[-1] = f"{segments[-1]}-{entry.post_id}"
                path = "/".join(segments)
            taken.add(f"{path}/")
            entry.new_path = f"{path}/"
            entry.src_path = (f"content/{path}/_index.md" if entry.post_id in parents
                              else f"content/{path}.md")
        if entry.new_path and entry.link:
            plan.by_old_path.setdefault(old_path(entry.link, plan), entry.new_path)
    for entry in plan.entries.values():
        if entry.kind == "attachment":
            plan.attachments.setdefault(entry.parent, []).append(entry)
            if entry.url:
                upload(entry.url, plan)


def _page_segments(entry: Entry, pages: dict[int, Entry]) -> list[str]:
    chain: list[str] = []
    current: Entry | None = entry
    seen: set[int] = set()
    while current is not None and current.post_id not in seen:
        seen.add(current.post_id)
        chain.append(_slug(current))
        current = pages.get(current.parent)
    return list(reversed(chain))


def _slug(entry: Entry) -> str:
    slug = slugify(entry.slug) or slugify(entry.title) or f"{entry.kind}-{entry.post_id}"
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] or slug[:MAX_SLUG]
    return slug


def _unique(slug: str, prefix: str, taken: set[str], post_id: int) -> str:
    if f"{prefix}{slug}/" in taken:
        slug = f"{slug}-{post_id}"
    taken.add(f"{prefix}{slug}/")
    return slug


def old_path(url: str, plan: Plan) -> str:
    """The path of an old URL relative to the old blog's base: '2013/01/10/judul/'."""
    path = urlsplit(url).path
    if path.startswith(plan.blog_base):
        path = path[len(plan.blog_base):]
    path = unquote(path).strip("/")
    return f"{path}/" if path else ""


def upload(url: str, plan: Plan) -> str | None:
    """The new site path of an uploaded file (copied later), or None when it is not here."""
    rel = upload_rel(url)
    if rel is None:
        return None
    if rel in plan.uploads:
        return plan.uploads[rel]
    source = _find_upload(plan.uploads_dir, rel)
    if source is None:
        plan.missing.add(url)
        return None
    suffix = PurePosixPath(source.name).suffix.lower()
    folder = "img" if suffix in IMAGE_EXTS else "files"
    parent = PurePosixPath(rel).parent.as_posix()
    name = (slugify(PurePosixPath(source.name).stem) or "berkas") + suffix
    site_path = f"/{folder}/wp/" + (f"{parent}/" if parent != "." else "") + name
    plan.uploads[rel] = site_path
    plan.copies[site_path] = source
    return site_path


def upload_rel(url: str) -> str | None:
    """'https://x.go.id/wp-content/uploads/2013/03/a.jpg' -> '2013/03/a.jpg'."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if "/wp-content/uploads/" in path:
        rel = path.split("/wp-content/uploads/", 1)[1]
    elif (parts.hostname or "").endswith(".files.wordpress.com"):
        rel = path.lstrip("/")
    elif "/files/" in path and re.search(r"/files/\d{4}/\d{2}/", path):
        rel = path.split("/files/", 1)[1]
    else:
        return None
    rel = rel.strip("/")
    if not rel or any(p in ("", ".", "..") for p in rel.split("/")):
        return None
    return rel


def _find_upload(uploads: Path | None, rel: str) -> Path | None:
    """The local copy of an upload; a resized variant (-300x200) falls back to the original."""
    if uploads is None:
        return None
    root = uploads.resolve()
    for candidate in (rel, SIZE_SUFFIX.sub("", rel)):
        path = (uploads / candidate)
        try:
            resolved = path.resolve()
        except OSError:
            continue
        if resolved.is_relative_to(root) and path.is_file() and not path.is_symlink():
            return path
    return None


def to_int(text: str) -> int:
    try:
        return int(text.strip())
    except (ValueError, AttributeError):
        return 0


def post_day(item: WpItem) -> str:
    when = post_time(item) or post_time(item, "wp:post_modified")
    return when[:10] if when else ""


def post_time(item: WpItem, name: str = "wp:post_date") -> str:
    """'2013-01-10 20:15:40' -> '2013-01-10T20:15' (the site's local time), '' when unset."""
    raw = item.get(name)
    try:
        moment = datetime.strptime(raw, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return ""
    if moment.year < 1990:
        return ""
    return moment.strftime("%Y-%m-%dT%H:%M")
