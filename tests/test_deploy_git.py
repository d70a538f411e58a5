"""`skpdgen deploy` to a git target, against a real local bare repository."""

from __future__ import annotations

import io
import subprocess
import tarfile
import time
from pathlib import Path

import pytest
from conftest import make_region, run_cli
from fixtures.region import TODAY, tree_hashes

from skpdgen.cli import main
from skpdgen.deploy import git as deploy_git
from skpdgen.deploy.git import Git, git_environment, redact
from skpdgen.deploy.plan import DeployError

REGION = """\
name: Pemerintah Kabupaten Uji
base_url: https://ujikab.go.id/
description: Portal uji.
deploy:
  pages:
    type: git
    remote: {remote}
    branch: gh-pages
"""
VAKSIN = """\
---
title: Vaksinasi Massal
date: 2024-05-01
---
Kegiatan vaksinasi massal di alun-alun.
"""


def region_files(remote: str) -> dict[str, str | bytes]:
    return {
        "skpdgen.yaml": REGION.format(remote=remote),
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\ndescription: Dinas uji.\n",
        "sites/dinkes/content/berita/2024-05-01-vaksin.md": VAKSIN,
        "sites/dinkes/content/profil.md": "---\ntitle: Profil\n---\nProfil dinas.\n",
        "sites/disdik/site.yaml": "name: Dinas Pendidikan\ndescription: Dinas uji.\n",
        "sites/disdik/content/berita/2024-05-02-ppdb.md":
            "---\ntitle: PPDB Dibuka\ndate: 2024-05-02\n---\nPendaftaran dibuka.\n",
    }


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def published(bare: Path, ref: str = "gh-pages") -> dict[str, bytes]:
    """Every file of a commit of the bare repository, by path."""
    data = subprocess.run(["git", "--git-dir", str(bare), "archive", ref], check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return {m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
                for m in tar.getmembers() if m.isfile()}


def commits(bare: Path) -> list[str]:
    return git("--git-dir", str(bare), "rev-list", "gh-pages").split()


def build(root: Path) -> int:
    return main(["build", "--root", str(root), "--today", TODAY])


def deploy(root: Path, *args: str) -> int:
    return main(["deploy", "--root", str(root), *args])


@pytest.fixture
def region(tmp_path: Path) -> tuple[Path, Path]:
    bare = tmp_path / "pages.git"
    git("init", "--quiet", "--bare", str(bare))
    root = make_region(tmp_path / "region", region_files(str(bare)))
    return root, bare


def build_files(root: Path) -> dict[str, bytes]:
    build_dir = root / "build"
    return {p.relative_to(build_dir).as_posix(): p.read_bytes()
            for p in build_dir.rglob("*") if p.is_file() and ".skpdgen" not in p.parts}


def test_first_second_and_noop_deploys(region: tuple[Path, Path],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    root, bare = region
    assert build(root) == 0
    assert deploy(root, "pages") == 0
    tree = published(bare)
    expected = build_files(root)
    assert {k: v for k, v in tree.items() if k not in (".nojekyll", "_headers")} == expected
    assert tree[".nojekyll"] == b""
    assert b"Content-Security-Policy: default-src 'self'" in tree["_headers"]
    assert not any(path.startswith(".skpdgen") for path in tree)
    assert len(commits(bare)) == 1
    assert "commit" in capsys.readouterr().out

    # One page changes: one commit holding exactly the files whose bytes changed.
    before = tree_hashes(root / "build")
    page = root / "sites/dinkes/content/berita/2024-05-01-vaksin.md"
    page.write_text(VAKSIN + "\nParagraf kedua dengan jadwal baru.\n", encoding="utf-8")
    assert build(root) == 0
    after = tree_hashes(root / "build")
    # (the agency's search index is rewritten too: its old hash-named files are removed)
    changed = {p for p in after.keys() | before.keys()
               if before.get(p) != after.get(p) and not p.startswith(".skpdgen")}
    assert "dinkes/berita/vaksin/index.html" in changed
    assert deploy(root, "pages") == 0
    history = commits(bare)
    assert len(history) == 2
    diff = git("--git-dir", str(bare), "diff", "--name-only", history[1], history[0]).split()
    assert set(diff) == changed
    assert b"jadwal baru" in published(bare)["dinkes/berita/vaksin/index.html"]

    # Nothing changed: no commit.
    capsys.readouterr()
    assert build(root) == 0
    assert deploy(root, "pages") == 0
    assert commits(bare) == history
    assert "nothing changed" in capsys.readouterr().out


def test_failed_agency_keeps_its_published_version(region: tuple[Path, Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root, bare = region
    assert build(root) == 0 and deploy(root, "pages") == 0
    live = published(bare)
    live_disdik = {p: b for p, b in live.items() if p.startswith("disdik/")}
    assert live_disdik

    (root / "sites/dinkes/content/berita/2024-05-01-vaksin.md").write_text(
        VAKSIN.replace("di alun-alun", "di stadion"), encoding="utf-8")
    # a site.yaml error holds the whole agency back (one broken item would not: isolate.py)
    site_yaml = root / "sites/disdik/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "warna: merah\n",
                         encoding="utf-8")
    # a new agency that is broken from the start has nothing live to keep
    (root / "sites/baru").mkdir()
    (root / "sites/baru/site.yaml").write_text("name: Badan Baru\nwarna: merah\n",
                                               encoding="utf-8")
    assert build(root) == 1
    capsys.readouterr()
    assert deploy(root, "pages") == 1
    err = capsys.readouterr().err
    assert "held back: disdik" in err and "live version of its site is kept" in err
    assert "held back: baru" in err and "never been published" in err

    now = published(bare)
    assert {p: b for p, b in now.items() if p.startswith("disdik/")} == live_disdik
    assert b"di stadion" in now["dinkes/berita/vaksin/index.html"]
    assert not any(p.startswith("baru/") for p in now)
    message = git("--git-dir", str(bare), "log", "-1", "--format=%B", "gh-pages")
    assert "Held back (last build failed, live version kept): baru, disdik" in message

    # Fixed: disdik goes live again.
    (root / "sites/disdik/content/berita/2024-05-02-ppdb.md").write_text(
        "---\ntitle: PPDB Dibuka\ndate: 2024-05-02\n---\nDiperbaiki.\n", encoding="utf-8")
    (root / "sites/baru/site.yaml").write_text("name: Badan Baru\n", encoding="utf-8")
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("warna: merah\n", ""),
                         encoding="utf-8")
    assert build(root) == 0
    assert deploy(root, "pages") == 0
    assert b"Diperbaiki" in published(bare)["disdik/berita/ppdb/index.html"]


def test_dry_run_changes_nothing_and_lists_changes(region: tuple[Path, Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root, bare = region
    assert build(root) == 0
    assert deploy(root, "pages", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "  + dinkes/berita/vaksin/index.html" in out and "  + .nojekyll" in out
    assert git("--git-dir", str(bare), "branch", "--list") == ""     # no branch made
    assert deploy(root, "pages") == 0
    head = commits(bare)
    (root / "sites/dinkes/content/profil.md").unlink()
    assert build(root) == 0
    capsys.readouterr()
    assert deploy(root, "pages", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "  - dinkes/profil/index.html" in out
    assert "  ~ dinkes/index.html" in out
    assert commits(bare) == head


def test_rollback_steps_back_one_version_at_a_time(region: tuple[Path, Path]) -> None:
    root, bare = region
    page = root / "sites/dinkes/content/profil.md"
    trees = []
    for version in ("satu", "dua", "tiga"):
        page.write_text(f"---\ntitle: Profil\n---\nVersi {version}.\n", encoding="utf-8")
        assert build(root) == 0 and deploy(root, "pages") == 0
        trees.append(git("--git-dir", str(bare), "rev-parse", "gh-pages^{tree}"))
    assert deploy(root, "pages", "--rollback", "--dry-run") == 0
    assert git("--git-dir", str(bare), "rev-parse", "gh-pages^{tree}") == trees[2]
    assert deploy(root, "pages", "--rollback") == 0
    assert git("--git-dir", str(bare), "rev-parse", "gh-pages^{tree}") == trees[1]
    assert deploy(root, "pages", "--rollback") == 0
    assert git("--git-dir", str(bare), "rev-parse", "gh-pages^{tree}") == trees[0]
    assert deploy(root, "pages", "--rollback") == 1       # nothing older
    assert len(commits(bare)) == 5                        # history is kept, never rewritten


def test_no_credentials_in_anything_published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    token = "ghp_FAKEtoken1234567890abcdef"
    bare = tmp_path / "pages.git"
    git("init", "--quiet", "--bare", str(bare))
    root = make_region(tmp_path / "region", region_files("${PAGES_REMOTE}"))
    monkeypatch.setenv("PAGES_REMOTE", str(bare))
    monkeypatch.setenv("SKPDGEN_GIT_TOKEN", token)
    monkeypatch.setenv("GITHUB_TOKEN", token)
    command_lines: list[list[str]] = []
    real_popen = subprocess.Popen

    def recording_popen(args: list[str], *rest: object, **kwargs: object) -> object:
        command_lines.append(list(args))
        return real_popen(args, *rest, **kwargs)  # type: ignore[call-overload]
    monkeypatch.setattr(deploy_git.subprocess, "Popen", recording_popen)
    assert build(root) == 0 and deploy(root, "pages") == 0
    assert deploy(root, "pages", "--rollback", "--dry-run") == 1      # one version: no earlier
    # The remote's address (which may hold a token, from ${PAGES_REMOTE}) and the token never
    # appear on a command line, which every user of the machine can read with `ps`.
    assert {line[1] for line in command_lines} >= {"ls-remote", "fetch", "push"}
    for line in command_lines:
        assert not any(str(bare) in arg or token in arg for arg in line), line
    # every object of the remote (blobs, trees, commits), every plain file of it, the build
    objects = subprocess.run(["git", "--git-dir", str(bare), "cat-file", "--batch-all-objects",
                              "--batch"], check=True, capture_output=True).stdout
    assert token.encode() not in objects
    for path in [*bare.rglob("*"), *root.rglob("*")]:
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
    assert "PAGES_REMOTE" in (root / "skpdgen.yaml").read_text(encoding="utf-8")


def test_token_reaches_git_only_through_the_environment() -> None:
    env = git_environment({"PATH": "/usr/bin:/bin", "HOME": "/nonexistent",
                           "SKPDGEN_GIT_TOKEN": "s3cret"})
    assert not any("s3cret" in v for k, v in env.items() if k != "SKPDGEN_GIT_TOKEN")
    filled = subprocess.run(["git", "credential", "fill"], input="protocol=https\n"
                            "host=github.com\npath=pemkab/situs.git\n\n", env=env, text=True,
                            capture_output=True, check=True).stdout
    assert "username=x-access-token" in filled and "password=s3cret" in filled
    assert redact("fatal: https://user:s3cret@github.com/x.git s3cret", env) == (
        "fatal: https://***@github.com/x.git ***")


def test_unreachable_remote_is_an_error_naming_the_target(region: tuple[Path, Path]) -> None:
    root, bare = region
    (root / "skpdgen.yaml").write_text(REGION.format(remote=str(bare.parent / "nope.git")),
                                       encoding="utf-8")
    assert build(root) == 0
    result = run_cli("deploy", cwd=root)
    assert result.returncode == 1
    assert result.stderr.startswith("deploy pages: error: git ls-remote failed")
    assert "Traceback" not in result.stderr


def test_cname_written_by_github_is_kept_and_cname_key_wins(region: tuple[Path, Path],
                                                           tmp_path: Path) -> None:
    root, bare = region
    assert build(root) == 0 and deploy(root, "pages") == 0
    work = tmp_path / "work"
    git("clone", "--quiet", "--branch", "gh-pages", str(bare), str(work))
    (work / "CNAME").write_text("portal.ujikab.go.id\n", encoding="utf-8")
    git("add", "CNAME", cwd=work)
    git("-c", "user.name=GitHub", "-c", "user.email=gh@example.com", "commit", "--quiet",
        "-m", "Create CNAME", cwd=work)
    git("push", "--quiet", "origin", "gh-pages", cwd=work)
    (root / "sites/dinkes/content/profil.md").write_text("---\ntitle: Profil\n---\nBaru.\n",
                                                         encoding="utf-8")
    assert build(root) == 0 and deploy(root, "pages") == 0
    assert published(bare)["CNAME"] == b"portal.ujikab.go.id\n"
    config = (root / "skpdgen.yaml").read_text(encoding="utf-8")
    (root / "skpdgen.yaml").write_text(config + "    cname: situs.ujikab.go.id\n",
                                       encoding="utf-8")
    assert deploy(root, "pages") == 0
    assert published(bare)["CNAME"] == b"situs.ujikab.go.id\n"


def test_a_stalled_git_is_stopped_by_the_timeout(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text("#!/bin/sh\necho started\nexec sleep 30\n", encoding="utf-8")
    (fake / "git").chmod(0o755)
    monkeypatch.setattr(deploy_git, "GIT_TIMEOUT", 1)
    stalled = Git(tmp_path / "repo.git", {"PATH": f"{fake}:/usr/bin:/bin"})
    started = time.monotonic()
    with pytest.raises(DeployError, match="took more than"):
        stalled.run("fetch", "target")          # holds its output open while it hangs
    assert time.monotonic() - started < 10
