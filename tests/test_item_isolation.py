"""One staff mistake never freezes an agency: the broken item is left out, the rest publishes.

Its previously published page stays, links to it keep working, the build still exits 1 with
the error at its line, and the scorecard says "1 item not published: PATH:LINE". Errors in
site.yaml still hold the whole agency back. A repeated title in a dated section is no error.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import make_region, run_cli

TODAY = "2026-11-29"
SITE = "sites/dinkes/"
BERITA = SITE + "content/berita/"


def build(root: Path, *args: str) -> tuple[int, str]:
    result = run_cli("build", "--today", TODAY, *args, cwd=root, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stderr


def news(title: str, day: str, body: str = "Isi.\n", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {day}\n{extra}---\n{body}"


def agency(tmp_path: Path) -> Path:
    return make_region(tmp_path, {
        SITE + "site.yaml": "name: Dinas Kesehatan\n",
        BERITA + "2026-11-01-rapat.md": news("Rapat", "2026-11-01",
                                             "Lihat [vaksin](2026-11-02-vaksin.md).\n"),
        BERITA + "2026-11-02-vaksin.md": news("Vaksin", "2026-11-02", "Isi lama vaksin.\n"),
        "sites/dinsos/site.yaml": "name: Dinas Sosial\n",
    })


def status_of(root: Path, slug: str) -> dict[str, object]:
    data = json.loads((root / "build/status.json").read_text(encoding="utf-8"))
    [site] = [s for s in data["sites"] if s["slug"] == slug]
    return dict(site)


def test_a_broken_item_is_left_out_and_its_old_page_stays(tmp_path: Path) -> None:
    root = agency(tmp_path)
    assert build(root)[0] == 0
    out = root / "build/dinkes"
    # the staff member breaks one item with a Word quote and adds another one
    (root / BERITA / "2026-11-02-vaksin.md").write_text(
        '---\ntitle: "Vaksin\u201d\ndate: 2026-11-02\n---\nIsi baru vaksin.\n', encoding="utf-8")
    (root / BERITA / "2026-11-20-baru.md").write_text(news("Baru", "2026-11-20"))
    status, stderr = build(root)
    assert status == 1
    assert f"{BERITA}2026-11-02-vaksin.md:2: error: Word quote" in stderr
    assert f"1 item(s) not published: {BERITA}2026-11-02-vaksin.md:2" in stderr
    assert "failed:" not in stderr
    assert (out / "berita/baru/index.html").is_file()                   # the rest publishes
    assert "Baru" in (out / "berita/index.html").read_text(encoding="utf-8")
    old = (out / "berita/vaksin/index.html").read_text(encoding="utf-8")
    assert "Isi lama vaksin." in old                                    # its old version stays
    assert 'href="../../berita/vaksin/"' in (out / "berita/rapat/index.html").read_text("utf-8")
    site = status_of(root, "dinkes")
    assert site["build"] == "partial" and site["published_is_old"] is False
    assert site["not_published"] == [f"{BERITA}2026-11-02-vaksin.md:2"]
    page = (root / "build/status/index.html").read_text(encoding="utf-8")
    assert f"<code>{BERITA}2026-11-02-vaksin.md:2</code>" in page
    # nothing changed, built again: still reported (a partial build is never reused), old stays
    status, stderr = build(root)
    assert status == 1 and "Word quote" in stderr
    assert "Isi lama vaksin." in (out / "berita/vaksin/index.html").read_text(encoding="utf-8")
    # another agency built alone: the manifest keeps the partial state of this one
    assert build(root, "--site", "dinsos")[0] == 0
    assert status_of(root, "dinkes")["not_published"] == [f"{BERITA}2026-11-02-vaksin.md:2"]
    # fixed: everything publishes, exit 0
    (root / BERITA / "2026-11-02-vaksin.md").write_text(
        news("Vaksin", "2026-11-02", "Isi baru vaksin.\n"))
    status, stderr = build(root)
    assert status == 0, stderr
    assert "Isi baru vaksin." in (out / "berita/vaksin/index.html").read_text(encoding="utf-8")
    assert status_of(root, "dinkes")["build"] == "ok"


def test_a_never_published_broken_item_has_no_page_and_links_to_it_warn(tmp_path: Path) -> None:
    root = agency(tmp_path)
    (root / BERITA / "2026-11-02-vaksin.md").write_text(
        "---\njudul: Vaksin\ndate: 2026-11-02\n---\nIsi.\n")
    status, stderr = build(root)
    assert status == 1
    assert f"{BERITA}2026-11-02-vaksin.md:2: error: unknown key 'judul'" in stderr
    out = root / "build/dinkes"
    assert not (out / "berita/vaksin").exists()
    assert (out / "berita/rapat/index.html").is_file()       # the item linking it publishes
    assert f"{BERITA}2026-11-01-rapat.md:5: warning: link to '2026-11-02-vaksin.md'" in stderr
    assert stderr.count(": error: ") == 1, stderr


def test_an_error_in_site_yaml_still_holds_the_agency_back(tmp_path: Path) -> None:
    root = agency(tmp_path)
    assert build(root)[0] == 0
    index = root / "build/dinkes/index.html"
    before = index.read_bytes()
    (root / SITE / "site.yaml").write_text("name: Dinas Kesehatan\ncolor: merah\n")
    (root / BERITA / "2026-11-20-baru.md").write_text(news("Baru", "2026-11-20"))
    status, stderr = build(root)
    assert status == 1 and "failed: dinkes" in stderr
    assert not (root / "build/dinkes/berita/baru").exists()
    assert index.read_bytes() == before
    assert status_of(root, "dinkes")["build"] == "failed"


def test_an_error_in_a_template_still_holds_the_agency_back(tmp_path: Path) -> None:
    root = agency(tmp_path)
    assert build(root)[0] == 0
    (root / SITE / "templates").mkdir()
    (root / SITE / "templates/single.html").write_text("{% block x %}\n")
    (root / BERITA / "2026-11-02-vaksin.md").write_text("---\njudul: X\n---\n")
    status, stderr = build(root)
    assert status == 1 and "failed: dinkes" in stderr


def test_a_repeated_title_gets_a_dated_url_and_old_urls_stay(tmp_path: Path) -> None:
    root = make_region(tmp_path, {
        SITE + "site.yaml": "name: Dinas Kesehatan\n",
        BERITA + "2026-10-05-rapat-koordinasi.md": news("Rapat Koordinasi", "2026-10-05",
                                                        "Oktober.\n"),
    })
    assert build(root)[0] == 0
    out = root / "build/dinkes/berita"
    assert "Oktober." in (out / "rapat-koordinasi/index.html").read_text(encoding="utf-8")
    # next month, the same title again, written by hand and by `skpdgen new`
    (root / BERITA / "2026-11-05-rapat-koordinasi.md").write_text(
        news("Rapat Koordinasi", "2026-11-05", "November.\n"))
    result = run_cli("new", "berita", "dinkes", "Rapat Koordinasi", "--today", "2026-11-20",
                     cwd=root)
    assert result.returncode == 0, result.stderr
    created = root / BERITA / "2026-11-20-rapat-koordinasi.md"
    assert "slug: rapat-koordinasi-2026-11-20" in created.read_text(encoding="utf-8")
    status, stderr = build(root)
    assert status == 0, stderr
    assert "Oktober." in (out / "rapat-koordinasi/index.html").read_text(encoding="utf-8")
    assert "November." in (out / "rapat-koordinasi-2026-11-05/index.html").read_text("utf-8")
    assert (out / "rapat-koordinasi-2026-11-20/index.html").is_file()
