"""One agency's broken content never stops the others, and never replaces its own last good
output; builds are reproducible and never touch the sources.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fixtures.region import build, copy_region, make_fixture_region, tree_hashes


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture region, built once (tests copy it before changing anything)."""
    root = make_fixture_region(tmp_path_factory.mktemp("isolation"))
    result = build(root)
    assert result.returncode == 0, result.stderr
    return root


def _portal_news(out: Path) -> str:
    """Every page of the portal's news list."""
    pages = [out / "berita/index.html", *sorted(out.glob("berita/page/*/index.html"))]
    return "".join(p.read_text() for p in pages)


def _sources(root: Path) -> dict[str, str]:
    return {k: v for k, v in tree_hashes(root).items() if not k.startswith("build/")}


def test_broken_agency_keeps_its_last_good_output(region: Path, tmp_path: Path) -> None:
    root = copy_region(region, tmp_path)
    out = root / "build"
    dinkes_before = tree_hashes(out / "dinkes")
    # break dinkes (site.yaml: one broken item alone would not hold it back, see
    # test_item_isolation.py), and change a news title of disdik in the same edit
    site_yaml = root / "sites/dinkes/site.yaml"
    good_site = site_yaml.read_text(encoding="utf-8")
    site_yaml.write_text(good_site + "warna: merah\n", encoding="utf-8")
    (root / "sites/dinkes/content/berita/2024-06-20-baru.md").write_text(
        "---\ntitle: Berita Baru Dinkes\ndate: 2024-06-14\n---\nBaru.\n", encoding="utf-8")
    news = root / "sites/disdik/content/berita/2024-06-03-guru-teladan.md"
    news.write_text(news.read_text().replace("Guru Teladan Kabupaten", "Guru Teladan Terbaik"))
    result = build(root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(r"^sites/dinkes/site\.yaml:\d+: error: unknown key 'warna'",
                     result.stderr, re.M), result.stderr
    assert "failed: dinkes" in result.stderr
    # the broken agency's published files are exactly the last good ones
    assert tree_hashes(out / "dinkes") == dinkes_before
    assert not list(out.glob(".dinkes*")), "no staging folder left behind"
    # the other agency and the portal are updated
    assert "Guru Teladan Terbaik" in (out / "disdik/berita/guru-teladan/index.html").read_text()
    assert "Guru Teladan Terbaik" in _portal_news(out)
    assert "Guru Teladan Terbaik" in (out / "feed.xml").read_text()
    # the portal still lists the broken agency, with its last good news
    directory = (out / "direktori/index.html").read_text()
    assert "Dinas Kesehatan" in directory and 'href="../dinkes/"' in directory
    portal_news = _portal_news(out)
    assert "Vaksinasi Massal di Alun-alun" in portal_news
    assert "Berita Baru Dinkes" not in portal_news
    status = json.loads((out / "status.json").read_text())
    states = {s["slug"]: s["build"] for s in status["sites"]}
    assert states == {"dinkes": "failed", "disdik": "ok", "kecamatan-uji": "ok"}
    sitemap = (out / "sitemap.xml").read_text()
    assert "https://ujikab.go.id/dinkes/sitemap.xml" in sitemap
    manifest = json.loads((out / ".skpdgen/manifest.json").read_text())
    assert manifest["sites"]["dinkes"]["build"] == "failed"
    assert manifest["sites"]["dinkes"]["published_is_old"] is True

    # fixed again: the agency is rebuilt with the new item
    site_yaml.write_text(good_site, encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert (out / "dinkes/berita/baru/index.html").is_file()
    assert "Berita Baru Dinkes" in _portal_news(out)


def test_broken_agency_that_never_built_is_still_listed(tmp_path: Path) -> None:
    root = make_fixture_region(tmp_path / "region")
    site_yaml = root / "sites/kecamatan-uji/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "warna: merah\n",
                         encoding="utf-8")
    result = build(root)
    assert result.returncode == 1
    out = root / "build"
    assert not (out / "kecamatan-uji").exists()
    assert (out / "dinkes/index.html").is_file() and (out / "disdik/index.html").is_file()
    status = json.loads((out / "status.json").read_text())
    assert {s["slug"]: s["build"] for s in status["sites"]}["kecamatan-uji"] == "failed"


def test_second_build_writes_nothing_and_never_touches_sources(region: Path) -> None:
    first = tree_hashes(region / "build")
    sources = _sources(region)
    mtimes = {p: p.stat().st_mtime_ns for p in (region / "sites").rglob("*")}
    result = build(region)
    assert result.returncode == 0
    assert re.search(r"\b0 files written\b", result.stderr), result.stderr
    assert tree_hashes(region / "build") == first
    assert _sources(region) == sources
    assert {p: p.stat().st_mtime_ns for p in (region / "sites").rglob("*")} == mtimes
    assert sorted(p.name for p in region.iterdir()) == ["build", "sites", "skpdgen.yaml"]


def _without_search(hashes: dict[str, str]) -> dict[str, str]:
    """Pagefind writes filter values in hash-map order: the same search index, other bytes
    (test_search.py checks what the indexes hold and that unchanged agencies keep theirs).
    The cache entries record the hash of every output file, so they differ with them."""
    return {k: v for k, v in hashes.items()
            if "pagefind" not in k.split("/") and not k.startswith(".skpdgen/cache/")}


def test_clean_and_parallel_builds_give_the_same_bytes(region: Path, tmp_path: Path) -> None:
    root = copy_region(region, tmp_path)
    sources = _sources(root)
    first = _without_search(tree_hashes(root / "build"))
    (root / "build/dinkes/sisa-lama.html").write_text("stale")
    (root / "build/sisa-portal.html").write_text("stale")
    result = build(root, "--clean")
    assert result.returncode == 0, result.stderr
    assert _without_search(tree_hashes(root / "build")) == first
    result = build(root, "--clean", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert _without_search(tree_hashes(root / "build")) == first
    assert _sources(root) == sources


def test_stale_outputs_are_removed(region: Path, tmp_path: Path) -> None:
    root = copy_region(region, tmp_path)
    (root / "sites/dinkes/content/berita/2024-06-01-kabar-1.md").unlink()
    (root / "build/dinkes/sisa-lama.html").write_text("stale")
    (root / "build/berita/sisa-portal.html").write_text("stale")
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert not (root / "build/dinkes/berita/kabar-1").exists()
    assert not (root / "build/dinkes/sisa-lama.html").exists()
    assert not (root / "build/berita/sisa-portal.html").exists()
    assert "kabar-1" not in _portal_news(root / "build")
