"""CI keeps build/ between runs (scaffold_ci.github_build_cache, gitlab_job_cache).

What a run does, offline: build/ archived with tar as actions/cache does (GNU tar, `--posix`:
nanosecond mtimes) or with GNU tar's defaults (whole-second mtimes, like a cache that keeps
less than the recorded mtimes), restored into a fresh checkout (new mtimes and inodes) on a
new runner (a new template key), one item edited, `skpdgen build` again. Only that agency is
built, exactly as in the folder it was built in, and the output is byte for byte a cold build's.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import make_region, run_cli

TODAY = "2026-11-29"
ITEM = "sites/dinkes/content/berita/2026-11-20-vaksin.md"
# actions/cache runs `tar --posix -cf … -P -C … --files-from …` and leaves out the `!` paths
ARCHIVERS = {
    "actions-cache": ["--posix", "--exclude=build/.skpdgen/templates"],
    "gnu-tar-defaults": [],
}


def news(title: str, day: str, body: str) -> str:
    return f"---\ntitle: {title}\ndate: {day}\n---\n{body}\n"


def region(root: Path) -> Path:
    return make_region(root, {
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
        ITEM: news("Vaksinasi", "2026-11-20", "Vaksinasi massal."),
        "sites/dinkes/content/berita/2026-11-21-posyandu.md":
            news("Posyandu", "2026-11-21", "Posyandu keliling."),
        "sites/disdik/site.yaml": "name: Dinas Pendidikan\n",
        "sites/disdik/content/berita/2026-11-20-ppdb.md": news("PPDB", "2026-11-20", "Dibuka."),
        "sites/dishub/site.yaml": "name: Dinas Perhubungan\n",
        "sites/dishub/content/berita/2026-11-22-bus.md": news("Bus Sekolah", "2026-11-22",
                                                              "Rute baru."),
    })


def build(root: Path, runner: Path) -> str:
    """`skpdgen build` as CI runs it; `runner` is the home of a runner (its template key)."""
    done = run_cli("build", "--today", TODAY, cwd=root,
                   env={"XDG_CACHE_HOME": str(runner / ".cache")})
    assert done.returncode == 0, done.stderr
    return done.stderr


def counted(stderr: str, words: str) -> int:
    found = re.search(rf"(\d+) {words}", stderr)
    assert found, stderr
    return int(found.group(1))


def fresh_checkout(source: Path, target: Path) -> Path:
    """The sources as a new checkout has them: other inodes, every mtime now, no build/."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("build"))
    for folder, _dirs, files in os.walk(target):
        for name in files:
            os.utime(Path(folder, name))
    return target


def edit(root: Path) -> None:
    (root / ITEM).write_text(news("Vaksinasi", "2026-11-20", "Vaksinasi massal di stadion."),
                             encoding="utf-8")


def published(build_dir: Path) -> dict[str, str]:
    """Every published file's sha256: not build/.skpdgen/ (the cache's own records), nor the
    search indexes (Pagefind writes the same index in other bytes from run to run)."""
    return {path.relative_to(build_dir).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(build_dir.rglob("*"))
            if path.is_file() and not {".skpdgen", "pagefind"} & set(
                path.relative_to(build_dir).parts)}


@pytest.mark.skipif(shutil.which("tar") is None, reason="needs tar")
@pytest.mark.parametrize("archiver", list(ARCHIVERS))
def test_a_run_that_restores_build_rebuilds_only_the_edited_agency(tmp_path: Path,
                                                                    archiver: str) -> None:
    last_run = region(tmp_path / "last-run")
    build(last_run, tmp_path / "runner1")
    archive = tmp_path / "cache.tar"
    subprocess.run(["tar", *ARCHIVERS[archiver], "-cf", str(archive), "build"], cwd=last_run,
                   check=True)

    # this run: a new checkout with the edit, on a new runner, build/ restored from the cache
    this_run = fresh_checkout(last_run, tmp_path / "this-run")
    subprocess.run(["tar", "-xf", str(archive)], cwd=this_run, check=True)
    edit(this_run)
    restored = build(this_run, tmp_path / "runner2")
    assert counted(restored, "unchanged since the last build") == 2, restored

    # ... renders what the same edit renders where build/ was made, and what a cold build makes
    edit(last_run)
    in_place = build(last_run, tmp_path / "runner1")
    cold_run = fresh_checkout(this_run, tmp_path / "cold")
    cold = build(cold_run, tmp_path / "runner3")
    assert "unchanged since the last build" not in cold
    rendered = counted(restored, "pages rendered")
    assert rendered == counted(in_place, "pages rendered")
    assert 0 < rendered < counted(cold, "pages rendered")
    assert published(this_run / "build") == published(cold_run / "build")
    assert "di stadion" in (this_run / "build/dinkes/berita/vaksin/index.html").read_text(
        encoding="utf-8")


def test_a_run_without_a_cache_and_a_run_with_an_old_one_agree(tmp_path: Path) -> None:
    """A cache from another day and another skpdgen.yaml: everything is built again, the same."""
    last_run = region(tmp_path / "last-run")
    build(last_run, tmp_path / "runner1")
    archive = tmp_path / "cache.tar"
    subprocess.run(["tar", "--posix", "-cf", str(archive), "build"], cwd=last_run, check=True)
    this_run = fresh_checkout(last_run, tmp_path / "this-run")
    subprocess.run(["tar", "-xf", str(archive)], cwd=this_run, check=True)
    config = this_run / "skpdgen.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("Kabupaten Uji",
                                                                 "Kabupaten Coba"),
                      encoding="utf-8")
    restored = build(this_run, tmp_path / "runner2")
    assert "unchanged since the last build" not in restored
    cold_run = fresh_checkout(this_run, tmp_path / "cold")
    build(cold_run, tmp_path / "runner3")
    assert published(this_run / "build") == published(cold_run / "build")
    assert "Kabupaten Coba" in (this_run / "build/dinkes/index.html").read_text(encoding="utf-8")
