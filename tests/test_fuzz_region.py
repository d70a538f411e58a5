"""Issue #9.8: fuzzing site.yaml, file trees and hostile file names (bounded: < 60 s).

Whatever one agency's folder holds, the build never raises, never hangs, never prints a line
break inside a diagnostic, never publishes unescaped markup from a value, never writes
outside build/, and the other agency and the portal are still built.
(Front matter and Markdown are fuzzed in tests/test_fuzz_content.py.)
"""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from conftest import REGION_YAML
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skpdgen.config.agency import SITE_SCHEMA
from skpdgen.pipeline import BuildRequest, RegionResult, build_region

TODAY = date(2026, 11, 29)
MARK = "<x-fuzz>"
GOOD_SITE = "name: Dinas Baik\n"
GOOD_NEWS = "---\ntitle: Berita Baik\ndate: 2026-11-02\n---\nIsi.\n"
FUZZ = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

HOSTILE_TEXT = st.sampled_from([
    MARK, "javascript:alert(1)", "http://[", "&a [*a]", "0001-01-01", "9999-12-31", "\x00",
    "\n::warning file=x::y", "\r", "\u2028", "'", '"', "{{ 7*7 }}", "{% raw %}", "../../etc",
    "%2e%2e/", "//evil.example", "mailto:", "tel:", "#fff", "-", "~", "null", "yes", "08:00",
    "0712345", "é", "e\u0301", "\u202e", "A" * 3000, "[" * 80, "<!-- x -->", "\t",
])
TEXT = st.one_of(HOSTILE_TEXT, st.text(max_size=40),
                 st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20))
SCALAR = st.one_of(TEXT, st.integers(-10**12, 10**12), st.booleans(), st.none(),
                   st.dates().map(str))
VALUE: Any = st.recursive(SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.one_of(st.sampled_from(["title", "url", "name", "map", "x"]), TEXT),
                    inner, max_size=3)), max_leaves=8)
SITE_KEYS = st.sampled_from(sorted(SITE_SCHEMA) + ["titel", "menu", "social", "contact"])


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))


def _region(tmp: Path, site_yaml: str | bytes) -> Path:
    _write(tmp / "skpdgen.yaml", REGION_YAML)
    _write(tmp / "sites/a/site.yaml", site_yaml)
    _write(tmp / "sites/a/content/berita/2026-11-01-satu.md", GOOD_NEWS)
    _write(tmp / "sites/b/site.yaml", GOOD_SITE)
    _write(tmp / "sites/b/content/berita/2026-11-02-dua.md", GOOD_NEWS)
    return tmp


def _check(result: RegionResult, root: Path) -> None:
    for d in result.diagnostics:
        text = d.format_text()
        assert "\n" not in text and "\r" not in text, text
        assert "internal error" not in d.message, text
    by_slug = {s.slug: s for s in result.sites}
    assert by_slug["b"].ok, [d.format_text() for d in by_slug["b"].diagnostics]
    outputs = [o for s in result.sites for o in (s.outputs or [])]
    outputs += result.portal_outputs or []
    for out in outputs:
        if out.data is not None and out.dest_path.endswith((".html", ".xml", ".json")):
            assert MARK.encode() not in out.data, out.dest_path


def _build(root: Path, write: bool = False) -> RegionResult:
    return build_region(BuildRequest(root, today=TODAY, write=write))


@FUZZ
@given(st.dictionaries(SITE_KEYS, VALUE, max_size=6))
def test_structured_site_yaml(values: dict[str, Any]) -> None:
    text = yaml.safe_dump(values, allow_unicode=True, sort_keys=False)
    with tempfile.TemporaryDirectory() as tmp:
        root = _region(Path(tmp), text)
        _check(_build(root), root)


@FUZZ
@given(st.lists(st.one_of(HOSTILE_TEXT, st.sampled_from([
    "name: ", "menu:\n", "  - title: x\n    url: ", "social:\n  x: ", "contact:\n  map: ",
    "base_url: ", "color: ", "head:\n  greeting: ", "&a ", "*a", "[", "]", "{", "}", ": ",
    "\n", "  ", "- ", "!!python/object:os.system ", "<<: *a\n", "? ", "%YAML 1.1\n", "---\n",
])), max_size=25).map("".join))
def test_raw_site_yaml(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = _region(Path(tmp), "name: Dinas A\n" + text)
        _check(_build(root), root)


NAME = st.one_of(
    st.sampled_from([
        "index.html", "x.js", "a.svg", "berita", "tag", "feed.xml", "sitemap.xml", "..", ".",
        ".hidden", "a b.pdf", "a\nb.pdf", "a\rb.jpg", "\u202egpj.exe", "%2e%2e", "a%2Fb.pdf",
        "caf\u00e9.pdf", "cafe\u0301.pdf", "x" * 200 + ".pdf", "CON.pdf", "a:b.pdf",
        "file.PDF", "file.md.txt", "README.MD", "x.docx", "x.md", "_index.md", "x~",
        "-rf.pdf", "$(id).pdf", "`id`.pdf", "a'b\".png", "<x>.png",
    ]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
            min_size=1, max_size=20),
)
CONTENT = st.one_of(
    st.sampled_from([b"", b"%PDF-1.4\n%%EOF\n", b"\x89PNG\r\n\x1a\n", GOOD_NEWS.encode(),
                     b"---\ntitle: " + MARK.encode() + b"\n---\n" + MARK.encode(),
                     b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>",
                     b"\xff\xfe\x00", b"---\n&a [*a]\n---\n"]),
    st.binary(max_size=64),
)
TREE = st.lists(st.tuples(st.sampled_from(["static", "static/img", "content", "content/berita",
                                           "content/profil", "templates"]), NAME, CONTENT),
                max_size=8)


@FUZZ
@given(TREE)
def test_file_trees_and_hostile_names(files: list[tuple[str, str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = _region(Path(tmp), "name: Dinas A\n")
        for folder, name, content in files:
            if name in (".", "..") or "/" in name:
                continue
            path = root / "sites/a" / folder / name
            try:
                _write(path, content)
            except OSError:
                continue     # a name this file system refuses (too long, ...)
        result = _build(root, write=True)
        _check(result, root)
        # nothing was written outside build/, and nothing is left half-written in it
        written = {p.relative_to(root).as_posix() for p in root.rglob("*")}
        outside = {w for w in written if not w.startswith(("build", "sites", "skpdgen.yaml"))}
        assert not outside, outside
        leftovers = [w for w in written if re.search(r"\.(staging|old|clean)-\d+|\.tmp\d+", w)]
        assert not leftovers, leftovers
        published = list((root / "build/a").rglob("*")) if (root / "build/a").exists() else []
        for path in published:
            if path.suffix.lower() in (".html", ".js", ".xml", ".svg", ".css"):
                assert _generated(path.relative_to(root / "build/a").as_posix()), path
        assert (root / "build/b/berita/dua/index.html").is_file()


def _generated(rel: str) -> bool:
    """An HTML/XML/JS/CSS/SVG file skpdgen itself writes (pages, feeds, theme assets)."""
    if rel.startswith(("assets/", "pagefind/")):      # theme assets, the search index
        return True
    return not rel.endswith((".js", ".svg", ".css")) and rel.rsplit("/", 1)[-1] in (
        "index.html", "404.html", "feed.xml", "sitemap.xml")
