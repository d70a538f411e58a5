"""Configuration errors: skpdgen.yaml problems stop the command with exit status 2;
problems of one agency's site.yaml fail that agency only (exit status 1), others still build.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_region, run_cli
from test_errors_content import Problem, errors

SITE: dict[str, str | bytes] = {
    "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
    "sites/dinkes/content/berita/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nIsi.\n",
}


def build(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = run_cli("build", "--today", "2024-06-15", *args, cwd=root, env=env, timeout=60)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stderr


def test_missing_region_config(tmp_path: Path) -> None:
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [problem] = errors(result.stderr)
    assert problem.path == "skpdgen.yaml" and "no skpdgen.yaml" in problem.message
    assert problem.hint and "skpdgen init" in problem.hint
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize("text, expected", [
    ("name: X\nbase_url: https://x.go.id/\nbase_ulr: y\n",
     [Problem("skpdgen.yaml", 3, "unknown key 'base_ulr'", "did you mean 'base_url'?")]),
    ("name: X\nbase_url: https://x.go.id/\ntimezon: Asia/Jakarta\n",
     [Problem("skpdgen.yaml", 3, "unknown key 'timezon'", "did you mean 'timezone'?")]),
    ("base_url: https://x.go.id/\n",
     [Problem("skpdgen.yaml", 1, "missing required key 'name'", "add 'name: ...'")]),
    ("name: X\nbase_url: ftp://x.go.id\nlanguage: fr\n",
     [Problem("skpdgen.yaml", 2, "'base_url' must be a full web address, got 'ftp://x.go.id'",
              "start it with https://"),
      Problem("skpdgen.yaml", 3, "'language' must be one of id, en, got 'fr'", None)]),
    ("name: X\nbase_url: https://x.go.id/\nfreshness:\n  stale_day: 3\n",
     [Problem("skpdgen.yaml", 4, "unknown key 'freshness.stale_day'",
              "did you mean 'stale_days'?")]),
    ("name: Kabupaten: Uji\nbase_url: https://x.go.id/\n",
     [Problem("skpdgen.yaml", 1, "invalid YAML: mapping values are not allowed",
              "put the value in quotes when it contains ': '")]),
], ids=["unknown-key", "unknown-key-2", "missing-name", "bad-values", "nested", "yaml"])
def test_region_config_errors_exit_2(tmp_path: Path, text: str,
                                     expected: list[Problem]) -> None:
    root = make_region(tmp_path, {**SITE, "skpdgen.yaml": text})
    status, stderr = build(root)
    assert status == 2, stderr
    found = errors(stderr)
    assert [(p.path, p.line) for p in found] == [(e.path, e.line) for e in expected], stderr
    for problem, wanted in zip(found, expected, strict=True):
        assert problem.message.startswith(wanted.message), problem
        if wanted.hint:
            assert problem.hint == wanted.hint, problem
    assert not (root / "build").exists(), "nothing is written when the region config is bad"


def test_unknown_theme_is_a_region_error(tmp_path: Path) -> None:
    root = make_region(tmp_path, {**SITE, "skpdgen.yaml":
                                  "name: X\nbase_url: https://x.go.id/\ntheme: hilang\n"})
    status, stderr = build(root)
    assert status == 2
    assert "theme 'hilang' not found" in errors(stderr)[0].message


def test_site_yaml_errors_fail_only_that_agency(tmp_path: Path) -> None:
    root = make_region(tmp_path, {
        **SITE,
        "sites/dinsos/site.yaml": "name: Dinas Sosial\nshort_nmae: Dinsos\ncontact:\n"
                                  "  phnoe: 0283-1\n  email: bukan-surel\nkind: dinass\n",
        "sites/dinsos/content/berita/b.md": "---\ntitle: B\ndate: 2024-01-01\n---\n",
    })
    status, stderr = build(root)
    assert status == 1
    found = [(p.path, p.line, p.message, p.hint) for p in errors(stderr)]
    assert found == [
        ("sites/dinsos/site.yaml", 2, "unknown key 'short_nmae'", "did you mean 'short_name'?"),
        ("sites/dinsos/site.yaml", 4, "unknown key 'contact.phnoe'", "did you mean 'phone'?"),
        ("sites/dinsos/site.yaml", 5, "'contact.email' must be an e-mail address, got "
                                      "'bukan-surel'", None),
        ("sites/dinsos/site.yaml", 6, "'kind' must be one of dinas, badan, sekretariat, "
         "inspektorat, kecamatan, kelurahan, desa, rsud, lainnya, got 'dinass'",
         "did you mean 'dinas'?"),
    ], stderr
    assert (root / "build/dinkes/berita/a/index.html").is_file()
    assert not (root / "build/dinsos").exists()
    assert "failed: dinsos" in stderr


def test_site_yaml_missing_name(tmp_path: Path) -> None:
    root = make_region(tmp_path, {**SITE, "sites/dinkes/site.yaml": "short_name: Dinkes\n"})
    status, stderr = build(root)
    assert status == 1
    [problem] = errors(stderr)
    assert (problem.path, problem.line, problem.message) == (
        "sites/dinkes/site.yaml", 1, "missing required key 'name'")


RESERVED = ["berita", "inovasi", "direktori", "status", "cari", "assets"]


def test_reserved_and_malformed_agency_slugs(tmp_path: Path) -> None:
    files = {f"sites/{slug}/site.yaml": "name: Salah\n" for slug in RESERVED}
    root = make_region(tmp_path, {**SITE, **files,
                                  "sites/Dinas_Sosial/site.yaml": "name: Dinsos\n"})
    status, stderr = build(root)
    assert status == 1
    found = {p.path: p for p in errors(stderr)}
    assert set(found) == {f"sites/{slug}" for slug in RESERVED} | {"sites/Dinas_Sosial"}
    for slug in RESERVED:
        problem = found[f"sites/{slug}"]
        assert f"'{slug}' is a path the portal uses itself" in problem.message
        assert problem.hint and "rename the folder" in problem.hint
    assert "lowercase letters, digits and hyphens" in found["sites/Dinas_Sosial"].message
    # the good agency and the portal are built; the portal's own pages are the portal's
    assert (root / "build/dinkes/index.html").is_file()
    assert "Salah" not in (root / "build/berita/index.html").read_text()
    assert (root / "build/direktori/index.html").is_file()


def test_unknown_site_on_the_command_line(tmp_path: Path) -> None:
    root = make_region(tmp_path, SITE)
    status, stderr = build(root, "--site", "dinkez")
    assert status == 2
    [problem] = errors(stderr)
    assert "no agency 'dinkez'" in problem.message and problem.hint == "did you mean 'dinkes'?"


def test_bad_today(tmp_path: Path) -> None:
    root = make_region(tmp_path, SITE)
    result = run_cli("build", "--today", "12/05/2024", cwd=root)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "use YYYY-MM-DD" in result.stderr
    result = run_cli("build", cwd=root, env={"SKPDGEN_TODAY": "besok"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "SKPDGEN_TODAY" in result.stderr
