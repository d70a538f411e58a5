"""A link checker for built sites, for tests: every href/src must lead to a file that exists.

    problems = check_tree(build_dir)                       # build/ served as it is
    problems = check_tree(build_dir / "disdik",            # an agency on its own domain
                          bases={"https://disdik.example/": build_dir / "disdik"})

Each HTML file under the root is parsed; every `href`, `src`, `srcset`, `poster`, `action` and
`<meta http-equiv=refresh>` target is resolved like a browser would (relative to the file's
location; `/x` against the served root), then:

- the target file must exist (a folder counts when it holds index.html);
- a `#fragment` must be an `id` (or `<a name>`) in the target page (or this page, for `#x`);
- links that climb above the served root are problems (they leave the site);
- `http(s)://` URLs are skipped unless they start with one of `bases`, which maps absolute URL
  prefixes to local folders (so canonical URLs and links to an own-domain site are checked
  too); `mailto:`, `tel:` and `data:` are skipped.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

SKIPPED_SCHEMES = ("mailto", "tel", "data", "sms", "geo")
URL_ATTRIBUTES = ("href", "src", "poster", "action", "formaction")


@dataclass
class ParsedPage:
    """Links (with the tag and line they came from) and anchor ids of one HTML file."""

    links: list[tuple[str, str, int]] = field(default_factory=list)   # (url, tag, line)
    ids: set[str] = field(default_factory=set)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        if values.get("id"):
            self.page.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.page.ids.add(values["name"])
        for name in URL_ATTRIBUTES:
            if name in values:
                self.page.links.append((values[name].strip(), tag, line))
        if tag == "object" and "data" in values:
            self.page.links.append((values["data"].strip(), tag, line))
        if "srcset" in values:
            for candidate in values["srcset"].split(","):
                url = candidate.strip().split(" ", 1)[0]
                if url:
                    self.page.links.append((url, tag, line))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            content = values.get("content", "")
            _, _, target = content.partition(";")
            target = target.strip()
            if target.lower().startswith("url="):
                self.page.links.append((target[4:].strip().strip("'\""), "meta-refresh", line))

    handle_startendtag = handle_starttag


def parse_html(path: Path) -> ParsedPage:
    """Links and ids of one HTML file (cached by path, inode, size and mtime)."""
    stat = path.stat()
    return _parse(path.resolve(), stat.st_ino, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def _parse(path: Path, _ino: int, _size: int, _mtime: int) -> ParsedPage:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    return collector.page


def html_files(root: Path, exclude: Iterable[Path] = ()) -> Iterator[Path]:
    """Every .html file under root, sorted, skipping dot folders and `exclude` (files or dirs)."""
    excluded = [p.resolve() for p in exclude]
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        resolved = path.resolve()
        if any(resolved == e or e in resolved.parents for e in excluded):
            continue
        yield path


def _target_file(root: Path, url_path: str) -> Path | None:
    """The file a server rooted at `root` answers for `url_path` (absolute, '/'-separated)."""
    local = root / url_path.lstrip("/")
    if url_path.endswith("/") or url_path == "":
        local = local / "index.html"
    if local.is_file():
        return local
    if local.is_dir() and (local / "index.html").is_file():
        return local / "index.html"
    return None


def check_file(path: Path, root: Path, bases: Mapping[str, Path] | None = None) -> list[str]:
    """Problems with the links of one HTML file served from `root`."""
    bases = dict(bases or {})
    root = root.resolve()
    path = path.resolve()
    page_url = "/" + path.relative_to(root).as_posix()
    problems = []
    for url, tag, line in parse_html(path).links:
        where = f"{path.relative_to(root).as_posix()}:{line}: <{tag}> {url!r}"
        problem = _check_url(url, page_url, path, root, bases)
        if problem:
            problems.append(f"{where}: {problem}")
    return problems


def _check_url(url: str, page_url: str, page: Path, root: Path,
               bases: dict[str, Path]) -> str | None:
    if url == "":
        return None     # the document itself (href="" on a home page)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    serve_root = root
    if scheme in ("http", "https") or url.startswith("//"):
        absolute = url if scheme else "https:" + url
        base = next((b for b in sorted(bases, key=len, reverse=True)
                     if absolute.startswith(b)), None)
        if base is None:
            return None
        serve_root = bases[base].resolve()
        target_path = "/" + absolute[len(base):].split("#", 1)[0].split("?", 1)[0]
        fragment = parts.fragment
        target = _target_file(serve_root, unquote(target_path))
        if target is None:
            return f"no file for {target_path!r} under {serve_root}"
        return _check_fragment(target, fragment)
    if scheme in SKIPPED_SCHEMES:
        return None
    if scheme:
        return f"unexpected scheme {scheme!r}"
    if url.startswith("#"):
        return _check_fragment(page, url[1:])
    path = unquote(parts.path)
    if path.startswith("/"):
        joined = posixpath.normpath(path)
    else:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_url), path))
    climbs = _climbs_out(posixpath.dirname(page_url), path) if not path.startswith("/") else False
    if climbs:
        return "climbs above the site root"
    if path.endswith("/") and not joined.endswith("/"):
        joined += "/"
    target = _target_file(serve_root, joined)
    if target is None:
        return f"no file for {joined!r}"
    return _check_fragment(target, parts.fragment)


def _climbs_out(directory: str, relative: str) -> bool:
    depth = len([p for p in directory.split("/") if p])
    for part in relative.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False


def _check_fragment(target: Path, fragment: str) -> str | None:
    if not fragment or target.suffix != ".html":
        return None
    if unquote(fragment) in parse_html(target.resolve()).ids:
        return None
    return f"no id {fragment!r} in {target.name}"


def check_tree(root: Path, *, bases: Mapping[str, Path] | None = None,
               exclude: Iterable[Path] = ()) -> list[str]:
    """Problems with every link of every HTML file under `root`, served at `root`."""
    problems: list[str] = []
    for path in html_files(root, exclude):
        problems += check_file(path, root, bases)
    return problems


def links_of(path: Path) -> list[str]:
    """Every link target written in one HTML file, in order."""
    return [url for url, _tag, _line in parse_html(path.resolve()).links]
