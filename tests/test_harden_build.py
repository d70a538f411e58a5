"""Issue #9.2: one build at a time, per-process staging, a cache that checks what it reuses,
and `build --clean` that builds aside and swaps (a kill leaves the old site)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_cli
from fixtures.region import (
    TODAY,
    build,
    copy_region,
    make_fixture_region,
    published_hashes,
    tree_hashes,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_fixture_region(tmp_path_factory.mktemp("harden-build"))
    result = build(root)
    assert result.returncode == 0, result.stderr
    return root




def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "CI")}
    return subprocess.Popen([sys.executable, "-m", "skpdgen", "build", "--today", TODAY, *args],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_two_concurrent_builds_leave_a_complete_build(built: Path, tmp_path: Path) -> None:
    expected = published_hashes(built / "build")
    for trial in range(3):
        root = copy_region(built, tmp_path / str(trial), with_build=False)
        first, second = _start(root), _start(root)
        outcomes = [(p.wait(timeout=300), p.communicate()[1]) for p in (first, second)]
        for code, stderr in outcomes:
            assert "Traceback" not in stderr
            assert code == 0 or (code == 2 and "another build is running: PID " in stderr), stderr
        assert any(code == 0 for code, _ in outcomes)
        assert published_hashes(root / "build") == expected
        assert not [p.name for p in (root / "build").iterdir() if ".staging" in p.name]
        # and the next build reuses exactly that output
        again = build(root)
        assert again.returncode == 0 and published_hashes(root / "build") == expected


def test_a_second_build_names_the_pid_holding_the_lock(built: Path, tmp_path: Path) -> None:
    root = copy_region(built, tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys,time; from pathlib import Path; from skpdgen import lock\n"
        "with lock.hold(Path('build')):\n print('locked', flush=True); time.sleep(60)\n")],
        cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = build(root)
        assert result.returncode == 2
        assert f"build: error: another build is running: PID {holder.pid} " in result.stderr
    finally:
        holder.kill()
        holder.wait()
    # the kernel releases the lock of a killed process: the next build runs
    assert build(root).returncode == 0


def test_files_deleted_or_changed_in_build_are_rebuilt(built: Path, tmp_path: Path) -> None:
    root = copy_region(built, tmp_path)
    out = root / "build"
    expected = published_hashes(out)
    victims = sorted(p for p in (out / "disdik").rglob("*.html"))
    victims[0].unlink()
    victims[1].write_text("<p>diubah tangan</p>", encoding="utf-8")
    (out / "dinkes" / "extra.html").write_text("<p>tambahan</p>", encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert published_hashes(out) == expected
    assert "unchanged since the last build" in result.stderr   # kecamatan-uji still reused


def test_staging_leftovers_of_a_killed_build_are_removed(built: Path, tmp_path: Path) -> None:
    root = copy_region(built, tmp_path)
    out = root / "build"
    (out / ".dinkes.staging-99999" / "x").mkdir(parents=True)
    (out / ".index.html.tmp99999").write_text("x", encoding="utf-8")
    (root / ".build.clean-99999").mkdir()
    assert build(root).returncode == 0
    assert not (out / ".dinkes.staging-99999").exists()
    assert not (out / ".index.html.tmp99999").exists()
    assert not (root / ".build.clean-99999").exists()


def test_kill_during_clean_build_leaves_the_oldpublished_hashes(built: Path, tmp_path: Path) -> None:
    root = copy_region(built, tmp_path)
    out = root / "build"
    before = tree_hashes(out)
    news = root / "sites/disdik/content/berita/2024-06-03-guru-teladan.md"
    news.write_text(news.read_text().replace("Guru Teladan Kabupaten", "Guru Teladan Baru"))
    for _trial in range(3):
        proc = _start(root, "--clean")
        deadline = time.monotonic() + 60
        # killed once the new build is well under way (one agency written aside)
        while not list(root.glob(".build.clean-*/dinkes")) and time.monotonic() < deadline:
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert {k: v for k, v in tree_hashes(out).items()
                if k != ".skpdgen/lock"} == {k: v for k, v in before.items() if k != ".skpdgen/lock"}
    # a clean build that finishes replaces it and removes what the killed ones left
    result = build(root, "--clean")
    assert result.returncode == 0, result.stderr
    assert "Guru Teladan Baru" in (out / "disdik/index.html").read_text(encoding="utf-8")
    assert not list(root.glob(".build.*"))


def test_clean_build_keeps_the_last_good_output_of_a_failing_agency(
        built: Path, tmp_path: Path) -> None:
    root = copy_region(built, tmp_path)
    out = root / "build"
    dinkes = tree_hashes(out / "dinkes")
    bad = next((root / "sites/dinkes/content/berita").glob("*.md"))
    bad.write_text("---\ntitle: Rusak\ndate: 31/02/2024\n---\n", encoding="utf-8")
    result = build(root, "--clean")
    assert result.returncode == 1
    assert tree_hashes(out / "dinkes") == dinkes
    assert (out / "disdik/index.html").is_file()
    assert "dinkes" in (out / "index.html").read_text(encoding="utf-8")


def test_clean_build_with_one_site_keeps_the_others(built: Path, tmp_path: Path) -> None:
    root = copy_region(built, tmp_path)
    out = root / "build"
    result = run_cli("build", "--today", TODAY, "--clean", "--site", "disdik", cwd=root)
    assert result.returncode == 0, result.stderr
    assert published_hashes(out) == published_hashes(built / "build")


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_killing_a_parallel_build_stops_its_workers(built: Path, tmp_path: Path) -> None:
    root = copy_region(built, tmp_path, with_build=False)
    proc = _start(root, "--jobs", "2")
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        time.sleep(0.005)
    assert len(workers) == 2, "the build ended before its workers could be seen"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.01)
        for worker in workers:      # reaped by init, or left a zombie of a dead parent
            with contextlib.suppress(OSError):
                if (Path(f"/proc/{worker}/stat").read_text().rsplit(")", 1)[1].split()[0]
                        == "Z"):
                    workers = [w for w in workers if w != worker]
    assert not [w for w in workers if Path(f"/proc/{w}").exists()], "workers kept running"
