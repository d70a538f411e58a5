"""Issue #9.7: each minor item, reproduced and fixed."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import threading
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import make_region, run_cli

from skpdgen.cli import main
from skpdgen.deploy import git as deploy_git
from skpdgen.pipeline import BuildRequest, build_region
from skpdgen.serve.http import PreviewServer

TODAY = "2026-11-29"
NEWS = "---\ntitle: Berita Satu\ndate: 2026-11-01\n---\nIsi.\n"


def _region(root: Path, files: dict[str, str | bytes] | None = None,
            region_yaml: str | None = None) -> Path:
    base: dict[str, str | bytes] = {
        "sites/a/site.yaml": "name: Dinas A\n",
        "sites/a/content/berita/2026-11-01-satu.md": NEWS,
        "sites/b/site.yaml": "name: Dinas B\n",
        "sites/b/content/berita/2026-11-02-dua.md": NEWS.replace("Satu", "Dua"),
    }
    if region_yaml:
        base["skpdgen.yaml"] = region_yaml
    base.update(files or {})
    return make_region(root, base)


# --- disk full at the manifest step ---------------------------------------------------------------

def test_disk_full_at_the_manifest_is_an_error_and_leaves_no_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _region(tmp_path / "r")
    real = Path.write_bytes

    def full_disk(self: Path, data: Any) -> int:
        if self.name.startswith(".manifest.json.tmp"):
            real(self, data[: len(data) // 2])     # half written, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    result = build_region(BuildRequest(root, today=date(2026, 11, 29)))
    errors = [d.format_text() for d in result.diagnostics if d.severity == "error"]
    assert errors == ["build/.skpdgen/manifest.json: error: cannot write the manifest: "
                      "No space left on device (free some disk space, then build again)"]
    leftovers = [p.name for p in (root / "build").rglob("*") if ".tmp" in p.name]
    assert leftovers == []
    assert (root / "build/a/berita/satu/index.html").is_file()


# --- git deploy: a hook's refusal is not a race, and a race is not raw hint text -----------------

def _git(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}).stdout.strip()


def _deploy_region(tmp_path: Path) -> tuple[Path, Path]:
    bare = tmp_path / "pages.git"
    _git("init", "--quiet", "--bare", str(bare))
    root = _region(tmp_path / "r", region_yaml=(
        "name: Pemerintah Kabupaten Uji\nbase_url: https://ujikab.go.id/\n"
        f"deploy:\n  pages:\n    type: git\n    remote: {bare}\n    branch: gh-pages\n"))
    assert main(["build", "--root", str(root), "--today", TODAY]) == 0
    return root, bare


def test_a_hook_refusal_is_reported_as_such(tmp_path: Path) -> None:
    root, bare = _deploy_region(tmp_path)
    hook = bare / "hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'error: File a/big.bin is 120.00 MB; this exceeds the "
                    "file size limit of 100.00 MB' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    result = run_cli("deploy", cwd=root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "another deploy" not in result.stderr
    assert ("deploy pages: error: the git host refused the push of gh-pages: error: File "
            "a/big.bin is 120.00 MB; this exceeds the file size limit of 100.00 MB") \
        in result.stderr, result.stderr


def test_a_real_race_is_named_without_git_hints(tmp_path: Path, capsys: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root, bare = _deploy_region(tmp_path)
    assert main(["deploy", "--root", str(root)]) == 0
    (root / "sites/a/content/berita/2026-11-01-satu.md").write_text(
        NEWS.replace("Satu", "Baru"), encoding="utf-8")
    assert main(["build", "--root", str(root), "--today", TODAY]) == 0
    real = deploy_git.Git.live_commit
    who = {"GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@x", "GIT_COMMITTER_NAME": "x",
           "GIT_COMMITTER_EMAIL": "x@x"}

    def racing(self: deploy_git.Git, branch: str, full: bool = False) -> str | None:
        live = real(self, branch, full)
        # meanwhile another deploy moves the branch on
        tree = _git("--git-dir", str(bare), "rev-parse", f"{branch}^{{tree}}")
        moved = _git("--git-dir", str(bare), "commit-tree", tree, "-p", branch, "-m", "lain",
                     env=who)
        _git("--git-dir", str(bare), "update-ref", f"refs/heads/{branch}", moved)
        return live

    monkeypatch.setattr(deploy_git.Git, "live_commit", racing)
    capsys.readouterr()
    assert main(["deploy", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "branch gh-pages changed while deploying (another deploy?)" in err
    assert "hint:" not in err


# --- diagnostics cannot forge workflow commands ----------------------------------------------------

def test_a_crafted_key_cannot_inject_a_workflow_annotation(tmp_path: Path) -> None:
    root = _region(tmp_path / "r", {
        "sites/a/site.yaml": 'name: Dinas A\n"x\\n::warning file=sites/b/site.yaml,line=1::'
                             'palsu\\r\\u2028z": 1\n'})
    result = run_cli("build", "--today", TODAY, cwd=root, env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert not [line for line in lines if line.startswith("::warning")], lines
    assert any(line.startswith("sites/a/site.yaml:2: error: unknown key 'x\\n::warning")
               for line in lines), lines


# --- the preview server's listen backlog -------------------------------------------------------------

def test_preview_server_listen_backlog_takes_a_burst(tmp_path: Path) -> None:
    assert PreviewServer.request_queue_size >= 256
    server = PreviewServer(("127.0.0.1", 0), None, "t")  # type: ignore[arg-type]
    try:
        # 300 connections opened before anyone accepts: none is refused or dropped
        sockets = []
        for _ in range(300):
            client = socket.create_connection(("127.0.0.1", server.port), timeout=2)
            sockets.append(client)
        for client in sockets:
            client.close()
    finally:
        server.server_close()


# --- collisions name both inputs --------------------------------------------------------------------

def test_alias_over_a_generated_file_names_both(tmp_path: Path) -> None:
    root = _region(tmp_path / "r", {
        "sites/a/content/berita/2026-11-01-satu.md":
            "---\ntitle: Satu\ndate: 2026-11-01\naliases: [/feed.xml]\n---\nIsi.\n"})
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1
    assert "staging" not in result.stderr
    assert ("sites/a/content/berita/2026-11-01-satu.md: error: feed.xml/index.html needs a "
            "folder 'feed.xml/', but feed writes a file 'feed.xml'") in result.stderr


def test_static_file_over_a_section_folder_names_both(tmp_path: Path) -> None:
    root = _region(tmp_path / "r", {"sites/a/static/berita.pdf": b"%PDF-1.4\n",
                                    "sites/a/static/tag": b"x"})
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1
    assert "staging" not in result.stderr
    assert "sites/a/static/tag: error:" in result.stderr


def test_nfc_nfd_collision_shows_the_difference(tmp_path: Path) -> None:
    nfc, nfd = (unicodedata.normalize(f, "café") for f in ("NFC", "NFD"))
    # the same explicit slug (derived slugs of repeated names get the date: content/repeats.py)
    news = NEWS.replace("---\nIsi", "slug: kafe\n---\nIsi")
    assert news != NEWS
    root = _region(tmp_path / "r", {
        f"sites/a/content/berita/{nfc}.md": news, f"sites/a/content/berita/{nfd}.md": news})
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1
    assert "caf\\xe9.md" in result.stderr and "cafe\\u0301.md" in result.stderr
    assert "Unicode NFC and NFD" in result.stderr


# --- an agency cannot claim another agency's place on the portal's domain --------------------------

def test_base_url_on_the_portal_domain_is_refused(tmp_path: Path) -> None:
    root = _region(tmp_path / "r", {"sites/a/site.yaml":
                                    "name: Dinas A\nbase_url: https://ujikab.go.id/b/\n"})
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1
    assert ("sites/a/site.yaml:2: error: 'base_url' https://ujikab.go.id/b/ is on the portal's "
            "address https://ujikab.go.id/") in result.stderr
    portal = (root / "build/direktori/index.html").read_text(encoding="utf-8")
    assert "https://ujikab.go.id/b/" in portal or "b/" in portal
    assert (root / "build/b/index.html").is_file()


# --- length limits ---------------------------------------------------------------------------------

def test_a_105000_character_title_is_refused(tmp_path: Path) -> None:
    root = _region(tmp_path / "r", {"sites/a/content/berita/2026-11-01-satu.md":
                                    f"---\ntitle: {'A' * 105_000}\ndate: 2026-11-01\n---\nIsi.\n"})
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1
    assert ("sites/a/content/berita/2026-11-01-satu.md:2: error: 'title' is 105,000 characters "
            "long") in result.stderr
    assert not (root / "build/a/berita/satu").exists()      # the item is left out


# --- a shallow clone says so ----------------------------------------------------------------------

def test_a_shallow_clone_is_warned_about(tmp_path: Path) -> None:
    origin = _region(tmp_path / "origin")
    who = {"GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@x", "GIT_COMMITTER_NAME": "x",
           "GIT_COMMITTER_EMAIL": "x@x"}
    _git("init", "--quiet", cwd=origin)
    _git("add", "-A", cwd=origin)
    _git("commit", "--quiet", "-m", "1", cwd=origin, env=who)
    (origin / "sites/a/content/profil.md").write_text("---\ntitle: P\n---\nx\n", encoding="utf-8")
    _git("add", "-A", cwd=origin)
    _git("commit", "--quiet", "-m", "2", cwd=origin, env=who)
    shallow = tmp_path / "shallow"
    _git("clone", "--quiet", "--depth", "1", f"file://{origin}", str(shallow))
    result = run_cli("build", "--today", TODAY, cwd=shallow)
    assert result.returncode == 0, result.stderr
    assert "skpdgen.yaml: warning: the repository is a shallow git clone" in result.stderr
    full = run_cli("build", "--today", TODAY, cwd=origin)
    assert "shallow" not in full.stderr


# --- new refuses a multi-line title -----------------------------------------------------------------

def test_new_refuses_a_multi_line_title(tmp_path: Path) -> None:
    root = _region(tmp_path / "r")
    result = run_cli("new", "berita", "a", "Judul\ndraft: true", cwd=root)
    assert result.returncode == 2
    assert "contains a line break or control character" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (root / "sites/a/content/berita").iterdir()) == [
        "2026-11-01-satu.md"]


# --- percent-encoded aliases resolve -----------------------------------------------------------------

def test_percent_encoded_alias_is_published_decoded(tmp_path: Path) -> None:
    root = _region(tmp_path / "r", {"sites/a/content/berita/2026-11-01-satu.md":
                                    "---\ntitle: Satu\ndate: 2026-11-01\n"
                                    "aliases: [/berita/caf%C3%A9-lama, /a%2F..%2Fb]\n---\nIsi.\n"})
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert "alias '/a%2F..%2Fb' is not a path of this site" in result.stderr
    (root / "sites/a/content/berita/2026-11-01-satu.md").write_text(
        "---\ntitle: Satu\ndate: 2026-11-01\naliases: [/berita/caf%C3%A9-lama]\n---\nIsi.\n",
        encoding="utf-8")
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "build/a/berita/café-lama/index.html").is_file()
    # as a server sees it: the request path decoded
    served = _fetch(root / "build", "/a/berita/caf%C3%A9-lama/")
    assert served == 200


def _fetch(folder: Path, path: str) -> int:
    import functools
    import http.server
    import urllib.request
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}{path}") as r:
            return int(r.status)
    finally:
        server.shutdown()
        server.server_close()


# --- a self-pointing symlink is called a loop ---------------------------------------------------------

def test_a_self_pointing_symlink_is_a_loop(tmp_path: Path) -> None:
    root = _region(tmp_path / "r")
    (root / "sites/a/static").mkdir()
    os.symlink("diri.pdf", root / "sites/a/static/diri.pdf")
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1
    assert "sites/a/static/diri.pdf: error: symbolic link points to itself" in result.stderr


# --- status.json still reports a failed agency ----------------------------------------------------

def test_manifest_records_the_failed_agency(tmp_path: Path) -> None:
    root = _region(tmp_path / "r", {"sites/a/site.yaml": "name: A\ntags: &a [*a]\n"})
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1
    manifest = json.loads((root / "build/.skpdgen/manifest.json").read_text(encoding="utf-8"))
    assert manifest["sites"]["a"]["build"] == "failed"


# --- tag pages are paginated like section lists -------------------------------------------------------

def test_tag_pages_are_paginated(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        f"sites/b/content/berita/2026-10-{day:02d}-banjir-{day}.md":
            f"---\ntitle: Banjir {day}\ndate: 2026-10-{day:02d}\ntags: [banjir]\n---\nIsi.\n"
        for day in range(1, 24)}
    root = _region(tmp_path / "r", files)
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    tag = root / "build/b/tag/banjir"
    pages = [tag / "index.html", tag / "page/2/index.html", tag / "page/3/index.html"]
    assert all(p.is_file() for p in pages) and not (tag / "page/4").exists()
    counts = [p.read_text(encoding="utf-8").count("Banjir ") for p in pages]
    assert "Halaman 3 dari 3" in pages[2].read_text(encoding="utf-8")
    assert counts[0] >= 10 and counts[2] < counts[0]
    check = run_cli("check", "--today", TODAY, cwd=root)
    assert check.returncode == 0, check.stdout + check.stderr


# --- serve shows the file of a problem, and its banner ---------------------------------------------

def test_serve_names_the_file_and_prints_its_banner(tmp_path: Path) -> None:
    import signal
    import sys
    import time
    root = _region(tmp_path / "r", {
        "sites/a/content/berita/2026-11-01-satu.md":
            "---\ntitle: Satu\ndate: 2026-11-01\ntags: &a [*a]\n---\n::youtube http://[\n"})
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "CI")}
    env["SKPDGEN_TODAY"] = TODAY
    proc = subprocess.Popen([sys.executable, "-m", "skpdgen", "serve", "--port", "0"], cwd=root,
                            env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        assert proc.stderr is not None
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("serving http"):
                break
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    text = "".join(lines)
    assert "sites/a/content/berita/2026-11-01-satu.md:4: error: an alias" in text, text
    assert "internal error" not in text and "Traceback" not in text
    assert any(line.startswith("serving http://127.0.0.1:") for line in lines), text
