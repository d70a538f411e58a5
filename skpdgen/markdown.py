"""Markdown to HTML: CommonMark with tables, strikethrough, footnotes, heading ids, admonitions.

Raw HTML is off (`html=False`, escaped and warned), unsafe link schemes are dropped, `.md`
links and image paths are resolved through a LinkResolver that knows the site's pages and
files, and a small safe embed syntax replaces raw iframes:

    ::youtube VIDEO_ID "Title"
    ::map https://www.openstreetmap.org/... "Title"
    ::pdf /files/document.pdf "Title"
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from skpdgen import mdcompare, mdfast, safeurl
from skpdgen.media.markup import picture_html
from skpdgen.urls import slugify

# the target may be <in angle brackets> or contain spaces (a PDF named "Laporan Tahunan.pdf")
_EMBED_RE = re.compile(
    r'::(youtube|map|pdf)[ \t]+(<[^>\n]+>|[^"\s]+(?:[ \t]+[^"\s]+)*?)(?:[ \t]+"([^"]*)")?[ \t]*$')
# [text](my file.pdf) or ![alt](foto saya.jpg): CommonMark does not allow a space in a link
# destination and prints such a link as text; a file name with an extension is what was meant.
_SPACED_DEST = re.compile(
    r'(!?\[[^\]\n]*\]\()[ \t]*([^()<>"\s][^()<>"\n]*?[ \t][^()<>"\n]*?\.[A-Za-z0-9]{2,5})'
    r'((?:[ \t]+"[^"\n]*")?[ \t]*\))')
_UNPARSED_LINK = re.compile(r'\]\([^()\n]*\s[^()\n]*\)')
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{6,20}")
_RAW_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--")
# A link destination (inline, reference definition or autolink) with a scheme that markdown-it
# refuses (it drops the link and shows the text); matched on entity-decoded lines so that
# `java&#115;cript:` is caught too. data:image/... is allowed by markdown-it and left alone.
_UNSAFE_LINK = re.compile(
    r"(?:\]\(\s*<?|^ {0,3}\[[^\]]+\]:\s*<?|<)\s*(javascript|vbscript|data|file):", re.I)
_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
_SAFE_DATA = re.compile(r"data:image/(?:gif|png|jpeg|webp);", re.I)
SUMMARY_LENGTH = 300


class LinkResolver(Protocol):
    """What the Markdown renderer asks of the site model while rendering one page."""

    def page_link(self, target: str, line: int) -> str | None:
        """New href for a link to a `.md` file or a `/site/path`, None (reported) if missing."""

    def file_link(self, target: str, line: int, what: str) -> str | None:
        """Relative href of a file (image, pdf) or None (reported) if it does not exist."""

    def file_size(self, target: str) -> int | None:
        """Size in bytes of a file the page links, when known."""

    def warn(self, line: int, message: str, hint: str | None = None) -> None:
        """Report a warning at `line` of the content file."""


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    first_paragraph: str
    toc: tuple[Heading, ...] = ()
    anchors: frozenset[str] = field(default_factory=frozenset)


class Parser(MarkdownIt):
    """markdown-it-py configured for skpdgen, with the fast engine beside it (None: off).

    `render` parses a body with the fast engine (skpdgen/mdfast.py, markdown-it-pyrs) and
    falls back to markdown-it-py for what that does not reproduce exactly; `fallbacks`
    counts those bodies by reason, `fast` the others.
    """

    def __init__(self, engine: str) -> None:
        super().__init__("commonmark", {"html": False, "linkify": False, "typographer": False})
        self.fast_parser = mdfast.new_parser() if engine in ("fast", "compare") else None
        self.footnote_parser = mdfast.new_footnote_parser()
        self.compare = engine == "compare"
        self.fast = 0
        self.fallbacks: Counter[str] = Counter()


ENGINES = ("fast", "py", "compare")


def make_parser(engine: str | None = None) -> MarkdownIt:
    """One configured parser; reusable for every page of a build.

    engine (default: $SKPDGEN_MARKDOWN, else "fast"): "fast" renders with markdown-it-pyrs
    where that gives the same result, "py" with markdown-it-py only (the reference), "compare"
    renders every body both ways and raises EnginesDiffer on any difference (a check for
    developers: `SKPDGEN_MARKDOWN=compare skpdgen build`).
    """
    engine = engine or os.environ.get("SKPDGEN_MARKDOWN") or "fast"
    md = Parser(engine if engine in ENGINES else "fast")
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(admon_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=lambda s: slugify(s) or "bagian")
    md.block.ruler.before("paragraph", "embed", _embed_rule)
    md.add_render_rule("embed", _render_embed)
    md.add_render_rule("image", _render_image)
    return md


def _picture(resolver: LinkResolver, src: str) -> Any:
    """The resolver's <picture> sources for a body image (resolvers without them: None)."""
    picture = getattr(resolver, "picture", None)
    return picture(src) if picture is not None else None


def _render_image(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """A processed image as <picture> with srcset, width and height; others as <img>."""
    token = tokens[idx]
    found = token.meta.get("picture")
    if not found:
        token.attrSet("decoding", "async")
        return str(self.image(tokens, idx, options, env))
    data, prefix = found
    alt = self.renderInlineAsText(token.children or [], options, env)
    title = token.attrGet("title")
    return picture_html(data, prefix, alt, title=str(title) if title else None)


def _embed_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    pos = state.bMarks[start] + state.tShift[start]
    line = state.src[pos: state.eMarks[start]]
    if not line.startswith("::"):
        return False
    m = _EMBED_RE.match(line)
    if not m:
        return False
    if silent:
        return True
    token = state.push("embed", "", 0)
    token.map = [start, start + 1]
    token.info = m.group(1)
    token.attrs = {"src": m.group(2).removeprefix("<").removesuffix(">").strip(),
                   "title": m.group(3) or ""}
    state.line = start + 1
    return True


def _render_embed(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    kind = token.info
    src = str(token.attrGet("src") or "")
    title = html.escape(str(token.attrGet("title") or ""))
    esc = html.escape(src)
    if kind == "youtube":
        label = title or "Video"
        return (f'<figure class="embed embed-video"><a class="embed-link" '
                f'href="https://www.youtube.com/watch?v={esc}" data-youtube="{esc}">'
                f'<span class="embed-kind">YouTube</span> {label}</a></figure>\n')
    if kind == "map":
        label = title or "Peta"
        return (f'<figure class="embed embed-map"><a class="embed-link" href="{esc}">'
                f'<span class="embed-kind">Peta</span> {label}</a></figure>\n')
    label = title or html.escape(unquote(src.rsplit("/", 1)[-1]))
    size = token.meta.get("size")
    size_text = f' <span class="embed-size">({_human_size(size)})</span>' if size else ""
    return (f'<figure class="embed embed-pdf"><a class="embed-link" href="{esc}" download>'
            f'<span class="embed-kind">PDF</span> {label}{size_text}</a></figure>\n')


def _human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1000))} KB"


def render(md: MarkdownIt, body: str, body_line: int, resolver: LinkResolver) -> Rendered:
    """Render one page body; every problem goes to the resolver with its file line."""
    _warn_unsafe_links(body, body_line, resolver)
    body = _bracket_spaced_destinations(body)
    if isinstance(md, Parser) and md.compare:
        return mdcompare.compared(md, body, body_line, resolver, _render_body, _render_py)
    return _render_body(md, body, body_line, resolver)


def _render_body(md: MarkdownIt, body: str, body_line: int, resolver: LinkResolver
                 ) -> Rendered:
    """The fast engine where it applies, else markdown-it-py."""
    fast = md.fast_parser if isinstance(md, Parser) else None
    if fast is not None:
        assert isinstance(md, Parser)
        walk = mdfast.walk(fast, md.footnote_parser, body, body_line)
        if not isinstance(walk, str):
            md.fast += 1
            html_out = mdfast.finish(walk, resolver)
            toc = tuple(Heading(level, anchor, title) for level, anchor, title in walk.toc)
            anchors = {h.id for h in toc}
            if 'id="fn' in html_out:
                anchors.update(re.findall(r'id="(fn[^"]*)"', html_out))
            return Rendered(html_out, walk.first_paragraph, toc, frozenset(anchors))
        md.fallbacks[walk] += 1
    return _render_py(md, body, body_line, resolver)


def _render_py(md: MarkdownIt, body: str, body_line: int, resolver: LinkResolver) -> Rendered:
    """markdown-it-py's rendering: the reference."""
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    toc: list[Heading] = []
    anchors: set[str] = set()
    first_paragraph = ""
    block_line = body_line
    for i, token in enumerate(tokens):
        if token.map:
            block_line = body_line + token.map[0]
        if token.type == "heading_open" and token.attrGet("id"):  # h1 has no anchor
            anchor = str(token.attrGet("id"))
            anchors.add(anchor)
            title = tokens[i + 1].content if i + 1 < len(tokens) else ""
            toc.append(Heading(int(token.tag[1]), anchor, title))
        elif token.type == "paragraph_open" and not first_paragraph and i + 1 < len(tokens):
            first_paragraph = _plain_text(tokens[i + 1])
        elif token.type in ("th_open", "td_open") and token.attrGet("style"):
            # markdown-it aligns cells with style="", which a strict CSP blocks: use a class
            align = str(token.attrGet("style")).removeprefix("text-align:")
            token.attrs.pop("style", None)
            token.attrSet("class", f"align-{align}")
        elif token.type == "embed":
            _resolve_embed(token, block_line, resolver)
        elif token.type == "inline" and token.children:
            _resolve_inline(token.children, block_line, resolver)
        elif token.type == "footnote_anchor" or token.type == "footnote_ref":
            pass
    html_out = md.renderer.render(tokens, md.options, env)
    for fid in re.findall(r'id="(fn[^"]*)"', html_out):
        anchors.add(fid)
    return Rendered(html_out, first_paragraph, tuple(toc), frozenset(anchors))


def _warn_unsafe_links(body: str, body_line: int, resolver: LinkResolver) -> None:
    if "&" not in body and body.isascii():      # entities need "&"; re.I folds some non-ASCII
        lower = body.lower()
        if not any(scheme in lower for scheme in _UNSAFE_SCHEMES):
            return      # no line can spell an unsafe scheme
    for number, text in enumerate(body.split("\n")):
        decoded = html.unescape(text)
        for m in _UNSAFE_LINK.finditer(decoded):
            if _SAFE_DATA.match(decoded, m.start(1)):
                continue
            resolver.warn(body_line + number,
                          f"a '{m.group(1).lower()}:' link was removed: this kind of link is unsafe",
                          "link to an https:// address")


def _bracket_spaced_destinations(body: str) -> str:
    """`[a](my file.pdf)` -> `[a](<my file.pdf>)`, outside fenced code: names with spaces work."""
    if "](" not in body:
        return body
    lines = body.split("\n")
    fenced = False
    for number, text in enumerate(lines):
        if _FENCE.match(text):
            fenced = not fenced
        elif not fenced and "](" in text:
            lines[number] = _SPACED_DEST.sub(_bracket, text)
    return "\n".join(lines)


def _bracket(m: re.Match[str]) -> str:
    if _is_external(m.group(2)):
        return m.group(0)
    return f"{m.group(1)}<{m.group(2).strip()}>{m.group(3)}"


def _resolve_embed(token: Token, line: int, resolver: LinkResolver) -> None:
    src = str(token.attrGet("src") or "")
    if token.info == "youtube":
        video = _youtube_id(src)
        if video is None:
            resolver.warn(line, f"'{src}' is not a YouTube video id or link",
                          "use ::youtube VIDEO_ID, e.g. ::youtube dQw4w9WgXcQ")
            token.type, token.content = "html_block", ""
            return
        token.attrSet("src", video)
    elif token.info == "map":
        if safeurl.web_address_problem(src):
            resolver.warn(line, f"map link '{src}' must start with https://")
            token.type, token.content = "html_block", ""
    else:
        href = resolver.file_link(src, line, "PDF")
        if href is None:
            token.type, token.content = "html_block", ""
            return
        token.meta["size"] = resolver.file_size(src)
        token.attrSet("src", _quote(href))


def _youtube_id(src: str) -> str | None:
    if _YOUTUBE_ID.fullmatch(src):
        return src
    parts = safeurl.split(src)
    if parts is None:
        return None
    if parts.netloc.endswith("youtu.be"):
        candidate = parts.path.strip("/")
    elif "youtube" in parts.netloc:
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        candidate = query.get("v", parts.path.rsplit("/", 1)[-1])
    else:
        return None
    return candidate if _YOUTUBE_ID.fullmatch(candidate) else None


def _resolve_inline(children: list[Token], line: int, resolver: LinkResolver) -> None:
    offset = 0
    for child in children:
        child_line = line + offset
        if child.type in ("softbreak", "hardbreak"):
            offset += 1
        elif child.type == "text" and _RAW_HTML.search(child.content):
            resolver.warn(child_line, "raw HTML is not allowed and is shown as text",
                          "use Markdown, or ::youtube / ::map / ::pdf for embeds")
        elif child.type == "text" and _UNPARSED_LINK.search(child.content):
            resolver.warn(child_line, "a link or image with a space in its address is shown "
                          "as text", "write the address between < and >: [text](<my file.pdf>)"
                          ", or rename the file without spaces")
        elif child.type == "link_open":
            href = str(child.attrGet("href") or "")
            if safeurl.split(href) is None:
                resolver.warn(child_line, f"link '{href}' is not a valid address and was removed",
                              "check its brackets and spelling, e.g. https://contoh.go.id/")
                child.attrs.pop("href", None)
                continue
            new = _resolve_href(href, child_line, resolver)
            if new is not None:
                child.attrSet("href", _quote(new))
        elif child.type == "image":
            src = str(child.attrGet("src") or "")
            if safeurl.split(src) is None:
                resolver.warn(child_line, f"image '{src}' is not a valid address",
                              "check its brackets and spelling")
                child.attrSet("src", "")
            elif not _is_external(src):
                new_src = resolver.file_link(unquote(src), child_line, "image")
                if new_src is not None:
                    child.attrSet("src", _quote(new_src))
                    child.meta["picture"] = _picture(resolver, unquote(src))
                child.attrSet("loading", "lazy")
            if not child.content.strip():
                resolver.warn(child_line, "image has no description (alt text)",
                              "write it between the brackets: ![description](photo.jpg)")


def _link_open(href: str, title: str | None, line: int, resolver: LinkResolver) -> str:
    """The fast engine's `<a ...>` for a link: the same checks and resolution as above."""
    title_attr = f' title="{escapeHtml(title)}"' if title else ""
    if safeurl.split(href) is None:
        resolver.warn(line, f"link '{href}' is not a valid address and was removed",
                      "check its brackets and spelling, e.g. https://contoh.go.id/")
        return f"<a{title_attr}>"
    new = _resolve_href(href, line, resolver)
    if new is not None:
        href = _quote(new)
    return f'<a href="{escapeHtml(href)}"{title_attr}>'


def _image_html(src: str, alt: str, title: str | None, empty_alt: bool, line: int,
                resolver: LinkResolver) -> str:
    """The fast engine's image: the same checks and resolution as `_resolve_inline`."""
    found = None
    lazy = ""
    if safeurl.split(src) is None:
        resolver.warn(line, f"image '{src}' is not a valid address",
                      "check its brackets and spelling")
        src = ""
    elif not _is_external(src):
        new_src = resolver.file_link(unquote(src), line, "image")
        if new_src is not None:
            found = _picture(resolver, unquote(src))
            src = _quote(new_src)
        lazy = ' loading="lazy"'
    if empty_alt:
        resolver.warn(line, "image has no description (alt text)",
                      "write it between the brackets: ![description](photo.jpg)")
    if found:
        data, prefix = found
        return picture_html(data, prefix, alt, title=title or None)
    title_attr = f' title="{escapeHtml(title)}"' if title else ""
    return (f'<img src="{escapeHtml(src)}" alt="{escapeHtml(alt)}"{title_attr}{lazy}'
            ' decoding="async" />')


def _embed_html(kind: str, src: str, title: str, line: int, resolver: LinkResolver) -> str:
    """The fast engine's embed: the same token through `_resolve_embed` and `_render_embed`."""
    token = Token("embed", "", 0, info=kind, attrs={"src": src, "title": title})
    _resolve_embed(token, line, resolver)
    if token.type != "embed":
        return ""
    return _render_embed(None, [token], 0, None, None)


def _is_external(href: str) -> bool:
    return bool(urlsplit(href).scheme) or href.startswith("//")


def _quote(href: str) -> str:
    """A resolved href as a valid URL: spaces and other unsafe characters percent-encoded."""
    return quote(href, safe="/#?&=:@!$'()*+,;~%")


def _resolve_href(href: str, line: int, resolver: LinkResolver) -> str | None:
    if not href or href.startswith("#") or _is_external(href):
        return None
    href = unquote(href)
    path = href.split("#", 1)[0]
    if path.endswith(".md"):
        return resolver.page_link(href, line)
    if "." in path.rsplit("/", 1)[-1]:
        return resolver.file_link(href, line, "file")
    if path.startswith("/"):
        return resolver.page_link(href, line)
    return None


def _plain_text(inline: Token) -> str:
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return summary_of(parts)


def summary_of(parts: list[str]) -> str:
    """A page's first-paragraph summary from its text parts: one line, cut at a word."""
    text = " ".join("".join(parts).split())
    if len(text) > SUMMARY_LENGTH:
        text = text[:SUMMARY_LENGTH].rsplit(" ", 1)[0] + "…"
    return text
