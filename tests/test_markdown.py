"""Markdown rendering (skpdgen/markdown.py): CommonMark plus the extensions agencies need, raw
HTML escaped, unsafe links dropped with a warning, the safe embed syntax, links resolved.

These call `markdown.render` with a recording resolver; the fixture region tests the same
features end to end through the CLI (see test_urls_links.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from skpdgen import markdown

BODY_LINE = 5     # the body's first line in its file (after 3 lines of front matter)


@dataclass
class Recorder:
    """A LinkResolver that knows a few pages and files and records what it was asked."""

    pages: dict[str, str] = field(default_factory=lambda: {
        "../layanan/izin.md": "../../layanan/izin/", "/content/profil/visi.md": "../../profil/visi/"})
    files: dict[str, str] = field(default_factory=lambda: {
        "/files/dip.pdf": "../../files/dip.pdf", "foto.png": "foto.png",
        "/img/logo.png": "../../img/logo.png"})
    warnings: list[tuple[int, str]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def page_link(self, target: str, line: int) -> str | None:
        path, _, fragment = target.partition("#")
        if path in self.pages:
            return self.pages[path] + (f"#{fragment}" if fragment else "")
        self.errors.append((line, target))
        return None

    def file_link(self, target: str, line: int, what: str) -> str | None:
        if target in self.files:
            return self.files[target]
        self.errors.append((line, target))
        return None

    def file_size(self, target: str) -> int | None:
        return 1_234_567 if target in self.files else None

    def warn(self, line: int, message: str, hint: str | None = None) -> None:
        self.warnings.append((line, message))


def render(body: str) -> tuple[markdown.Rendered, Recorder]:
    resolver = Recorder()
    return markdown.render(markdown.make_parser(), body, BODY_LINE, resolver), resolver


def test_tables() -> None:
    out, r = render("| Layanan | Biaya |\n|---|---:|\n| KTP | Gratis |\n")
    assert "<table>" in out.html and "<th>Layanan</th>" in out.html
    assert re.search(r'<td (class="align-right"|style="text-align:right")>Gratis</td>', out.html)
    assert r.warnings == []


def test_strikethrough() -> None:
    out, _ = render("Harga ~~lama~~ baru\n")
    assert "<s>lama</s>" in out.html


def test_footnotes_link_both_ways() -> None:
    out, _ = render("Teks.[^1]\n\n[^1]: Catatan kaki.\n")
    assert '<a href="#fn1" id="fnref1">' in out.html
    assert '<li id="fn1" class="footnote-item">' in out.html
    assert 'href="#fnref1"' in out.html
    assert {"fn1", "fnref1"} <= out.anchors


def test_heading_ids_are_slugs_and_unique() -> None:
    out, _ = render("# Judul\n\n## Jadwal Layanan Umum\n\n### Syarat & Biaya\n\n## Jadwal Layanan"
                    " Umum\n")
    assert "<h1>Judul</h1>" in out.html
    assert '<h2 id="jadwal-layanan-umum">' in out.html
    assert '<h3 id="syarat-biaya">' in out.html
    assert '<h2 id="jadwal-layanan-umum-1">' in out.html
    assert [h.id for h in out.toc] == ["jadwal-layanan-umum", "syarat-biaya",
                                      "jadwal-layanan-umum-1"]
    assert {"jadwal-layanan-umum", "syarat-biaya"} <= out.anchors


def test_admonitions() -> None:
    out, _ = render('!!! note "Judul Catatan"\n    Isi catatan **tebal**.\n\n'
                    "!!! warning\n    Hati-hati.\n")
    assert '<div class="admonition note">' in out.html
    assert '<p class="admonition-title">Judul Catatan</p>' in out.html
    assert "<strong>tebal</strong>" in out.html
    assert '<div class="admonition warning">' in out.html


@pytest.mark.parametrize("raw, line", [
    ("<script>alert(1)</script>\n", BODY_LINE),
    ("Teks\n\n<div onclick=\"x()\">isi</div>\n", BODY_LINE + 2),
    ("Teks biasa <b>tebal</b> di tengah.\n", BODY_LINE),
    ('<iframe src="https://evil.example/"></iframe>\n', BODY_LINE),
    ("<!-- komentar -->\n", BODY_LINE),
])
def test_raw_html_is_escaped_with_a_warning(raw: str, line: int) -> None:
    out, r = render(raw)
    assert not re.search(r"<(script|div|b|iframe)[ >]", out.html), out.html
    assert "&lt;" in out.html
    assert [w for w in r.warnings if "raw HTML" in w[1]] == [(line, r.warnings[0][1])]


def test_code_may_show_html() -> None:
    out, r = render("Tulis `<b>` untuk tebal.\n\n```\n<script>x</script>\n```\n")
    assert "<code>&lt;b&gt;</code>" in out.html
    assert "&lt;script&gt;x&lt;/script&gt;" in out.html
    assert r.warnings == []


UNSAFE = [
    "[klik](javascript:alert(1))",
    "[klik](JavaScript:alert(1))",
    "[klik](  javascript:alert(1))",
    "[klik](<javascript:alert(1)>)",
    "[klik](java&#115;cript:alert(1))",
    "[klik](javascript&colon;alert(1))",
    "[klik](vbscript:msgbox(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[klik](file:///etc/passwd)",
    "![gambar](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[klik][jahat]\n\n[jahat]: javascript:alert(1)",
]


@pytest.mark.parametrize("source", UNSAFE)
def test_unsafe_links_are_dropped_with_a_warning(source: str) -> None:
    out, r = render("Paragraf.\n\n" + source + "\n")
    hrefs = re.findall(r'(?:href|src)="([^"]*)"', out.html)
    for href in hrefs:
        assert not re.match(r"\s*(javascript|vbscript|data|file)", href, re.I), out.html
    assert "<a " not in out.html and "<img" not in out.html
    bad_line = BODY_LINE + 2 + source.count("\n")      # the unsafe URL is on the last line
    assert [line for line, message in r.warnings if "unsafe" in message] == [bad_line]


def test_safe_links_stay_without_warnings() -> None:
    out, r = render("[situs](https://ujikab.go.id/?a=1&b=2) <https://ok.example/>\n"
                    "[surel](mailto:humas@ujikab.go.id) [telepon](tel:0283123)\n"
                    "[bagian](#jadwal)\n")
    assert 'href="https://ujikab.go.id/?a=1&amp;b=2"' in out.html
    assert 'href="mailto:humas@ujikab.go.id"' in out.html and 'href="tel:0283123"' in out.html
    assert 'href="#jadwal"' in out.html
    assert r.warnings == [] and r.errors == []


def test_md_links_are_resolved_with_their_fragment_and_line() -> None:
    out, r = render("Satu.\n\nLihat [izin](../layanan/izin.md#syarat) dan\n"
                    "[visi](/content/profil/visi.md) dan [hilang](../tidak/ada.md).\n")
    assert 'href="../../layanan/izin/#syarat"' in out.html
    assert 'href="../../profil/visi/"' in out.html
    assert r.errors == [(BODY_LINE + 3, "../tidak/ada.md")]


def test_images_are_resolved_lazy_and_need_alt_text() -> None:
    out, r = render("![Logo dinas](/img/logo.png)\n\n![](foto.png)\n\n![x](/img/hilang.png)\n")
    assert '<img src="../../img/logo.png" alt="Logo dinas" loading="lazy"' in out.html
    assert '<img src="foto.png" alt="" loading="lazy"' in out.html
    assert r.errors == [(BODY_LINE + 4, "/img/hilang.png")]
    assert [line for line, message in r.warnings if "alt text" in message] == [BODY_LINE + 2]


def test_youtube_embed_is_a_link_not_an_iframe() -> None:
    out, r = render('::youtube dQw4w9WgXcQ "Video Profil"\n\n::youtube https://youtu.be/'
                    "dQw4w9WgXcQ\n\n::youtube https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3\n")
    assert out.html.count('href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"') == 3
    assert 'data-youtube="dQw4w9WgXcQ"' in out.html
    assert "Video Profil" in out.html
    assert "<iframe" not in out.html and r.warnings == []


def test_bad_youtube_embed_is_dropped_with_a_warning() -> None:
    out, r = render('Teks.\n\n::youtube "><script>alert(1)</script>\n')
    assert "<script" not in out.html and "embed" not in out.html
    assert r.warnings and r.warnings[0][0] == BODY_LINE + 2


def test_map_embed() -> None:
    out, r = render('::map https://www.openstreetmap.org/#map=17/-6.9/109.1 "Kantor Dinas"\n')
    assert '<figure class="embed embed-map">' in out.html
    assert 'href="https://www.openstreetmap.org/#map=17/-6.9/109.1"' in out.html
    assert "Kantor Dinas" in out.html and "<iframe" not in out.html
    out, r = render("::map javascript:alert(1)\n")
    assert "javascript" not in out.html and r.warnings


def test_pdf_embed_resolves_the_file_and_shows_its_size() -> None:
    out, r = render('::pdf /files/dip.pdf "Daftar Informasi Publik"\n\n::pdf /files/hilang.pdf\n')
    assert '<figure class="embed embed-pdf">' in out.html
    assert 'href="../../files/dip.pdf" download' in out.html
    assert "Daftar Informasi Publik" in out.html and "(1,2 MB)" in out.html
    assert "hilang" not in out.html
    assert r.errors == [(BODY_LINE + 2, "/files/hilang.pdf")]


def test_embed_titles_are_escaped() -> None:
    out, _ = render('::map https://peta.example/ "<b>Kantor</b> & \'gudang\'"\n')
    assert "&lt;b&gt;Kantor&lt;/b&gt; &amp;" in out.html


def test_first_paragraph_is_plain_text() -> None:
    out, _ = render("## Judul\n\nParagraf **pertama** dengan [tautan](https://x.example/)\n"
                    "dan baris kedua.\n\nParagraf kedua.\n")
    assert out.first_paragraph == "Paragraf pertama dengan tautan dan baris kedua."
    long, _ = render("kata " * 200)
    assert len(long.first_paragraph) <= markdown.SUMMARY_LENGTH + 1
    assert long.first_paragraph.endswith("…")
