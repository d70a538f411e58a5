"""A build of some agencies never shames the others (issue 12.1), and creating or configuring
a site is not activity (issue 12.2): a region in git, built in part, in full, and checked."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import make_region, override_theme_file, run_cli
from test_scorecard import git

from skpdgen.pipeline import BuildRequest, build_region

TODAY = date(2026, 3, 16)


def day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def news(title: str, days_ago: int) -> str:
    return f"---\ntitle: {title}\ndate: {day(days_ago)}\n---\nIsi.\n"


FILES = {
    "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
    "sites/dinkes/content/berita/a.md": news("A", 3),
    "sites/disdik/site.yaml": "name: Dinas Pendidikan\n",
    "sites/disdik/content/berita/b.md": news("B", 5),
    "sites/disdik/content/berita/c.md": news("C", 20),
    "sites/setda/site.yaml": "name: Sekretariat Daerah\nbase_url: https://setda.ujikab.go.id/\n",
    "sites/setda/content/berita/d.md": news("D", 20),
}


def commit(root: Path, message: str, days_ago: int) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, when=f"{day(days_ago)}T09:00:00+07:00")


@pytest.fixture
def region(tmp_path: Path) -> Path:
    """Three agencies with content, and a brand-new empty one whose site.yaml was committed
    (and then configured) yesterday: a fresh clone, nothing built."""
    root = make_region(tmp_path, FILES)
    git(root, "init", "-q", "-b", "main")
    for key, value in (("user.name", "Uji"), ("user.email", "uji@example.id"),
                       ("commit.gpgsign", "false")):
        git(root, "config", key, value)
    git(root, "add", "skpdgen.yaml", *(f"sites/{slug}/site.yaml" for slug in ("dinkes", "disdik",
                                                                                  "setda")))
    git(root, "commit", "-q", "-m", "create the sites",    # creating a site is not publishing
        when=f"{day(90)}T09:00:00+07:00")
    commit(root, "their content", 60)
    (root / "sites/baru").mkdir()
    (root / "sites/baru/site.yaml").write_text("name: Badan Baru\n", encoding="utf-8")
    commit(root, "new agency", 2)
    (root / "sites/baru/site.yaml").write_text(
        "name: Badan Baru\ncontact:\n  phone: '0283-1'\nsocial:\n  instagram: "
        "https://instagram.com/baru\n", encoding="utf-8")
    commit(root, "configure it", 1)
    return root


def status(root: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((root / "build/status.json").read_text(encoding="utf-8"))
    return {s["slug"]: s for s in data["sites"]}


def test_a_partial_build_measures_the_others_from_their_sources(region: Path) -> None:
    done = run_cli("build", "--site", "dinkes", "--today", TODAY.isoformat(), cwd=region)
    assert done.returncode == 0, done.stderr
    partial = status(region)
    assert not (region / "build/disdik").exists()
    assert partial["disdik"]["state"] == "aktif" and partial["disdik"]["published_30d"] == 2
    assert partial["setda"]["state"] == "kurang aktif"
    assert partial["dinkes"]["state"] == "aktif"
    page = (region / "build/status/index.html").read_text(encoding="utf-8")
    # listed with their numbers, but never linked to a folder that does not exist
    assert 'href="../dinkes/"' in page
    assert 'href="../disdik/"' not in page and "https://setda.ujikab.go.id/" not in page
    assert page.count("tidak dibangun pada proses ini") == 3      # disdik, setda, baru
    # the same numbers as a full build, and as `report`
    report = run_cli("report", "--format", "json", "--today", TODAY.isoformat(), cwd=region)
    assert {s["slug"]: s for s in json.loads(report.stdout)["sites"]} == partial
    assert run_cli("build", "--clean", "--today", TODAY.isoformat(), cwd=region).returncode == 0
    assert status(region) == partial
    # after the full build, a partial one keeps the recorded measurement of the others
    assert run_cli("build", "--clean", "--site", "disdik", "--today", TODAY.isoformat(),
                   cwd=region).returncode == 0
    assert status(region) == partial


def test_check_of_one_site_shows_no_agency_dead_for_not_being_built(region: Path) -> None:
    checked = run_cli("check", "--site", "dinkes", "--today", TODAY.isoformat(), cwd=region)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert " 0 errors" in checked.stderr + checked.stdout
    result = build_region(BuildRequest(root=region, sites=("dinkes",), today=TODAY, write=False))
    files = {o.dest_path: o.data for o in result.portal_outputs or []}
    measured = {s["slug"]: s["state"] for s in json.loads(files["status.json"] or b"")["sites"]}
    assert measured == {"baru": "mati", "dinkes": "aktif", "disdik": "aktif",
                        "setda": "kurang aktif"}


def test_creating_and_configuring_a_site_is_not_publishing(region: Path) -> None:
    assert run_cli("build", "--today", TODAY.isoformat(), cwd=region).returncode == 0
    baru = status(region)["baru"]
    assert baru["state"] == "mati" and baru["last_update"] is None
    assert baru["commit_update"] is None and baru["score_parts"]["freshness"] == 0
    assert status(region)["dinkes"]["commit_update"] == day(60)
    row = re.search(r'data-slug="baru">(.*?)</tr>',
                    (region / "build/status/index.html").read_text(encoding="utf-8"), re.S)
    assert row and "belum pernah menerbitkan konten" in row.group(1)


def test_the_build_line_does_not_claim_a_portal_that_failed(region: Path) -> None:
    assert run_cli("build", "--today", TODAY.isoformat(), cwd=region).returncode == 0
    home = override_theme_file(region, "templates/portal/home.html")
    home.write_text("{{ no_such_thing.here }}\n", encoding="utf-8")
    done = run_cli("build", "--today", TODAY.isoformat(), cwd=region)
    assert done.returncode == 1
    assert "and the portal" not in done.stderr
    assert "but not the portal" in done.stderr
    assert "template error" in done.stderr


def test_measurements_from_sources_are_kept_until_the_sources_change(region: Path) -> None:
    build = ("build", "--site", "dinkes", "--today", TODAY.isoformat())
    assert run_cli(*build, cwd=region).returncode == 0
    kept = region / "build/.skpdgen/measured/disdik.json"
    first = kept.read_bytes()
    assert run_cli(*build, cwd=region).returncode == 0
    assert kept.read_bytes() == first and status(region)["disdik"]["published_30d"] == 2
    (region / "sites/disdik/content/berita/e.md").write_text(news("E", 1), encoding="utf-8")
    assert run_cli(*build, cwd=region).returncode == 0
    assert status(region)["disdik"]["published_30d"] == 3
    assert not (region / "build/disdik").exists()
