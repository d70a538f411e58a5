"""Issue #9.3 and #9.5: an agency's odd values are errors at their line, never a region-wide
traceback; links are only http(s), mailto:, tel: or site paths."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import make_region, run_cli
from PIL import Image

from skpdgen import site_build
from skpdgen.pipeline import BuildRequest, build_region

TODAY = "2026-11-29"
GOOD = "---\ntitle: Berita Baik\ndate: 2026-11-02\n---\nIsi.\n"


def _region(root: Path, files: dict[str, str | bytes]) -> Path:
    base: dict[str, str | bytes] = {
        "sites/a/site.yaml": "name: Dinas A\n",
        "sites/a/content/berita/2026-11-01-satu.md": GOOD,
        "sites/b/site.yaml": "name: Dinas B\n",
        "sites/b/content/berita/2026-11-02-dua.md": GOOD,
    }
    base.update(files)
    return make_region(root, base)


def _assert_rest_built(root: Path) -> None:
    out = root / "build"
    assert (out / "b/berita/dua/index.html").is_file()
    assert (out / "index.html").is_file()
    manifest = json.loads((out / ".skpdgen/manifest.json").read_text(encoding="utf-8"))
    assert manifest["sites"]["b"]["build"] == "ok"
    # an error in one item leaves that item out (item isolation); in site.yaml, the agency
    assert manifest["sites"]["a"]["build"] in ("failed", "partial")


NEWS = "sites/a/content/berita/2026-11-01-satu.md"
TRIGGERS = [
    ("self-alias", {NEWS: "---\ntitle: X\ndate: 2026-11-01\ntags: &a [*a]\n---\nIsi.\n"},
     rf"^{NEWS}:4: error: an alias \(\*name\) refers to the value that contains it"),
    ("self-alias-map", {"sites/a/site.yaml": "name: A\nhead: &h {name: *h}\n"},
     r"^sites/a/site\.yaml:2: error: an alias"),
    ("deep-600", {NEWS: "---\ntitle: X\ndate: 2026-11-01\nx: " + "[" * 600 + "]" * 600
                  + "\n---\nIsi.\n"},
     rf"^{NEWS}:4: error: values are nested more than 50 levels deep"),
    ("deep-100000", {"sites/a/site.yaml": "name: A\nx: " + "[" * 100_000 + "]" * 100_000 + "\n"},
     r"^sites/a/site\.yaml:2: error: values are nested more than 50 levels deep"),
    ("date-0001", {NEWS: "---\ntitle: X\ndate: 0001-01-01\n---\nIsi.\n"},
     rf"^{NEWS}:3: error: 'date' is out of range: year 1 is not between 1900 and 2999"),
    ("date-9999", {NEWS: "---\ntitle: X\ndate: 9999-12-31T23:59+14:00\n---\nIsi.\n"},
     rf"^{NEWS}:3: error: 'date' is out of range: year 9999"),
    ("map-bracket", {"sites/a/site.yaml": "name: A\ncontact:\n  map: 'http://['\n"},
     r"^sites/a/site\.yaml:3: error: 'contact\.map' is not a valid web address"),
    ("social-bracket", {"sites/a/site.yaml": "name: A\nsocial:\n  x: 'https://[x'\n"},
     r"^sites/a/site\.yaml:3: error: 'social\.x' is not a valid web address"),
    ("menu-javascript", {"sites/a/site.yaml": "name: A\nmenu:\n  - title: X\n"
                         "    url: \"javascript:alert(document.domain);/x\"\n"},
     r"^sites/a/site\.yaml:4: error: 'menu\[\]\.url' uses 'javascript:', which is not allowed"),
    ("menu-data", {"sites/a/site.yaml": "name: A\nmenu:\n  - title: X\n"
                   "    url: \"DATA:text/html,<script>alert(1)</script>\"\n"},
     r"^sites/a/site\.yaml:4: error: 'menu\[\]\.url' uses 'data:'"),
    ("menu-tab-javascript", {"sites/a/site.yaml": "name: A\nmenu:\n  - title: X\n"
                             "    url: \"java\\tscript:alert(1)\"\n"},
     r"^sites/a/site\.yaml:4: error: 'menu\[\]\.url' is not a valid address"),
    ("menu-protocol-relative", {"sites/a/site.yaml": "name: A\nmenu:\n  - title: X\n"
                                "    url: \"//evil.example/\"\n"},
     r"^sites/a/site\.yaml:4: error: 'menu\[\]\.url' starts with '//'"),
    ("online-url-js", {"sites/a/content/layanan/izin.md":
                       "---\ntitle: Izin\nonline_url: javascript:alert(1)\n---\nIsi.\n"},
     r"^sites/a/content/layanan/izin\.md:3: error: 'online_url' must be a full web address"),
    ("inovasi-url-bracket", {"sites/a/content/inovasi/app.md":
                             "---\ntitle: App\nurl: http://[::1\n---\nIsi.\n"},
     r"^sites/a/content/inovasi/app\.md:3: error: 'url' is not a valid web address"),
]


@pytest.mark.parametrize(("name", "files", "expected"), TRIGGERS, ids=[t[0] for t in TRIGGERS])
def test_odd_value_is_an_error_at_its_line(tmp_path: Path, name: str,
                                           files: dict[str, str], expected: str) -> None:
    root = _region(tmp_path / "r", dict(files))
    result = run_cli("build", "--today", TODAY, cwd=root, timeout=60)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    assert re.search(expected, result.stderr, re.M), result.stderr
    _assert_rest_built(root)
    check = run_cli("check", "--today", TODAY, cwd=root, timeout=60)
    assert check.returncode == 1 and "Traceback" not in check.stderr


def test_bad_markdown_addresses_are_warnings_not_crashes(tmp_path: Path) -> None:
    body = ("::youtube http://[\n\n::map http://[\n\n[x](https://a.example:port/)\n\n"
            "![foto](http://[)\n\n[r]: http://[\n\n[z][r] <http://[>\n")
    root = _region(tmp_path / "r", {NEWS: "---\ntitle: X\ndate: 2026-11-01\n---\n" + body})
    result = run_cli("build", "--today", TODAY, cwd=root, timeout=60)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert f"{NEWS}:5: warning: 'http://[' is not a YouTube video id" in result.stderr
    assert f"{NEWS}:9: warning: link 'https://a.example:port/' is not a valid address" \
        in result.stderr
    html = (root / "build/a/berita/satu/index.html").read_text(encoding="utf-8")
    assert 'href="https://a.example:port/"' not in html


def test_menu_mailto_tel_and_paths_are_published(tmp_path: Path) -> None:
    root = _region(tmp_path / "r", {"sites/a/site.yaml": (
        "name: Dinas A\nmenu:\n  - title: Surel\n    url: mailto:info@a.go.id\n"
        "  - title: Telepon\n    url: tel:+62283123\n  - title: Berita\n    url: berita/\n"
        "  - title: Luar\n    url: https://contoh.go.id/\n")})
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    html = (root / "build/a/berita/satu/index.html").read_text(encoding="utf-8")
    for href in ('href="mailto:info@a.go.id"', 'href="tel:+62283123"', 'href="../../berita/"',
                 'href="https://contoh.go.id/"'):
        assert href in html
    check = run_cli("check", "--today", TODAY, cwd=root)
    assert "error" not in check.stdout + check.stderr.replace("0 errors", "")


def test_pixel_bomb_image_does_not_crash(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    Image.new("1", (20000, 20000)).save(big, optimize=True)
    root = _region(tmp_path / "r", {
        "sites/a/static/img/big.png": big.read_bytes(),
        NEWS: "---\ntitle: X\ndate: 2026-11-01\nimage: /img/big.png\nimage_alt: hitam\n---\n"
              "![hitam](/img/big.png)\n"})
    result = run_cli("build", "--today", TODAY, cwd=root, timeout=120)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert (root / "build/b/berita/dua/index.html").is_file()


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_today_out_of_range_is_a_usage_error(tmp_path: Path, value: str) -> None:
    root = _region(tmp_path / "r", {})
    for command in ("build", "report", "check"):
        result = run_cli(command, "--today", value, cwd=root)
        assert result.returncode == 2, (command, result.stderr)
        assert "Traceback" not in result.stderr
        assert "is not between 1900 and 2999" in result.stderr
    result = run_cli("build", cwd=root, env={"SKPDGEN_TODAY": value})
    assert result.returncode == 2
    assert f"SKPDGEN_TODAY: error: '{value}': year" in result.stderr


def test_unexpected_exception_is_contained_to_its_agency(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _region(tmp_path / "r", {})
    assert run_cli("build", "--today", TODAY, cwd=root).returncode == 0
    before = (root / "build/a/berita/satu/index.html").read_bytes()
    real = site_build.load_site_model

    def exploding(region, theme, slug, options, diags, *rest):  # type: ignore[no-untyped-def]
        if slug == "a":
            raise ZeroDivisionError("boom")
        return real(region, theme, slug, options, diags, *rest)

    monkeypatch.setattr(site_build, "load_site_model", exploding)
    (root / "sites/a/content/berita/2026-11-01-satu.md").write_text(
        GOOD.replace("Baik", "Baru"), encoding="utf-8")
    (root / "sites/b/content/berita/2026-11-02-dua.md").write_text(
        GOOD.replace("Baik", "Baru"), encoding="utf-8")
    result = build_region(BuildRequest(root, today=date(2026, 11, 29)))
    assert not result.ok
    [error] = [d for d in result.diagnostics if d.severity == "error"]
    assert error.format_text().startswith(
        "sites/a: error: internal error while reading its files (ZeroDivisionError: boom)")
    assert (root / "build/a/berita/satu/index.html").read_bytes() == before
    assert "Berita Baru" in (root / "build/b/berita/dua/index.html").read_text(encoding="utf-8")
    _assert_rest_built(root)
