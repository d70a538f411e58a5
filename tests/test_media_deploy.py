"""Site growth: the git deploy target with `history: single` keeps one fresh commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import make_region, run_cli
from fixtures.images import jpeg_bytes

TODAY = "2026-11-29"


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def test_history_single_publishes_one_parentless_commit(tmp_path: Path) -> None:
    bare = tmp_path / "pages.git"
    git("init", "--quiet", "--bare", str(bare))
    root = make_region(tmp_path / "region", {
        "skpdgen.yaml": f"name: Kabupaten Uji\nbase_url: https://ujikab.go.id/\n"
                        f"description: Uji.\ndeploy:\n  pages:\n    type: git\n"
                        f"    remote: {bare}\n    history: single\n",
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\ndescription: Uji.\n",
        "sites/dinkes/static/img/a.jpg": jpeg_bytes(900, 600),
        "sites/dinkes/content/berita/2026-11-01-a.md":
            "---\ntitle: A\ndate: 2026-11-01\nimage: /img/a.jpg\nimage_alt: Foto A\n---\nA.\n",
    })
    env = {"SKPDGEN_TODAY": TODAY}
    for step in range(3):
        if step:
            (root / f"sites/dinkes/static/img/b{step}.jpg").write_bytes(
                jpeg_bytes(900, 600, seed=step + 5))
            (root / f"sites/dinkes/content/berita/2026-11-0{step + 1}-b{step}.md").write_text(
                f"---\ntitle: B{step}\ndate: 2026-11-0{step + 1}\nimage: /img/b{step}.jpg\n"
                f"image_alt: Foto B\n---\nB.\n")
        assert run_cli("build", cwd=root, env=env).returncode == 0
        result = run_cli("deploy", "pages", cwd=root, env=env)
        assert result.returncode == 0, result.stderr
        commits = git("--git-dir", str(bare), "rev-list", "gh-pages").split()
        assert len(commits) == 1, commits        # no ever-growing gh-pages history
    files = git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert "dinkes/img/b2.720.jpg" in files and "dinkes/img/a.720.avif" in files
    again = run_cli("deploy", "pages", cwd=root, env=env)
    assert "nothing changed" in again.stdout
    rollback = run_cli("deploy", "pages", "--rollback", cwd=root, env=env)
    assert rollback.returncode != 0 and "no earlier version" in rollback.stderr


def test_history_must_be_keep_or_single(tmp_path: Path) -> None:
    root = make_region(tmp_path, {
        "skpdgen.yaml": "name: Kabupaten Uji\nbase_url: https://ujikab.go.id/\ndeploy:\n"
                        "  pages:\n    type: git\n    remote: ../x.git\n    history: satu\n",
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
    })
    result = run_cli("deploy", "pages", "--dry-run", cwd=root)
    assert result.returncode == 2
    assert "skpdgen.yaml:7: error:" in result.stderr and "history" in result.stderr
