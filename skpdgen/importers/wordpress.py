"""`skpdgen import wordpress`: a WordPress export becomes an agency's content, old URLs kept.

Two streaming passes over the export: the first indexes every post, page and attachment (ids,
old URLs, new paths: small records), the second converts each post and page and writes it.
Posts go to `berita` (or the section a category is mapped to), pages become plain pages in
their parent hierarchy, uploads are copied from a local copy of wp-content/uploads, and every
old URL form becomes an alias of the new page.

Running it again with a newer export adds new items and updates changed ones; a file that a
person edited since the import is never overwritten without `force` (its hash is recorded in
sites/<slug>/import/wordpress.json).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

from skpdgen.content.sections import SECTIONS
from skpdgen.importers import html2md
from skpdgen.importers.wxr import Channel, WpItem, WxrError, read_wxr
from skpdgen.urls import slugify

STATE_FILE = "import/wordpress.json"
IMPORTABLE_SECTIONS = ("berita", "pengumuman")
IMAGE_EXTS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".heic", ".heif"})
# first folders of an agency's site that a page may not take (sections and generated paths)
RESERVED_TOP = frozenset(SECTIONS) | {"tag", "cari", "assets", "pagefind", "admin", "img",
                                      "files", "status", "feed.xml", "agenda.ics"}
SKIPPED_CATEGORIES = frozenset({"uncategorized", "tak-berkategori", "uncategorised"})
_SIZE_SUFFIX = re.compile(r"-\d{2,5}x\d{2,5}(?=\.[A-Za-z0-9]+$)")
MAX_SLUG = 80


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


@dataclass(slots=True)
class _Entry:
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
class _Plan:
    """Everything the second pass needs to resolve old URLs."""

    blog_base: str                       # path of the old site ('/' or '/blog/')
    hosts: frozenset[str]
    entries: dict[int, _Entry]
    by_old_path: dict[str, str]          # old path (no base) -> new site path
    uploads: dict[str, str]              # relative upload path -> new site path of the copy
    copies: dict[str, Path]              # new site path -> file to copy
    missing: set[str]
    uploads_dir: Path | None = None
    attachments: dict[int, list[_Entry]] = field(default_factory=dict)   # by parent post id
    renamed: list[tuple[str, str]] = field(default_factory=list)   # (old URL, new path)


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
        plan = _index(options, channel)
        state = _load_state(site_dir)
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
            _save_state(site_dir, state)
    else:
        report.files_copied = sum(1 for p in plan.copies
                                  if not (site_dir / "static" / p.lstrip("/")).exists())
    report.files_missing = sorted(plan.missing)
    report.renamed_pages = plan.renamed
    return report


# --- first pass: index ------------------------------------------------------------------------

def _index(options: ImportOptions, channel: Channel) -> _Plan:
    entries: dict[int, _Entry] = {}
    for item in read_wxr(options.export, channel):
        kind = item.post_type
        if kind not in ("post", "page", "attachment"):
            continue
        entries[item.post_id] = _Entry(
            post_id=item.post_id, kind=kind, status=item.status, link=item.get("link"),
            slug=unquote(item.get("wp:post_name")), parent=_int(item.get("wp:post_parent")),
            day=_day(item), title=html2md.plain_text(item.get("title")),
            url=item.get("wp:attachment_url"),
            alt=item.meta.get("_wp_attachment_image_alt", "").strip())
    base = urlsplit(channel.base_blog_url or channel.link)
    blog_base = "/" + base.path.strip("/") + "/" if base.path.strip("/") else "/"
    hosts = {h for h in (base.hostname, urlsplit(channel.link).hostname) if h}
    hosts |= {f"www.{h}" for h in hosts} | {h.removeprefix("www.") for h in hosts}
    plan = _Plan(blog_base, frozenset(hosts), entries, {}, {}, {}, set(), options.uploads)
    _assign_paths(plan, options)
    return plan


def _assign_paths(plan: _Plan, options: ImportOptions) -> None:
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
            plan.by_old_path.setdefault(_old_path(entry.link, plan), entry.new_path)
    for entry in plan.entries.values():
        if entry.kind == "attachment":
            plan.attachments.setdefault(entry.parent, []).append(entry)
            if entry.url:
                _upload(entry.url, plan)


def _page_segments(entry: _Entry, pages: dict[int, _Entry]) -> list[str]:
    chain: list[str] = []
    current: _Entry | None = entry
    seen: set[int] = set()
    while current is not None and current.post_id not in seen:
        seen.add(current.post_id)
        chain.append(_slug(current))
        current = pages.get(current.parent)
    return list(reversed(chain))


def _slug(entry: _Entry) -> str:
    slug = slugify(entry.slug) or slugify(entry.title) or f"{entry.kind}-{entry.post_id}"
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] or slug[:MAX_SLUG]
    return slug


def _unique(slug: str, prefix: str, taken: set[str], post_id: int) -> str:
    if f"{prefix}{slug}/" in taken:
        slug = f"{slug}-{post_id}"
    taken.add(f"{prefix}{slug}/")
    return slug


def _old_path(url: str, plan: _Plan) -> str:
    """The path of an old URL relative to the old blog's base: '2013/01/10/judul/'."""
    path = urlsplit(url).path
    if path.startswith(plan.blog_base):
        path = path[len(plan.blog_base):]
    path = unquote(path).strip("/")
    return f"{path}/" if path else ""


def _upload(url: str, plan: _Plan) -> str | None:
    """The new site path of an uploaded file (copied later), or None when it is not here."""
    rel = _upload_rel(url)
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


def _upload_rel(url: str) -> str | None:
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
    for candidate in (rel, _SIZE_SUFFIX.sub("", rel)):
        path = (uploads / candidate)
        try:
            resolved = path.resolve()
        except OSError:
            continue
        if resolved.is_relative_to(root) and path.is_file() and not path.is_symlink():
            return path
    return None


# --- second pass: convert and write ---------------------------------------------------------

def _convert(options: ImportOptions, channel: Channel, plan: _Plan, state: dict[str, object],
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
        written |= _write(site_dir, entry, text, items_state, options, report)
    return written


def _wanted(item: WpItem, entry: _Entry, options: ImportOptions, report: ImportReport) -> bool:
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


def _document(item: WpItem, entry: _Entry, channel: Channel, plan: _Plan
              ) -> tuple[str, html2md.Findings]:
    """The Markdown file (front matter + body) of a post or page."""
    findings = html2md.Findings()
    hooks = html2md.Hooks(
        image=lambda url: _image_path(url, plan),
        link=lambda url: _link(url, plan),
        internal=lambda url: _is_internal(url, plan),
        gallery=lambda ids: _gallery(ids, plan))
    body = html2md.convert(item.get("content:encoded"), hooks, findings)
    title = entry.title or f"Tanpa judul ({entry.post_id})"
    lines = ["---", f"title: {_q(title)}"]
    when = _when(item) or _when(item, "wp:post_modified")
    if entry.kind == "post" and when:
        lines.append(f"date: {when}")
        modified = _when(item, "wp:post_modified")
        if modified and modified[:10] > when[:10]:
            lines.append(f"updated: {modified[:10]}")
    author = channel.authors.get(item.get("dc:creator"), item.get("dc:creator"))
    if author and "@" not in author:
        lines.append(f"author: {_q(author)}")
    excerpt = html2md.plain_text(item.get("excerpt:encoded"))
    if excerpt:
        lines.append(f"summary: {_q(excerpt)}")
    featured = plan.entries.get(_int(item.meta.get("_thumbnail_id", "")))
    if featured is not None and featured.url:
        image = _image_path(featured.url, plan)
        if image:
            lines.append(f"image: {image}")
            lines.append(f"image_alt: {_q(featured.alt or featured.title or title)}")
    tags = _tags(item)
    if tags:
        lines.append("tags: [" + ", ".join(_q(t) for t in tags) + "]")
    if entry.kind == "page":
        order = _int(item.get("wp:menu_order"))
        if order:
            lines.append(f"weight: {order}")
    if item.status in ("draft", "pending"):
        lines.append("draft: true")
    aliases = _aliases(entry, plan)
    if aliases:
        lines.append("aliases:")
        lines.extend(f"  - {_q(a)}" for a in aliases)
    lines.append("---")
    return "\n".join(lines) + "\n" + body, findings


def _aliases(entry: _Entry, plan: _Plan) -> list[str]:
    """Every form under which WordPress served this post or page."""
    result: list[str] = []
    old = _old_path(entry.link, plan) if entry.link else ""
    if old and old != entry.new_path:
        result.append("/" + old)
    key = "p" if entry.kind == "post" else "page_id"
    result.append(f"/?{key}={entry.post_id}")
    if entry.kind == "post" and entry.day and entry.slug:
        y, m, d = entry.day.split("-")
        slug = slugify(entry.slug) or entry.slug
        for form in (f"{y}/{m}/{d}/{slug}/", f"{y}/{m}/{slug}/", f"archives/{entry.post_id}/",
                     f"index.php/{y}/{m}/{d}/{slug}/"):
            if form != old and form != entry.new_path:
                result.append("/" + form)
    for attachment in plan.attachments.get(entry.post_id, ()):   # their pages lead here too
        if attachment.link:
            path = _old_path(attachment.link, plan)
            if path and "?" not in attachment.link:
                result.append("/" + path)
        result.append(f"/?attachment_id={attachment.post_id}")
    seen: set[str] = set()
    return [a for a in result if not (a in seen or seen.add(a)) and _alias_ok(a)]  # type: ignore[func-returns-value]


def _alias_ok(alias: str) -> bool:
    path = alias.split("?", 1)[0].strip("/")
    first = path.split("/", 1)[0]
    if any(len(segment) > 200 for segment in path.split("/")):
        return False        # no file system takes such a folder name
    return first not in RESERVED_TOP and bool(re.fullmatch(r"[A-Za-z0-9._~%+/=?-]*", alias))


def _tags(item: WpItem) -> list[str]:
    names: list[str] = []
    for domain, nicename, name in item.categories:
        if domain not in ("category", "post_tag") or nicename.lower() in SKIPPED_CATEGORIES:
            continue
        clean = " ".join(html2md.plain_text(name).split())
        if clean and slugify(clean) and clean not in names:
            names.append(clean)
    return names


def _image_path(url: str, plan: _Plan) -> str | None:
    """The new path of an uploaded file (copied from --uploads), or None when not there."""
    rel = _upload_rel(url)
    if rel is None:
        return None
    base = _SIZE_SUFFIX.sub("", rel)
    if base in plan.uploads:        # the original of a resized variant, already copied
        return plan.uploads[base]
    return _upload(url, plan)


def _is_internal(url: str, plan: _Plan) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc or (parts.hostname or "") in plan.hosts


def _link(url: str, plan: _Plan) -> str:
    """A link to the old site becomes a link to the new page or file; others stay."""
    if not _is_internal(url, plan):
        return url
    parts = urlsplit(url)
    if parts.scheme in ("mailto", "tel"):
        return url
    query = parse_qs(parts.query)
    for key in ("p", "page_id", "attachment_id"):
        if key in query:
            entry = plan.entries.get(_int(query[key][0]))
            if entry is not None and entry.new_path:
                return "/" + entry.new_path
    upload = _image_path(url, plan)
    if upload:
        return upload
    old = _old_path(url, plan)
    if old in plan.by_old_path:
        return "/" + plan.by_old_path[old] + (f"#{parts.fragment}" if parts.fragment else "")
    m = re.fullmatch(r"(?:category|tag)/(?:.+/)?([^/]+)/", old)
    if m:
        return f"/tag/{slugify(unquote(m.group(1)))}/"
    if old == "" and not parts.query:
        return "/"
    return url


def _gallery(ids: str, plan: _Plan) -> list[tuple[str, str]]:
    result = []
    for raw in ids.split(","):
        entry = plan.entries.get(_int(raw.strip()))
        if entry is not None and entry.kind == "attachment" and entry.url:
            result.append((entry.url, entry.alt or entry.title))
    return result


def _write(site_dir: Path, entry: _Entry, text: str, items_state: dict[str, object],
           options: ImportOptions, report: ImportReport) -> bool:
    """Write one file unless a person changed or deleted it since the last import."""
    key = f"{entry.kind}:{entry.post_id}"
    previous = items_state.get(key)
    recorded = previous if isinstance(previous, dict) else None
    path = site_dir / (str(recorded["path"]) if recorded else entry.src_path)
    rel = f"sites/{options.site}/{path.relative_to(site_dir).as_posix()}"
    digest = _sha(text.encode("utf-8"))
    if recorded is not None:
        if not path.exists() and not options.force:
            report.kept_deleted.append(rel)
            return False
        if path.exists():
            current = _sha(path.read_bytes())
            if current == digest:
                report.unchanged += 1
                return False
            if current != recorded.get("sha256") and not options.force:
                report.kept_edited.append(rel)
                return False
        report.updated.append(rel)
    elif path.exists() and not options.force:
        report.kept_edited.append(rel)       # a file of the same name that we did not write
        return False
    else:
        report.created.append(rel)
    if options.dry_run:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    items_state[key] = {"path": path.relative_to(site_dir).as_posix(), "sha256": digest}
    return True


def _load_state(site_dir: Path) -> dict[str, object]:
    try:
        data = json.loads((site_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_state(site_dir: Path, state: dict[str, object]) -> None:
    path = site_dir / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".wordpress.json.tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    tmp.replace(path)


# --- small helpers -------------------------------------------------------------------------

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except (ValueError, AttributeError):
        return 0


def _day(item: WpItem) -> str:
    when = _when(item) or _when(item, "wp:post_modified")
    return when[:10] if when else ""


def _when(item: WpItem, name: str = "wp:post_date") -> str:
    """'2013-01-10 20:15:40' -> '2013-01-10T20:15' (the site's local time), '' when unset."""
    raw = item.get(name)
    try:
        moment = datetime.strptime(raw, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return ""
    if moment.year < 1990:
        return ""
    return moment.strftime("%Y-%m-%dT%H:%M")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)
