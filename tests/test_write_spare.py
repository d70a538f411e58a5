"""The spare: the output before last, kept by the swap and brought up to date as the next
staging folder, so an edit writes the few files it changed instead of a folder per page.

Whatever the spare holds, the output is exactly the outputs asked for; the live site is never
written through (a spare's file may be the live file itself, a hard link) and stays as it was
until the swap."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import make_region
from fixtures.region import published_hashes, tree_hashes

from skpdgen.pipeline import BuildRequest, build_region
from skpdgen.render import Output
from skpdgen.staging import spare_path, stage, swap_in

ROUNDS = [
    {"index.html": b"beranda 1", "berita/a/index.html": b"a", "berita/b/index.html": b"b",
     "feed.xml": b"<feed>1</feed>"},
    {"index.html": b"beranda 2", "berita/a/index.html": b"a", "berita/c/index.html": b"c",
     "feed.xml": b"<feed>2</feed>"},      # b removed, c added, two changed, a unchanged
    {"index.html": b"beranda 2", "berita/a/index.html": b"a 3", "berita/c/index.html": b"c",
     "profil/index.html": b"profil", "feed.xml": b"<feed>2</feed>"},
]


def _outputs(files: dict[str, bytes]) -> list[Output]:
    return [Output(dest, data, origin=dest) for dest, data in files.items()]


def _publish(out: Path, files: dict[str, bytes]) -> tuple[Path, object]:
    target, spare = out / "dinkes", spare_path(out, "dinkes")
    staging, stats = stage(_outputs(files), target, spare)
    swap_in(staging, target, stats, keep_old=True)
    return staging, stats


def test_each_build_stages_into_the_output_before_last(tmp_path: Path) -> None:
    target, spare = tmp_path / "dinkes", spare_path(tmp_path, "dinkes")
    staging, _ = _publish(tmp_path, ROUNDS[0])
    assert staging == spare and not spare.exists()      # the first build has nothing to swap
    for before, files in zip(ROUNDS[:-1], ROUNDS[1:], strict=True):
        live = {rel: (target / rel).stat().st_ino for rel in before}
        staging, stats = stage(_outputs(files), target, spare)
        assert staging == spare
        # until the swap, readers see the old site, unchanged in every byte
        assert tree_hashes(target) == {rel: _sha(data) for rel, data in before.items()}
        # a file that did not change is the live file itself, not a copy
        for rel, data in files.items():
            if before.get(rel) == data:
                assert (spare / rel).stat().st_ino == live[rel]
        swap_in(staging, target, stats, keep_old=True)
        assert tree_hashes(target) == {rel: _sha(data) for rel, data in files.items()}
        assert tree_hashes(spare) == {rel: _sha(data) for rel, data in before.items()}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".skpdgen", "dinkes"]


def test_the_counts_are_those_of_a_fresh_staging(tmp_path: Path) -> None:
    _publish(tmp_path, ROUNDS[0])
    _publish(tmp_path, ROUNDS[1])
    _, stats = _publish(tmp_path, ROUNDS[2])
    fresh = tmp_path / "fresh"
    _publish(fresh, ROUNDS[1])
    _, alone = stage(_outputs(ROUNDS[2]), fresh / "dinkes")
    assert stats == alone
    assert (alone.written, alone.unchanged) == (2, 3)


@pytest.mark.parametrize("damage", ["replaced", "stray-file", "stray-folder", "file-for-folder",
                                    "folder-for-file", "link", "special"])
def test_whatever_the_spare_holds_the_output_is_exactly_the_outputs(
        tmp_path: Path, damage: str) -> None:
    target, spare = tmp_path / "dinkes", spare_path(tmp_path, "dinkes")
    _publish(tmp_path, ROUNDS[0])
    _publish(tmp_path, ROUNDS[1])           # the spare is round 0 now
    live = tree_hashes(target)
    if damage == "replaced":        # another file under the same name (not the live one)
        (spare / "berita/a/index.html").unlink()
        (spare / "berita/a/index.html").write_bytes(b"a")       # same bytes, other inode
        (spare / "index.html").unlink()
        (spare / "index.html").write_bytes(b"beranda 2")        # what the output will be
    elif damage == "stray-file":
        (spare / "berita/lama.html").write_bytes(b"lama")
    elif damage == "stray-folder":
        (spare / "arsip/2020").mkdir(parents=True)
        (spare / "arsip/2020/index.html").write_bytes(b"lama")
    elif damage == "file-for-folder":       # profil/ must be a folder
        (spare / "profil").write_bytes(b"bukan folder")
    elif damage == "folder-for-file":       # feed.xml must be a file
        (spare / "feed.xml").unlink()
        (spare / "feed.xml/x").mkdir(parents=True)
    elif damage == "link":
        (spare / "berita/tautan.html").symlink_to(target / "index.html")
    else:
        os.mkfifo(spare / "berita/pipa")
    staging, stats = stage(_outputs(ROUNDS[2]), target, spare)
    assert tree_hashes(target) == live
    swap_in(staging, target, stats, keep_old=True)
    assert tree_hashes(target) == {rel: _sha(data) for rel, data in ROUNDS[2].items()}
    assert all(p.is_file() and not p.is_symlink() or p.is_dir() for p in target.rglob("*"))


def test_an_interrupted_staging_leaves_the_live_site_and_no_spare(tmp_path: Path) -> None:
    target, spare = tmp_path / "dinkes", spare_path(tmp_path, "dinkes")
    _publish(tmp_path, ROUNDS[0])
    _publish(tmp_path, ROUNDS[1])
    live = tree_hashes(target)

    def outputs() -> Iterator[Output]:
        yield Output("index.html", b"setengah jalan")
        yield Output("berita/a/index.html", b"a diubah")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        stage(outputs(), target, spare)
    assert tree_hashes(target) == live
    assert not spare.exists()
    _publish(tmp_path, ROUNDS[2])           # the next build starts a fresh staging folder
    assert tree_hashes(target) == {rel: _sha(data) for rel, data in ROUNDS[2].items()}


def _news(title: str, day: str, body: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {day}\n---\nIsi berita {title}. {body}\n"


def _region(root: Path) -> Path:
    files: dict[str, str | bytes] = {}
    for slug, name in (("dinkes", "Kesehatan"), ("dishub", "Perhubungan")):
        files[f"sites/{slug}/site.yaml"] = f"name: Dinas {name}\n"
        for n in range(1, 5):
            files[f"sites/{slug}/content/berita/2026-11-0{n}-kabar-{n}.md"] = _news(
                f"Kabar {n} {name}", f"2026-11-0{n}")
    return make_region(root, files)


def _build(root: Path) -> None:
    result = build_region(BuildRequest(root, today=date(2026, 11, 29), jobs=1))
    assert result.ok, [d.format_text() for d in result.diagnostics]


def test_edits_built_through_the_spare_equal_a_cold_build(tmp_path: Path) -> None:
    root = _region(tmp_path / "a")
    _build(root)
    news = root / "sites/dinkes/content/berita"
    edits = [
        lambda: (news / "2026-11-02-kabar-2.md").write_text(
            _news("Kabar 2 Kesehatan", "2026-11-02", "Diperbarui."), encoding="utf-8"),
        lambda: (news / "2026-11-03-kabar-3.md").unlink(),
        lambda: (news / "2026-11-05-kabar-5.md").write_text(
            _news("Kabar Baru", "2026-11-05"), encoding="utf-8"),
        lambda: (news / "2026-11-02-kabar-2.md").write_text(
            _news("Kabar 2 Kesehatan", "2026-11-02"), encoding="utf-8"),
    ]
    for number, edit in enumerate(edits):
        edit()
        _build(root)
        assert spare_path(root / "build", "dinkes").is_dir()
        assert not (spare_path(root / "build", "dinkes") / "pagefind").exists()
        cold = tmp_path / f"cold{number}"
        cold_root = make_region(cold, {})
        for path in (root / "sites").rglob("*"):
            if path.is_file():
                dest = cold_root / path.relative_to(root)
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(path.read_bytes())
        _build(cold_root)
        assert published_hashes(root / "build") == published_hashes(cold_root / "build")
        assert (root / "build/dinkes/pagefind/pagefind-entry.json").is_file()


def test_the_spare_of_a_removed_agency_goes_with_it(tmp_path: Path) -> None:
    root = _region(tmp_path)
    _build(root)
    (root / "sites/dishub/content/berita/2026-11-01-kabar-1.md").write_text(
        _news("Kabar Lain", "2026-11-01"), encoding="utf-8")
    _build(root)
    assert spare_path(root / "build", "dishub").is_dir()
    for path in sorted((root / "sites/dishub").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (root / "sites/dishub").rmdir()
    _build(root)
    assert not (root / "build/dishub").exists()
    assert not spare_path(root / "build", "dishub").exists()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_spare_on_another_device_is_not_used(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """build/.skpdgen linked or mounted elsewhere: the staging folder goes beside the output,
    where the swap can be one rename."""
    from skpdgen import staging
    target, spare = tmp_path / "dinkes", spare_path(tmp_path, "dinkes")
    _publish(tmp_path, ROUNDS[0])
    _publish(tmp_path, ROUNDS[1])
    assert spare.is_dir()
    monkeypatch.setattr(staging, "_same_device", lambda folder, other: False)
    staging, stats = stage(_outputs(ROUNDS[2]), target, spare)
    assert staging.parent == tmp_path and staging.name.startswith(".dinkes.staging-")
    swap_in(staging, target, stats)
    assert tree_hashes(target) == {rel: _sha(data) for rel, data in ROUNDS[2].items()}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".skpdgen", "dinkes"]


def test_a_build_whose_spare_cannot_be_used_leaves_nothing_beside_the_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from skpdgen import staging
    root = _region(tmp_path)
    _build(root)
    monkeypatch.setattr(staging, "_same_device", lambda folder, other: False)
    (root / "sites/dinkes/content/berita/2026-11-01-kabar-1.md").write_text(
        _news("Kabar Lain", "2026-11-01"), encoding="utf-8")
    _build(root)
    assert not [p.name for p in (root / "build").iterdir() if p.name.startswith(".dinkes")]
    assert "Kabar Lain" in (root / "build/dinkes/index.html").read_text(encoding="utf-8")
