"""A build with nothing to do: no worker is started, the portal is neither rendered nor read,
and yet anything changed by hand in build/ (or a new day, a new commit) is still noticed."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import make_region
from test_build_cache import tree_hash

from skpdgen import pipeline, portal
from skpdgen.pipeline import BuildRequest, RegionResult, build_region

TODAY = date(2026, 11, 29)


def _news(title: str, day: str) -> str:
    return f"---\ntitle: {title}\ndate: {day}\n---\nIsi berita {title}.\n"


def _region(root: Path) -> Path:
    files: dict[str, str | bytes] = {}
    for slug, name in (("dinkes", "Kesehatan"), ("disdik", "Pendidikan"), ("dishub", "Perhubungan")):
        files[f"sites/{slug}/site.yaml"] = f"name: Dinas {name}\n"
        for n in range(1, 4):
            files[f"sites/{slug}/content/berita/2026-11-0{n}-kabar-{n}.md"] = _news(
                f"Kabar {n} {name}", f"2026-11-0{n}")
    return make_region(root, files)


def _build(root: Path, today: date = TODAY, jobs: int = 2) -> RegionResult:
    result = build_region(BuildRequest(root, today=today, jobs=jobs))
    assert result.ok, [d.format_text() for d in result.diagnostics]
    return result


class _Portal:
    """Counts the portal's renders (and can forbid them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, forbid: bool = False) -> None:
        self.calls = 0
        real = portal.portal_outputs

        def counting(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if forbid:
                raise AssertionError("the portal was rendered")
            return real(*args, **kwargs)

        monkeypatch.setattr(portal, "portal_outputs", counting)


def test_a_noop_build_starts_no_worker_and_renders_no_portal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _region(tmp_path)
    _build(root)
    before = tree_hash(root / "build")

    class NoPool:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("a worker pool was started")

    monkeypatch.setattr(pipeline, "_pool", NoPool)
    _Portal(monkeypatch, forbid=True)
    result = _build(root)
    assert all(site.reused for site in result.sites)
    assert result.stats.written == 0 and result.stats.rendered == 0
    assert result.stats.unchanged > 0
    assert tree_hash(root / "build") == before


def test_an_edit_builds_only_its_agency_in_the_parent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One agency to build: no pool either (starting one costs more than it saves)."""
    root = _region(tmp_path)
    _build(root)

    class NoPool:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("a worker pool was started")

    monkeypatch.setattr(pipeline, "_pool", NoPool)
    (root / "sites/disdik/content/berita/2026-11-02-kabar-2.md").write_text(
        _news("Kabar Baru Pendidikan", "2026-11-02"), encoding="utf-8")
    result = _build(root)
    assert [s.slug for s in result.sites if not s.reused] == ["disdik"]
    assert "Kabar Baru Pendidikan" in (root / "build/berita/index.html").read_text("utf-8")


@pytest.mark.parametrize("change", ["edit", "delete", "stray-portal", "stray-agency",
                                    "stray-folder"])
def test_hand_changes_to_build_are_undone(tmp_path: Path, change: str) -> None:
    root = _region(tmp_path)
    _build(root)
    before = tree_hash(root / "build")
    out = root / "build"
    if change == "edit":           # a portal page edited in place (same size)
        page = out / "index.html"
        text = page.read_bytes()
        assert b"<html" in text
        page.write_bytes(text.replace(b"<html", b"<HTML", 1))
    elif change == "delete":
        (out / "layanan/index.html").unlink()
    elif change == "stray-portal":
        (out / "berita/lama.html").write_text("lama", encoding="utf-8")
    elif change == "stray-agency":
        (out / "dinkes/berita/lama.html").write_text("lama", encoding="utf-8")
    else:
        (out / "dishub/berita/lama").mkdir()
        (out / "dishub/berita/lama/index.html").write_text("lama", encoding="utf-8")
    _build(root)
    assert tree_hash(out) == before
    assert not (out / "berita/lama.html").exists()
    assert not (out / "dinkes/berita/lama.html").exists()


def test_a_new_day_or_a_new_commit_builds_the_portal_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _region(tmp_path)
    git = ["git", "-C", str(root), "-c", "user.name=Staf", "-c", "user.email=staf@example.id"]
    env = {**os.environ, "GIT_COMMITTER_DATE": "2026-11-20T10:00:00+07:00",
           "GIT_AUTHOR_DATE": "2026-11-20T10:00:00+07:00"}
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "awal"], check=True, env=env)
    _build(root)
    counted = _Portal(monkeypatch)
    _build(root)
    assert counted.calls == 0
    _build(root, today=date(2026, 11, 30))      # the scorecard's ages change with the day
    assert counted.calls == 1
    _build(root, today=date(2026, 11, 30))
    assert counted.calls == 1
    # a commit (the scorecard reads commit dates), no file changed
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "kosong"], check=True, env=env)
    _build(root, today=date(2026, 11, 30))
    assert counted.calls == 2


def test_a_restored_build_is_checked_by_content_once_then_by_stat(tmp_path: Path) -> None:
    """A build/ whose files got other mtimes (a CI cache restored with whole-second times, a
    copy): kept after a check of their bytes, and recorded so the next build needs stat only."""
    from skpdgen import cache
    root = _region(tmp_path)
    _build(root)
    before = tree_hash(root / "build")
    for path in (root / "build").rglob("*"):
        if not path.is_symlink():
            st = path.stat()
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns // 10**9 * 10**9 - 10**9))
    result = _build(root)
    assert all(site.reused for site in result.sites)
    assert tree_hash(root / "build") == before
    for slug in ("dinkes", "disdik", "dishub"):
        entry = cache.load_entry(root / "build", slug)
        assert entry is not None
        folder = root / "build" / slug
        assert all(record[2] == (folder / rel).stat().st_mtime_ns
                   for rel, record in entry.files.items())
        assert entry.dirs == {rel: (folder / rel).stat().st_mtime_ns for rel in entry.dirs}
        assert cache.kept_output(folder, entry) is entry      # by stat alone now


def test_a_noop_build_counts_as_unchanged_what_a_build_writes(tmp_path: Path) -> None:
    root = _region(tmp_path)
    written = _build(root).stats.written
    again = _build(root).stats
    assert again.written == 0 and again.unchanged == written


class _Forks:
    """Counts the checks done in a forked child (reuse.settle), and can make the child fail."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail: str = "",
                 threads: bool = False) -> None:
        from skpdgen import children, reuse
        self.calls = self.forked = 0
        parent, real_fork, real_check = os.getpid(), children.fork_call, reuse._check

        def counting(*args: Any) -> Any:
            self.calls += 1
            child = real_fork(*args)
            self.forked += child is not None
            return child

        def check(*args: Any) -> Any:
            if os.getpid() != parent:       # in the child
                if fail == "crash":
                    os._exit(3)
                if fail == "raise":
                    raise RuntimeError("no answer")
                if fail == "garbage":
                    return "not a result"
            return real_check(*args)

        monkeypatch.setattr(reuse, "SPLIT_FROM", 2)      # the test region has three agencies
        if not threads:     # threads other tests of this run left behind (idle) do not count
            monkeypatch.setattr(children.threading, "active_count", lambda: 1)
        monkeypatch.setattr(children, "fork_call", counting)
        monkeypatch.setattr(reuse, "_check", check)


def test_many_agencies_are_checked_in_two_processes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _region(tmp_path)
    _build(root)
    alone = _build(root, jobs=1)
    forks = _Forks(monkeypatch)
    _Portal(monkeypatch, forbid=True)
    shared = _build(root)
    assert forks.forked == 1
    assert [(s.slug, s.reused, s.key, s.page_count) for s in shared.sites] == [
        (s.slug, s.reused, s.key, s.page_count) for s in alone.sites]
    assert all(site.reused for site in shared.sites)
    assert shared.stats.unchanged == alone.stats.unchanged


@pytest.mark.parametrize("fail", ["crash", "raise", "garbage"])
def test_a_failed_check_in_the_child_is_done_again_in_the_parent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail: str) -> None:
    root = _region(tmp_path)
    _build(root)
    before = tree_hash(root / "build")
    forks = _Forks(monkeypatch, fail)
    _Portal(monkeypatch, forbid=True)
    result = _build(root)
    assert forks.forked == 1
    assert all(site.reused for site in result.sites)
    assert tree_hash(root / "build") == before


def test_an_agency_checked_in_the_child_still_has_its_hand_changes_undone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _region(tmp_path)
    _build(root)
    before = tree_hash(root / "build")
    slugs = [s.slug for s in _build(root).sites]
    theirs = slugs[1::2]                # the agencies settle() gives to the child
    page = root / "build" / theirs[0] / "index.html"
    page.write_bytes(page.read_bytes().replace(b"<html", b"<HTML", 1))
    forks = _Forks(monkeypatch)
    result = _build(root)
    assert forks.forked == 1
    assert [s.slug for s in result.sites if not s.reused] == [theirs[0]]
    assert tree_hash(root / "build") == before


def test_no_fork_while_another_thread_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview server builds from a process with threads: a forked child could wait
    forever on a lock one of them held, so the check stays in one process there."""
    import threading

    from skpdgen import children
    root = _region(tmp_path)
    _build(root)
    could = children.can_fork()     # False when other tests of this run left threads behind
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not children.can_fork()
        forks = _Forks(monkeypatch, threads=True)
        result = _build(root)
        assert (forks.calls, forks.forked) == (1, 0)     # asked, and said no
        assert all(site.reused for site in result.sites)
    finally:
        stop.set()
        other.join()
    assert children.can_fork() == could


def test_a_broken_theme_strings_file_still_stops_the_build_with_its_name(
        tmp_path: Path) -> None:
    """The theme's strings are read only when something is rendered (a no-op build needs
    none), yet a strings file that cannot be read is still the build's one-line error."""
    from conftest import run_cli
    root = _region(tmp_path)
    assert run_cli("build", "--today", "2026-11-29", cwd=root).returncode == 0
    strings = root / "themes/default/i18n/id.yaml"
    strings.parent.mkdir(parents=True)
    strings.write_text("nav:\n  home: [Beranda\n", encoding="utf-8")
    done = run_cli("--lang", "en", "build", "--today", "2026-11-29", cwd=root)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("themes/default/i18n/id.yaml: error: ")
    assert "cannot read interface strings" in done.stderr
    assert "internal error" not in done.stderr


def test_the_message_catalogue_is_parsed_once_per_version(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from skpdgen.messages import catalogue
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = (Path(catalogue.__file__).parent / "id.yaml").read_bytes()
    table = catalogue.load_table("id", data)
    assert table and all(isinstance(v, str) for v in table.values())
    kept = list((tmp_path / "cache/skpdgen").glob("messages-id-*.marshal"))
    assert len(kept) == 1

    def no_yaml(*args: object, **kwargs: object) -> object:
        raise AssertionError("parsed again")

    monkeypatch.setattr(yaml, "load", no_yaml)
    assert catalogue.load_table("id", data) == table
    # a damaged file is parsed again and replaced; another version of the file has its own
    kept[0].write_bytes(b"\x00rusak")
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert catalogue.load_table("id", data) == table
    assert catalogue.load_table("id", data + b"\n'baru': 'baru'\n")["baru"] == "baru"
    assert len(list((tmp_path / "cache/skpdgen").glob("messages-id-*.marshal"))) == 2
