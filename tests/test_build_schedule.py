"""`--jobs N`: the largest agencies start first, so a big agency never starts last and leaves
the other cores idle at the end; results (and progress) still come in the agencies' order."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from conftest import make_region

from skpdgen import pipeline
from skpdgen.config.region import load_region


def _news(count: int) -> dict[str, str]:
    return {f"content/berita/2024-05-{n % 28 + 1:02d}-kabar-{n}.md":
            f"---\ntitle: Kabar {n}\ndate: 2024-05-{n % 28 + 1:02d}\n---\n" + "Isi berita. " * 40
            for n in range(count)}


def _region(root: Path) -> Path:
    files: dict[str, str | bytes] = {}
    for slug, count in (("a-kecil", 1), ("b-sedang", 5), ("z-besar", 30)):
        files[f"sites/{slug}/site.yaml"] = f"name: Dinas {slug}\n"
        files.update({f"sites/{slug}/{rel}": text for rel, text in _news(count).items()})
    return make_region(root, files)


class _Recorder:
    """Stands in for ProcessPoolExecutor: runs each job at once and records the order."""

    order: list[str] = []

    def __init__(self, max_workers: int) -> None:
        _Recorder.order = []

    def __enter__(self) -> _Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        _Recorder.order.append(args[2])          # build_site(region, theme, slug, ...)
        future: Future[Any] = Future()
        future.set_result(fn(*args))
        return future


def test_largest_agency_starts_first_and_results_keep_their_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _region(tmp_path)
    monkeypatch.setattr(pipeline, "_pool", _Recorder)
    seen: list[str] = []
    result = pipeline.build_region(
        pipeline.BuildRequest(root=root, jobs=2, write=False),
        progress=lambda slug, done, total: seen.append(slug))
    assert _Recorder.order == ["z-besar", "b-sedang", "a-kecil"]
    assert [s.slug for s in result.sites] == ["a-kecil", "b-sedang", "z-besar"] == seen
    assert all(s.ok for s in result.sites)


def test_content_size_counts_files_and_never_follows_links(tmp_path: Path) -> None:
    root = _region(tmp_path)
    region = load_region(root)
    small = pipeline._content_size(region, "a-kecil")
    content = root / "sites/a-kecil/content"
    assert small == sum(p.stat().st_size for p in content.rglob("*") if p.is_file())
    (content / "besar").symlink_to(root / "sites/z-besar/content", target_is_directory=True)
    assert pipeline._content_size(region, "a-kecil") == small
    assert pipeline._content_size(region, "tidak-ada") == 0
