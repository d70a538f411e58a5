"""Page-level dependencies (deps.py): an edit or a new day renders only the pages it changes,
and the result is byte for byte what a cold `build --clean` of the same inputs writes."""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import date
from pathlib import Path

from conftest import make_region, override_theme_file, run_cli
from fixtures.region import published_hashes

from skpdgen.pipeline import BuildRequest, build_region

TODAY = "2026-11-29"
BERITA = "sites/dinkes/content/berita"


def news(title: str, day: str, body: str = "Isi berita.", tags: str = "[kesehatan]") -> str:
    return f"---\ntitle: {title}\ndate: {day}\ntags: {tags}\n---\n{body}\n"


def region(tmp_path: Path) -> Path:
    return make_region(tmp_path / "region", {
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
        f"{BERITA}/2026-11-10-a.md": news("Berita A", "2026-11-10", tags="[kesehatan, gizi]"),
        f"{BERITA}/2026-11-12-b.md": news("Berita B", "2026-11-12"),
        f"{BERITA}/2026-11-14-c.md": news("Berita C", "2026-11-14", tags="[imunisasi]"),
        f"{BERITA}/2026-11-16-d.md": news("Berita D", "2026-11-16"),
        f"{BERITA}/2026-12-02-besok.md": news("Terbit Nanti", "2026-12-02"),
        "sites/dinkes/content/pengumuman/libur.md": (
            "---\ntitle: Libur Puskesmas\ndate: 2026-11-01\nexpires: 2026-11-30\n---\nTutup.\n"),
        "sites/dinkes/content/agenda/senam.md": (
            "---\ntitle: Senam Sehat\nstart: 2026-11-30T07:00\nlocation: Alun-alun\n---\n"
            "Ayo ikut.\n"),
        "sites/dinkes/content/profil/tentang.md": "---\ntitle: Tentang Kami\n---\nProfil.\n",
        "sites/disdik/site.yaml": "name: Dinas Pendidikan\n",
        "sites/disdik/content/berita/2026-11-20-ppdb.md": news("PPDB", "2026-11-20"),
    })


def build(root: Path, *args: str, today: str = TODAY) -> str:
    done = run_cli("build", "--today", today, *args, cwd=root)
    assert done.returncode == 0, done.stderr
    return done.stderr


def rendered(root: Path, slug: str = "dinkes") -> set[str]:
    """The pages the last build of `slug` rendered (the others were kept as they were)."""
    record = json.loads((root / f"build/.skpdgen/cache/{slug}.pages.json").read_text(encoding="utf-8"))
    return set(record["rendered"])


def assert_same_as_cold(root: Path, today: str = TODAY, *args: str) -> None:
    """The incremental output equals a `build --clean` of a copy of the same inputs."""
    cold = root.parent / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("build"))  # keeps mtimes
    build(cold, "--clean", *args, today=today)
    incremental, clean = published_hashes(root / "build"), published_hashes(cold / "build")
    assert incremental.keys() == clean.keys()
    assert [k for k in incremental if incremental[k] != clean[k]] == []


def published_index(root: Path) -> dict[str, int]:
    """The search index files of dinkes and their inodes."""
    folder = root / "build/dinkes/pagefind"
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*")}


def all_pages(root: Path, slug: str = "dinkes") -> set[str]:
    return {p.relative_to(root / "build" / slug).as_posix()
            for p in (root / "build" / slug).rglob("*.html")
            if "pagefind" not in p.parts and "admin" not in p.parts}


def test_a_body_edit_renders_the_item_and_the_pages_that_list_it(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root)
    assert rendered(root) == all_pages(root)         # the first build renders everything
    (root / f"{BERITA}/2026-11-12-b.md").write_text(
        news("Berita B", "2026-11-12", "Isi yang **diperbaiki**."), encoding="utf-8")
    stderr = build(root, "--lang", "en")
    assert rendered(root) == {"berita/b/index.html", "berita/index.html", "index.html",
                              "tag/kesehatan/index.html"}
    # the build line counts them, with the portal pages that show the item
    portal = json.loads((root / "build/.skpdgen/cache/.portal.pages.json").read_text("utf-8"))
    assert f", {4 + len(portal['rendered'])} pages rendered" in stderr, stderr
    assert "diperbaiki" in (root / "build/dinkes/berita/b/index.html").read_text("utf-8")
    assert_same_as_cold(root)


def test_a_title_change_renders_its_neighbours_and_lists(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root)
    (root / f"{BERITA}/2026-11-12-b.md").write_text(news("Berita Bunga", "2026-11-12"),
                                                     encoding="utf-8")
    build(root)
    # a and c link to b as their next/previous item; home, the list, its tag show its title;
    # the tag pages of a and c list them with those links (a template may show them)
    assert rendered(root) == {"berita/a/index.html", "berita/b/index.html",
                              "berita/c/index.html", "berita/index.html", "index.html",
                              "tag/kesehatan/index.html", "tag/gizi/index.html",
                              "tag/imunisasi/index.html"}
    assert "Berita Bunga" in (root / "build/dinkes/berita/a/index.html").read_text("utf-8")
    assert_same_as_cold(root)


def test_add_delete_and_rename_items(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root)
    # between b and c, older than the newest item: the site's "last updated" stays the same
    (root / f"{BERITA}/2026-11-13-e.md").write_text(news("Berita E", "2026-11-13"),
                                                     encoding="utf-8")
    build(root)
    assert rendered(root) == {"berita/e/index.html", "berita/b/index.html",
                              "berita/c/index.html", "berita/index.html", "index.html",
                              "tag/kesehatan/index.html", "tag/imunisasi/index.html",
                              "tag/index.html"}
    assert_same_as_cold(root)
    # the newest item: every page's footer shows its date as the site's last update
    (root / f"{BERITA}/2026-11-18-f.md").write_text(news("Berita F", "2026-11-18"),
                                                     encoding="utf-8")
    build(root)
    assert rendered(root) == all_pages(root)
    assert_same_as_cold(root)

    (root / f"{BERITA}/2026-11-14-c.md").unlink()        # its tag goes with it
    build(root)
    assert not (root / "build/dinkes/berita/c/index.html").exists()
    assert not (root / "build/dinkes/tag/imunisasi").exists()
    assert rendered(root) == {"berita/d/index.html", "berita/e/index.html",
                              "berita/index.html", "index.html", "tag/index.html",
                              "tag/kesehatan/index.html"}
    assert_same_as_cold(root)

    (root / f"{BERITA}/2026-11-10-a.md").rename(root / f"{BERITA}/2026-11-10-alpha.md")
    build(root)
    assert not (root / "build/dinkes/berita/a").exists()
    assert rendered(root) == {"berita/alpha/index.html", "berita/b/index.html",
                              "berita/index.html", "index.html", "tag/kesehatan/index.html",
                              "tag/gizi/index.html"}
    assert_same_as_cold(root)


def test_site_yaml_and_theme_changes_render_everything(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root)
    (root / "sites/dinkes/site.yaml").write_text("name: Dinas Kesehatan Kabupaten\n",
                                                 encoding="utf-8")
    build(root)
    assert rendered(root) == all_pages(root)
    assert_same_as_cold(root)

    template = override_theme_file(root, "templates/single.html")
    template.write_text(template.read_text("utf-8").replace("</article>",
                                                             "</article><!-- versi 2 -->"),
                        encoding="utf-8")
    build(root)
    assert rendered(root) == all_pages(root)
    assert rendered(root, "disdik") == all_pages(root, "disdik")
    assert "versi 2" in (root / "build/dinkes/berita/a/index.html").read_text("utf-8")
    assert_same_as_cold(root)


def test_an_agency_template_is_a_dependency_of_its_pages(tmp_path: Path) -> None:
    root = region(tmp_path)
    (root / "sites/dinkes/templates").mkdir()
    (root / "sites/dinkes/templates/page.html").write_text(
        "{% extends 'base.html' %}{% block content %}<p>satu {{ page.title }}</p>"
        "{% endblock %}", encoding="utf-8")
    build(root)
    (root / "sites/dinkes/templates/page.html").write_text(
        "{% extends 'base.html' %}{% block content %}<p>dua {{ page.title }}</p>"
        "{% endblock %}", encoding="utf-8")
    build(root)
    assert "dua Tentang Kami" in (root / "build/dinkes/profil/tentang/index.html"
                                  ).read_text("utf-8")
    assert rendered(root) == all_pages(root)
    assert_same_as_cold(root)


def test_a_new_day_renders_only_the_pages_that_depend_on_the_date(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root)
    folder = (root / "build/dinkes").stat().st_ino
    index = published_index(root)
    stderr = build(root, today="2026-11-30")      # nothing answers differently on this day
    assert rendered(root) == set()
    # disdik has no date ahead of today: nothing it shows changes before the new year (its
    # footer's year), so it is kept whole, not even read
    assert "1 unchanged since the last build" in stderr
    # every output is what the live folder holds: not staged, indexed or swapped again
    assert "0 removed" in stderr
    assert (root / "build/dinkes").stat().st_ino == folder
    assert published_index(root) == index
    assert_same_as_cold(root, "2026-11-30")
    # on 1 December the announcement has expired, the event is over: their pages, the lists
    # and the home that show them (the home lists upcoming events)
    stderr = build(root, today="2026-12-01")
    assert rendered(root) == {
        "index.html", "pengumuman/index.html", "pengumuman/arsip/index.html",
        "pengumuman/libur/index.html", "agenda/index.html", "agenda/senam/index.html"}
    assert "1 unchanged since the last build" in stderr
    home = (root / "build/dinkes/index.html").read_text("utf-8")
    assert "Libur Puskesmas" not in home and "Senam Sehat" not in home
    assert_same_as_cold(root, "2026-12-01")
    # on 2 December a news item goes live: the newest date, so the site's "last updated" in
    # every page's footer changes
    build(root, today="2026-12-02")
    assert rendered(root) == all_pages(root)
    assert "Terbit Nanti" in (root / "build/dinkes/index.html").read_text("utf-8")
    assert_same_as_cold(root, "2026-12-02")
    # a new year: the footer's year changes on every page, of both agencies
    stderr = build(root, today="2027-01-02")
    assert rendered(root) == all_pages(root)
    assert rendered(root, "disdik") == all_pages(root, "disdik")
    assert "unchanged since the last build" not in stderr
    assert_same_as_cold(root, "2027-01-02")


def test_a_broken_item_across_incremental_builds(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root)
    broken = root / f"{BERITA}/2026-11-14-c.md"
    broken.write_text("---\ntitle: Berita C\ndate: 2026-11-14\ntags: [imunisasi]\n---\n"
                      "Lihat [ini](tidak-ada.md).\n", encoding="utf-8")
    done = run_cli("build", "--today", TODAY, cwd=root)
    assert "2026-11-14-c.md:6" in done.stderr
    old = (root / "build/dinkes/berita/c/index.html").read_text("utf-8")
    assert "Berita C" in old                       # its last good page stays
    (root / f"{BERITA}/2026-11-16-d.md").write_text(news("Berita D", "2026-11-16", "Baru."),
                                                     encoding="utf-8")
    done = run_cli("build", "--today", TODAY, cwd=root)
    assert "berita/d/index.html" in rendered(root)
    assert "berita/a/index.html" not in rendered(root)
    assert "Baru." in (root / "build/dinkes/berita/d/index.html").read_text("utf-8")
    assert (root / "build/dinkes/berita/c/index.html").read_text("utf-8") == old
    broken.write_text(news("Berita C", "2026-11-14", "Diperbaiki.", "[imunisasi]"),
                      encoding="utf-8")
    build(root)
    assert "berita/c/index.html" in rendered(root)
    assert_same_as_cold(root)


def test_parallel_and_in_process_builds_agree(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root, "--jobs", "2")
    (root / f"{BERITA}/2026-11-12-b.md").write_text(
        news("Berita B", "2026-11-12", "Isi baru."), encoding="utf-8")
    (root / "sites/disdik/content/berita/2026-11-20-ppdb.md").write_text(
        news("PPDB", "2026-11-20", "Jadwal baru."), encoding="utf-8")
    build(root, "--jobs", "2")
    assert "berita/b/index.html" in rendered(root)
    assert rendered(root, "disdik") == {"berita/ppdb/index.html", "berita/index.html",
                                        "index.html", "tag/kesehatan/index.html"}
    assert_same_as_cold(root, TODAY, "--jobs", "1")
    # the count is in the result: a rebuild after one more edit renders its four pages and
    # the portal's two that show it
    (root / f"{BERITA}/2026-11-12-b.md").write_text(
        news("Berita B", "2026-11-12", "Isi lagi."), encoding="utf-8")
    result = build_region(BuildRequest(root, today=date.fromisoformat(TODAY)))
    assert result.ok
    dinkes = next(s for s in result.sites if s.slug == "dinkes")
    # the portal pages that show its summary: the home and the news list
    assert rendered(root, ".portal") == {"index.html", "berita/index.html"}
    assert dinkes.rendered == 4 and result.stats.rendered == 4 + 2
    assert next(s for s in result.sites if s.slug == "disdik").reused


def test_unchanged_bodies_are_not_parsed_again_but_follow_what_they_link(tmp_path: Path
                                                                          ) -> None:
    root = region(tmp_path)
    (root / f"{BERITA}/2026-11-16-d.md").write_text(news(
        "Berita D", "2026-11-16", "Lihat [berita A](2026-11-10-a.md) dan <b>ini</b>."),
        encoding="utf-8")
    first = build(root)
    warning = "sites/dinkes/content/berita/2026-11-16-d.md:6: warning: raw HTML"
    assert warning in first
    bodies = root / "build/.skpdgen/cache/dinkes.bodies.json"
    assert "content/berita/2026-11-16-d.md" in json.loads(bodies.read_text("utf-8"))["bodies"]
    # another file changes: d's body is taken from the last build, its warning shown again
    (root / f"{BERITA}/2026-11-12-b.md").write_text(news("Berita B", "2026-11-12", "Baru."),
                                                     encoding="utf-8")
    again = build(root)
    assert warning in again
    assert "berita/d/index.html" not in rendered(root)
    assert_same_as_cold(root)
    # the page it links to moves: its body is rendered again with the new address
    (root / f"{BERITA}/2026-11-10-a.md").write_text(
        "---\ntitle: Berita A\ndate: 2026-11-10\nslug: a-baru\ntags: [kesehatan, gizi]\n---\n"
        "Isi berita.\n", encoding="utf-8")
    build(root)
    assert 'href="../../berita/a-baru/"' in (root / "build/dinkes/berita/d/index.html").read_text("utf-8")
    assert "berita/d/index.html" in rendered(root)
    assert_same_as_cold(root)


def test_an_unreadable_record_only_costs_a_render(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root)
    before = published_hashes(root / "build")
    (root / "build/.skpdgen/cache/dinkes.pages.json").write_text("{not json", encoding="utf-8")
    (root / "build/.skpdgen/cache/dinkes.bodies.json").write_text("[]", encoding="utf-8")
    page = root / "build/dinkes/berita/a/index.html"
    (root / f"{BERITA}/2026-11-12-b.md").write_text(news("Berita B", "2026-11-12", "Baru."),
                                                     encoding="utf-8")
    build(root)
    assert rendered(root) == all_pages(root)
    assert published_hashes(root / "build")["dinkes/berita/a/index.html"] == \
        before["dinkes/berita/a/index.html"]
    # a page edited by hand in build/ is rendered again, never kept
    page.write_text("diubah", encoding="utf-8")
    (root / f"{BERITA}/2026-11-12-b.md").write_text(news("Berita B", "2026-11-12", "Lagi."),
                                                     encoding="utf-8")
    build(root)
    assert "berita/a/index.html" in rendered(root)
    assert_same_as_cold(root)


def test_unchanged_inputs_are_known_by_their_stat(tmp_path: Path) -> None:
    root = region(tmp_path)
    hour_ago = time.time() - 3600
    for path in (root / "sites").rglob("*.md"):
        os.utime(path, (hour_ago, hour_ago))
    build(root)
    record_path = root / "build/.skpdgen/cache/dinkes.inputs.json"
    record = json.loads(record_path.read_text("utf-8"))
    entry = record["files"]["content/berita/2026-11-10-a.md"]
    assert entry[:2] == [(root / f"{BERITA}/2026-11-10-a.md").stat().st_size,
                         (root / f"{BERITA}/2026-11-10-a.md").stat().st_mtime_ns]
    assert "2 unchanged since the last build" in build(root)
    # a file whose stat is as recorded is not read: its recorded hash stands for it (here a
    # wrong one, so the agency is built again, which shows the file was not read)
    entry[3] = "0" * 64
    record_path.write_text(json.dumps(record), encoding="utf-8")
    assert "1 unchanged since the last build" in build(root)
    # an edit of the same size changes the mtime: noticed, even within the same second
    page = root / f"{BERITA}/2026-11-12-b.md"
    page.write_text(page.read_text("utf-8").replace("Isi berita.", "Isi beritu."), "utf-8")
    build(root)
    assert "beritu" in (root / "build/dinkes/berita/b/index.html").read_text("utf-8")
    page.write_text(page.read_text("utf-8").replace("Isi beritu.", "Isi beriti."), "utf-8")
    build(root)
    assert "beriti" in (root / "build/dinkes/berita/b/index.html").read_text("utf-8")
    assert_same_as_cold(root)


def test_an_earlier_day_is_never_served_from_a_later_build(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root, today="2026-12-01")
    stderr = build(root, today="2026-11-29")       # the announcement is valid again
    assert "unchanged since the last build" not in stderr
    assert "Libur Puskesmas" in (root / "build/dinkes/index.html").read_text("utf-8")
    assert_same_as_cold(root, "2026-11-29")
