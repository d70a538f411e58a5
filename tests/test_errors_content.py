"""Bad content gives one line `PATH:LINE: error: MESSAGE (hint)` on stderr and exit status 1.

Every case is a real region built through the CLI; the exact path, line, message and hint are
asserted, and no Python traceback may reach the user.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import make_region, run_cli
from fixtures.images import png_bytes
from PIL import Image

SITE = {"sites/dinkes/site.yaml": "name: Dinas Kesehatan\n"}
PREFIX = "sites/dinkes/content/"
LINE_RE = re.compile(r"^(?P<path>[^:\s]+)(?::(?P<line>\d+))?: error: (?P<message>.+?)"
                     r"(?: \((?P<hint>[^()]*(?:\([^()]*\)[^()]*)*)\))?$")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str
    hint: str | None


def errors(stderr: str) -> list[Problem]:
    """Every error line on stderr, parsed; any other line mentioning 'error:' fails."""
    result = []
    for text in stderr.splitlines():
        if ": error: " not in text:
            continue
        m = LINE_RE.match(text)
        assert m, f"not a PATH:LINE: error: MESSAGE line: {text!r}"
        result.append(Problem(m["path"], int(m["line"]) if m["line"] else None, m["message"],
                              m["hint"]))
    return result


def build(root: Path, *args: str) -> tuple[int, str]:
    result = run_cli("build", "--today", "2024-06-15", *args, cwd=root, timeout=60)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stderr


def region(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    return make_region(tmp_path, {**SITE, **files})


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str | bytes]
    path: str
    line: int | None
    message: str
    hint: str | None = None


CASES = [
    Case("broken-yaml", {"berita/yaml.md": "---\ntitle: Rapat: Koordinasi\ndate: 2024-01-01\n---\n"},
         "berita/yaml.md", 2, "invalid YAML", "put the value in quotes"),
    Case("yaml-tab", {"berita/tab.md": "---\ntitle: A\ndate: 2024-01-01\ntags:\n\t- a\n---\n"},
         "berita/tab.md", 5, "invalid YAML", "indent with spaces, not tabs"),
    Case("missing-title", {"berita/no-title.md": "---\ndate: 2024-01-01\n---\nx\n"},
         "berita/no-title.md", 2, "missing required key 'title'", "add 'title: ...'"),
    Case("missing-date", {"berita/no-date.md": "---\ntitle: A\n---\nx\n"},
         "berita/no-date.md", 2, "missing required key 'date'", "add 'date: ...'"),
    Case("date-format", {"berita/date.md": "---\ntitle: A\nsummary: ringkas\n\ndate: 12/05/2024\n---\n"},
         "berita/date.md", 5, "'date' must be a date YYYY-MM-DD", "use YYYY-MM-DD: 2024-05-12"),
    Case("not-a-real-date", {"berita/feb30.md": "---\ntitle: A\ndate: 2024-02-30\n---\nx\n"},
         "berita/feb30.md", 3, "is not a real date", "check the day and month"),
    Case("unknown-key", {"berita/titel.md": "---\ntitel: A\ndate: 2024-01-01\n---\nx\n"},
         "berita/titel.md", 2, "unknown key 'titel'", "did you mean 'title'?"),
    Case("bool", {"berita/draft.md": "---\ntitle: A\ndate: 2024-01-01\ndraft: mungkin\n---\n"},
         "berita/draft.md", 4, "'draft' must be true or false", "use true or false"),
    Case("number", {"inovasi/year.md": "---\ntitle: A\nyear: dua ribu\n---\nx\n"},
         "inovasi/year.md", 3, "'year' must be a whole number", None),
    Case("image-alt", {"berita/alt.md": "---\ntitle: A\ndate: 2024-01-01\nimage: /a.png\n---\n",
                       "../static/a.png": png_bytes(4, 4)},
         "berita/alt.md", 4, "'image' needs 'image_alt'", "image_alt: ..."),
    Case("category", {"dokumen/cat.md": "---\ntitle: A\nfile: /f.pdf\ncategory: berkal\n---\n",
                      "../static/f.pdf": b"%PDF-1.4"},
         "dokumen/cat.md", 4, "'category' must be one of berkala, serta-merta, setiap-saat",
         "did you mean 'berkala'?"),
    Case("stage", {"inovasi/stage.md": "---\ntitle: A\nyear: 2020\nstage: ujicoba\n---\n"},
         "inovasi/stage.md", 4, "'stage' must be one of", "did you mean 'uji-coba'?"),
    Case("agenda-start", {"agenda/start.md": "---\ntitle: A\nstart: besok pagi\n---\n"},
         "agenda/start.md", 3, "'start' must be a date", "use YYYY-MM-DD"),
    Case("image-escape", {"berita/img-escape.md": "---\ntitle: A\ndate: 2024-01-01\n"
                          "image: ../../../etc/passwd\nimage_alt: x\n---\n"},
         "berita/img-escape.md", 4,
         "image '../../../etc/passwd' points outside the agency folder", None),
    Case("file-escape", {"dokumen/file-escape.md": "---\ntitle: A\ncategory: berkala\n"
                         "file: ../../other-agency/static/x.pdf\n---\n",
                         "../../other-agency/site.yaml": "name: Lain\n",
                         "../../other-agency/static/x.pdf": b"%PDF-1.4"},
         "dokumen/file-escape.md", 4, "file '../../other-agency/static/x.pdf' points outside",
         None),
    Case("file-missing", {"dokumen/missing.md": "---\ntitle: A\ncategory: berkala\n"
                          "file: /no.pdf\n---\n"},
         "dokumen/missing.md", 4, "file '/no.pdf' not found (sites/dinkes/static/no.pdf)", None),
    Case("slug-escape", {"berita/slug.md": "---\ntitle: A\ndate: 2024-01-01\nslug: ../../evil\n---\n"},
         "berita/slug.md", 4, "'slug' must be lowercase letters, digits and hyphens", "use 'evil'"),
    Case("alias-escape", {"berita/alias.md": "---\ntitle: A\ndate: 2024-01-01\naliases:\n"
                          "  - /lama/a\n  - ../../../evil\n---\n"},
         "berita/alias.md", 6, "alias '../../../evil' is not a path of this site", None),
    Case("md-link", {"berita/link.md": "---\ntitle: A\ndate: 2024-01-01\n---\nSatu.\n\n"
                     "Lihat [layanan](../layanan/izin.md) ya.\n",
                     "layanan/izn.md": "---\ntitle: Izin\n---\n"},
         "berita/link.md", 7, "link to '../layanan/izin.md': no such file",
         "did you mean 'izn.md'?"),
    Case("md-image", {"berita/md-image.md": "---\ntitle: A\ndate: 2024-01-01\n---\nx\n\n"
                      "![foto](/img/nope.png)\n"},
         "berita/md-image.md", 7, "image '/img/nope.png' not found", None),
    Case("not-utf8", {"berita/latin1.md": b"---\ntitle: A\ndate: 2024-01-01\n---\nbaris\ncaf\xe9\n"},
         "berita/latin1.md", 6, "is not UTF-8 text", "save the file as UTF-8"),
    Case("empty", {"berita/empty.md": ""}, "berita/empty.md", 1, "file is empty", None),
    Case("no-front-matter", {"berita/bare.md": "title: A\n\nisi\n"},
         "berita/bare.md", 1, "missing front matter", None),
    Case("generated-path", {"tag/a.md": "---\ntitle: A\n---\n"},
         "tag/a.md", None, "is a path skpdgen generates itself", None),
]


@pytest.fixture(scope="module")
def all_cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Problem]]:
    """One region holding every broken file: one build must report every problem."""
    files: dict[str, str | bytes] = {}
    for case in CASES:
        for rel, text in case.files.items():
            files[os.path.normpath(PREFIX + rel)] = text
    root = region(tmp_path_factory.mktemp("errors"), files)
    status, stderr = build(root)
    assert status == 1, stderr
    by_path: dict[str, list[Problem]] = {}
    for problem in errors(stderr):
        by_path.setdefault(problem.path, []).append(problem)
    return by_path


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_content_error(all_cases: dict[str, list[Problem]], case: Case) -> None:
    found = all_cases.get(PREFIX + case.path, [])
    assert len(found) == 1, f"one problem, one line: {found}"
    problem = found[0]
    assert problem.line == case.line, problem
    assert case.message in problem.message, problem
    if case.hint is not None:
        assert problem.hint is not None and case.hint in problem.hint, problem


def test_no_other_errors_than_the_cases(all_cases: dict[str, list[Problem]]) -> None:
    assert set(all_cases) == {PREFIX + case.path for case in CASES}


def test_all_errors_of_a_site_in_one_run(tmp_path: Path) -> None:
    root = region(tmp_path, {
        f"{PREFIX}berita/a.md": "---\ntitle: A\ndate: 12/05/2024\n---\n",
        f"{PREFIX}layanan/b.md": "---\ntitle: B\nbiaya: 0\n---\n",
        "sites/dinsos/site.yaml": "name: Dinas Sosial\n",
        "sites/dinsos/content/berita/c.md": "---\ntitle: C\n---\n",
    })
    status, stderr = build(root)
    assert status == 1
    found = {(p.path, p.line) for p in errors(stderr)}
    assert found == {(f"{PREFIX}berita/a.md", 3), (f"{PREFIX}layanan/b.md", 3),
                     ("sites/dinsos/content/berita/c.md", 2)}, stderr
    # each broken item is left out; the agencies publish without them (isolate.py)
    assert "3 item(s) not published" in stderr and "failed:" not in stderr


def test_duplicate_urls_name_every_file(tmp_path: Path) -> None:
    root = region(tmp_path, {
        f"{PREFIX}berita/2024-05-12-vaksin.md": "---\ntitle: A\ndate: 2024-05-12\n---\n",
        # an explicit slug: a repeated title alone gets a dated URL (test_item_isolation.py)
        f"{PREFIX}berita/vaksin.md": "---\ntitle: B\ndate: 2024-05-13\nslug: vaksin\n---\n",
        f"{PREFIX}berita/lain.md": "---\ntitle: C\ndate: 2024-05-14\nslug: vaksin\n---\n",
    })
    status, stderr = build(root)
    assert status == 1
    [problem] = errors(stderr)
    assert "dinkes/berita/vaksin/index.html is written by 3 files" in problem.message
    for name in ("content/berita/2024-05-12-vaksin.md", "content/berita/vaksin.md",
                 "content/berita/lain.md"):
        assert name in problem.message
    assert problem.hint and "slug" in problem.hint


def test_symlinked_content_file_pointing_outside(tmp_path: Path) -> None:
    root = region(tmp_path, {
        f"{PREFIX}berita/ok.md": "---\ntitle: OK\ndate: 2024-01-01\n---\n",
        "outside/rahasia.md": "---\ntitle: Rahasia\ndate: 2024-01-01\n---\nrahasia\n",
    })
    (root / PREFIX / "berita/rahasia.md").symlink_to(root / "outside/rahasia.md")
    status, stderr = build(root)
    assert status == 1
    [problem] = errors(stderr)
    assert problem.path == f"{PREFIX}berita/rahasia.md"
    assert "symbolic link points outside the agency folder" in problem.message
    assert (root / "build/dinkes/berita/ok/index.html").is_file()   # the rest publishes
    assert not (root / "build/dinkes/berita/rahasia").exists()
    assert not any("rahasia" in p.read_text(encoding="utf-8", errors="replace")
                   for p in (root / "build/dinkes").rglob("*") if p.is_file())


@pytest.mark.parametrize("link", ["static", "static/ext", "content", "content/luar",
                                  "templates"])
def test_symlinked_folder_pointing_outside(tmp_path: Path, link: str) -> None:
    files: dict[str, str | bytes] = {
        "outside/static/secret.txt": "kata sandi",
        "outside/content/berita/x.md": "---\ntitle: X\ndate: 2024-01-01\n---\n",
        "outside/templates/home.html": "{{ page.title }}",
    }
    if not link.startswith("content"):
        files[f"{PREFIX}berita/ok.md"] = "---\ntitle: OK\ndate: 2024-01-01\n---\n"
    root = region(tmp_path, files)
    target = root / "outside" / link.split("/")[0]
    (root / "sites/dinkes" / link).parent.mkdir(parents=True, exist_ok=True)
    (root / "sites/dinkes" / link).symlink_to(target, target_is_directory=True)
    status, stderr = build(root)
    assert status == 1, stderr
    [problem] = errors(stderr)
    assert problem.path == f"sites/dinkes/{link}"
    assert "symbolic link points outside the agency folder" in problem.message
    assert not list((root / "build").rglob("secret.txt"))


def test_symlink_inside_the_agency_is_fine(tmp_path: Path) -> None:
    root = region(tmp_path, {
        f"{PREFIX}berita/ok.md": "---\ntitle: OK\ndate: 2024-01-01\n---\n![logo](/logo.png)\n",
        "sites/dinkes/static/img/a.png": png_bytes(40, 30),
    })
    (root / "sites/dinkes/static/logo.png").symlink_to("img/a.png")
    status, stderr = build(root)
    assert status == 0, stderr
    with Image.open(root / "build/dinkes/logo.png") as published:   # re-encoded, same size
        assert (published.format, published.size) == ("PNG", (40, 30))


@pytest.mark.timeout(20)
def test_yaml_alias_bomb_fails_fast(tmp_path: Path) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    bomb = "---\ntitle: A\ndate: 2024-01-01\n" + "\n".join(levels) + "\n---\nx\n"
    root = region(tmp_path, {f"{PREFIX}berita/a.md": bomb})
    status, stderr = build(root)
    assert status == 1
    [problem] = errors(stderr)
    assert problem.path == f"{PREFIX}berita/a.md"
    assert "too many values" in problem.message


def test_bom_and_crlf_files_build_fine(tmp_path: Path) -> None:
    root = region(tmp_path, {
        f"{PREFIX}berita/bom.md": b"\xef\xbb\xbf---\ntitle: Dengan BOM\ndate: 2024-01-01\n"
                                  b"---\nIsi.\n",
        f"{PREFIX}berita/crlf.md": b"---\r\ntitle: Dengan CRLF\r\ndate: 2024-01-02\r\n---\r\n"
                                   b"Lihat [bom](bom.md).\r\n",
        f"{PREFIX}berita/both.md": b"\xef\xbb\xbf---\r\ntitle: Keduanya\r\ndate: 2024-01-03\r\n"
                                   b"---\r\nIsi.\r\n",
    })
    status, stderr = build(root)
    assert status == 0, stderr
    out = root / "build/dinkes/berita"
    assert "<h1>Dengan BOM</h1>" in (out / "bom/index.html").read_text()
    crlf = (out / "crlf/index.html").read_text()
    assert "<h1>Dengan CRLF</h1>" in crlf and 'href="../../berita/bom/"' in crlf
    assert "\r" not in crlf
    assert "<h1>Keduanya</h1>" in (out / "both/index.html").read_text()


def test_error_lines_in_a_crlf_bom_file(tmp_path: Path) -> None:
    root = region(tmp_path, {
        f"{PREFIX}berita/a.md": b"\xef\xbb\xbf---\r\ntitle: A\r\ndate: 12/05/2024\r\n---\r\n",
    })
    status, stderr = build(root)
    assert status == 1
    [problem] = errors(stderr)
    assert (problem.line, problem.hint) == (3, "use YYYY-MM-DD: 2024-05-12")


def test_warnings_do_not_fail_the_build(tmp_path: Path) -> None:
    root = region(tmp_path, {
        f"{PREFIX}berita/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nSatu.\n\n"
                                "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n",
    })
    status, stderr = build(root)
    assert status == 0, stderr
    warnings = [line for line in stderr.splitlines() if ": warning: " in line]
    assert any(w.startswith(f"{PREFIX}berita/a.md:7: warning: raw HTML") for w in warnings)
    assert any(w.startswith(f"{PREFIX}berita/a.md:9: warning: ") and "javascript:" in w
               for w in warnings), stderr


def test_github_annotations(tmp_path: Path) -> None:
    root = region(tmp_path, {f"{PREFIX}berita/a.md": "---\ntitle: A\ndate: 12/05/2024\n---\n"})
    result = run_cli("build", cwd=root, env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1
    assert (f"::error file={PREFIX}berita/a.md,line=3::'date' must be a date"
            in result.stderr), result.stderr
