"""Fuzzing the front-matter loader and the Markdown renderer through a whole in-memory build.

Arbitrary bytes, arbitrary YAML front matter and arbitrary Markdown never give a traceback or
a hang; whatever builds is well-formed: HTML (html5lib, strict), XML (feeds, sitemaps), ICS
(icalendar) and JSON (JSON-LD, status.json). Bounded: a fixed number of examples per test,
the whole module well under a minute.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import html5lib
import icalendar
import pytest
import yaml
from conftest import make_region
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from skpdgen.diagnostics import ConfigError
from skpdgen.pipeline import BuildRequest, build_region
from skpdgen.render import Output

SITE = "sites/dinkes/"
FUZZED = SITE + "content/berita/fuzz.md"
AGENDA = SITE + "content/agenda/fuzz.md"
# derandomized and without shrinking: the same examples every run, bounded time
FUZZ = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])
LD_JSON = re.compile(rb'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def root() -> Iterator[Path]:
    """One region, reused by every example: only the fuzzed files change."""
    folder = Path(tempfile.mkdtemp(prefix="skpdgen-fuzz-"))
    make_region(folder, {
        SITE + "site.yaml": "name: Dinas Kesehatan\n",
        SITE + "content/berita/2026-11-01-tetap.md":
            "---\ntitle: Tetap\ndate: 2026-11-01\n---\nLihat [fuzz](fuzz.md).\n",
        SITE + "content/berita/foto.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
        SITE + "content/berita/Laporan Tahunan.pdf": b"%PDF-1.4\n",
    })
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def build_with(root: Path, files: dict[str, bytes]) -> None:
    """Build the region in memory with `files` in place; check every output it produced."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    try:
        result = build_region(BuildRequest(root=root, today=None, write=False))
    except ConfigError:      # never for content files: only a broken region config may do this
        raise AssertionError("content made the region config unusable") from None
    finally:
        for rel in files:
            (root / rel).unlink()
    for site in result.sites:
        for d in site.diagnostics:
            assert d.message and "\x0b" not in d.message
        for out in site.outputs or []:
            check_output(out)
    for out in result.portal_outputs or []:
        check_output(out)


def check_output(out: Output) -> None:
    data = out.data if out.data is not None else b""
    name = out.dest_path
    if name.endswith(".html"):
        html5lib.HTMLParser(strict=True).parse(data)
        for block in LD_JSON.findall(data):
            json.loads(block)
    elif name.endswith(".xml"):
        ET.fromstring(data)
    elif name.endswith(".ics"):
        icalendar.Calendar.from_ical(data)
    elif name.endswith(".json"):
        json.loads(data)


@FUZZ
@given(st.binary(max_size=600))
def test_arbitrary_bytes(root: Path, data: bytes) -> None:
    build_with(root, {FUZZED: data})


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_after_front_matter_start(root: Path, data: bytes) -> None:
    build_with(root, {FUZZED: b"---\ntitle: " + data + b"\ndate: 2026-11-02\n---\n" + data})


KEYS = ["title", "date", "updated", "summary", "image", "image_alt", "tags", "draft", "slug",
        "author", "aliases", "weight", "start", "end", "location", "judul", "tanggal", "<<"]
SCALARS = st.one_of(
    st.text(max_size=40), st.integers(-10**12, 10**12), st.booleans(), st.none(),
    st.dates().map(str), st.sampled_from(["2026-11-02", "2026-11-02T09:00", "12/05/2024",
                                          "foto.jpg", "../../etc/passwd", "/img/x.png",
                                          "javascript:alert(1)", "Laporan Tahunan.pdf"]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)
FRONT = st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)), VALUES,
                        max_size=8)
MD_PIECES = st.sampled_from([
    "# ", "## Judul\n", "[", "]", "(", ")", "![", "](", "](foto.jpg)", "](fuzz.md)",
    "](Laporan Tahunan.pdf)", "<", ">", "&", "&amp;", "&#0;", "`", "```\n", "\n", "\n\n",
    "::pdf Laporan Tahunan.pdf\n", "::youtube ", "::map https://x\n", "| a | b |\n|---|---|\n",
    "!!! note\n", "[^1]", "[^1]: x\n", "<script>", "javascript:", "\x0b", "\u00a0", "\u200b",
    "\u201c", "\u201d", "---\n", "*", "_", "~~", "> ", "- ", "1. ", "\\", "\ufeff", "\r\n",
])
BODY = st.lists(st.one_of(MD_PIECES, st.text(max_size=12)), max_size=40).map("".join)


@FUZZ
@given(FRONT, BODY, st.sampled_from(["plain", "'", '"']))
@example(front={}, body="# |\x9eKR", style="plain")     # found: a YAML escape made U+009E
@example(front={"title": "", "summary": ""}, body="", style="plain")
def test_arbitrary_front_matter_and_markdown(root: Path, front: dict[object, object],
                                             body: str, style: str) -> None:
    try:
        text = yaml.safe_dump(front, allow_unicode=True,
                              default_style=None if style == "plain" else style)
    except yaml.YAMLError:
        text = repr(front)
    item = ("---\n" + text + "---\n" + body).encode("utf-8", "surrogatepass")
    event = ("---\ntitle: " + json.dumps(str(front.get("title", "x"))) +
             "\nstart: 2026-12-05T09:00\nlocation: " + json.dumps(body[:30]) + "\n---\n" + body)
    build_with(root, {FUZZED: item, AGENDA: event.encode("utf-8", "surrogatepass")})


@FUZZ
@given(st.text(max_size=60), BODY)
def test_any_title_and_body_of_a_valid_item(root: Path, title: str, body: str) -> None:
    page = ("---\ntitle: " + json.dumps(title or "x") + "\ndate: 2026-11-02\n---\n" + body)
    event = ("---\ntitle: " + json.dumps(title or "x") + "\nstart: 2026-12-05T09:00\n---\n")
    build_with(root, {FUZZED: page.encode("utf-8", "surrogatepass"),
                      AGENDA: event.encode("utf-8", "surrogatepass")})
