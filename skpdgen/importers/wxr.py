"""Read a WordPress eXtended RSS export (WXR 1.0-1.2) as a stream of items.

The file is fed to expat in chunks, so a 200 MB export never sits whole in memory; only one
<item> at a time is kept. It is defused the way defusedxml does it, with expat's own hooks: a
DOCTYPE (the only place entities can be declared) is refused, so neither entity expansion
("billion laughs") nor external entities can happen, and nothing is ever fetched.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

CHUNK = 1 << 16
MAX_ITEM_BYTES = 32 * 1024 * 1024     # one post larger than this is not a real post

# Namespaces of WXR 1.0, 1.1 and 1.2 (the `wp` one changes with the version).
_NS_NAMES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}


class WxrError(Exception):
    """The export cannot be read; `line` is where the problem is, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(slots=True)
class WpItem:
    """One <item>: a post, a page, an attachment or anything else WordPress exports."""

    line: int
    fields: dict[str, str] = field(default_factory=dict)
    categories: list[tuple[str, str, str]] = field(default_factory=list)  # (domain, slug, name)
    meta: dict[str, str] = field(default_factory=dict)
    comments: int = 0

    def get(self, name: str) -> str:
        return self.fields.get(name, "").strip()

    @property
    def post_id(self) -> int:
        try:
            return int(self.get("wp:post_id"))
        except ValueError:
            return 0

    @property
    def post_type(self) -> str:
        return self.get("wp:post_type")

    @property
    def status(self) -> str:
        return self.get("wp:status")


@dataclass(slots=True)
class Channel:
    """What the export says about the site itself (filled as the stream is read)."""

    title: str = ""
    link: str = ""
    base_blog_url: str = ""
    wxr_version: str = ""
    authors: dict[str, str] = field(default_factory=dict)   # login -> display name


def _local(name: str) -> str:
    """'https://wordpress.org/export/1.2/ post_id' -> 'wp:post_id' (any WXR version)."""
    uri, sep, local = name.rpartition(" ")
    if not sep:
        return name
    if "wordpress.org/export/" in uri:
        prefix = "excerpt" if uri.rstrip("/").endswith("excerpt") else "wp"
        return f"{prefix}:{local}"
    return f"{_NS_NAMES.get(uri, uri)}:{local}"


def read_wxr(path: Path, channel: Channel) -> Iterator[WpItem]:
    """Yield every <item> of the export at `path`; `channel` is filled along the way."""
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise WxrError(f"cannot read the export: {exc.strerror}") from None
    with stream:
        yield from _parse(stream, channel)


def _parse(stream: BinaryIO, channel: Channel) -> Iterator[WpItem]:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    ready: list[WpItem] = []
    stack: list[str] = []
    text: list[str] = []
    size = [0]                   # characters in `text`
    roots: list[str] = []        # the document element, once seen
    category: list[tuple[str, str]] = []   # (domain, nicename) of the open <category>
    item_start = [0]             # byte offset where the open <item> began
    state: dict[str, object] = {"item": None, "author": None}

    def refuse(*_args: object) -> None:
        raise WxrError("the export declares a DOCTYPE or entities, which a WordPress export never "
                       "does (refused: it could expand without limit or read other files)",
                       parser.CurrentLineNumber)

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if not stack and not roots:
            roots.append(tag)
            if tag != "rss":
                raise WxrError(f"not a WordPress export: the document is <{tag}>, not <rss>", 1)
        stack.append(tag)
        text.clear()
        size[0] = 0
        if tag == "item" and len(stack) == 3:
            state["item"] = WpItem(parser.CurrentLineNumber)
            item_start[0] = parser.CurrentByteIndex
        elif tag == "category" and state["item"] is not None:
            category[:] = [(attrs.get("domain", "category"), attrs.get("nicename", ""))]
        elif tag == "wp:author" and state["item"] is None:
            state["author"] = {}

    def end(name: str) -> None:
        tag = stack.pop() if stack else _local(name)
        value = "".join(text)
        text.clear()
        size[0] = 0
        item = state["item"]
        if isinstance(item, WpItem):
            if tag == "item":
                ready.append(item)
                state["item"] = None
            elif tag == "category":
                domain, nicename = category.pop() if category else ("category", "")
                item.categories.append((domain, nicename, value.strip()))
            elif tag == "wp:meta_key":
                state["meta_key"] = value.strip()
            elif tag == "wp:meta_value":
                item.meta[str(state.pop("meta_key", ""))] = value
            elif len(stack) == 3:           # a direct child of <item>
                if tag == "wp:comment":
                    item.comments += 1
                else:
                    item.fields[tag] = value
            return
        author = state["author"]
        if isinstance(author, dict):
            if tag == "wp:author":
                login = author.get("wp:author_login", "").strip()
                if login:
                    channel.authors[login] = (author.get("wp:author_display_name", "").strip()
                                              or login)
                state["author"] = None
            else:
                author[tag] = value
            return
        if len(stack) == 2:                 # a direct child of <channel>
            if tag == "title":
                channel.title = value.strip()
            elif tag == "link":
                channel.link = value.strip()
            elif tag == "wp:base_blog_url":
                channel.base_blog_url = value.strip()
            elif tag == "wp:wxr_version":
                channel.wxr_version = value.strip()

    def chars(data: str) -> None:
        if state["item"] is not None or state["author"] is not None or len(stack) == 3:
            text.append(data)
            size[0] += len(data)
            if size[0] > MAX_ITEM_BYTES:
                raise WxrError(f"a text of more than {MAX_ITEM_BYTES // (1024 * 1024)} MB "
                               "(not a real post; is this file damaged?)",
                               parser.CurrentLineNumber)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    while True:
        chunk = stream.read(CHUNK)
        try:
            parser.Parse(chunk, not chunk)
        except expat.ExpatError as exc:
            raise WxrError(f"not a well-formed XML export: {expat.errors.messages[exc.code]}",
                           exc.lineno) from None
        item = state["item"]
        if item is not None and parser.CurrentByteIndex - item_start[0] > MAX_ITEM_BYTES:
            raise WxrError(f"an item is larger than {MAX_ITEM_BYTES // (1024 * 1024)} MB "
                           "(not a real post; is this file damaged?)",
                           item.line if isinstance(item, WpItem) else None)
        yield from ready
        ready.clear()
        if not chunk:
            break
    if not roots:
        raise WxrError("the export is empty", 1)
    if not channel.wxr_version and not channel.base_blog_url:
        raise WxrError("not a WordPress export (no wp:wxr_version): export it from WordPress "
                       "with Tools → Export → All content")
