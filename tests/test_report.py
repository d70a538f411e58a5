"""The scorecard end to end: a region in git with commits at chosen dates, built twice (the
second time one agency fails), then /status/, status.json, status.csv and `skpdgen report`."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import make_region, run_cli, write_tree
from test_scorecard import SVG, git

from skpdgen import cli
from skpdgen.report.collect import collect

TODAY = date(2026, 3, 16)


def day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def stamp(days_ago: int) -> str:
    return f"{day(days_ago)}T10:00:00+07:00"


def news(title: str, days_ago: int, body: str = "Isi.") -> str:
    return f"---\ntitle: {title}\ndate: {day(days_ago)}\n---\n{body}\n"


CONTACT_ALL = """\
contact:
  address: Jl. Merdeka 1
  phone: "0283-123456"
  email: info@aktif.go.id
  whatsapp: 0812-3456-7890
  hours: Senin-Jumat 07.30-16.00
  map: https://maps.example.id/aktif
social:
  facebook: https://facebook.com/aktif
  instagram: https://instagram.com/aktif
  x: https://x.com/aktif
  youtube: https://youtube.com/@aktif
  tiktok: https://tiktok.com/@aktif
"""

AGENCIES: dict[str, dict[str, str]] = {
    # last commit 10 days ago, but front matter says 2 days ago: content wins
    "aktif": {
        "site.yaml": "name: Dinas Aktif\nkind: dinas\n" + CONTACT_ALL,
        "content/berita/baru.md": news("Berita baru", 2),
        "content/berita/lama.md": news("Berita lama", 40),
        "content/pengumuman/libur.md": news("Libur", 5),
        "content/berita/nanti.md": news("Belum terbit", -5),
        "content/agenda/rapat.md": f"---\ntitle: Rapat\nstart: {day(-10)}\n---\n",
        "content/inovasi/aplikasi.md": "---\ntitle: Aplikasi\nyear: 2025\ndigital: true\n---\n",
        "content/profil.md": f"---\ntitle: Profil\nupdated: {day(-3)}\n---\nProfil.\n",
    },
    # content 60 days old, commit 20 days ago: git wins, kurang aktif
    "kurang": {
        "site.yaml": ("name: Kecamatan Kurang\nkind: kecamatan\ncontact:\n  address: Jl. 2\n"
                      "  phone: '0283-1'\nsocial:\n  facebook: https://facebook.com/kurang\n"),
        "content/berita/lama.md": news("Lama", 60),
    },
    "mati": {
        "site.yaml": "name: Desa Mati\nkind: desa\n",
        "content/berita/kuno.md": news("Kuno", 120),
    },
    # never committed and nothing dated: never updated
    "baru": {
        "site.yaml": "name: Badan Baru\nkind: badan\n",
        "content/profil.md": "---\ntitle: Profil\n---\nBaru.\n",
    },
    "rusak": {
        "site.yaml": "name: Dinas Rusak\nkind: dinas\n",
        "content/berita/ok.md": news("Baik", 8),
    },
}
COMMITS = [("mati", 100), ("kurang", 20), ("aktif", 10), ("rusak", 9)]
BROKEN = news("Rusak", 1, "Lihat [ini](tidak-ada.md) dan ![foto](/img/tidak-ada.jpg).")

EXPECTED = {   # slug: (state, score, last_update days ago or None, source, 30d, 90d)
    "aktif": ("aktif", 85, 2, "content", 2, 3),
    "kurang": ("kurang aktif", 34, 20, "git", 0, 1),
    "mati": ("mati", 10, 100, "git", 0, 0),
    "baru": ("mati", 10, None, "content", 0, 0),
    "rusak": ("aktif", 35, 8, "content", 1, 1),
}


@dataclass(frozen=True)
class Built:
    root: Path
    status: dict[str, Any]
    sites: dict[str, dict[str, Any]]
    csv_text: str
    page: str
    second_build_code: int


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("region")
    make_region(root, {f"sites/{slug}/{path}": text for slug, files in AGENCIES.items()
                       for path, text in files.items()})
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Diskominfo")
    git(root, "config", "user.email", "diskominfo@example.id")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "skpdgen.yaml", *(f"sites/{slug}/site.yaml" for slug in AGENCIES))
    git(root, "commit", "-q", "-m", "region", when=stamp(200))    # creating is not publishing
    for slug, days_ago in COMMITS:
        git(root, "add", f"sites/{slug}")
        git(root, "commit", "-q", "-m", slug, when=stamp(days_ago))
    first = run_cli("build", "--today", TODAY.isoformat(), cwd=root)
    assert first.returncode == 0, first.stderr
    write_tree(root, {"sites/rusak/content/berita/rusak.md": BROKEN})   # not committed
    second = run_cli("build", "--today", TODAY.isoformat(), cwd=root)
    status = json.loads((root / "build" / "status.json").read_text(encoding="utf-8"))
    return Built(root, status, {s["slug"]: s for s in status["sites"]},
                 (root / "build" / "status.csv").read_text(encoding="utf-8"),
                 (root / "build" / "status" / "index.html").read_text(encoding="utf-8"),
                 second.returncode)


def test_states_scores_and_last_updates(built: Built) -> None:
    assert built.status["generated"] == TODAY.isoformat()
    assert list(built.sites) == sorted(AGENCIES)
    for slug, (state, score, days_ago, source, d30, d90) in EXPECTED.items():
        site = built.sites[slug]
        assert (site["state"], site["score"], site["last_update"], site["last_update_source"],
                site["published_30d"], site["published_90d"]) == (
            state, score, day(days_ago) if days_ago is not None else None, source, d30, d90), slug
    assert built.status["counts"] == {"aktif": 2, "kurang aktif": 1, "mati": 2}


def test_details_of_the_active_agency(built: Built) -> None:
    aktif = built.sites["aktif"]
    assert aktif["commit_update"] == day(10) and aktif["content_update"] == day(2)
    assert aktif["upcoming_events"] == 1
    assert (aktif["innovations"], aktif["digital_innovation"]) == (1, True)
    assert aktif["social_missing"] == [] and aktif["contact_completeness"] == 100
    assert aktif["sections"]["pengumuman"] == {"published_30d": 1, "published_90d": 1}
    weekly = aktif["weekly"]
    assert isinstance(weekly, list) and len(weekly) == 26
    assert weekly[25] == 2 and weekly[20] == 1 and sum(weekly) == 3
    kurang = built.sites["kurang"]
    assert kurang["score_parts"] == {"freshness": 19, "publishing": 0, "innovation": 0,
                                     "social": 2, "contact": 3, "build": 10}
    assert kurang["social_missing"] == ["instagram", "x", "youtube", "tiktok"]


def test_failed_agency_keeps_its_last_good_numbers(built: Built) -> None:
    assert built.second_build_code == 1
    rusak = built.sites["rusak"]
    assert (rusak["build"], rusak["published_is_old"]) == ("failed", True)
    assert (rusak["build_errors"], rusak["broken_links"]) == (2, 2)
    assert rusak["score_parts"]["build"] == 0
    # the broken item (dated yesterday) is not online: the last good build is measured
    assert rusak["last_update"] == day(8)
    assert (built.root / "build" / "rusak" / "berita" / "ok" / "index.html").is_file()
    for slug in ("aktif", "kurang", "mati", "baru"):
        assert built.sites[slug]["build"] == "ok"
        assert built.sites[slug]["published_is_old"] is False


def test_csv_has_the_same_numbers(built: Built) -> None:
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO(built.csv_text))}
    assert set(rows) == set(AGENCIES)
    for slug, site in built.sites.items():
        row = rows[slug]
        for column in ("state", "score", "published_30d", "published_90d", "innovations",
                       "build", "last_update_source"):
            assert row[column] == str(site[column]), (slug, column)
        assert row["last_update"] == (site["last_update"] or "")
        assert row["social_missing"].split() == site["social_missing"]
        assert [int(n) for n in row["weekly"].split()] == site["weekly"]
    assert rows["rusak"]["published_is_old"] == "true"
    assert rows["aktif"]["berita_90d"] == "2"


def rows_of(page: str) -> dict[str, str]:
    return dict(re.findall(r'<tr id="row-[^"]+" class="[^"]+" data-state="[^"]+" '
                           r'data-kind="[^"]+" data-slug="([^"]+)">(.*?)</tr>', page, re.S))


def test_page_lists_every_agency_with_the_same_numbers(built: Built) -> None:
    rows = rows_of(built.page)
    assert set(rows) == set(AGENCIES)
    for slug, site in built.sites.items():
        assert f"<strong>{site['score']}</strong>" in rows[slug]
        assert f'data-value="{site["last_update"] or ""}"' in rows[slug]
        assert f'<span class="state state--{site["state"].replace(" ", "-")}">{site["state"]}</span>' \
            in rows[slug]
    assert 'data-state="kurang-aktif"' in built.page
    # worst first: mati, then kurang aktif, then aktif; the lowest score first in each
    assert list(rows) == ["baru", "mati", "kurang", "rusak", "aktif"]
    counts = re.findall(r'<span class="state-sum__count">(\d+)</span> '
                        r'<span class="state-sum__word">([a-z ]+)</span>', built.page)
    assert counts == [("2", "mati"), ("1", "kurang aktif"), ("2", "aktif")]
    for part in ("30", "25", "15"):
        assert f'<td class="num">{part}</td>' in built.page   # the table of score parts
    assert "pembaruan terakhir gagal terbit (2 kesalahan isi)" in rows["rusak"]


def reasons_of(row: str) -> list[str]:
    found = re.search(r'<ul class="reasons">(.*?)</ul>', row, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def test_each_row_says_why_in_plain_indonesian(built: Built) -> None:
    rows = rows_of(built.page)
    assert reasons_of(rows["baru"])[:2] == ["belum pernah menerbitkan konten", "belum ada inovasi"]
    assert reasons_of(rows["mati"])[:2] == ["tidak ada pembaruan sejak 3 bulan",
                                            "tidak ada berita dalam 3 bulan terakhir"]
    assert "tidak ada pembaruan sejak 20 hari" in reasons_of(rows["kurang"])
    assert "Instagram, X, YouTube, TikTok tidak dicantumkan" in reasons_of(rows["kurang"])
    assert "e-mail, WhatsApp, jam layanan, peta lokasi belum diisi" in reasons_of(rows["kurang"])
    assert "media sosial tidak dicantumkan" in reasons_of(rows["mati"])
    assert reasons_of(rows["aktif"]) == [] and "tidak ada catatan" in rows["aktif"]
    table = built.page.split("<tbody>")[1].split("</tbody>")[0]
    assert "site.yaml" not in table and "build" not in table     # no developer words


def test_the_counts_name_the_agencies_that_need_attention(built: Built) -> None:
    head = built.page.split('<form class="status-filter"')[0]
    mati = head.split("state-sum__item--mati")[1].split("state-sum__item--")[0]
    assert re.findall(r'<a href="#row-([a-z]+)">', mati) == ["baru", "mati"]
    kurang = head.split("state-sum__item--kurang-aktif")[1].split("state-sum__item--")[0]
    assert re.findall(r'<a href="#row-([a-z]+)">', kurang) == ["kurang"]
    assert "ada pembaruan dalam 14 hari terakhir" in head     # the explanation beside the word
    assert "Tidak aktif" not in built.page and "tidak aktif" not in built.page


def test_page_svgs_are_well_formed_and_accessible(built: Built) -> None:
    svgs = re.findall(r'<svg [^>]*role="img".*?</svg>', built.page, re.S)
    assert len(svgs) == len(AGENCIES) + 1 + 4     # sparklines, the weeks, a bar per kind
    trees = [ET.fromstring(svg) for svg in svgs]
    for tree in trees:
        assert tree.get("role") == "img"
        assert tree.find(f"{SVG}title") is not None and tree.find(f"{SVG}desc") is not None
        assert tree.find(f".//{SVG}text") is None     # words are HTML beside the chart
    sparks = [t for t in trees if t.get("class") == "spark"]
    assert len(sparks) == len(AGENCIES)
    for spark in sparks:
        assert len([r for r in spark.iter(f"{SVG}rect")]) == 26
    [weeks] = [t for t in trees if "chart__svg--cols" in (t.get("class") or "")]
    assert len([g for g in weeks.iter(f"{SVG}g") if g.get("class") == "col"]) == 26
    # one colour: a past week is never coloured by an agency's state today
    assert {r.get("fill") for r in weeks.iter(f"{SVG}rect") if r.get("class") == "seg"} == {
        "#0b4f8a"}
    assert weeks.get("preserveAspectRatio") == "none" and weeks.get("width") is None
    kinds = [t for t in trees if "chart__svg--bar" in (t.get("class") or "")]
    assert len(kinds) == 4     # badan, desa, dinas, kecamatan
    assert '<span class="kindbars__text">1 mati</span>' in built.page


def test_page_has_no_inline_script_or_style(built: Built) -> None:
    assert " style=" not in built.page and "<style" not in built.page
    scripts = re.findall(r"<script([^>]*)>", built.page)
    assert all("src=" in s or 'type="application/ld+json"' in s for s in scripts)
    assert re.search(r'<script src="[^"]*assets/js/status\.[0-9a-f]{8}\.js" defer>', built.page)
    assert 'class="status-filter" hidden' in built.page


def test_one_page_per_state(built: Built) -> None:
    out = built.root / "build" / "status"
    for state, slugs in (("aktif", {"aktif", "rusak"}), ("kurang-aktif", {"kurang"}),
                         ("mati", {"mati", "baru"})):
        page = (out / state / "index.html").read_text(encoding="utf-8")
        assert set(rows_of(page)) == slugs, state


def test_report_json_and_csv_equal_the_published_files(built: Built) -> None:
    report = run_cli("report", "--format", "json", "--today", TODAY.isoformat(),
                     cwd=built.root)
    assert report.returncode == 0, report.stderr
    assert report.stdout == (built.root / "build" / "status.json").read_text(encoding="utf-8")
    from_env = run_cli("report", "--format", "csv", cwd=built.root,
                       env={"SKPDGEN_TODAY": TODAY.isoformat()})
    assert from_env.stdout.replace("\r\n", "\n") == built.csv_text.replace("\r\n", "\n")
    for form in ("json", "csv"):   # byte for byte, whatever the console's encoding
        raw = subprocess.run([sys.executable, "-m", "skpdgen", "report", "--format", form,
                              "--today", TODAY.isoformat()], cwd=built.root, capture_output=True,
                             env={**os.environ, "PYTHONIOENCODING": "ascii"}, check=False)
        assert raw.stdout == (built.root / "build" / f"status.{form}").read_bytes(), raw.stderr


def test_report_table_and_fail_on(built: Built) -> None:
    table = run_cli("report", "--today", TODAY.isoformat(), "--fail-on", "mati",
                    cwd=built.root)
    assert table.returncode == 1
    assert "\x1b[" not in table.stdout          # not a terminal: no colour
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["AGENCY", "STATE", "SCORE"]
    assert lines[1].split()[:3] == ["baru", "mati", "10"]     # worst first, as on the page
    assert "2 aktif, 1 kurang aktif, 2 mati" in table.stdout
    assert "mati: baru, mati" in table.stderr


def test_report_site_and_fail_on_levels(built: Built, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    root, today = str(built.root), TODAY.isoformat()
    assert cli.main(["report", "--root", root, "--site", "aktif", "--today", today,
                     "--fail-on", "kurang-aktif", "--format", "json"]) == 0
    assert [s["slug"] for s in json.loads(capsys.readouterr().out)["sites"]] == ["aktif"]
    assert cli.main(["report", "--root", root, "--site", "kurang", "--today", today,
                     "--fail-on", "kurang-aktif"]) == 1
    assert "1 agency is kurang aktif or mati: kurang" in capsys.readouterr().err
    assert cli.main(["report", "--root", root, "--site", "kurang", "--today", today,
                     "--fail-on", "mati"]) == 0
    assert cli.main(["report", "--root", root, "--site", "aktf"]) == 2
    assert "did you mean 'aktif'" in capsys.readouterr().err


def test_report_writes_nothing(built: Built) -> None:
    def snapshot() -> dict[str, float]:
        return {str(p): p.stat().st_mtime for p in built.root.rglob("*")
                if ".git" not in p.parts}
    before, status_before = snapshot(), git(built.root, "status", "--porcelain")
    run_cli("report", "--today", TODAY.isoformat(), cwd=built.root)
    assert snapshot() == before
    assert git(built.root, "status", "--porcelain") == status_before


def test_report_without_a_build_measures_the_sources(built: Built, tmp_path: Path) -> None:
    card = collect(built.root, TODAY, build_dir=tmp_path / "no-build")
    scores = {s.slug: s for s in card.scores}
    assert scores["aktif"].score == 85
    rusak = scores["rusak"]     # broken sources, nothing ever published
    assert (rusak.state, rusak.score, rusak.build, rusak.broken_links) == ("mati", 0, "failed", 2)
    assert rusak.published_is_old is False


def test_an_edit_that_breaks_a_site_after_its_build_changes_nothing_until_it_is_built(
        built: Built, tmp_path: Path) -> None:
    """The public still sees the last (good) build: the report says what status.json says."""
    copy = tmp_path / "copy"
    shutil.copytree(built.root, copy, symlinks=True)
    write_tree(copy, {"sites/aktif/content/berita/rusak.md": BROKEN})
    aktif = next(s for s in collect(copy, TODAY, sites=["aktif"]).scores)
    assert (aktif.build, aktif.build_errors, aktif.broken_links) == ("ok", 0, 0)
    assert aktif.to_json() == built.sites["aktif"]


def test_without_git_only_content_dates_count(built: Built, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(built.root, copy, ignore=shutil.ignore_patterns(".git", "build"))
    scores = {s.slug: s for s in collect(copy, TODAY, sites=["kurang", "mati"]).scores}
    assert (scores["kurang"].last_update, scores["kurang"].last_update_source) == (
        day(60), "content")
    assert scores["kurang"].state == "mati" and scores["kurang"].commit_update is None
