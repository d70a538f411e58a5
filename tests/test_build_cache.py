"""The per-agency build cache: unchanged agencies are kept, anything that matters rebuilds."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import make_region, override_theme_file, run_cli

from skpdgen.cache import CacheEntry
from skpdgen.model import BuildOptions

TODAY = "2026-11-29"
SITE = "name: Dinas {name}\n"


def news(title: str, day: str, body: str = "Isi berita.") -> str:
    return f"---\ntitle: {title}\ndate: {day}\n---\n{body}\n"


def region(tmp_path: Path) -> Path:
    return make_region(tmp_path, {
        "sites/dinkes/site.yaml": SITE.format(name="Kesehatan"),
        "sites/dinkes/content/berita/2026-11-20-vaksin.md": news("Vaksinasi", "2026-11-20"),
        "sites/dinkes/content/berita/2026-11-21-raw.md": news("Mentah", "2026-11-21",
                                                              "Teks <b>tebal</b>."),
        "sites/disdik/site.yaml": SITE.format(name="Pendidikan"),
        "sites/disdik/content/berita/2026-11-20-ppdb.md": news("PPDB", "2026-11-20"),
        "sites/disdik/content/berita/2026-11-30-besok.md": news("Besok Terbit", "2026-11-30"),
    })


def build(root: Path, today: str = TODAY) -> tuple[int, str]:
    done = run_cli("build", "--today", today, cwd=root)
    return done.returncode, done.stderr


def tree_hash(folder: Path) -> str:
    """The published files (not the search index: Pagefind writes the same index in other
    bytes from run to run; tests/test_search.py checks what it holds), nor the build cache's
    own records (which pages the last build rendered: tests/test_incremental.py)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*")
                       if p.is_file() and "pagefind" not in p.relative_to(folder).parts
                       and ".skpdgen/cache" not in p.relative_to(folder).as_posix()):
        digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def test_unchanged_agencies_are_kept_and_warnings_shown_again(tmp_path: Path) -> None:
    root = region(tmp_path)
    status, first = build(root)
    assert status == 0, first
    before = tree_hash(root / "build")
    status, second = build(root)
    assert status == 0, second
    assert "2 unchanged since the last build" in second
    assert "0 files written" in second
    assert tree_hash(root / "build") == before
    # the raw-HTML warning of the cached build is still reported
    warning = "sites/dinkes/content/berita/2026-11-21-raw.md:5: warning: raw HTML"
    assert warning in first and warning in second


def test_an_edit_rebuilds_only_its_agency(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root)
    disdik_before = tree_hash(root / "build/disdik")
    page = root / "sites/dinkes/content/berita/2026-11-20-vaksin.md"
    page.write_text(news("Vaksinasi Massal Tahap Dua", "2026-11-20"), encoding="utf-8")
    status, stderr = build(root)
    assert status == 0, stderr
    assert "1 unchanged since the last build" in stderr
    assert "Vaksinasi Massal Tahap Dua" in (root / "build/dinkes/berita/vaksin/index.html"
                                           ).read_text(encoding="utf-8")
    assert "Vaksinasi Massal Tahap Dua" in (root / "build/index.html").read_text(encoding="utf-8")
    assert tree_hash(root / "build/disdik") == disdik_before


def test_theme_region_config_and_static_changes_rebuild(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root)
    template = override_theme_file(root, "templates/single.html")
    template.write_text(template.read_text(encoding="utf-8") + "\n{# changed #}\n",
                        encoding="utf-8")
    status, stderr = build(root)
    assert status == 0 and "unchanged since the last build" not in stderr, stderr

    config = root / "skpdgen.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("Kabupaten Uji", "Kabupaten Coba"),
                      encoding="utf-8")
    status, stderr = build(root)
    assert status == 0 and "unchanged since the last build" not in stderr, stderr
    assert "Kabupaten Coba" in (root / "build/dinkes/index.html").read_text(encoding="utf-8")

    (root / "sites/disdik/static").mkdir()
    (root / "sites/disdik/static/jadwal.txt").write_text("jadwal", encoding="utf-8")
    status, stderr = build(root)
    assert "1 unchanged since the last build" in stderr
    assert (root / "build/disdik/jadwal.txt").read_text(encoding="utf-8") == "jadwal"


def test_a_new_day_publishes_what_is_due(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root)
    assert not (root / "build/disdik/berita/besok/index.html").exists()
    status, stderr = build(root, "2026-11-30")
    assert status == 0, stderr
    # disdik is built again; dinkes, with no date ahead, shows the same until the new year
    assert "1 unchanged since the last build" in stderr
    assert (root / "build/disdik/berita/besok/index.html").is_file()
    status, stderr = build(root, "2027-01-01")
    assert status == 0 and "unchanged since the last build" not in stderr, stderr
    assert "© 2027" in (root / "build/dinkes/index.html").read_text(encoding="utf-8")


def test_a_broken_agency_keeps_its_output_and_its_cache_entry_stays_true(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root)
    before = tree_hash(root / "build/dinkes")
    (root / "sites/disdik/site.yaml").write_text("name: [rusak\n", encoding="utf-8")
    status, _ = build(root)
    assert status == 1
    disdik = tree_hash(root / "build/disdik")
    assert tree_hash(root / "build/dinkes") == before
    (root / "sites/disdik/site.yaml").write_text(SITE.format(name="Pendidikan"), encoding="utf-8")
    status, stderr = build(root)
    assert status == 0 and "2 unchanged since the last build" in stderr
    assert tree_hash(root / "build/disdik") == disdik


def test_a_partial_build_is_never_taken_for_the_good_one(tmp_path: Path) -> None:
    """A broken item publishes the agency without it (isolate.py): the cache entry of the
    last full build must not bring that output back as good when the item is reverted."""
    root = region(tmp_path)
    build(root)
    before = tree_hash(root / "build/dinkes")
    page = root / "sites/dinkes/content/berita/2026-11-20-vaksin.md"
    good = page.read_text(encoding="utf-8")
    page.write_text("---\ntitle: [rusak\n---\n", encoding="utf-8")
    status, _ = build(root)
    assert status == 1
    assert tree_hash(root / "build/dinkes") != before      # published without the item
    page.write_text(good, encoding="utf-8")
    status, stderr = build(root)
    assert status == 0 and "1 unchanged since the last build" in stderr
    assert tree_hash(root / "build/dinkes") == before


def test_an_entry_expires_when_the_next_item_is_due() -> None:
    tz = ZoneInfo("Asia/Jakarta")
    due = datetime.combine(date(2026, 11, 29), time(15, 0), tzinfo=tz)
    entry = CacheEntry("k", "2026-11-29", due.isoformat(), 1, 1, [])
    before = BuildOptions(now=due - timedelta(minutes=1))
    after = BuildOptions(now=due)
    assert entry.usable("k", before)
    assert not entry.usable("k", after)
    assert not entry.usable("other", before)
    assert not entry.usable("k", BuildOptions(now=due + timedelta(days=1)))
