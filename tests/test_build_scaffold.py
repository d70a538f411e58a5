"""`skpdgen init DIR`, `skpdgen new site SLUG --name ...`, `skpdgen new SECTION SLUG "Title"`:
what they create builds, and they never overwrite an existing file.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from conftest import run_cli
from fixtures.region import tree_hashes

from skpdgen import cli

TODAY = "2024-06-15"


def new(*args: str, root: Path) -> tuple[int, str, str]:
    """`skpdgen new ARGS --root ROOT` in this process (faster than a subprocess per file)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(["new", *args, "--root", str(root)])
        except SystemExit as exc:      # argparse usage errors
            status = int(exc.code or 0)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A region made by `skpdgen init`, with one more agency and one item per section."""
    root = tmp_path_factory.mktemp("scaffold") / "kabupaten"
    result = run_cli("init", str(root), cwd=root.parent)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return root


def test_init_creates_a_region_that_builds(region: Path, tmp_path: Path) -> None:
    for rel in ("skpdgen.yaml", "sites/contoh/site.yaml", ".gitignore"):
        assert (region / rel).is_file(), rel
    assert not (region / "themes").exists()   # the built-in theme applies
    assert list((region / "sites/contoh/content/berita").glob("*.md"))
    copy = tmp_path / "copy"
    result = run_cli("init", str(copy), cwd=tmp_path)
    assert result.returncode == 0
    result = run_cli("build", cwd=copy)
    assert result.returncode == 0, result.stderr
    assert (copy / "build/index.html").is_file()
    assert (copy / "build/contoh/index.html").is_file()
    assert len(list((copy / "build/contoh/berita").glob("*/index.html"))) == 1


def test_init_never_overwrites(region: Path) -> None:
    before = tree_hashes(region)
    result = run_cli("init", str(region), cwd=region.parent)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "exists and is not empty" in result.stderr and "nothing was changed" in result.stderr
    assert tree_hashes(region) == before


def test_new_site_and_content_build(region: Path) -> None:
    status, stdout, stderr = new("site", "dinsos", "--name", "Dinas Sosial", root=region)
    assert status == 0, stderr
    assert "sites/dinsos/site.yaml" in stdout
    created = []
    for section in ("berita", "pengumuman", "agenda", "layanan", "inovasi", "profil"):
        status, stdout, stderr = new(section, "dinsos", f'Bantuan: "Sosial" {section}',
                                     "--today", TODAY, root=region)
        assert status == 0, stderr
        created.append(stdout.strip())
    assert created[0].endswith("sites/dinsos/content/berita/2024-06-15-bantuan-sosial-berita.md")
    assert created[3].endswith("sites/dinsos/content/layanan/bantuan-sosial-layanan.md")
    result = run_cli("build", "--today", TODAY, cwd=region)
    assert result.returncode == 0, result.stderr
    out = region / "build/dinsos"
    page = (out / "berita/bantuan-sosial-berita/index.html").read_text()
    assert "<h1>Bantuan: &#34;Sosial&#34; berita</h1>" in page
    for path in ("pengumuman/bantuan-sosial-pengumuman/", "agenda/bantuan-sosial-agenda/",
                 "layanan/bantuan-sosial-layanan/", "inovasi/bantuan-sosial-inovasi/",
                 "profil/bantuan-sosial-profil/"):
        assert (out / path / "index.html").is_file(), path
    assert "Dinas Sosial" in (region / "build/direktori/index.html").read_text()


def test_new_dokumen_names_the_file_to_add(region: Path, tmp_path: Path) -> None:
    status, stdout, stderr = new("dokumen", "contoh", "DPA 2024", "--today", TODAY, root=region)
    assert status == 0, stderr
    path = Path(stdout.strip().removeprefix("created "))
    path = path if path.is_absolute() else region / path
    try:
        text = path.read_text()
        assert "category: berkala" in text and "file: " in text
        build = run_cli("build", "--today", TODAY, "--site", "contoh", cwd=region)
        # until the PDF is added, the build says which file is missing, and where
        assert build.returncode == 1
        assert "Traceback" not in build.stderr
        assert f"{path.relative_to(region).as_posix()}:" in build.stderr
        assert "not found (sites/contoh/static/" in build.stderr
    finally:
        path.unlink()


def test_new_never_overwrites(region: Path) -> None:
    new("berita", "contoh", "Sekali Saja", "--today", TODAY, root=region)
    target = region / "sites/contoh/content/berita/2024-06-15-sekali-saja.md"
    target.write_text("---\ntitle: Diubah Petugas\ndate: 2024-06-15\n---\nIsi penting.\n")
    before = tree_hashes(region / "sites")
    status, _, stderr = new("berita", "contoh", "Sekali Saja", "--today", TODAY, root=region)
    assert status != 0
    assert "already exists" in stderr and "nothing was changed" in stderr
    status, _, stderr = new("site", "contoh", "--name", "Lain", root=region)
    assert status != 0 and "already exists" in stderr
    assert tree_hashes(region / "sites") == before
    target.unlink()


@pytest.mark.parametrize("args, message", [
    (["site", "berita", "--name", "X"], "is a path the portal uses itself"),
    (["site", "Dinas_X", "--name", "X"], "lowercase letters, digits and hyphens"),
    (["site", "dinkes"], "--name is missing: skpdgen new site SLUG --name"),
    (["beritaa", "contoh", "X"], "did you mean 'berita'?"),
    (["berita", "contoj", "X"], "did you mean 'contoh'?"),
    (["berita", "contoh"], "usage: skpdgen new SECTION SLUG"),
])
def test_new_usage_errors(region: Path, args: list[str], message: str) -> None:
    before = tree_hashes(region / "sites")
    status, _, stderr = new(*args, root=region)
    assert status == 2, stderr
    assert message in stderr
    assert tree_hashes(region / "sites") == before


def test_new_outside_a_region(tmp_path: Path) -> None:
    status, _, stderr = new("berita", "dinkes", "Judul", root=tmp_path)
    assert status == 2 and "no skpdgen.yaml" in stderr
    assert list(tmp_path.iterdir()) == []
    # the real command line: no traceback either
    result = run_cli("new", "berita", "dinkes", "Judul", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
