"""The fast Markdown engine: markdown-it-pyrs (Rust) parses, this module walks its syntax tree.

It produces exactly what skpdgen.markdown's markdown-it-py engine produces (HTML, first
paragraph, table of contents, anchors and every diagnostic with its line), which
tests/test_markdown_engine.py checks on every body of the demo, the fixtures, the WordPress
import and a stress set. The walk is pure: links, images, embeds and warnings are queued as
operations and only run against the resolver once the whole body was rendered, so a body the
walk cannot reproduce exactly is handed back (walk returns the reason) before anything was
reported, and markdown.render renders it with markdown-it-py instead. Handed back: inline
footnotes (`^[...]`), international domain names in links (markdown-it-py writes them as
punycode), lazy continuation lines in lists and quotes, tables right after them or with rows
that look like other blocks, fences left open at the very end, admonitions and footnote
definitions other than at the left margin after a blank line (those are handled: admonitions
are cut out of the body and their content parsed on its own, see skpdgen/mdsplit.py).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import markdown_it_pyrs
import mdit_py_plugins.admon.index as admon_index
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from skpdgen import markdown
from skpdgen.mdsplit import Admonition, HandBack, check_footnote_definitions, split_admonitions
from skpdgen.urls import slugify

if TYPE_CHECKING:
    from skpdgen.markdown import LinkResolver

RULES: list[Any] = [
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph",
    "reference", "autolink", "backticks", "emphasis", "entity", "escape", "image", "link",
    "newline", "table", "strikethrough"]

# what markdown-it-pyrs does not do the way our markdown-it-py parser does
_HANDED_BACK = re.compile(
    r"(?P<inline_footnote>\^\[)"
    r"|(?P<international_domain>//[^\s/?#)>\"'\]]*[^\x00-\x7f]|mailto:[^\s)>]*[^\x00-\x7f])")
_INLINE = frozenset({"text", "text_special", "softbreak", "hardbreak", "em", "strong",
                     "strikethrough", "code_inline", "link", "image", "autolink", "footnote_ref"})
_WRAP = {"em": "em", "strong": "strong", "strikethrough": "s"}
_LIST_TAG = {"bullet_list": "ul", "ordered_list": "ol"}
_FENCE = RendererHTML()
_FENCE_OPTIONS = MarkdownIt("commonmark").options
_MARKER = re.compile(rb"[ \t]*(?:[-+*]|[0-9]{1,9}[.)])")
# a table row line that markdown-it-py reads as the start of another block (ending the table)
_BLOCK_START = re.compile(
    rb"[ \t>]*(?:[-+*](?:[ \t]|$)|[0-9]{1,9}[.)](?:[ \t]|$)|#|>|```|~~~|\t|    "
    rb"|(?:[*_-][ \t]*){3,}$)")
_CONTAINERS = frozenset({"bullet_list", "ordered_list", "blockquote"})


def new_parser() -> markdown_it_pyrs.MarkdownIt:
    return markdown_it_pyrs.MarkdownIt("zero").enable_many(RULES)


def new_footnote_parser() -> markdown_it_pyrs.MarkdownIt:
    return markdown_it_pyrs.MarkdownIt("zero").enable_many([*RULES, "footnote"])


@dataclass(slots=True)
class Op:
    """One resolver call, queued in document order: warn, link, image or embed."""

    kind: str
    line: int
    slot: int = -1
    target: str = ""
    text: str = ""
    hint: str | None = None
    title: str | None = None
    alt: str = ""
    empty_alt: bool = False


class Walk:
    """Render one body's tree to markdown-it-py's HTML, queueing resolver calls."""

    def __init__(self, parser: markdown_it_pyrs.MarkdownIt) -> None:
        self.parser = parser
        self.src = b""
        self.body_line = 0
        self.starts = [0]
        self.out: list[str] = []
        self.ops: list[Op] = []
        self.slugs: set[str] = set()
        self.toc: list[tuple[int, str, str]] = []
        self.first_paragraph = ""
        self.breaks = 0
        # the containers around the current block: (">", 0) for a quote, ("-", column of
        # its content) for a list item; lines that lack their prefix are lazy continuations
        self.stack: list[tuple[str, int]] = []
        # footnotes: label -> number (order of first reference), references per label
        self.notes: dict[str, int] = {}
        self.note_refs: dict[str, int] = {}
        self.in_note = False

    def segment(self, text: str, body_line: int) -> Any:
        """Parse a piece of the body whose first line is `body_line`; its tree's root."""
        source = text.encode()
        starts = [0]
        find = source.find
        pos = find(b"\n")
        while pos >= 0:
            starts.append(pos + 1)
            pos = find(b"\n", pos + 1)
        self.src, self.starts, self.body_line = source, starts, body_line
        return self.parser.tree(text)

    def admonition(self, admonition: Admonition, body_line: int) -> None:
        """markdown-it-py's admonition: a div, a title paragraph, the content's blocks."""
        tags, title = admon_index._get_tag(admonition.params)
        classes = " ".join(["admonition", *tags, *admon_index._extra_classes(admonition.marker)])
        line = body_line + admonition.line
        content = self.segment(admonition.content, line + 1).children
        in_content = (self.src, self.starts, self.body_line)
        out = self.out
        out.append(f'<div class="{escapeHtml(classes)}">'
                   + ("\n" if title or any(n.name != "definition" for n in content) else ""))
        if title:
            if title != title.strip():
                raise HandBack("admonition title with spaces around")
            nodes = self.segment(title, line).children
            if len(nodes) != 1 or nodes[0].name != "paragraph":
                raise HandBack("admonition title that is not plain text")
            out.append('<p class="admonition-title">')
            self.inline(nodes[0].children, line)
            out.append("</p>\n")
            self.src, self.starts, self.body_line = in_content
        self.blocks(content, False)
        out.append("</div>\n")

    def line_of(self, node: Any) -> int:
        srcmap = node.srcmap
        if srcmap is None:
            raise HandBack("node without source position")
        return self.body_line + bisect_right(self.starts, srcmap[0]) - 1

    # --- blocks ---

    def blocks(self, nodes: Any, tight: bool) -> None:
        """Block children; in a tight list item, runs of inline nodes are hidden paragraphs."""
        out = self.out
        after_hidden = False
        run: list[Any] = []
        previous = ""
        for node in nodes:
            name = node.name
            if name == "table" and previous in _CONTAINERS:
                self.check_blank_before(node)
            previous = name
            if name in _INLINE:
                if not tight:
                    raise HandBack("inline node among blocks")
                run.append(node)
                continue
            if run:
                after_hidden = not self.embed(run)
                if after_hidden:
                    self.paragraph_text(run)
                run = []
            if after_hidden and name not in ("fence", "code_block", "definition"):
                out.append("\n")
            after_hidden = False
            self.block(node, tight)
        if run and not self.embed(run):
            self.paragraph_text(run)

    def embed_start(self, first: Any) -> re.Match[str] | None:
        """The `::youtube/map/pdf` line a paragraph starts with, if it does."""
        srcmap = first.srcmap
        if srcmap is None or self.src[srcmap[0]:srcmap[0] + 2] != b"::":
            return None
        text = self.line_bytes(self.line_index(srcmap[0]))
        start = srcmap[0] - self.starts[self.line_index(srcmap[0])]
        return markdown._EMBED_RE.match(text[start:].decode())

    def embed(self, children: Any) -> bool:
        """A paragraph that is an embed line: markdown-it-py's embed rule takes that line."""
        if not children:
            return False
        found = self.embed_start(children[0])
        if found is None:
            return False
        index = self.line_index(children[0].srcmap[0])
        last = children[-1].srcmap
        if last is None or self.line_index(max(last[1] - 1, last[0])) != index:
            raise HandBack("embed line followed by more lines")
        self.ops.append(Op("embed", self.body_line + index, len(self.out),
                           target=found.group(2).removeprefix("<").removesuffix(">").strip(),
                           text=found.group(1), title=found.group(3) or ""))
        self.out.append("")
        return True

    def line_index(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def line_bytes(self, index: int) -> bytes:
        starts = self.starts
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(self.src)
        return self.src[starts[index]:end]

    def content_column(self, item: Any, first: Any) -> int:
        """Column where a list item's content starts (in bytes of its first line)."""
        if item.srcmap is None or first.srcmap is None or first.name == "code_block":
            raise HandBack("list item without position")
        index = self.line_index(item.srcmap[0])
        if self.line_index(first.srcmap[0]) == index:
            return int(first.srcmap[0] - self.starts[index])
        marker = _MARKER.match(self.src, item.srcmap[0])
        if marker is None:
            raise HandBack("list marker")
        return marker.end() - self.starts[index] + 1

    def check_lines(self, first: int, last: int) -> None:
        """Hand back when a line of a block inside containers lacks their prefix (lazy line):
        the two parsers do not always agree what such a line continues."""
        for index in range(first, last + 1):
            line = self.line_bytes(index)
            col = 0
            for kind, column in self.stack:
                if kind == ">":
                    spaces = len(line) - len(line[col:].lstrip(b" ")) - col
                    col += spaces
                    if spaces > 3 or line[col:col + 1] != b">":
                        raise HandBack("lazy quote line")
                    col += 2 if line[col + 1:col + 2] == b" " else 1
                else:
                    if len(line) < column or line[col:column].strip(b" "):
                        raise HandBack("lazy list line")
                    col = column
            if b"\t" in line[:col + 1]:
                raise HandBack("tab in container prefix")

    def check_blank_before(self, node: Any) -> None:
        """markdown-it-py continues a list or quote lazily over table lines that follow it
        without a blank line, markdown-it-pyrs starts a table there."""
        index = bisect_right(self.starts, node.srcmap[0]) - 1 if node.srcmap else 0
        if index == 0 or self.src[self.starts[index - 1]:self.starts[index]].strip():
            raise HandBack("table right after a list or quote")

    def block(self, node: Any, tight: bool) -> None:
        name = node.name
        out = self.out
        if name == "paragraph":
            children = node.children
            if self.in_note and children and children[-1].name == "footnote_ref_anchor":
                children = children[:-1]
            if self.embed(children):
                return
            out.append("<p>")
            self.paragraph_text(children)
            out.append("</p>\n")
        elif name == "heading" or name == "lheading":
            self.heading(node)
        elif name in _LIST_TAG:
            tag = _LIST_TAG[name]
            if name == "ordered_list":
                start = node.meta.get("start", 1)
                out.append(f'<ol start="{start}">\n' if start != 1 else "<ol>\n")
            else:
                out.append("<ul>\n")
            for item in node.children:
                if item.name != "list_item":
                    raise HandBack(item.name)
                children = item.children
                if not children:
                    out.append("<li></li>\n")
                    continue
                text_first = (children[0].name in _INLINE
                              and self.embed_start(children[0]) is None)
                out.append("<li>" if text_first else "<li>\n")
                self.stack.append(("-", self.content_column(item, children[0])))
                self.blocks(children, True)
                self.stack.pop()
                out.append("</li>\n")
            out.append(f"</{tag}>\n")
        elif name == "blockquote":
            children = node.children
            out.append("<blockquote>\n" if children else "<blockquote>")
            self.stack.append((">", 0))
            self.blocks(children, False)
            self.stack.pop()
            out.append("</blockquote>\n")
        elif name == "fence":
            # markdown-it-py's own fence rule (its info-string trimming varies by version)
            meta = node.meta
            token = Token("fence", "code", 0, info=meta.get("info", ""),
                          content=self.code_content(node, meta))
            out.append(_FENCE.fence([token], 0, _FENCE_OPTIONS, {}))
        elif name == "code_block":
            out.append(f"<pre><code>{escapeHtml(node.meta.get('content', ''))}</code></pre>\n")
        elif name == "hr":
            out.append("<hr />\n")
        elif name == "table":
            self.table(node)
        elif name == "definition":
            pass
        elif name == "footnote_container":
            self.footnotes(node)
        else:
            raise HandBack(name)

    def code_content(self, node: Any, meta: Any) -> str:
        """A fence's text. A fence left open at the very end of a body without a last newline
        differs between the two (the newline after its last line, a last blank line)."""
        content = str(meta.get("content", ""))
        srcmap = node.srcmap
        if (content.endswith("\n") and not self.src.endswith(b"\n") and srcmap is not None
                and srcmap[1] >= len(self.src)):
            lines = self.src[srcmap[0]:srcmap[1]].count(b"\n") + 1
            if lines == content.count("\n") + 1:       # no closing fence line
                raise HandBack("fence left open at the end")
        return content

    def heading(self, node: Any) -> None:
        level = node.meta["level"]
        children = node.children
        line = self.line_of(node)
        if children:
            first, last = children[0].srcmap, children[-1].srcmap
            if first is None or last is None:
                raise HandBack("heading text without position")
            raw = self.src[first[0]:last[1]].decode()
            if "\n" in raw and self.stack:
                raise HandBack("multi-line heading in a list or quote")
        else:
            raw = ""
        out = self.out
        if 2 <= level <= 4:
            title = "".join(_inline_text(children))
            base = slugify(title) or "bagian"
            slug, i = base, 1
            while slug in self.slugs:
                slug = f"{base}-{i}"
                i += 1
            self.slugs.add(slug)
            self.toc.append((level, slug, raw))
            out.append(f'<h{level} id="{escapeHtml(slug)}">')
        else:
            out.append(f"<h{level}>")
        self.inline(children, line)
        out.append(f"</h{level}>\n")

    def table(self, node: Any) -> None:
        aligns = node.meta.get("alignments", [])
        out = self.out
        out.append("<table>\n")
        for part in node.children:
            tag = part.name
            if tag not in ("thead", "tbody"):
                raise HandBack(tag)
            cell = "th" if tag == "thead" else "td"
            out.append(f"<{tag}>\n")
            for row in part.children:
                line = self.line_of(row)
                if self.stack:
                    self.check_lines(line - self.body_line, line - self.body_line)
                if tag == "tbody" and _BLOCK_START.match(self.line_bytes(line - self.body_line)):
                    raise HandBack("table row that starts another block")
                out.append("<tr>\n")
                for i, td in enumerate(row.children):
                    align = aligns[i] if i < len(aligns) else "none"
                    if align in ("left", "right", "center"):
                        out.append(f'<{cell} class="align-{align}">')
                    else:
                        out.append(f"<{cell}>")
                    self.inline(td.children, line)
                    out.append(f"</{cell}>\n")
                out.append("</tr>\n")
            out.append(f"</{tag}>\n")
        out.append("</table>\n")

    def paragraph_text(self, children: Any) -> None:
        if not children:
            raise HandBack("empty paragraph")
        line = self.line_of(children[0])
        if self.stack:
            end = children[-1].srcmap
            if end is None:
                raise HandBack("text without position")
            first = line - self.body_line
            self.check_lines(first + 1, self.line_index(max(end[1] - 1, 0)))
        if not self.first_paragraph:
            self.first_paragraph = markdown.summary_of(_inline_text(children, " "))
        self.inline(children, line)

    # --- inline ---

    def inline(self, children: Any, line: int) -> None:
        self.breaks = 0
        self.inlines(children, line)

    def inlines(self, children: Any, line: int) -> None:
        out = self.out
        run: list[str] = []
        for node in children:
            name = node.name
            if name == "text" or name == "text_special":
                run.append(node.meta["content"])
                continue
            if run:
                self.flush(run, line)
                run = []
            if name == "softbreak":
                out.append("\n")
                self.breaks += 1
            elif name == "hardbreak":
                out.append("<br />\n")
                self.breaks += 1
            elif name in _WRAP:
                tag = _WRAP[name]
                out.append(f"<{tag}>")
                self.inlines(node.children, line)
                out.append(f"</{tag}>")
            elif name == "code_inline":
                out.append(f"<code>{escapeHtml(_code_content(node))}</code>")
            elif name == "link" or name == "autolink":
                meta = node.meta
                op = Op("link", line + self.breaks, len(out), target=meta.get("url", ""),
                        title=meta.get("title"))
                self.ops.append(op)
                out.append("")
                self.inlines(node.children, line)
                out.append("</a>")
            elif name == "image":
                self.image(node, line + self.breaks)
            elif name == "footnote_ref":
                out.append(self.footnote_ref(node.meta.get("label")))
            else:
                raise HandBack(name)
        if run:
            self.flush(run, line)

    def footnote_ref(self, label: Any) -> str:
        """mdit_py_plugins' reference: numbered by first reference, `:n` for the n-th again."""
        if self.in_note or not isinstance(label, str):
            raise HandBack("footnote reference inside a footnote")
        number = self.notes.setdefault(label, len(self.notes) + 1)
        sub = self.note_refs.get(label, 0)
        self.note_refs[label] = sub + 1
        suffix = f":{sub}" if sub > 0 else ""
        return (f'<sup class="footnote-ref"><a href="#fn{number}" id="fnref{number}{suffix}">'
                f"[{number}{suffix}]</a></sup>")

    def silent_refs(self, children: Any) -> None:
        for node in children:
            if node.name == "footnote_ref":
                self.footnote_ref(node.meta.get("label"))
            elif node.children:
                self.silent_refs(node.children)

    def footnotes(self, container: Any) -> None:
        """The footnote list after the body, as mdit_py_plugins' footnote_tail writes it."""
        if self.stack:
            raise HandBack("footnotes inside a container")
        definitions: dict[str, Any] = {}
        for note in container.children:
            label = note.meta.get("label")
            if note.name != "footnote_def" or not isinstance(label, str):
                raise HandBack("inline footnote")
            definitions[label] = note
        if not self.notes:
            return
        out = self.out
        out.append('<hr class="footnotes-sep" />\n<section class="footnotes">\n'
                   '<ol class="footnotes-list">\n')
        self.in_note = True
        self.stack.append(("-", 4))
        for label, number in self.notes.items():
            out.append(f'<li id="fn{number}" class="footnote-item">')
            children = [c for c in definitions[label].children
                        if c.name != "footnote_ref_anchor"]
            self.blocks(children, False)
            last_paragraph = (bool(children) and children[-1].name == "paragraph"
                              and out[-1] == "</p>\n")
            if last_paragraph:
                out.pop()
            for sub in range(max(self.note_refs[label], 1)):
                suffix = f":{sub}" if sub > 0 else ""
                out.append(f' <a href="#fnref{number}{suffix}" class="footnote-backref">'
                           "\u21a9\ufe0e</a>")
            out.append("</p>\n</li>\n" if last_paragraph else "</li>\n")
        self.stack.pop()
        self.in_note = False
        out.append("</ol>\n</section>\n")

    def flush(self, run: list[str], line: int) -> None:
        """A run of text (markdown-it-py joins it into one token): escaped, and checked."""
        text = run[0] if len(run) == 1 else "".join(run)
        self.out.append(escapeHtml(text))
        if "<" in text or "](" in text:
            self.check_text(text, line)

    def check_text(self, text: str, line: int) -> None:
        if markdown._RAW_HTML.search(text):
            self.ops.append(Op("warn", line + self.breaks, text="raw HTML is not allowed and is "
                               "shown as text", hint="use Markdown, or ::youtube / ::map / ::pdf"
                               " for embeds"))
        elif markdown._UNPARSED_LINK.search(text):
            self.ops.append(Op("warn", line + self.breaks, text="a link or image with a space in "
                               "its address is shown as text", hint="write the address between "
                               "< and >: [text](<my file.pdf>), or rename the file without "
                               "spaces"))

    def image(self, node: Any, line: int) -> None:
        meta = node.meta
        children = node.children
        if children:
            first, last = children[0].srcmap, children[-1].srcmap
            if first is None or last is None:
                raise HandBack("image text without position")
            empty = not self.src[first[0]:last[1]].decode().strip()
        else:
            empty = True
        self.silent_refs(children)      # counted by markdown-it-py, though not shown
        self.ops.append(Op("image", line, len(self.out), target=meta.get("url", ""),
                           title=meta.get("title"), alt="".join(_inline_text(children, "\n", images=True)),
                           empty_alt=empty))
        self.out.append("")


def _code_content(node: Any) -> str:
    children = node.children
    if len(children) == 1 and children[0].name == "text":
        return str(children[0].meta["content"])
    if not children:
        return ""
    raise HandBack("code span children")


def _inline_text(children: Any, breaks: str | None = None, images: bool = False) -> list[str]:
    """The text and code of inline nodes, markup left out (entities decoded).

    Headings' slugs skip line breaks and images (as the anchors plugin), summaries make breaks
    spaces, and an image's alt keeps them and nested images (as renderInlineAsText).
    """
    parts: list[str] = []
    for node in children:
        name = node.name
        if name == "text" or name == "text_special":
            parts.append(node.meta["content"])
        elif name == "code_inline":
            parts.append(_code_content(node))
        elif name == "softbreak" or name == "hardbreak":
            if breaks is not None:
                parts.append(breaks)
        elif name in _WRAP or name == "link" or name == "autolink" or (images and name == "image"):
            parts.extend(_inline_text(node.children, breaks, images))
    return parts


def walk(parser: markdown_it_pyrs.MarkdownIt, footnote_parser: markdown_it_pyrs.MarkdownIt,
         body: str, body_line: int) -> Walk | str:
    """The rendered walk of one body, or why markdown-it-py must render it."""
    if ("^[" in body
            or (not body.isascii() and ("//" in body or "mailto:" in body))):
        found = _HANDED_BACK.search(body)
        if found is not None:
            return str(found.lastgroup).replace("_", " ")
    if "\r" in body or "\0" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    if "[^" in body:
        parser = footnote_parser
    w = Walk(parser)
    try:
        if "[^" in body:
            check_footnote_definitions(body)
        if "!!!" in body or "???" in body:
            for piece in split_admonitions(body):
                if isinstance(piece, Admonition):
                    w.admonition(piece, body_line)
                elif piece[1]:
                    w.blocks(w.segment(piece[1], body_line + piece[0]).children, False)
        else:
            w.blocks(w.segment(body, body_line).children, False)
    except HandBack as reason:
        return str(reason)
    except Exception as error:  # noqa: BLE001 - the walk is pure: markdown-it-py still renders
        return f"fast engine failed: {type(error).__name__}"
    return w


def finish(w: Walk, resolver: LinkResolver) -> str:
    """Run the queued resolver calls in document order and fill in links and images."""
    out = w.out
    for op in w.ops:
        if op.kind == "warn":
            resolver.warn(op.line, op.text, op.hint)
        elif op.kind == "embed":
            out[op.slot] = markdown._embed_html(op.text, op.target, op.title or "", op.line,
                                                resolver)
        elif op.kind == "link":
            out[op.slot] = markdown._link_open(op.target, op.title, op.line, resolver)
        else:
            out[op.slot] = markdown._image_html(op.target, op.alt, op.title, op.empty_alt,
                                                op.line, resolver)
    return "".join(out)
