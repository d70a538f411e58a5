"""What `serve` adds to HTML responses (never to the files on disk).

Every HTML page gets the reload script as a same-origin <script src> in its <head>. A page of
an agency whose last build failed also gets a banner at the top of <body> naming each error's
file, line, message and fix, styled with the theme's own variables (font, radius); warnings
(a missing alt text, say) are listed under it collapsed, or in a quieter banner of their own.
"""

from __future__ import annotations

import re
from html import escape

from skpdgen.diagnostics import Diagnostic

PREFIX = "/_skpdgen/"            # '_' is never in a slug, so no agency or portal path collides
RELOAD_JS_URL = PREFIX + "reload.js"
BANNER_CSS_URL = PREFIX + "serve.css"
EVENTS_URL = PREFIX + "events"

_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_BODY_START = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)

_TEXTS = {
    "id": {
        "title": "Situs ini gagal dibangun",
        "one": "Ditemukan 1 kesalahan.",
        "many": "Ditemukan {n} kesalahan.",
        "kept": "Yang tampil di bawah ini adalah versi terakhir yang berhasil dibangun.",
        "fix": "Cara memperbaiki:",
        "note": "Perbaiki berkasnya lalu simpan; halaman ini akan dimuat ulang sendiri. "
                "Pesan ini hanya tampil di pratinjau (skpdgen serve), tidak di situs yang terbit.",
        "warnings": "{n} peringatan",
        "warnings_only": "{n} peringatan di situs ini (situs tetap terbit; sebaiknya diperbaiki)",
        "warnings_note": "Peringatan ini hanya tampil di pratinjau (skpdgen serve), tidak di "
                         "situs yang terbit.",
        "line": "di baris {line}",
    },
    "en": {
        "title": "This site failed to build",
        "one": "1 error found.",
        "many": "{n} errors found.",
        "kept": "What you see below is the last version that built successfully.",
        "fix": "How to fix:",
        "note": "Fix the file and save it; this page reloads by itself. This message shows "
                "only in the preview (skpdgen serve), never on the published site.",
        "warnings": "{n} warnings",
        "warnings_only": "{n} warnings on this site (it still publishes; better fix them)",
        "warnings_note": "These warnings show only in the preview (skpdgen serve), never on "
                         "the published site.",
        "line": "on line {line}",
    },
}


def script_tag(token: str, scope: str, generation: int) -> bytes:
    """The reload script, with what it needs to know in data attributes (no inline code)."""
    return (f'<script src="{RELOAD_JS_URL}" data-token="{escape(token)}" '
            f'data-scope="{escape(scope)}" data-generation="{generation}" defer></script>'
            ).encode()


def banner(diagnostics: tuple[Diagnostic, ...], language: str) -> bytes:
    """The banner for a page whose site has errors (it failed to build) or warnings.

    Errors are listed open, as an alert; warnings in a collapsed <details> with their count,
    under the errors or on their own. Messages are in the region's language."""
    texts = _TEXTS.get(language, _TEXTS["id"])
    errors = [d.translated(language) for d in diagnostics if d.severity == "error"]
    warnings = [d.translated(language) for d in diagnostics if d.severity != "error"]
    if errors:
        count = texts["one"] if len(errors) == 1 else texts["many"].format(n=len(errors))
        html = (f'<section class="skpdgen-error" role="alert" '
                f'aria-labelledby="skpdgen-error-title"><div class="skpdgen-error__in">'
                f'<h2 id="skpdgen-error-title">{escape(texts["title"])}</h2>'
                f'<p>{escape(count)} {escape(texts["kept"])}</p>'
                f'{_items(errors, texts)}'
                f'{_warnings(warnings, texts, texts["warnings"])}'
                f'<p class="skpdgen-error__note">{escape(texts["note"])}</p>'
                f'</div></section>')
    else:
        html = (f'<section class="skpdgen-warnings"><div class="skpdgen-error__in">'
                f'{_warnings(warnings, texts, texts["warnings_only"])}'
                f'<p class="skpdgen-error__note">{escape(texts["warnings_note"])}</p>'
                f'</div></section>')
    return html.encode("utf-8")


def _warnings(warnings: list[Diagnostic], texts: dict[str, str], summary: str) -> str:
    if not warnings:
        return ""
    return (f'<details class="skpdgen-warnings__list"><summary>'
            f'{escape(summary.format(n=len(warnings)))}</summary>'
            f'{_items(warnings, texts)}</details>')


def _items(diagnostics: list[Diagnostic], texts: dict[str, str]) -> str:
    items = []
    for d in diagnostics:
        where = f"{d.path}:{d.line}" if d.line else d.path
        at = " " + texts["line"].format(line=d.line) if d.line else ""
        fix = (f'<p class="skpdgen-error__hint">{escape(texts["fix"])} {escape(d.hint)}</p>'
               if d.hint else "")
        items.append(f'<li><code>{escape(where)}</code>'
                     f'<p class="skpdgen-error__msg">{escape(d.message + at)}</p>{fix}</li>')
    return f'<ol>{"".join(items)}</ol>'


def rebase(page: bytes, base_path: str, served_path: str) -> bytes:
    """Point a page's root-absolute links (404 pages have them, to work at any depth) from
    the path its site is published under to the path the preview serves it at: an agency
    with its own domain links to '/assets/…', which the preview serves at '/<slug>/assets/…'."""
    if base_path == served_path:
        return page
    pattern = re.compile(rb'(\s(?:href|src|action)=")' + re.escape(base_path.encode())
                         + rb"(?!/)")
    replacement = served_path.encode()
    return pattern.sub(lambda m: m.group(1) + replacement, page)


def inject(page: bytes, script: bytes, banner_html: bytes | None = None) -> bytes:
    """Put the script (and the banner with its stylesheet) into an HTML document."""
    head_extra = script
    if banner_html is not None:
        head_extra = f'<link rel="stylesheet" href="{BANNER_CSS_URL}">'.encode() + script
        body = _BODY_START.search(page)
        at = body.end() if body is not None else 0
        page = page[:at] + banner_html + page[at:]
    head = _HEAD_END.search(page)
    if head is not None:
        return page[:head.start()] + head_extra + page[head.start():]
    body_end = _BODY_END.search(page)
    if body_end is not None:
        return page[:body_end.start()] + head_extra + page[body_end.start():]
    return page + head_extra
