"""Issue #9.1: an agency's own templates render in Jinja's sandbox; the theme stays trusted."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import BUILTIN_THEME, make_region, run_cli
from fixtures.region import published_hashes

TODAY = "2026-11-29"


def _region(root: Path, templates: dict[str, str]) -> Path:
    files: dict[str, str | bytes] = {
        "sites/a/site.yaml": "name: Dinas A\n",
        "sites/a/content/berita/2026-11-01-satu.md":
            "---\ntitle: Berita Satu\ndate: 2026-11-01\n---\nIsi.\n",
        "sites/b/site.yaml": "name: Dinas B\n",
        "sites/b/content/berita/2026-11-02-dua.md":
            "---\ntitle: Berita Dua\ndate: 2026-11-02\n---\nIsi.\n",
    }
    files.update({f"sites/a/templates/{name}": text for name, text in templates.items()})
    return make_region(root, files)


PAYLOADS = [
    "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ t.__call__.__globals__ }}",
    "{{ asset.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('touch MARKER') }}",
    "{% set x = site.missions.append(1) %}",
    "{{ page.__class__ }}",
    "{{ '{0.__class__}'.format(site) }}",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_agency_template_cannot_run_code(tmp_path: Path, payload: str) -> None:
    root = _region(tmp_path / "r", {"404.html": "<p>satu</p>\n" + payload + "\n"})
    marker = root / "MARKER"
    result = run_cli("build", "--today", TODAY, cwd=root, env={"HOME": str(tmp_path)})
    assert not marker.exists(), "the template ran a shell command"
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(r"^sites/a/templates/404\.html:2: error: template error: ", result.stderr,
                     re.M), result.stderr
    # the other agency and the portal are built as usual
    assert (root / "build/b/berita/dua/index.html").is_file()
    assert (root / "build/index.html").is_file()
    assert not (root / "build/a").exists()


def test_issue_payload_in_check_and_serve_paths_too(tmp_path: Path) -> None:
    payload = "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}"
    root = _region(tmp_path / "r", {"single.html": payload})
    result = run_cli("check", "--today", TODAY, cwd=root)
    assert not (root / "MARKER").exists()
    assert result.returncode == 1
    assert "sites/a/templates/single.html:1: error: template error" in result.stdout + result.stderr


def test_harmless_override_renders_in_the_sandbox(tmp_path: Path) -> None:
    base = (BUILTIN_THEME / "templates/single.html").read_text(encoding="utf-8")
    root = _region(tmp_path / "r", {"single.html": base.replace(
        "{%- block before_content %}", "{%- block before_content %}<p class=\"override\">"
        "{{ page.title|upper }} {{ site.missions|length }} {{ t('sections.berita') }}</p>", 1)})
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    html = (root / "build/a/berita/satu/index.html").read_text(encoding="utf-8")
    assert '<p class="override">BERITA SATU 0 Berita</p>' in html


def test_sandboxed_theme_gives_the_same_pages(tmp_path: Path) -> None:
    """An empty templates/ makes the agency sandboxed; its pages must not change."""
    root = _region(tmp_path / "r", {})
    assert run_cli("build", "--today", TODAY, cwd=root).returncode == 0
    before = published_hashes(root / "build/a")
    (root / "sites/a/templates").mkdir()
    assert run_cli("build", "--clean", "--today", TODAY, cwd=root).returncode == 0
    after = published_hashes(root / "build/a")
    assert after == before


def test_template_link_out_of_the_folder_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("RAHASIA-NEGARA", encoding="utf-8")
    root = _region(tmp_path / "r", {"404.html": "{% include 'x.html' %}"})
    os.symlink(secret, root / "sites/a/templates/x.html")
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1
    assert "only regular files are read from an agency's templates/" in result.stderr
    assert not any("RAHASIA" in p.read_text(errors="replace")
                   for p in (root / "build").rglob("*.html"))


def test_a_runaway_agency_template_is_stopped(tmp_path: Path) -> None:
    loops = ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
             "{% endfor %}")
    root = _region(tmp_path / "r", {"404.html": "<p>satu</p>\n" + loops + "\n"})
    result = run_cli("build", "--today", TODAY, cwd=root, timeout=120)
    assert result.returncode == 1
    assert ("sites/a/templates/404.html:2: error: template error: the page took more than "
            "10 s to render") in result.stderr, result.stderr
    assert (root / "build/b/berita/dua/index.html").is_file()


def test_ordinary_range_and_operators_still_work(tmp_path: Path) -> None:
    root = _region(tmp_path / "r", {"404.html": (
        "{{ range(5)|length }}-{{ 2 ** 10 }}-{{ 'ab' * 3 }}-"
        "{% for i in range(3) %}{{ i }}{% endfor %}-{{ [1] + [2] }}")})
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "build/a/404.html").read_text(encoding="utf-8").strip() == \
        "5-1024-ababab-012-[1, 2]"


@pytest.mark.parametrize(("expr", "message"), [
    ("'x' * 1000000000", "a repeated text or list over 1 000 000 items"),
    ("[0] * 1000000000", "a repeated text or list over 1 000 000 items"),
    ("9 ** 999999999", "an exponent over 64 is not allowed"),
])
def test_memory_bombs_in_agency_templates_are_refused(tmp_path: Path, expr: str,
                                                       message: str) -> None:
    root = _region(tmp_path / "r", {"404.html": "{{ " + expr + " }}"})
    result = run_cli("build", "--today", TODAY, cwd=root, timeout=120)
    assert result.returncode == 1
    assert f"sites/a/templates/404.html:1: error: template error: {message}" in result.stderr
