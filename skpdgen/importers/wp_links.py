"""The second pass's view of the old site: links, images and old URLs become new paths."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from skpdgen.importers.wp_plan import (
    RESERVED_TOP,
    SIZE_SUFFIX,
    Entry,
    Plan,
    old_path,
    to_int,
    upload,
    upload_rel,
)
from skpdgen.urls import slugify


def image_path(url: str, plan: Plan) -> str | None:
    """The new path of an uploaded file (copied from --uploads), or None when not there."""
    rel = upload_rel(url)
    if rel is None:
        return None
    base = SIZE_SUFFIX.sub("", rel)
    if base in plan.uploads:        # the original of a resized variant, already copied
        return plan.uploads[base]
    return upload(url, plan)


def is_internal(url: str, plan: Plan) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc or (parts.hostname or "") in plan.hosts


def link(url: str, plan: Plan) -> str:
    """A link to the old site becomes a link to the new page or file; others stay."""
    if not is_internal(url, plan):
        return url
    parts = urlsplit(url)
    if parts.scheme in ("mailto", "tel"):
        return url
    query = parse_qs(parts.query)
    for key in ("p", "page_id", "attachment_id"):
        if key in query:
            entry = plan.entries.get(to_int(query[key][0]))
            if entry is not None and entry.new_path:
                return "/" + entry.new_path
    upload = image_path(url, plan)
    if upload:
        return upload
    old = old_path(url, plan)
    if old in plan.by_old_path:
        return "/" + plan.by_old_path[old] + (f"#{parts.fragment}" if parts.fragment else "")
    m = re.fullmatch(r"(?:category|tag)/(?:.+/)?([^/]+)/", old)
    if m:
        return f"/tag/{slugify(unquote(m.group(1)))}/"
    if old == "" and not parts.query:
        return "/"
    return url


def gallery(ids: str, plan: Plan) -> list[tuple[str, str]]:
    result = []
    for raw in ids.split(","):
        entry = plan.entries.get(to_int(raw.strip()))
        if entry is not None and entry.kind == "attachment" and entry.url:
            result.append((entry.url, entry.alt or entry.title))
    return result


def all_aliases(entry: Entry, plan: Plan) -> list[str]:
    """Every form under which WordPress served this post or page."""
    result: list[str] = []
    old = old_path(entry.link, plan) if entry.link else ""
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
            path = old_path(attachment.link, plan)
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
