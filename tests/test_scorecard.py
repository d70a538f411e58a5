"""The scorecard's measurement, score formula, charts and git dates, without a build."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from skpdgen import charts, gitdates
from skpdgen.config.region import Region
from skpdgen.report.table import format_table
from skpdgen.scorecard import (
    CSV_COLUMNS,
    SCORE_PARTS,
    WEEKS,
    BuildHealth,
    Identity,
    ScoreInput,
    csv_row,
    measure,
    status_csv,
)
from skpdgen.summary import Activity, ItemSummary, SiteSummary

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 3, 16)
REGION = Region(root=Path("/nonexistent"), name="Kabupaten Uji", base_url="https://uji.go.id/")
SVG = "{http://www.w3.org/2000/svg}"


def ago(days: int) -> str:
    return f"{(TODAY - timedelta(days=days)).isoformat()}T00:00:00+07:00"


def summary(activity: list[Activity] | None = None, **overrides: Any) -> SiteSummary:
    fields: dict[str, Any] = dict(
        slug="dinas", name="Dinas Uji", short_name="Dinas Uji", kind="dinas",
        description=None, base_url="https://uji.go.id/dinas/", own_domain=False, logo=None,
        contact={}, social={}, last_update=None, news=[], innovations=[], dated=[],
        events=[], counts={}, page_count=1, activity=activity or [])
    fields.update(overrides)
    return SiteSummary(**fields)


def score_of(s: SiteSummary | None, build: str = "ok", commit: datetime | None = None,
             region: Region = REGION) -> Any:
    entry = ScoreInput(Identity("dinas", "Dinas Uji", "dinas", "https://uji.go.id/dinas/"), s,
                       BuildHealth(build))
    return measure(entry, region, TODAY, commit)


def test_weights_add_up_to_100_and_docs_show_every_part() -> None:
    assert sum(p.weight for p in SCORE_PARTS) == 100
    docs = (REPO / "docs" / "scorecard.md").read_text(encoding="utf-8")
    for part in SCORE_PARTS:
        assert re.search(rf"^\| `{part.name}` \| {part.weight} \|", docs, re.M), part.name


def test_the_worked_example_of_the_docs() -> None:
    """docs/scorecard.md: news 20 days ago, 2 items this month, ... gives 58."""
    s = summary(
        [Activity("berita", ago(20), None), Activity("berita", ago(25), None)],
        innovations=[ItemSummary("Inovasi", "inovasi/a/", "u", "inovasi", None,
                                 extra={"digital": False})],
        social={"facebook": "https://fb.com/a", "instagram": "https://ig.com/a"},
        contact={"address": "Jl. 1", "phone": "1", "email": "a@b.id"})
    score = score_of(s)
    assert score.score_parts == {"freshness": 19, "publishing": 10, "innovation": 10,
                                 "social": 4, "contact": 5, "build": 10}
    assert (score.score, score.state) == (58, "kurang aktif")
    assert score.social_missing == ["x", "youtube", "tiktok"]
    assert score.contact_completeness == 50


@pytest.mark.parametrize(("days", "state", "freshness"), [
    (0, "aktif", 30), (14, "aktif", 30), (15, "kurang aktif", 28), (30, "kurang aktif", 0),
    (31, "mati", 0), (400, "mati", 0),
])
def test_state_and_freshness_follow_the_thresholds(days: int, state: str, freshness: int
                                                   ) -> None:
    score = score_of(summary([Activity("berita", ago(days), None)]))
    assert (score.state, score.score_parts["freshness"]) == (state, freshness)
    assert score.days_since_update == days


def test_future_items_updates_and_events_are_not_updates() -> None:
    s = summary([Activity("berita", ago(40), None), Activity("berita", ago(-3), None),
                 Activity("", ago(50), ago(-1))],
                events=[ItemSummary("Rapat", "agenda/r/", "u", "agenda", None,
                                    extra={"start": ago(-10)}),
                        ItemSummary("Lalu", "agenda/l/", "u", "agenda", None,
                                    extra={"start": ago(3)})])
    score = score_of(s)
    assert score.last_update == (TODAY - timedelta(days=40)).isoformat()
    assert (score.published_30d, score.published_90d, score.upcoming_events) == (0, 1, 1)
    assert score.state == "mati"


def test_updated_counts_as_an_update_and_plain_pages_are_not_publications() -> None:
    score = score_of(summary([Activity("", ago(200), ago(3))]))
    assert (score.last_update_source, score.days_since_update, score.state) == (
        "content", 3, "aktif")
    assert score.published_90d == 0


def test_newest_of_commit_and_content_with_its_source() -> None:
    s = summary([Activity("berita", ago(60), None)])
    commit = datetime.fromisoformat(ago(20))
    score = score_of(s, commit=commit)
    assert (score.last_update_source, score.state) == ("git", "kurang aktif")
    assert score.commit_update == (TODAY - timedelta(days=20)).isoformat()
    assert score.content_update == (TODAY - timedelta(days=60)).isoformat()
    newer_content = score_of(summary([Activity("berita", ago(2), None)]), commit=commit)
    assert newer_content.last_update_source == "content"
    future_commit = score_of(s, commit=datetime.fromisoformat(ago(-2)))
    assert future_commit.last_update_source == "content"


def test_never_updated_and_never_built_are_mati() -> None:
    never = score_of(summary([]))
    assert (never.state, never.last_update, never.score_parts["freshness"]) == ("mati", None, 0)
    nothing = score_of(None, build="failed", commit=datetime.fromisoformat(ago(1)))
    assert (nothing.state, nothing.score) == ("mati", 0)
    assert nothing.social_missing == ["facebook", "instagram", "x", "youtube", "tiktok"]


def test_weekly_series_and_section_counts() -> None:
    s = summary([Activity("berita", ago(0), None), Activity("berita", ago(6), None),
                 Activity("pengumuman", ago(7), None), Activity("dokumen", ago(181), None),
                 Activity("berita", ago(182), None)])
    score = score_of(s)
    assert len(score.weekly) == WEEKS
    assert score.weekly[-1] == 2 and score.weekly[-2] == 1 and score.weekly[0] == 1
    assert sum(score.weekly) == 4
    assert score.sections["berita"] == {"published_30d": 2, "published_90d": 2}
    assert score.sections["pengumuman"]["published_30d"] == 1


def test_old_summary_without_activity_falls_back_on_dated_items() -> None:
    dated = [ItemSummary("A", "berita/a/", "u", "berita", ago(3))]
    score = score_of(summary([], dated=dated))
    assert (score.published_30d, score.state) == (1, "aktif")


def test_summary_json_round_trip_keeps_activity_and_reads_old_files() -> None:
    s = summary([Activity("berita", ago(1), ago(0))])
    assert SiteSummary.from_json(s.to_json()) == s
    import json
    old = json.loads(s.to_json())
    del old["activity"]
    assert SiteSummary.from_json(json.dumps(old)).activity == []


def test_build_health_counts_broken_links() -> None:
    from skpdgen.diagnostics import Diagnostic
    from skpdgen.resolve import BROKEN_LINK
    diags = [
        Diagnostic("a.md", 3, "error", "link to 'x.md': no such file", code=BROKEN_LINK),
        Diagnostic("a.md", 4, "error", "image '/img/y.jpg' not found", code=BROKEN_LINK),
        Diagnostic("a.md", 5, "error", "link to 'profil/' leads to no page", code=BROKEN_LINK),
        Diagnostic("a.md", 1, "error", "'date' must be YYYY-MM-DD"),
        Diagnostic("a.md", 6, "warning", "link to 'd.md', which is a draft or not yet published"),
    ]
    health = BuildHealth.from_diagnostics(diags, ok=False, has_output=True)
    assert (health.build, health.errors, health.broken_links, health.published_is_old) == (
        "failed", 4, 3, True)


def test_csv_row_has_every_column() -> None:
    row = csv_row(score_of(summary([Activity("berita", ago(1), None)])))
    assert tuple(row) == CSV_COLUMNS
    assert row["weekly"].split() == ["0"] * 25 + ["1"]
    assert row["build_errors"] == "0" and row["digital_innovation"] == "false"


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x.test\",\"klik\")", "+62 283",
                                  "-1+1", "@SUM(A1)", "\tDinas"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized(name: str) -> None:
    entry = ScoreInput(Identity("dinas", name, "dinas", "https://uji.go.id/dinas/"),
                       summary([Activity("berita", ago(1), None)]), BuildHealth())
    text = status_csv([measure(entry, REGION, TODAY)])
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["name"] == "'" + name
    assert row["score"].isdigit() and row["days_since_update"] == "1"


def test_terminal_table_colours_states_only_when_asked() -> None:
    scores = [score_of(summary([Activity("berita", ago(d), None)])) for d in (1, 20, 90)]
    plain = format_table(scores, REGION, TODAY.isoformat(), color=False)
    assert "\x1b[" not in plain
    assert "1 aktif, 1 kurang aktif, 1 mati" in plain
    coloured = format_table(scores, REGION, TODAY.isoformat(), color=True)
    assert "\x1b[32maktif" in coloured and "\x1b[31mmati" in coloured


def test_terminal_table_in_indonesian_even_in_colour() -> None:
    # the stream does not translate a coloured line: the table writes its own language
    scores = [score_of(summary([Activity("berita", ago(d), None)])) for d in (1, 20, 90)]
    for color in (False, True):
        table = format_table(scores, REGION, TODAY.isoformat(), color=color, language="id")
        header, *_, last = table.rstrip("\n").split("\n")
        assert header.split() == ["OPD", "STATUS", "SKOR", "PEMBARUAN", "TERAKHIR", "30H",
                                  "90H", "INOV", "BANGUN", "NAMA"]
        assert last.startswith("3 perangkat daerah per ") and "setelah" in last, last
        assert ("\x1b[32m1 aktif\x1b[0m" in last) is color
    assert "belum pernah" in format_table([score_of(None)], REGION, TODAY.isoformat(),
                                          language="id")


def test_terminal_table_does_not_pass_control_characters_of_a_name() -> None:
    entry = ScoreInput(Identity("dinas", "\x1b[2J\x1b[31mDinas\x07", "dinas", "u"), None,
                       BuildHealth())
    table = format_table([measure(entry, REGION, TODAY)], REGION, TODAY.isoformat())
    assert "\x1b" not in table and "\x07" not in table and "?[2J?[31mDinas?" in table


# --- charts ---------------------------------------------------------------------------------

def parse_svg(markup: str) -> ET.Element:
    root = ET.fromstring(markup)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    labelled = (root.get("aria-labelledby") or "").split()
    ids = {el.get("id") for el in root.iter() if el.tag in (f"{SVG}title", f"{SVG}desc")}
    assert labelled and set(labelled) <= ids
    assert "style" not in markup and "<script" not in markup
    return root


def test_sparkline_is_an_accessible_svg_with_one_bar_per_week() -> None:
    values = [0] * 20 + [1, 0, 3, 0, 0, 2]
    root = parse_svg(charts.sparkline(values, ident="s-x", title="Dinas <A> & B", desc="d"))
    bars = list(root.iter(f"{SVG}rect"))
    assert len(bars) == 26
    heights = [float(b.get("height") or 0) for b in bars]
    assert heights[22] == max(heights) and heights[0] == 1.0
    assert root.find(f"{SVG}title").text == "Dinas <A> & B"  # type: ignore[union-attr]


def test_charts_scale_with_their_box_and_hold_no_text() -> None:
    weeks = parse_svg(charts.columns([1, 0, 3], ident="w", title="t", desc="d",
                                     labels=["1", "2", "3"]))
    assert weeks.get("preserveAspectRatio") == "none" and weeks.get("width") is None
    assert len([g for g in weeks.iter(f"{SVG}g") if g.get("class") == "col"]) == 3
    assert weeks.find(f".//{SVG}text") is None
    series = [charts.Series("aktif", "aktif", "#2e7d32"), charts.Series("mati", "mati", "#c62828")]
    bar = parse_svg(charts.stacked_bar([2, 1], series, ident="k", title="t", desc="d", largest=6))
    widths = [float(r.get("width") or 0) for r in bar.iter(f"{SVG}rect")]
    assert widths == [pytest.approx(100 * 2 / 6, abs=0.01), pytest.approx(100 / 6, abs=0.01)]
    assert parse_svg(charts.sparkline([], ident="e", title="t", desc="d")) is not None


# --- git dates ------------------------------------------------------------------------------

def git(root: Path, *args: str, when: str | None = None) -> str:
    env = {"GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root), "PATH": "/usr/bin:/bin"}
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True,
                          text=True).stdout


def commit_repo(root: Path, commits: list[tuple[str, str]]) -> None:
    """One commit per (slug, ISO date), each changing a page in sites/<slug>/content/."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Uji")
    git(root, "config", "user.email", "uji@example.id")
    git(root, "config", "commit.gpgsign", "false")
    for slug, when in commits:
        folder = root / "sites" / slug / "content"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "profil.md").write_text(f"---\ntitle: {slug} {when}\n---\n", encoding="utf-8")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"{slug}", when=when)


def test_last_commit_dates_per_agency_and_until(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    commit_repo(repo, [("a", ago(100)), ("b", ago(20)), ("a", ago(10))])
    dates = gitdates.last_commit_dates(repo, ["a", "b", "c"])
    assert {k: v.date() for k, v in dates.items()} == {
        "a": TODAY - timedelta(days=10), "b": TODAY - timedelta(days=20)}
    earlier = gitdates.last_commit_dates(repo, ["a", "b"],
                                         until=datetime.fromisoformat(ago(15)))
    assert {k: v.date() for k, v in earlier.items()} == {
        "a": TODAY - timedelta(days=100), "b": TODAY - timedelta(days=20)}
    assert gitdates.last_commit_dates(repo, ["b"], until=datetime.fromisoformat(ago(25))) == {}


def test_region_in_a_subfolder_and_non_ascii_file_names(tmp_path: Path) -> None:
    """git prints paths from the repository's top and quotes non-ASCII names by default."""
    repo = tmp_path / "repo"
    commit_repo(repo, [("x", ago(50))])
    region = repo / "kabupaten"
    for slug, name, days in (("a", "site.yaml", 30), ("b", "foto–kegiatan é.jpg", 5),
                             ("c", 'kutip "a".md', 3)):
        folder = region / "sites" / slug / "content"
        folder.mkdir(parents=True)
        (folder / name).write_text("x\n", encoding="utf-8")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", slug, when=ago(days))
    dates = gitdates.last_commit_dates(region, ["a", "b", "c", "x"])
    assert {k: v.date() for k, v in dates.items()} == {
        "a": TODAY - timedelta(days=30), "b": TODAY - timedelta(days=5),
        "c": TODAY - timedelta(days=3)}


def test_creating_or_configuring_a_site_is_not_activity(tmp_path: Path) -> None:
    """Only commits touching content/ date an agency: site.yaml, static/ and a bulk commit do
    not (issue 12.2: a brand-new empty agency showed as aktif)."""
    repo = tmp_path / "repo"
    commit_repo(repo, [("a", ago(40))])
    for rel, days in (("sites/a/site.yaml", 3), ("sites/a/static/logo.svg", 2),
                      ("sites/baru/site.yaml", 1)):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text("name: x\n", encoding="utf-8")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", rel, when=ago(days))
    dates = gitdates.last_commit_dates(repo, ["a", "baru"])
    assert {k: v.date() for k, v in dates.items()} == {"a": TODAY - timedelta(days=40)}
    # `skpdgen new site` writes site.yaml and a first page: committing them creates the site
    for rel in ("sites/new/site.yaml", "sites/new/content/profil/tentang.md"):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text("---\ntitle: Tentang\n---\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "new site", when=ago(1))
    assert gitdates.last_commit_dates(repo, ["new"]) == {}
    (repo / "sites/new/content/profil/tentang.md").write_text("---\ntitle: Tentang\n---\nIsi.\n",
                                                              encoding="utf-8")
    git(repo, "commit", "-q", "-am", "first real edit", when=ago(0))
    assert {k: v.date() for k, v in gitdates.last_commit_dates(repo, ["new"]).items()} == {
        "new": TODAY}


def test_no_repository_or_no_git_gives_no_dates(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sites" / "a").mkdir(parents=True)
    assert gitdates.last_commit_dates(tmp_path, ["a"]) == {}
    repo = tmp_path / "repo"
    commit_repo(repo, [("a", ago(3))])
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    assert gitdates.last_commit_dates(repo, ["a"]) == {}


def test_shallow_clone_ignores_the_boundary_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    commit_repo(repo, [("a", ago(30)), ("b", ago(20)), ("c", ago(5))])
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo}", str(clone)],
                   check=True, capture_output=True)
    dates = gitdates.last_commit_dates(clone, ["a", "b", "c"])
    # c's commit has its parent fetched: trusted. b's commit is the boundary: it "adds"
    # every file, a and b alike, so neither gets a date from it.
    assert set(dates) == {"c"}


def test_status_strings_exist_in_both_languages() -> None:
    def keys(node: Any, prefix: str = "") -> set[str]:
        if not isinstance(node, dict):
            return {prefix}
        return {k for key, v in node.items() for k in keys(v, f"{prefix}.{key}")}
    i18n = REPO / "skpdgen" / "themes" / "default" / "i18n"
    id_keys = keys(yaml.safe_load((i18n / "id.yaml").read_text(encoding="utf-8"))["status"])
    en_keys = keys(yaml.safe_load((i18n / "en.yaml").read_text(encoding="utf-8"))["status"])
    assert id_keys == en_keys
    assert {f".part.{p.name}" for p in SCORE_PARTS} <= id_keys
