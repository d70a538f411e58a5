"""skpdgen as a region installs it: `python -m build` a wheel and an sdist of this checkout,
install the wheel in a fresh venv, then init → build → check → serve (one request) → deploy to
a dir target. And the install lines of generated CI files, run as they are: the wheel that
init commits, and a git URL of this repository pinned to a tag.

Slow (venvs, pip): built once per session, marked `slow`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow
TODAY = "2024-06-15"


def run(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
        ) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "GITHUB_ACTIONS", "CI", "VIRTUAL_ENV")}
    full.update(env or {})
    result = subprocess.run(list(args), cwd=cwd, env=full, capture_output=True, text=True,
                            timeout=timeout)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=300)
    return path / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel and an sdist of this checkout, made by `python -m build` from a clean copy."""
    pytest.importorskip("build", reason="pip install build")
    out = tmp_path_factory.mktemp("dist")
    source = out / "src"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO,
                           check=True, capture_output=True, text=True).stdout.split("\n")
    for rel in filter(None, files):
        if rel.startswith(("node_modules/", "tests/", "sites/", "docs/screenshots/")):
            continue
        target = source / rel
        if (REPO / rel).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, target)
    result = run(sys.executable, "-m", "build", "--outdir", str(out),
                 str(source), cwd=out)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return out


@pytest.fixture(scope="session")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with skpdgen installed from the wheel: its bin/ folder."""
    bin_dir = venv(tmp_path_factory.mktemp("venv") / "v")
    wheel = next(dist.glob("skpdgen-*.whl"))
    result = run(str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel),
                 cwd=dist)
    assert result.returncode == 0, result.stderr
    return bin_dir


def test_wheel_and_sdist_carry_the_theme_and_region_files(dist: Path) -> None:
    wheel = next(dist.glob("skpdgen-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for rel in ("skpdgen/themes/default/templates/base.html",
                "skpdgen/themes/default/static/css/main.css",
                "skpdgen/themes/default/i18n/id.yaml", "skpdgen/themes/default/i18n/en.yaml",
                "skpdgen/templates_region/README.md", "skpdgen/guides/panduan-staf.md"):
        assert rel in names, rel
    assert list(dist.glob("skpdgen-*.tar.gz"))


def test_wheel_install_init_build_check_serve_deploy(installed: Path, tmp_path: Path) -> None:
    skpdgen = str(installed / "skpdgen")
    result = run(skpdgen, "init", "kab", "--name", "Pemerintah Kabupaten Uji",
                 "--base-url", "https://ujikab.go.id/", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "kab"
    assert not (root / "themes").exists()
    www = tmp_path / "www"
    with (root / "skpdgen.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"  server:\n    type: dir\n    path: {www}\n    keep: 3\n")
    for command in (("build", "--today", TODAY), ("check", "--today", TODAY)):
        result = run(skpdgen, *command, cwd=root)
        assert result.returncode == 0, result.stderr
    assert (root / "build/contoh/index.html").is_file()

    port = free_port()
    server = subprocess.Popen([skpdgen, "serve", "--port", str(port)], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    try:
        body = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not body:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/contoh/", timeout=5) as r:
                    body = r.read()
            except OSError:
                time.sleep(0.3)
        assert b"Dinas Contoh" in body
    finally:
        server.terminate()
        server.wait(timeout=20)

    result = run(skpdgen, "deploy", "server", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (www / "current/contoh/index.html").is_file()


def test_the_install_line_init_writes_works_as_it_is(installed: Path, tmp_path: Path) -> None:
    result = run(str(installed / "skpdgen"), "init", "kab", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "kab"
    line = next(t.strip().removeprefix("run: ") for t in
                (root / ".github/workflows/skpdgen.yml").read_text(encoding="utf-8").splitlines()
                if "pip install" in t and not t.strip().startswith("#"))
    ci = venv(tmp_path / "ci")
    result = run("bash", "-c", f"PATH={ci}:$PATH; {line}", cwd=root)
    assert result.returncode == 0, result.stderr
    result = run(str(ci / "skpdgen"), "build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr


def test_a_git_url_pinned_to_a_tag_installs(tmp_path: Path) -> None:
    clone = tmp_path / "skpdgen"
    subprocess.run(["git", "clone", "--quiet", "--no-local", str(REPO), str(clone)], check=True,
                   timeout=300)
    subprocess.run(["git", "-C", str(clone), "-c", "user.name=Uji", "-c",
                    "user.email=uji@example.com", "tag", "-a", "v9.9.9", "-m", "uji"], check=True)
    spec = f"git+file://{clone}@v9.9.9"
    ci = venv(tmp_path / "ci")
    result = run(str(ci / "python"), "-m", "pip", "install",
                 "--quiet", spec, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = run(str(ci / "skpdgen"), "init", "kab", "--install", spec, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f'pip install "{spec}"' in (tmp_path / "kab/.github/workflows/skpdgen.yml").read_text()
    assert not (tmp_path / "kab/vendor").exists()

