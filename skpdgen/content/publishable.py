"""Which files of an agency's static/ and content/ may be published, and the SVG validator.

In single-domain mode every agency shares the portal's origin, so one agency's HTML, script
or scripted SVG would run with every agency's (and the portal's) authority. GitHub Pages
ignores custom headers, so serving such files "as downloads" cannot be relied on: they are
refused with an error at the file. Only the types on the allow-list below are published,
and an SVG only when it passes `svg_problem` (drawing elements only: no script, no event
handlers, no foreignObject, no external references, no DOCTYPE or entities).

Only regular files are ever opened: a FIFO, a device or a socket is an error before any read.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

IMAGES = ("jpg", "jpeg", "png", "gif", "webp", "avif", "heic", "heif", "bmp", "ico", "tif",
          "tiff")
DOCUMENTS = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf",
             "epub")
DATA = ("csv", "txt")
MEDIA = ("mp3", "m4a", "ogg", "oga", "opus", "wav", "mp4", "m4v", "webm", "mov")
ARCHIVES = ("zip", "7z", "rar", "gz", "tgz", "tar")
PUBLISHABLE = frozenset(IMAGES + DOCUMENTS + DATA + MEDIA + ARCHIVES + ("svg",))
"""Extensions (lowercase, without the dot) published as they are; SVG after validation."""

MAX_SVG_BYTES = 2_000_000

_SCRIPTABLE = {
    "html": "a web page", "htm": "a web page", "xhtml": "a web page", "shtml": "a web page",
    "js": "a script", "mjs": "a script", "css": "a stylesheet", "xml": "XML",
    "xsl": "XML", "xslt": "XML", "svgz": "a compressed SVG", "swf": "Flash", "wasm": "WebAssembly",
    "php": "a server script", "json": "data a script could read", "map": "a source map",
    "appcache": "a cache manifest", "webmanifest": "a web app manifest",
}


def problem(path: Path, name: str, top: str) -> tuple[str, str] | None:
    """(message, hint) when the file at `path` (in static/ or content/: `top`) may not be
    published or read; None when it may. Markdown in content/ only has to be a regular file.

    `path` has passed the link checks of discover (a link stays inside the agency folder).
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot read: {exc.strerror}", "check the file"
    if not stat.S_ISREG(mode):
        return ("not a regular file (a pipe, device or socket)",
                "remove it: only ordinary files are published")
    if top == "content" and name.lower().endswith(".md"):   # Berita.MD is Markdown too
        return None
    ext = name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""
    if ext == "svg":
        why = svg_file_problem(path)
        if why:
            return (f"SVG is not published: {why}",
                    "save it as PNG, or as a plain drawing (no scripts, links or embedded pages)")
        return None
    if ext in PUBLISHABLE:
        return None
    if ext in _SCRIPTABLE:
        return (f"'.{ext}' files are not published from an agency folder: {_SCRIPTABLE[ext]} "
                "could run in the name of every agency on the portal's domain",
                "write pages in Markdown under content/; for data, publish a PDF or CSV")
    kind = f"'.{ext}' files" if ext else "files without an extension"
    return (f"{kind} are not published (not on the list of allowed types)",
            "publish images, PDF, office documents, audio/video, CSV/TXT or archives; "
            "see 'Files an agency may publish' in README.md")


def link_problem(path: Path) -> str:
    """What is wrong with a link that does not resolve inside the agency folder."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link points to itself (a loop)"
        if exc.errno == errno.ENOENT:
            return "symbolic link points to nothing (its target is missing)"
    return "symbolic link points outside the agency folder"


def source_file_problem(path: Path, folder: Path) -> str | None:
    """Why `path` (a file skpdgen reads, such as site.yaml) must not be opened, or None.

    A link must stay inside `folder`; only a regular file is opened (never a pipe or device).
    """
    try:
        if os.path.islink(folder):
            return "the agency folder is a symbolic link (make it a real folder)"
        if os.path.islink(path):
            try:
                path.resolve(strict=True).relative_to(folder.resolve())
            except (OSError, ValueError, RuntimeError):
                return "symbolic link points outside the agency folder"
        if not stat.S_ISREG(os.stat(path).st_mode):
            return "not a regular file (a pipe, device or socket)"
    except OSError as exc:
        return f"cannot read: {exc.strerror}"
    return None


def show_names(names: list[str]) -> tuple[str, str | None]:
    """Colliding file names for a message, and a hint when they differ only invisibly.

    Two names that render the same (café typed as NFC é or NFD e + ◌́) are shown with escapes.
    """
    if len({unicodedata.normalize("NFC", n) for n in names}) == len(set(names)):
        return ", ".join(names), None
    return (", ".join(ascii(n)[1:-1] for n in names),
            "the names look the same but are encoded differently (Unicode NFC and NFD): "
            "delete one of the files, or type its name again")


# --- SVG ---------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# what drawing programs (Inkscape) write beside the drawing: inert in every browser
EDITOR_NS = frozenset((
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://purl.org/dc/elements/1.1/",
    "http://creativecommons.org/ns#", "http://web.resource.org/cc/",
))

SVG_ELEMENTS = frozenset((
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "title", "desc", "defs", "linearGradient", "radialGradient", "stop", "clipPath",
    "mask", "symbol", "use", "metadata",
))

SVG_ATTRIBUTES = frozenset((
    "id", "class", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy",
    "width", "height", "viewBox", "preserveAspectRatio", "version", "d", "points", "pathLength",
    "transform", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
    "stroke-dashoffset", "stroke-opacity", "opacity", "font-family", "font-size", "font-weight",
    "font-style", "font-variant", "text-anchor", "dominant-baseline", "alignment-baseline",
    "baseline-shift", "letter-spacing", "word-spacing", "text-decoration", "dx", "dy", "rotate",
    "textLength", "lengthAdjust", "offset", "stop-color", "stop-opacity", "gradientUnits",
    "gradientTransform", "spreadMethod", "clip-path", "clip-rule", "clipPathUnits", "mask",
    "maskUnits", "maskContentUnits", "visibility", "display", "color", "role", "focusable",
    "lang", "href", "vector-effect", "shape-rendering", "text-rendering", "paint-order",
    "overflow",
))

_URL_REF = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.I)
_BAD_VALUE = re.compile(r"javascript:|vbscript:|data:|expression\(|@import|<", re.I)


def svg_file_problem(path: Path) -> str | None:
    try:
        size = os.stat(path).st_size
        if size > MAX_SVG_BYTES:
            return "it is larger than 2 MB"
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot read it ({exc.strerror})"
    return svg_problem(data)


def svg_problem(data: bytes) -> str | None:
    """Why these SVG bytes are unsafe to publish on a shared origin (None when they are safe)."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        return "it has a DOCTYPE or entities"
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        return f"it is not well-formed XML ({str(exc)[:80]})"
    if root.tag != f"{{{SVG_NS}}}svg":
        return "its root element is not <svg> in the SVG namespace"
    for element in root.iter():
        why = _element_problem(element)
        if why:
            return why
    return None


def _local(name: str, allowed_ns: tuple[str, ...]) -> str | None:
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return local if ns in allowed_ns else None
    return name


def _element_problem(element: Element) -> str | None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.startswith("{") and tag[1:].partition("}")[0] in EDITOR_NS:
        return _editor_problem(element)
    local = _local(tag, (SVG_NS,))
    if local is None or local not in SVG_ELEMENTS:
        shown = tag.rsplit("}", 1)[-1] or "?"
        return f"element <{shown}> is not allowed"
    for name, value in element.attrib.items():
        if name.startswith("{") and name[1:].partition("}")[0] in EDITOR_NS:
            continue
        attr = _local(name, (XLINK_NS, XML_NS))
        if attr is None or (attr not in SVG_ATTRIBUTES and not attr.startswith("aria-")
                            and attr != "space"):
            shown = name.rsplit("}", 1)[-1]
            return f"attribute '{shown}' on <{local}> is not allowed"
        if _BAD_VALUE.search(value):
            return f"attribute '{attr}' on <{local}> holds a script, data or markup"
        if attr == "href" and not value.startswith("#"):
            return f"<{local}> refers to '{value[:60]}' (only #id inside the file is allowed)"
        for ref in _URL_REF.findall(value):
            if not ref.startswith("#"):
                return f"attribute '{attr}' on <{local}> refers to an outside address"
    return None


def _editor_problem(element: Element) -> str | None:
    """Editor metadata is inert, but may hold no SVG or HTML of its own."""
    for child in element.iter():
        tag = child.tag if isinstance(child.tag, str) else ""
        if not (tag.startswith("{") and tag[1:].partition("}")[0] in EDITOR_NS):
            return f"element <{tag.rsplit('}', 1)[-1]}> inside editor metadata is not allowed"
    return None
