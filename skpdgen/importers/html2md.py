"""WordPress post HTML to skpdgen Markdown, faithfully and safely.

What a post says survives (headings, lists, tables, links, images with alt text, captions,
quotes, code, YouTube embeds); what a post should not carry is dropped (scripts, styles, forms,
iframes other than known embeds, inline styles, tracking pixels and parameters, Gutenberg block
comments). The output never contains raw HTML: every character that Markdown would read as
markup, and every `<`, is escaped, so the build never has to escape and warn.

Classic-editor posts are text with blank lines between paragraphs (WordPress's `wpautop` makes
the <p>s when it shows the post); that is handled the same way here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from skpdgen.importers.spam import is_spam_url

BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "aside", "header", "footer", "main", "nav", "figure",
    "figcaption", "blockquote", "pre", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead",
    "tbody", "tfoot", "tr", "td", "th", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "address", "center", "details", "summary", "skpd-embed", "skpd-gallery", "video", "audio",
})
DROPPED_TAGS = frozenset({
    "script", "style", "noscript", "template", "form", "input", "button", "select", "textarea",
    "option", "svg", "math", "canvas", "object", "applet", "head", "title", "meta", "link",
    "base", "frame", "frameset", "map", "area",
})
INLINE_TAGS = frozenset({
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "br", "cite", "code", "data", "del", "dfn",
    "em", "font", "i", "iframe", "img", "ins", "kbd", "label", "mark", "nobr", "q", "s", "samp",
    "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr", "source",
    "embed", "picture",
})
VOID_TAGS = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "track", "wbr",
                       "embed", "col", "param", "area", "base"})
TRACKING_PARAMS = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_[a-z]+|_ga|yclid)$", re.I)
TRACKING_HOSTS = ("google-analytics.com", "googletagmanager.com", "facebook.com/tr",
                  "doubleclick.net", "pixel.wp.com", "stats.wp.com", "quantserve.com")
_YOUTUBE = re.compile(
    r"(?:youtube(?:-nocookie)?\.com/(?:watch\?(?:.*&)?v=|embed/|shorts/|v/)|youtu\.be/)"
    r"([A-Za-z0-9_-]{6,20})")
_SHORTCODE = re.compile(r"\[(/?)([a-zA-Z][\w-]*)((?:\s[^\]]*)?)\]")
_ATTR = re.compile(r'([\w-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
_TAG_LIKE = re.compile(r"(</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>`]*)?/?>|<!--)")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")
# what makes a line start a block: a heading, quote, list item, setext line or an embed
_LINE_START = re.compile(r"^(\s*)([#+-](?=\s|$)|>|=+(?=\s*$)|::|\d+(?=[.)](?:\s|$)))", re.M)


@dataclass(slots=True)
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)


@dataclass(slots=True)
class Findings:
    """What a conversion noticed and a person may want to look at."""

    spam_links: list[str] = field(default_factory=list)
    shortcodes: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)       # iframes/scripts/forms removed
    images_without_alt: int = 0


@dataclass(frozen=True, slots=True)
class Hooks:
    """How URLs of the old site become URLs of the new one (given by the importer)."""

    image: Callable[[str], str | None]        # an image URL -> new path, None: not available
    link: Callable[[str], str]                # a link URL -> new URL or path
    internal: Callable[[str], bool]           # a link to the old site itself
    gallery: Callable[[str], list[tuple[str, str]]]   # "1,2,3" -> [(image url, alt)]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag in DROPPED_TAGS and tag not in VOID_TAGS:
                self.skip += 1
            return
        if tag in DROPPED_TAGS:
            if tag not in VOID_TAGS:
                self.skip = 1
            self.root.attrs["dropped"] = self.root.attrs.get("dropped", "") + tag + " "
            return
        if tag not in BLOCK_TAGS and tag not in INLINE_TAGS:
            return                      # an unknown tag (<kode>, <o:p>): its text stays
        if tag == "p":                  # a <p> closes an open <p>, as browsers do
            self._close_to("p", stop_at_block=True)
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and not self.skip and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag in DROPPED_TAGS:
                self.skip -= 1
            return
        if tag in BLOCK_TAGS or tag in INLINE_TAGS:
            self._close_to(tag)

    def _close_to(self, tag: str, stop_at_block: bool = False) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            current = self.stack[i].tag
            if current == tag:
                del self.stack[i:]
                return
            if stop_at_block and current in BLOCK_TAGS:
                return

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.stack[-1].children.append(data)


def convert(source: str, hooks: Hooks, findings: Findings) -> str:
    """The Markdown for one post's HTML (`content:encoded`)."""
    text = _shortcodes(_CONTROL.sub("", source), findings)
    text = _bare_embeds(text)
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    findings.dropped.extend(builder.root.attrs.pop("dropped", "").split())
    writer = _Writer(hooks, findings)
    blocks = writer.blocks(builder.root.children)
    return "\n\n".join(b for b in blocks if b.strip()).strip() + "\n"


def plain_text(source: str) -> str:
    """The text of an HTML fragment in one line (summaries, captions, titles)."""
    builder = _TreeBuilder()
    builder.feed(_shortcodes(_CONTROL.sub("", source), Findings()))
    builder.close()
    return " ".join(_text_of(builder.root).split())


_SPACES = re.compile(r"[ \t]{2,}|\t")
_SPACED_NEWLINE = re.compile(r" +\n *|\n +")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\ufeff]")


def _text_of(node: Node | str) -> str:
    if isinstance(node, str):
        return node
    if node.tag == "br":
        return " "
    return "".join(_text_of(c) for c in node.children)


# --- shortcodes and bare embed URLs --------------------------------------------------------

def _attrs(raw: str) -> dict[str, str]:
    return {m.group(1).lower(): next(v for v in m.groups()[1:] if v is not None)
            for m in _ATTR.finditer(raw)}


def _shortcodes(text: str, findings: Findings) -> str:
    """[caption], [gallery], [embed], [youtube], [video], [audio] become markup; others go."""

    def caption(m: re.Match[str]) -> str:
        body = m.group(2)
        img = re.search(r"<img\b[^>]*>", body)
        linked = re.search(r"<a\b[^>]*>\s*<img\b[^>]*>\s*</a>", body)
        found = linked or img
        figure = found.group(0) if found else ""
        rest = body.replace(figure, "", 1) if figure else body
        return f"<figure>{figure}<figcaption>{rest.strip()}</figcaption></figure>"

    text = re.sub(r"\[caption\b([^\]]*)\](.*?)\[/caption\]", caption, text, flags=re.S | re.I)
    text = re.sub(r"\[embed\b[^\]]*\]\s*(\S+?)\s*\[/embed\]",
                  lambda m: f'<skpd-embed src="{html.escape(m.group(1))}"></skpd-embed>', text,
                  flags=re.I)
    text = re.sub(r"\[youtube[= ]\s*([^\]\s]+)[^\]]*\]",
                  lambda m: f'<skpd-embed src="{html.escape(m.group(1))}"></skpd-embed>', text,
                  flags=re.I)
    text = re.sub(r"\[(video|audio)\b([^\]]*)\](?:\s*\[/\1\])?",
                  lambda m: _media_shortcode(m.group(1), _attrs(m.group(2))), text, flags=re.I)
    text = re.sub(r"\[gallery\b([^\]]*)\]",
                  lambda m: f'<skpd-gallery ids="{html.escape(_attrs(m.group(1)).get("ids", ""))}">'
                            "</skpd-gallery>", text, flags=re.I)

    def other(m: re.Match[str]) -> str:
        name = m.group(2).lower()
        if not m.group(1):
            findings.shortcodes.append(name)
        return ""

    return _SHORTCODE.sub(lambda m: other(m) if _looks_like_shortcode(m) else m.group(0), text)


def _looks_like_shortcode(m: re.Match[str]) -> bool:
    """[foo] or [foo bar="1"] written by a plugin, not [1] or [sic] in prose."""
    name = m.group(2)
    return bool(m.group(1) or m.group(3).strip() and "=" in m.group(3)
                or "_" in name or "-" in name or name.lower() in _KNOWN_SHORTCODES)


_KNOWN_SHORTCODES = frozenset({
    "contact-form-7", "contact-form", "wpforms", "gravityform", "pdf-embedder", "wpdm_package",
    "table", "su_button", "vc_row", "vc_column", "vc_column_text", "et_pb_section", "playlist",
    "audio", "video", "soundcloud", "googlemaps", "download", "button", "tabs", "tab", "accordion",
    "toggle", "spoiler", "quote", "columns", "column", "row", "slider", "wp_ulike", "fts",
    "instagram-feed", "custom-facebook-feed", "archives", "sitemap", "recent_posts",
})


def _media_shortcode(kind: str, attrs: dict[str, str]) -> str:
    src = attrs.get("src") or attrs.get("mp4") or attrs.get("mp3") or attrs.get("ogg") or ""
    return f'<{kind} src="{html.escape(src)}"></{kind}>' if src else ""


def _bare_embeds(text: str) -> str:
    """A YouTube URL alone on a line is an embed in WordPress (oEmbed)."""
    if "youtu" not in text:
        return text
    return re.sub(r"(?m)^[ \t]*(https?://(?:www\.|m\.)?(?:youtube\.com|youtu\.be)/\S+)[ \t]*$",
                  lambda m: f'<skpd-embed src="{html.escape(m.group(1))}"></skpd-embed>', text)


# --- Markdown writer -------------------------------------------------------------------------

class _Writer:
    def __init__(self, hooks: Hooks, findings: Findings) -> None:
        self.hooks = hooks
        self.findings = findings

    # blocks -------------------------------------------------------------------------------

    def blocks(self, children: list[Node | str]) -> list[str]:
        """Block-level Markdown for a list of nodes; inline runs become paragraphs."""
        out: list[str] = []
        run: list[Node | str] = []
        for child in children:
            if isinstance(child, Node) and (child.tag in BLOCK_TAGS or self._is_block_image(child)):
                out.extend(self._paragraphs(run))
                run = []
                out.extend(self.block(child))
            else:
                run.append(child)
        out.extend(self._paragraphs(run))
        return out

    def _is_block_image(self, node: Node) -> bool:
        return node.tag == "img" or (node.tag == "a" and _only_image(node) is not None)

    def _paragraphs(self, run: list[Node | str]) -> list[str]:
        """An inline run; blank lines in text split it into paragraphs (wpautop)."""
        if not run:
            return []
        text = self.inline(run, autop=True)
        paragraphs = [_trim_breaks(p) for p in re.split(r"\n[ \t]*\n", text)]
        return [p for p in paragraphs if p]

    def block(self, node: Node) -> list[str]:
        tag = node.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = max(2, int(tag[1]))
            text = self.inline(node.children).replace("\n", " ").strip()
            return [f"{'#' * level} {text}"] if text else []
        if tag == "p" or tag in ("address", "center", "summary", "dt", "caption"):
            return self._paragraphs(node.children)
        if tag in ("ul", "ol"):
            return [self._list(node)]
        if tag == "blockquote":
            inner = "\n\n".join(self.blocks(node.children))
            return ["\n".join("> " + line if line else ">" for line in inner.split("\n"))] \
                if inner.strip() else []
        if tag == "pre":
            code = _text_of(node).strip("\n")
            fence = "~~~~" if "```" in code else "```"
            return [f"{fence}\n{code}\n{fence}"]
        if tag == "hr":
            return ["---"]
        if tag == "table":
            return self._table(node)
        if tag == "figure":
            return self._figure(node)
        if tag == "figcaption":
            text = self.inline(node.children).strip()
            return [f"*{text}*"] if text else []
        if tag == "img" or tag == "a":
            image = node if tag == "img" else _only_image(node)
            return [self._image(image)] if image is not None and self._image(image) else []
        if tag == "skpd-embed":
            return self._embed(node.attrs.get("src", ""))
        if tag == "skpd-gallery":
            images = self.hooks.gallery(node.attrs.get("ids", ""))
            return [md for url, alt in images if (md := self._image(Node("img", {"src": url, "alt": alt})))]
        if tag in ("video", "audio"):
            src = node.attrs.get("src") or next(
                (c.attrs.get("src", "") for c in node.children
                 if isinstance(c, Node) and c.tag == "source"), "")
            if not src:
                return []
            embed = self._embed(src)
            if embed:
                return embed
            url = self.hooks.link(src)
            label = "Video" if tag == "video" else "Audio"
            return [f"[{label}: {_escape(url.rsplit('/', 1)[-1])}]({_dest(url)})"]
        if tag == "dl":
            out = []
            for child in node.children:
                if isinstance(child, Node) and child.tag == "dt":
                    out.append(f"**{self.inline(child.children).strip()}**")
                elif isinstance(child, Node):
                    out.extend(self.blocks(child.children))
            return out
        return self.blocks(node.children)

    def _list(self, node: Node, depth: int = 0) -> str:
        ordered = node.tag == "ol"
        lines: list[str] = []
        number = int(node.attrs.get("start", "1") or 1) if ordered else 0
        for child in node.children:
            if not isinstance(child, Node) or child.tag != "li":
                continue
            marker = f"{number}." if ordered else "-"
            number += 1
            pad = " " * (len(marker) + 1)
            parts: list[str] = []
            nested: list[str] = []
            inline: list[Node | str] = []
            for sub in child.children:
                if isinstance(sub, Node) and sub.tag in ("ul", "ol"):
                    nested.append(self._list(sub, depth + 1))
                elif isinstance(sub, Node) and sub.tag in BLOCK_TAGS:
                    if inline:
                        parts.append(self.inline(inline).strip())
                        inline = []
                    parts.extend(self.blocks([sub]))
                else:
                    inline.append(sub)
            if inline:
                parts.append(self.inline(inline).strip())
            body = "\n\n".join(p for p in parts if p) or ""
            body_lines = body.split("\n")
            text = marker + " " + body_lines[0] if body_lines[0] else marker
            lines.append(text + "".join("\n" + (pad + ln if ln else "") for ln in body_lines[1:]))
            for sub_list in nested:
                lines.append("\n".join(pad + ln if ln else "" for ln in sub_list.split("\n")))
        return "\n".join(lines)

    def _table(self, node: Node) -> list[str]:
        rows: list[tuple[bool, list[str]]] = []

        def collect(n: Node) -> None:
            for child in n.children:
                if not isinstance(child, Node):
                    continue
                if child.tag == "tr":
                    cells = [c for c in child.children if isinstance(c, Node) and c.tag in ("td", "th")]
                    header = bool(cells) and all(c.tag == "th" for c in cells) or n.tag == "thead"
                    rows.append((header, [self._cell(c) for c in cells]))
                elif child.tag in ("thead", "tbody", "tfoot"):
                    collect(child)

        collect(node)
        rows = [r for r in rows if r[1]]
        if not rows:
            return []
        width = max(len(cells) for _, cells in rows)
        if rows[0][0]:
            head, body = rows[0][1], [cells for _, cells in rows[1:]]
        else:
            head, body = [""] * width, [cells for _, cells in rows]
        lines = ["| " + " | ".join(_pad(head, width)) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(_pad(cells, width)) + " |" for cells in body]
        caption = next((c for c in node.children if isinstance(c, Node) and c.tag == "caption"), None)
        out = ["\n".join(lines)]
        if caption is not None and (text := self.inline(caption.children).strip()):
            out.insert(0, f"**{text}**")
        return out

    def _cell(self, cell: Node) -> str:
        text = "<br>".join(self.blocks(cell.children)) if _has_blocks(cell) else self.inline(cell.children)
        text = " ".join(text.replace("<br>", " ").split())
        return text

    def _figure(self, node: Node) -> list[str]:
        out: list[str] = []
        for child in node.children:
            if isinstance(child, Node) and child.tag == "figcaption":
                text = self.inline(child.children).strip()
                if text:
                    out.append(f"*{text}*")
            elif isinstance(child, Node):
                out.extend(self.blocks([child]))
            elif child.strip():
                out.extend(self._paragraphs([child]))
        return out

    def _embed(self, src: str) -> list[str]:
        m = _YOUTUBE.search(src)
        if m:
            return [f"::youtube {m.group(1)}"]
        if src.startswith(("http://", "https://")):
            url = self.hooks.link(src)
            return [f"<{url}>" if _autolink_safe(url) else f"[{_escape(url)}]({_dest(url)})"]
        return []

    def _image(self, node: Node) -> str:
        src = node.attrs.get("src", "")
        if not src or _is_tracking(src, node):
            return ""
        alt = " ".join((node.attrs.get("alt") or node.attrs.get("title") or "").split())
        new = self.hooks.image(src)
        if new is None:          # not in the uploads copy: keep a link to the old file
            label = alt or src.rsplit("/", 1)[-1]
            return f"[{_escape('Gambar: ' + label)}]({_dest(src)})"
        if not alt:
            self.findings.images_without_alt += 1
        return f"![{_escape(alt)}]({_dest(new)})"

    # inline -------------------------------------------------------------------------------

    def inline(self, children: list[Node | str], autop: bool = False) -> str:
        parts = [self._inline(c, autop) for c in children]
        text = "".join(parts)
        # collapse runs of spaces, keep the paragraph breaks that autop produced (the patterns
        # match only what changes: a single space stays, which keeps long posts fast)
        text = _SPACES.sub(" ", text)
        return _SPACED_NEWLINE.sub("\n", text) if "\n" in text else text

    def _inline(self, node: Node | str, autop: bool) -> str:
        if isinstance(node, str):
            if autop:
                # wpautop: blank line -> paragraph; single newline -> line break
                paragraphs = re.split(r"\n[ \t]*\n", node)
                paragraphs = [re.sub(r"[ \t]*\n[ \t]*", "\x01", p) for p in paragraphs]
                return "\n\n".join(_escape(p).replace("\x01", "\\\n") for p in paragraphs)
            return _escape(re.sub(r"\s+", " ", node))
        tag = node.tag

        def inner() -> str:
            return "".join(self._inline(c, False) for c in node.children)

        if tag == "br":
            return "\\\n"
        if tag in ("strong", "b"):
            return _wrap(inner(), "**")
        if tag in ("em", "i", "cite", "dfn"):
            return _wrap(inner(), "*")
        if tag in ("del", "s", "strike"):
            return _wrap(inner(), "~~")
        if tag in ("code", "kbd", "samp", "tt"):
            code = _text_of(node)
            if not code.strip():
                return ""
            ticks = "``" if "`" in code else "`"
            return f"{ticks}{code}{ticks}" if ticks == "`" else f"`` {code} ``"
        if tag == "a":
            return self._link(node, inner())
        if tag == "img":
            return self._image(node)
        if tag == "iframe":
            src = node.attrs.get("src", "")
            if _YOUTUBE.search(src):
                return "\n\n" + self._embed(src)[0] + "\n\n"
            self.findings.dropped.append("iframe")
            return ""
        if tag == "embed":
            return ""
        if tag in BLOCK_TAGS:   # a block inside an inline context: flatten it
            return " " + inner() + " "
        return inner()          # span, font, u, sup, sub, abbr, mark, small, …

    def _link(self, node: Node, text: str) -> str:
        href = html.unescape(node.attrs.get("href", "")).strip()
        if not text.strip():
            return ""
        if not href or href.startswith("#"):
            return text
        scheme = urlsplit(href).scheme.lower()
        if scheme and scheme not in ("http", "https", "mailto", "tel"):
            return text        # javascript:, data:, … never reach the page
        if not self.hooks.internal(href) and is_spam_url(href):
            self.findings.spam_links.append(href)
            return ""
        url = self.hooks.link(_strip_tracking(href))
        return f"[{text.strip()}]({_dest(url)})"


def _trim_breaks(paragraph: str) -> str:
    """No hard line break at the start or end of a paragraph, nor on a line of its own."""
    lines = [ln for ln in paragraph.strip().split("\n") if ln.strip() not in ("\\", "")]
    if lines:
        lines[-1] = lines[-1].rstrip().removesuffix("\\").rstrip()
    return "\n".join(lines).strip()


def _only_image(node: Node) -> Node | None:
    """The <img> of an <a> that holds nothing else (a thumbnail linking to the full image)."""
    content = [c for c in node.children if not (isinstance(c, str) and not c.strip())]
    if len(content) == 1 and isinstance(content[0], Node) and content[0].tag == "img":
        return content[0]
    return None


def _has_blocks(node: Node) -> bool:
    return any(isinstance(c, Node) and c.tag in BLOCK_TAGS for c in node.children)


def _pad(cells: list[str], width: int) -> list[str]:
    return cells + [""] * (width - len(cells))


def _wrap(text: str, mark: str) -> str:
    stripped = text.strip()
    if not stripped:
        return text
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _escape(text: str) -> str:
    """Text that Markdown shows as it is: no markup, no raw HTML, no entity. A literal tag in
    the text (a post about <table>) becomes a code span, which is how it reads anyway and what
    the build's raw-HTML warning leaves alone."""
    parts = _TAG_LIKE.split(text)
    text = "".join(f"`{part}`" if i % 2 else _MD_SPECIAL.sub(r"\\\1", part)
                   for i, part in enumerate(parts))
    return _LINE_START.sub(
        lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit() else "\\" + m.group(2)),
        text)


def _dest(url: str) -> str:
    """A link destination: angle brackets when it has spaces or parentheses."""
    if re.search(r"[\s()<>]", url):
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


def _autolink_safe(url: str) -> bool:
    return not re.search(r"[\s<>]", url)


def _strip_tracking(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _is_tracking(src: str, node: Node) -> bool:
    if any(host in src for host in TRACKING_HOSTS):
        return True
    return node.attrs.get("width") == "1" and node.attrs.get("height") == "1"
