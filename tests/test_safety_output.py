"""Hostile content never becomes markup or script in the output: HTML, Atom, sitemaps, JSON.

The fixture region carries raw <script> in a body, javascript: links (plain, upper case,
entity-encoded and as raw HTML), a title with </script> and quotes, an author and a location
with <script>, a summary with <b> and a tag with <i>. Every published file is scanned.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fixtures import html
from fixtures.region import shared_build

ATOM = "{http://www.w3.org/2005/Atom}"
ALLOWED_SCRIPT = re.compile(
    r'<script src="(?:(?:\.\./)*|/(?:[a-z0-9-]+/)?)assets/js/[a-z0-9/_-]+\.[0-9a-f]{8}\.js" defer>'
    r'|<script type="application/ld\+json">')
UNSAFE_URL = re.compile(r"^\s*(?:javascript|vbscript|data|file)\s*:", re.I)
HOSTILE = [b"<script>alert", b"<b>tebal</b>", b"<i>miring</i>", b'onerror="', b"<img src=x",
           b'<a href="javascript']


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_build(tmp_path_factory)


def published(out: Path, *suffixes: str) -> list[Path]:
    """Files that are published (build/.skpdgen/ is internal state, never deployed)."""
    return sorted(p for p in out.rglob("*") if p.is_file() and ".skpdgen" not in p.parts
                  and p.suffix in suffixes)


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _unsafe_markup(markup: str, *, page: bool = False) -> list[str]:
    """Script elements, event handler attributes and script URLs in HTML. A whole `page` may
    have <script> elements (the theme's, checked by test_html_has_only_the_theme_scripts)."""
    parser = _Attributes()
    parser.feed(markup)
    problems = []
    for tag, attrs in parser.tags:
        if tag in ("iframe", "object", "embed") or (tag == "script" and not page):
            problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=>")
            if value and UNSAFE_URL.match(value) and not value.startswith("data:image/"):
                problems.append(f"<{tag} {name}={value!r}>")
    return problems


def test_the_fixture_is_really_hostile(out: Path) -> None:
    source = (out.parent / "sites/dinkes/content/berita/2024-06-13-berita-berbahaya.md")
    text = source.read_bytes()
    assert b"<script>alert" in text and b"javascript:alert" in text and b"</script>" in text


def test_html_has_only_the_theme_scripts(out: Path) -> None:
    pages = published(out, ".html")
    assert len(pages) > 70
    for page in pages:
        data = page.read_text(encoding="utf-8")
        opening = re.findall(r"<script\b[^>]*>", data, re.I)
        for tag in opening:
            assert ALLOWED_SCRIPT.fullmatch(tag), f"{page}: {tag}"
        assert len(re.findall(r"</script\s*>", data, re.I)) == len(opening), page
        for attrs, body in html.read(page).scripts:
            if attrs.get("type") == "application/ld+json":
                assert "<" not in body and ">" not in body, page
            else:
                assert body.strip() == "", page


def test_html_has_no_script_urls_or_event_handlers(out: Path) -> None:
    for page in published(out, ".html"):
        assert _unsafe_markup(page.read_text(encoding="utf-8"), page=True) == [], page


def test_hostile_strings_are_escaped_everywhere(out: Path) -> None:
    files = published(out, ".html", ".xml", ".json", ".txt")
    for path in files:
        data = path.read_bytes()
        for needle in HOSTILE:
            assert needle.lower() not in data.lower(), f"{needle!r} in {path}"
    page = (out / "dinkes/berita/berita-berbahaya/index.html").read_text()
    assert "&lt;script&gt;alert(&quot;body&quot;)&lt;/script&gt;" in page
    assert "&lt;/script&gt;&lt;script&gt;alert(&#34;judul&#34;)" in page


def test_xml_has_no_markup_from_content(out: Path) -> None:
    for path in published(out, ".xml"):
        data = path.read_bytes()
        assert b"<script" not in data.lower(), path
        root = ET.fromstring(data)
        for content in root.iter(f"{ATOM}content"):
            assert content.get("type") == "html"
            assert _unsafe_markup(content.text or "") == [], path
        for element in root.iter():
            if element.tag in (f"{ATOM}title", f"{ATOM}summary", f"{ATOM}name"):
                assert element.get("type", "text") == "text", path


def test_feed_keeps_the_hostile_title_as_plain_text(out: Path) -> None:
    root = ET.parse(out / "dinkes/berita/feed.xml").getroot()
    titles = [e.findtext(f"{ATOM}title", "") for e in root.iter(f"{ATOM}entry")]
    assert any(t.startswith('Rapat "Khusus" </script><script>') for t in titles)


def test_json_outputs_parse_and_carry_no_markup(out: Path) -> None:
    files = published(out, ".json")
    assert out / "status.json" in files
    for path in files:
        data = path.read_bytes()
        json.loads(data)
        assert b"<script" not in data.lower(), path
        assert b"javascript:" not in data.lower(), path


def test_jsonld_keeps_hostile_text_as_data(out: Path) -> None:
    doc = html.read(out / "dinkes/berita/berita-berbahaya/index.html")
    [article] = doc.jsonld()
    assert article["author"]["name"] == '</script><script>alert("author")</script>'
    assert article["description"] == 'Ringkasan dengan <b>tebal</b> & "kutip"'


def test_calendar_text_is_escaped_for_ics(out: Path) -> None:
    data = (out / "dinkes/agenda.ics").read_bytes().decode("utf-8")
    assert "\r\nLOCATION:Alun-alun <script>alert(\"lokasi\")</script>\r\n" in data
    for line in data.split("\r\n"):
        assert "\n" not in line and "\r" not in line
