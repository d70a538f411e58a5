"""Writes are atomic per agency: an interrupted build never leaves a half-written site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.region import tree_hashes

from skpdgen.render import Output
from skpdgen.staging import stage, swap_in
from skpdgen.write import WriteError, WriteStats, check_dest


def _old_site(out: Path) -> Path:
    target = out / "dinkes"
    (target / "berita/lama").mkdir(parents=True)
    (target / "index.html").write_text("lama")
    (target / "berita/lama/index.html").write_text("berita lama")
    return target


def _outputs(fail_after: int | None, exc: BaseException) -> Iterator[Output]:
    for n in range(10):
        if fail_after is not None and n == fail_after:
            raise exc
        yield Output(f"berita/b{n}/index.html", f"baru {n}".encode(), origin=f"b{n}.md")
    yield Output("index.html", b"baru", origin="home")


@pytest.mark.parametrize("exc", [RuntimeError("template exploded"), KeyboardInterrupt()],
                         ids=["error", "interrupt"])
def test_exception_midway_keeps_the_old_site_and_no_staging(tmp_path: Path,
                                                            exc: BaseException) -> None:
    target = _old_site(tmp_path)
    before = tree_hashes(target)
    with pytest.raises(type(exc)):
        stage(_outputs(5, exc), target)
    assert tree_hashes(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dinkes"], "staging left behind"


def test_unwritable_output_is_a_write_error_naming_the_path(tmp_path: Path) -> None:
    target = _old_site(tmp_path)
    before = tree_hashes(target)
    # a file where a folder must go: berita/b0/ cannot be created
    outputs = [Output("berita", b"x"), Output("berita/b0/index.html", b"y")]
    with pytest.raises(WriteError, match="cannot write"):
        stage(outputs, target)
    assert tree_hashes(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dinkes"]


def test_stage_then_swap_replaces_the_site_at_once(tmp_path: Path) -> None:
    target = _old_site(tmp_path)
    staging, stats = stage(_outputs(None, RuntimeError()), target)
    # until the swap, readers see the old site only
    assert (target / "index.html").read_text() == "lama"
    assert staging.parent == target.parent and staging.name.startswith(".")
    swap_in(staging, target, stats)
    assert (target / "index.html").read_text() == "baru"
    assert (target / "berita/b9/index.html").read_text() == "baru 9"
    assert not (target / "berita/lama").exists()
    assert stats.removed == 1 and stats.written == 11
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dinkes"]


def test_unchanged_files_are_kept_not_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "dinkes"
    outputs = list(_outputs(None, RuntimeError()))
    staging, stats = stage(outputs, target)
    swap_in(staging, target, stats)
    inode = (target / "index.html").stat().st_ino
    staging, stats = stage(outputs, target)
    swap_in(staging, target, stats)
    assert (stats.written, stats.unchanged, stats.removed) == (0, 11, 0)
    assert (target / "index.html").stat().st_ino == inode


def test_first_build_has_no_old_site(tmp_path: Path) -> None:
    target = tmp_path / "baru"
    staging, stats = stage([Output("index.html", b"x")], target)
    swap_in(staging, target, stats)
    assert (target / "index.html").read_bytes() == b"x"
    assert stats == WriteStats(written=1)


@pytest.mark.parametrize("dest", ["../x.html", "/etc/x", "a/../../x", "a//b", "", ".", "a\\b"])
def test_dest_paths_cannot_leave_the_output(dest: str) -> None:
    assert not check_dest(dest)


def test_normal_dest_paths_are_allowed() -> None:
    assert check_dest("berita/a/index.html") and check_dest("feed.xml")
