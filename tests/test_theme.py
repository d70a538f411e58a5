"""The default theme without a browser: the page-weight budget of the demo, a low-contrast brand
colour, an agency with nothing but a name, and the interface strings of both languages.
"""

from __future__ import annotations

import gzip
import json
import os
import posixpath
import re
import shutil
import statistics
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import REPO, make_region, require_browser, run_cli

from skpdgen.color import contrast

TODAY = "2026-11-29"
BUDGET = 30 * 1024  # bytes, gzipped: the page's HTML + the CSS and JS it links (no images)
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def html_files(out: Path) -> list[Path]:
    """The public pages (not the build state, not the staff's editor under admin/)."""
    return sorted(p for p in out.rglob("*.html")
                  if ".skpdgen" not in p.parts and "admin" not in p.relative_to(out).parts)


def gz(data: bytes) -> int:
    """Size gzipped at level 6 (the zlib default; nginx's default level 1 gives ~10 % more)."""
    return len(gzip.compress(data, compresslevel=6, mtime=0))


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.urls.append(a["href"] or "")
        elif tag == "script" and a.get("src"):
            self.urls.append(a["src"] or "")


def page_weight(out: Path, page: Path) -> tuple[int, list[str]]:
    """Gzipped bytes of a page plus each stylesheet and script it links, and those URLs."""
    parser = _Assets()
    html = page.read_bytes()
    parser.feed(html.decode("utf-8"))
    total = gz(html)
    for url in parser.urls:
        assert "://" not in url and not url.startswith("//"), f"{page}: {url} is not local"
        if url.startswith("/"):  # 404 pages: from the root of the portal or the agency's domain
            target = out / url.lstrip("/")
            rel = page.relative_to(out).parts
            if not target.is_file() and len(rel) > 1:
                target = out / rel[0] / url.lstrip("/")
        else:
            target = Path(posixpath.normpath(posixpath.join(page.parent.as_posix(), url)))
        assert target.is_file(), f"{page}: {url} does not exist"
        total += gz(target.read_bytes())
    return total, parser.urls


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    shutil.copy2(REPO / "skpdgen.yaml", root / "skpdgen.yaml")
    shutil.copytree(REPO / "sites", root / "sites")
    shutil.copytree(REPO / "static", root / "static")  # the region logo
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "build"


def test_every_page_of_the_demo_is_within_the_weight_budget(demo: Path) -> None:
    weights = {p: page_weight(demo, p)[0] for p in html_files(demo)}
    assert len(weights) > 300
    over = {str(p.relative_to(demo)): w for p, w in weights.items() if w > BUDGET}
    median = statistics.median(weights.values())
    heaviest = max(weights, key=lambda p: weights[p])
    print(f"\npage weight (HTML+CSS+JS, gzipped) over {len(weights)} pages: median "
          f"{median / 1024:.1f} KB, max {weights[heaviest] / 1024:.1f} KB "
          f"({heaviest.relative_to(demo)}), budget {BUDGET // 1024} KB")
    assert over == {}


def test_pages_link_only_the_theme_css_and_js(demo: Path) -> None:
    """The budget counts what a page links; nothing else (fonts, other origins) is loaded."""
    _, urls = page_weight(demo, demo / "dinkes" / "index.html")
    names = sorted(re.sub(r"\.[0-9a-f]{8}\.", ".", u.rsplit("/", 1)[-1]) for u in urls)
    assert names == ["main.css", "main.js", "site.css"]
    _, urls = page_weight(demo, demo / "index.html")
    names = sorted(re.sub(r"\.[0-9a-f]{8}\.", ".", u.rsplit("/", 1)[-1]) for u in urls)
    assert names == ["main.css", "main.js"]


# --- brand colour ------------------------------------------------------------------------------


def test_low_contrast_brand_colour_is_darkened_and_warned(tmp_path: Path) -> None:
    root = make_region(tmp_path, {
        "sites/kuning/site.yaml": """\
            # Dinas dengan warna kuning
            name: Dinas Kuning
            short_name: Kuning
            color: "#ffdd00"
            """,
        "sites/kuning/content/berita/2026-11-01-kabar.md": """\
            ---
            title: Kabar
            date: 2026-11-01
            ---
            Isi.
            """,
    })
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    warning = [line for line in result.stderr.splitlines() if "#ffdd00" in line]
    assert len(warning) == 1, result.stderr
    assert warning[0].startswith("sites/kuning/site.yaml:4: warning:"), warning[0]
    css_files = list((root / "build" / "kuning" / "assets").glob("site.*.css"))
    assert len(css_files) == 1
    css = css_files[0].read_text(encoding="utf-8")
    accent = re.search(r"--accent:\s*(#[0-9a-fA-F]{6})", css)
    assert accent, css
    assert accent.group(1).lower() != "#ffdd00"
    assert contrast(accent.group(1), "#ffffff") >= 4.5
    assert accent.group(1).lower() in warning[0].lower()  # the warning names the colour used
    # Every page links that stylesheet, and the colour is used nowhere else undarkened.
    home = (root / "build" / "kuning" / "index.html").read_text(encoding="utf-8")
    assert f"assets/{css_files[0].name}" in home
    assert "#ffdd00" not in home.lower()


def test_good_brand_colour_is_kept_without_warning(tmp_path: Path) -> None:
    root = make_region(tmp_path, {"sites/biru/site.yaml": 'name: Dinas Biru\ncolor: "#0b5394"\n'})
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    css = next((root / "build" / "biru" / "assets").glob("site.*.css")).read_text(encoding="utf-8")
    assert "--accent:#0b5394" in css.replace(" ", "")


# --- an agency with only a name ----------------------------------------------------------------

EMPTY_BOX = re.compile(
    r"<(ul|ol|dl|table|tbody|nav|aside|figure|section|p|h[1-6]|li|dd|dt|a|strong)\b[^>]*>"
    r"(?:\s|<svg\b[^>]*>(?:(?!</svg>).)*</svg>)*</\1>", re.S)


def visible_sections_without_content(html: str) -> list[str]:
    """<section>s holding nothing but a heading (a box with a title and no content)."""
    bad = []
    for m in re.finditer(r"<section\b[^>]*>(.*?)</section>", html, re.S):
        body = re.sub(r"<h[1-6]\b[^>]*>.*?</h[1-6]>", "", m.group(1), flags=re.S)
        body = re.sub(r"<div class=\"section__head\">.*?</div>", "", body, flags=re.S)
        if not re.sub(r"<[^>]+>|\s", "", body):
            bad.append(m.group(0)[:120])
    return bad


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_region(tmp_path_factory.mktemp("bare"), {"sites/polos/site.yaml": "name: Badan Polos\n"})
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return root / "build"


def test_name_only_agency_has_no_empty_boxes(bare: Path) -> None:
    pages = html_files(bare)
    assert bare / "polos" / "index.html" in pages
    problems = []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        rel = page.relative_to(bare)
        problems += [f"{rel}: empty element {m.group(0)[:100]!r}" for m in EMPTY_BOX.finditer(html)]
        problems += [f"{rel}: section without content {s!r}"
                     for s in visible_sections_without_content(html)]
        problems += [f"{rel}: {bad!r}" for bad in ("None", "undefined", "src=\"\"", "()", "· ·")
                     if bad in re.sub(r"<script.*?</script>", "", html, flags=re.S)]
    assert problems == []
    home = (bare / "polos" / "index.html").read_text(encoding="utf-8")
    assert "Badan Polos" in home
    assert 'class="monogram"' in home  # no logo: a monogram, not a broken image
    for box in ("contact-box", "greeting", 'class="social', 'class="contact"', "<img"):
        assert box not in home, box


def test_name_only_agency_is_valid_html(bare: Path) -> None:
    errors = vnu_errors(html_files(bare))
    assert errors == [], "\n".join(errors)


def vnu_command(files: list[Path]) -> list[str]:
    """The Nu HTML Checker over every file in one java run (JSON on stderr); skips when java or
    node_modules/vnu-jar is missing, except in CI (SKPDGEN_REQUIRE_BROWSER=1) where it fails."""
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        reason = "java is missing" if java is None else f"{VNU} is missing (npm ci)"
        if require_browser():
            pytest.fail(f"the HTML checker is required in CI: {reason}")
        pytest.skip(reason)
    return [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)]


def vnu_errors(files: list[Path]) -> list[str]:
    result = subprocess.run(vnu_command(files), capture_output=True, text=True, timeout=300,
                            env={**os.environ, "LC_ALL": "C.UTF-8"})
    return vnu_messages(result.stderr or result.stdout)


def vnu_messages(report_json: str) -> list[str]:
    report = json.loads(report_json or '{"messages": []}')
    return [f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '')!r}]"
            for m in report["messages"] if m.get("type") in ("error", "non-document-error")]


# --- interface strings -------------------------------------------------------------------------


def _keys(d: dict[str, object], prefix: str = "") -> Iterator[str]:
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _keys(v, f"{prefix}{k}.")
        else:
            yield prefix + str(k)


def test_both_languages_have_every_interface_string() -> None:
    folder = REPO / "skpdgen" / "themes" / "default" / "i18n"
    ids = set(_keys(yaml.safe_load((folder / "id.yaml").read_text(encoding="utf-8"))))
    ens = set(_keys(yaml.safe_load((folder / "en.yaml").read_text(encoding="utf-8"))))
    assert ids - ens == set(), "missing in en.yaml"
    assert ens - ids == set(), "missing in id.yaml"
    used = set()
    for template in (REPO / "skpdgen" / "themes" / "default" / "templates").rglob("*.html"):
        used |= set(re.findall(r"\bt\(['\"]([a-z_]+\.[a-z_0-9.]+)['\"]\s*[,)]", template.read_text("utf-8")))
    assert used - ids == set(), "templates use strings that id.yaml lacks"
