"""Search indexes (Pagefind), read back from the files a browser would download.

Each agency gets its own index inside its output, built before the output is swapped in; only
agencies that changed are indexed again; a broken agency keeps its last good site and index; a
Pagefind failure is a warning and keeps the old index; the portal has a small index of the
agencies (its /cari/ merges the agencies' indexes in the browser); the preview indexes after
it told the open tabs to reload. What the browser does with them: test_search_browser.py.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import make_region, run_cli

from skpdgen.search.indexer import UNUSED
from skpdgen.serve.plan import RebuildPlan
from skpdgen.serve.rebuild import BuildSettings, Rebuilder
from skpdgen.serve.state import LiveState, Update

TODAY = "2026-11-29"

SERVICE = """\
---
title: Surat Keterangan Sehat
summary: Surat keterangan sehat jasmani dari dokter.
requirements:
  - Fotokopi KTP pemohon
  - Pasfoto berwarna ukuran kaliberfoto
procedure:
  - Dokter melakukan anamnesis
---
Layanan ini diberikan di semua Puskesmas.
"""

DOCUMENT = """\
---
title: Peraturan Bupati Nomor 17 Tahun 2026 tentang Retribusi
date: 2026-05-01
file: /files/perbup.pdf
category: berkala
---
Perbup tentang retribusi pelayanan kesehatan.
"""


def news(title: str, day: str, body: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {day}\n{extra}---\n{body}\n"


def region(tmp_path: Path) -> Path:
    return make_region(tmp_path, {
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\nshort_name: Dinkes\n"
                                  "contact:\n  phone: 0283-555123\n",
        "sites/dinkes/content/layanan/surat-sehat.md": SERVICE,
        "sites/dinkes/content/dokumen/perbup.md": DOCUMENT,
        "sites/dinkes/static/files/perbup.pdf": b"%PDF-1.4 test\n",
        "sites/dinkes/content/berita/2026-11-20-vaksin.md": news(
            "Vaksinasi Massal", "2026-11-20", "Vaksinasi gratis di balai desa."),
        "sites/dinkes/content/berita/2026-11-21-draf.md": news(
            "Draf Berita", "2026-11-21", "Kata rahasiadraf.", "draft: true\n"),
        "sites/dinkes/content/berita/2026-12-05-besok.md": news(
            "Berita Besok", "2026-12-05", "Kata rahasiabesok."),
        "sites/disdik/site.yaml": "name: Dinas Pendidikan\n",
        "sites/disdik/content/berita/2026-11-20-ppdb.md": news(
            "PPDB Dibuka", "2026-11-20", "Pendaftaran peserta didik baru zonasi."),
    })


def build(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    done = run_cli("build", "--today", TODAY, *args, cwd=root, env=env)
    return done.returncode, done.stderr


def records(index: Path) -> list[dict[str, object]]:
    """Every page record of a Pagefind bundle, as the browser decodes its fragment files."""
    found = []
    for path in sorted((index / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        found.append(json.loads(data[len(b"pagefind_dcd"):]))
    return found


def by_url(index: Path) -> dict[str, dict[str, object]]:
    return {str(r["url"]): r for r in records(index)}


def files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its inode and mtime: what a rebuild touched."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_each_agency_has_its_own_index_of_its_content_only(tmp_path: Path) -> None:
    root = region(tmp_path)
    status, err = build(root)
    assert status == 0, err
    out = root / "build"
    dinkes = by_url(out / "dinkes" / "pagefind")
    # items and plain pages, and the agency itself on its home page; no list, tag or search page
    assert set(dinkes) == {"/", "/layanan/surat-sehat/", "/dokumen/perbup/", "/berita/vaksin/"}
    home = dinkes["/"]
    assert home["meta"] == {"title": "Dinas Kesehatan", "agency": "Dinas Kesehatan",
                            "section": "Beranda"}
    assert "0283-555123" in str(home["content"])            # its phone number finds it
    assert "Vaksinasi" not in str(home["content"])          # not the lists of its home page
    service = dinkes["/layanan/surat-sehat/"]
    content = str(service["content"])
    # title, summary, requirements, procedure and body are indexed
    for words in ("Surat Keterangan Sehat", "Fotokopi KTP pemohon", "kaliberfoto",
                  "anamnesis", "semua Puskesmas"):
        assert words in content, words
    # navigation, breadcrumbs, the official banner and the footer are not
    for words in ("Beranda", "Situs resmi", "Pemerintah Kabupaten Uji", "0283-555123",
                  "Bagikan", "Cetak"):
        assert words not in content, words
    assert service["meta"] == {"title": "Surat Keterangan Sehat", "agency": "Dinas Kesehatan",
                               "section": "Layanan Publik"}
    assert service["filters"] == {"agency": ["Dinas Kesehatan"], "section": ["Layanan Publik"]}
    document = dinkes["/dokumen/perbup/"]
    assert "Nomor 17 Tahun 2026" in str(document["content"])
    assert "perbup.pdf" in str(document["content"])        # the file name, from the facts
    assert dict(document["meta"])["date"] == "Jumat, 1 Mei 2026"  # type: ignore[call-overload]
    # drafts and future items are not published, hence not indexed
    everything = json.dumps(records(out / "dinkes" / "pagefind"))
    assert "rahasiadraf" not in everything and "rahasiabesok" not in everything
    # the other agency's index has its pages only
    assert set(by_url(out / "disdik" / "pagefind")) == {"/", "/berita/ppdb/"}
    entry = json.loads((out / "dinkes" / "pagefind" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["id"]               # Indonesian stemming
    for name in UNUSED:                                       # Pagefind's own UIs: not shipped
        assert not (out / "dinkes" / "pagefind" / name).exists(), name


def test_the_portal_index_holds_the_agencies_and_every_page_links_to_search(
        tmp_path: Path) -> None:
    root = region(tmp_path)
    status, err = build(root)
    assert status == 0, err
    out = root / "build"
    agencies = by_url(out / "pagefind")
    assert set(agencies) == {"/dinkes/", "/disdik/"}
    assert agencies["/dinkes/"]["meta"]["title"] == "Dinas Kesehatan"  # type: ignore[index]
    assert "0283-555123" in str(agencies["/dinkes/"]["content"])      # the phone number
    portal_search = (out / "cari" / "index.html").read_text(encoding="utf-8")
    for slug, name in (("dinkes", "Dinas Kesehatan"), ("disdik", "Dinas Pendidikan")):
        assert (f'<option value="{name}" data-slug="{slug}" data-bundle="../{slug}/pagefind/">'
                in portal_search)
    # the header search box on every page leads to the site's own /cari/ with ?q=
    for page, action in (("dinkes/layanan/surat-sehat/index.html", "../../cari/"),
                         ("dinkes/index.html", "cari/"), ("index.html", "cari/"),
                         ("berita/index.html", "../cari/")):
        html = (out / page).read_text(encoding="utf-8")
        assert re.search(rf'<form class="topsearch" role="search" action="{re.escape(action)}" '
                         r'method="get"[^>]*>\s*<label class="sr" for="topsearch-q">', html), page
        assert 'name="q" type="search"' in html
    # only items and plain pages are marked for indexing
    assert "data-pagefind-body>" in (out / "dinkes/layanan/surat-sehat/index.html").read_text()
    assert 'main" tabindex="-1" data-pagefind-body' not in (out / "dinkes/index.html").read_text()
    # without JavaScript the agency search page lists its services
    agency_search = (out / "dinkes" / "cari" / "index.html").read_text(encoding="utf-8")
    assert 'href="../layanan/surat-sehat/"' in agency_search
    assert 'href="../../direktori/"' in agency_search              # the portal's directory
    assert '<script src="../assets/js/search.' in agency_search


def test_only_changed_agencies_are_indexed_again(tmp_path: Path) -> None:
    root = region(tmp_path)
    assert build(root)[0] == 0
    out = root / "build"
    dinkes, disdik, portal = (files(out / "dinkes" / "pagefind"),
                              files(out / "disdik" / "pagefind"), files(out / "pagefind"))
    (root / "sites/disdik/content/berita/2026-11-22-baru.md").write_text(
        news("Berita Baru", "2026-11-22", "Kata kunci unikbaru."), encoding="utf-8")
    status, err = build(root)
    assert status == 0 and "1 unchanged since the last build" in err, err
    assert files(out / "dinkes" / "pagefind") == dinkes       # not touched at all
    assert files(out / "pagefind") == portal                  # the agencies did not change
    assert files(out / "disdik" / "pagefind") != disdik
    assert "unikbaru" in json.dumps(records(out / "disdik" / "pagefind"))
    # deleting it takes it out of the index
    (root / "sites/disdik/content/berita/2026-11-22-baru.md").unlink()
    assert build(root)[0] == 0
    assert "unikbaru" not in json.dumps(records(out / "disdik" / "pagefind"))
    # a new agency description changes the portal's records only
    (root / "sites/disdik/site.yaml").write_text(
        "name: Dinas Pendidikan\ndescription: Sekolah dan kurikulum.\n", encoding="utf-8")
    assert build(root)[0] == 0
    assert files(out / "pagefind") != portal
    assert "kurikulum" in str(by_url(out / "pagefind")["/disdik/"]["content"])


def test_a_broken_agency_keeps_its_last_good_index(tmp_path: Path) -> None:
    root = region(tmp_path)
    assert build(root)[0] == 0
    out = root / "build"
    before = files(out / "dinkes" / "pagefind")
    # a new item, and a site.yaml broken so that the whole agency fails (an error in one item
    # only leaves that item out: tests/test_item_isolation.py)
    (root / "sites/dinkes/content/berita/2026-11-23-baru.md").write_text(
        "---\ntitle: Baru\ndate: 2026-11-23\n---\nKata rusakbaru.\n", encoding="utf-8")
    site = root / "sites/dinkes/site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "color: bukan-warna\n", encoding="utf-8")
    status, err = build(root)
    assert status == 1 and "sites/dinkes/site.yaml:" in err and ": error:" in err, err
    assert files(out / "dinkes" / "pagefind") == before
    assert "rusakbaru" not in json.dumps(records(out / "dinkes" / "pagefind"))


def test_a_pagefind_failure_is_a_warning_and_the_old_index_stays(tmp_path: Path) -> None:
    root = region(tmp_path)
    assert build(root)[0] == 0
    out = root / "build"
    old = {url: r["content"] for url, r in by_url(out / "dinkes" / "pagefind").items()}
    (root / "sites/dinkes/content/berita/2026-11-24-lagi.md").write_text(
        news("Lagi", "2026-11-24", "Kata lagibaru."), encoding="utf-8")
    status, err = build(root, env={"PAGEFIND_BINARY_PATH": str(tmp_path / "no-pagefind")})
    assert status == 0, err
    assert re.search(r"^sites/dinkes: warning: search index not updated: cannot run Pagefind "
                     r".*\(the site keeps its previous search index; build again to retry\)$",
                     err, re.M), err
    assert "Traceback" not in err
    assert (out / "dinkes/berita/lagi/index.html").is_file()       # the site itself is new
    assert {url: r["content"] for url, r in by_url(out / "dinkes" / "pagefind").items()} == old
    # the next build (Pagefind back) indexes it, although the agency's inputs did not change
    status, err = build(root)
    assert status == 0, err
    assert "lagibaru" in json.dumps(records(out / "dinkes" / "pagefind"))


def test_the_preview_indexes_after_telling_the_tabs_to_reload(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    root = region(tmp_path)
    out = root / "build"
    events: list[str] = []
    state = LiveState()
    publish = state.publish

    def told(update: Update) -> frozenset[str]:
        events.append("reload " + ",".join(sorted(update.changed)))
        return publish(update)
    monkeypatch.setattr(state, "publish", told)
    from skpdgen.search import indexer
    index_site = indexer.index_site

    def indexing(site_dir: Path, language: str, source: Path | None = None) -> None:
        events.append(f"index {site_dir.name}")
        index_site(site_dir, language, source)
    monkeypatch.setattr(indexer, "index_site", indexing)
    import skpdgen.search
    monkeypatch.setattr(skpdgen.search, "index_site", indexing)

    rebuilder = Rebuilder(BuildSettings(root, out, today=date.fromisoformat(TODAY)), state)
    rebuilder.initial()
    assert "anamnesis" in json.dumps(records(out / "dinkes" / "pagefind"))
    events.clear()
    page = root / "sites/dinkes/content/layanan/surat-sehat.md"
    page.write_text(SERVICE.replace("anamnesis", "auskultasi"), encoding="utf-8")
    outcome = rebuilder.rebuild(RebuildPlan(("dinkes",), False, ()))
    assert outcome.result is not None and outcome.result.ok
    assert events[0] == "reload dinkes"                      # the tab reloads first,
    assert events[-1] == "index dinkes"                      # the search catches up after
    assert events.count("index dinkes") == 1
    text = json.dumps(records(out / "dinkes" / "pagefind"))
    assert "auskultasi" in text and "anamnesis" not in text



def test_an_agency_without_content_still_gets_a_search_index(tmp_path: Path) -> None:
    root = make_region(tmp_path, {"sites/baru/site.yaml": "name: Kecamatan Baru\n"})
    status, err = build(root)
    assert status == 0 and "warning" not in err, err
    assert set(by_url(root / "build" / "baru" / "pagefind")) == {"/"}


def test_pagefind_reads_only_the_pages_search_shows_and_finds_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lists, their pages, tag pages, alias redirects and the 404 page are left out of what
    Pagefind reads: the index holds exactly what Pagefind makes of the whole folder."""
    files: dict[str, str | bytes] = {
        "skpdgen.yaml": "name: Pemerintah Kabupaten Uji\nbase_url: https://ujikab.go.id/\n"
                        "paginate: 2\n",
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
        "sites/dinkes/content/profil.md": "---\ntitle: Profil\n---\nVisi misi kesehatan.\n",
        "sites/dinkes/content/layanan/surat-sehat.md": SERVICE,
    }
    for n in range(5):
        files[f"sites/dinkes/content/berita/2026-11-{10 + n}-kabar-{n}.md"] = news(
            f"Kabar {n}", f"2026-11-{10 + n}", f"Isi kabar nomor {n} posyandu.",
            f"tags: [posyandu]\naliases: [/lama/kabar-{n}.html]\n")
    root = make_region(tmp_path, files)
    from skpdgen.search import indexer
    from skpdgen.search.indexer import EXCLUDE_SELECTORS, executable
    # a Pagefind that first notes what it was asked to read
    log, wrapper = tmp_path / "args.log", tmp_path / "pagefind"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" ---- >> {log}\n'
                       f'exec {executable()} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    status, err = build(root, env={"PAGEFIND_BINARY_PATH": str(wrapper)})
    assert status == 0, err
    runs = [run.split("\n") for run in log.read_text(encoding="utf-8").split("----\n")]
    dinkes = next(args for args in runs if args[:2] == ["--site", args[1]] and "dinkes" in args[1])
    glob = dinkes[dinkes.index("--glob") + 1]
    assert sorted(glob.strip("{}").split(",")) == sorted(
        ["index.html", "profil/index.html", "layanan/surat-sehat/index.html"]
        + [f"berita/kabar-{n}/index.html" for n in range(5)])
    site = root / "build/dinkes"
    for left_out in ("berita/page/2/index.html", "tag/posyandu/index.html",
                     "lama/kabar-0.html/index.html", "404.html"):
        assert (site / left_out).is_file(), left_out      # the pages exist, unread
    assert not [p for p in (root / "build").iterdir() if ".search.tmp" in p.name]

    whole = tmp_path / "whole-index"
    subprocess.run([str(executable()), "--site", str(site), "--output-path", str(whole),
                    "--force-language", "id", "--exclude-selectors",
                    ", ".join(EXCLUDE_SELECTORS), "--silent"], check=True, timeout=300)

    def shown(index: Path) -> dict[str, tuple[object, ...]]:
        return {url: (r["content"], r["meta"], r["filters"], r["word_count"])
                for url, r in by_url(index).items()}

    assert shown(site / "pagefind") == shown(whole)
    assert {"/berita/kabar-0/", "/profil/", "/layanan/surat-sehat/"} <= set(shown(whole))
    # too many pages for one --glob: the same pages, hard-linked into a folder of their own
    monkeypatch.setattr(indexer, "GLOB_LIMIT", 10)
    indexer.index_site(site, "id")
    assert shown(site / "pagefind") == shown(whole)
    assert not [p for p in (root / "build").iterdir() if ".search.tmp" in p.name]


def test_the_portal_index_is_written_again_only_for_other_records_or_another_pagefind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from skpdgen.search import write_portal_index
    from skpdgen.search.indexer import executable
    from skpdgen.summary import load_summary
    from skpdgen.theme import load_theme

    root = region(tmp_path)
    assert build(root)[0] == 0
    out = root / "build"
    summaries = [s for s in (load_summary(out, slug) for slug in ("dinkes", "disdik")) if s]
    assert len(summaries) == 2
    translator = load_theme(root / "themes", "id").translator
    assert write_portal_index(out, summaries, translator) is False     # the build wrote it
    assert write_portal_index(out, summaries[:1], translator) is True  # other records
    assert set(by_url(out / "pagefind")) == {"/dinkes/"}
    assert write_portal_index(out, summaries[:1], translator) is False
    # another Pagefind (an upgrade, or PAGEFIND_BINARY_PATH) writes it again, once
    other = tmp_path / "bin" / "pagefind"
    other.parent.mkdir()
    shutil.copy2(executable(), other)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(other))
    assert write_portal_index(out, summaries[:1], translator) is True
    assert write_portal_index(out, summaries[:1], translator) is False
    assert set(by_url(out / "pagefind")) == {"/dinkes/"}
