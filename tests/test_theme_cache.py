"""Issue #16: compiled templates are shared by every agency and kept from one build to the next
(build/.skpdgen/templates/), without ever mixing an agency's own templates with the theme's or
leaving the sandbox."""

from __future__ import annotations

import hashlib
import hmac
import io
import marshal
import pickle
import re
from pathlib import Path

import jinja2
import pytest
from conftest import BUILTIN_THEME, make_region, run_cli
from jinja2.bccache import bc_magic

from skpdgen import theme as theme_module
from skpdgen.render.environment import environment_for
from skpdgen.render.template_cache import TEMPLATE_CACHE
from skpdgen.theme import load_theme

TODAY = "2026-11-29"


def _region(root: Path, a_templates: dict[str, str] | None = None) -> Path:
    files: dict[str, str | bytes] = {}
    for slug in ("a", "b", "c"):
        files[f"sites/{slug}/site.yaml"] = f"name: Dinas {slug.upper()}\n"
        files[f"sites/{slug}/content/berita/2026-11-01-satu.md"] = (
            f"---\ntitle: Berita {slug}\ndate: 2026-11-01\n---\nIsi.\n")
    for name, text in (a_templates or {}).items():
        files[f"sites/a/templates/{name}"] = text
    return make_region(root, files)


def _pages(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "pagefind" not in p.parts and ".skpdgen" not in p.parts}


def _count_compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from now on (not read back from a cache)."""
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None,
                 filename: str | None = None, raw: bool = False, defer_init: bool = False
                 ) -> object:
        compiled.append(name or "")
        return real(self, source, name, filename, raw, defer_init)  # type: ignore[call-overload]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


def test_theme_templates_are_kept_between_builds_and_read_back(tmp_path: Path) -> None:
    root = _region(tmp_path / "r")
    assert run_cli("build", "--today", TODAY, "--jobs", "2", cwd=root).returncode == 0
    kept = root / "build/.skpdgen/templates"
    files = sorted(kept.glob("theme-*.jinja"))
    # each theme template once, however many agencies and workers used it
    assert 0 < len(files) <= len(list((BUILTIN_THEME / "templates").rglob("*.html"))), files
    first = _pages(root / "build")
    # --clean builds everything again: from the kept templates, with the same pages
    assert run_cli("build", "--clean", "--today", TODAY, cwd=root).returncode == 0
    assert _pages(root / "build") == first


def test_a_build_compiles_each_theme_template_once_and_the_next_run_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _region(tmp_path / "r")
    compiled = _count_compiles(monkeypatch)
    TEMPLATE_CACHE.clear()                  # what earlier tests in this process compiled
    theme_module.cache_templates_in(tmp_path / "kept")
    try:
        for _round in range(2):
            for override in ("a", "b", "c"):
                # each agency with its own Theme and environment, as a worker process gets them
                theme = load_theme(root / "themes" / "default", "id")
                env = environment_for(theme, root / "sites" / override / "templates")
                env.get_template("single.html")
                env.get_template("list.html")
            if _round == 0:
                assert sorted(compiled) == ["list.html", "single.html"]   # once each
                TEMPLATE_CACHE.clear()          # a new run: only the folder remains
                compiled.clear()
        assert compiled == []                   # read back from build/.skpdgen/templates/
    finally:
        theme_module.cache_templates_in(None)
        TEMPLATE_CACHE.clear()


def test_an_agency_template_never_stands_in_for_the_theme_one(tmp_path: Path) -> None:
    base = (BUILTIN_THEME / "templates/single.html").read_text(encoding="utf-8")
    own = base.replace("{%- block before_content %}",
                       '{%- block before_content %}<p class="milik-a">{{ page.title }}</p>', 1)
    root = _region(tmp_path / "r", {"single.html": own})
    for _round in range(2):        # the second build reads the theme's templates back
        result = run_cli("build", "--clean", "--today", TODAY, cwd=root)
        assert result.returncode == 0, result.stderr
        assert '<p class="milik-a">Berita a</p>' in (
            root / "build/a/berita/satu/index.html").read_text(encoding="utf-8")
        for other in ("b", "c"):
            assert "milik-a" not in (
                root / f"build/{other}/berita/satu/index.html").read_text(encoding="utf-8")
    # what agency a's sandbox compiled (its own template and the theme's it uses) never
    # reaches the disk: only trusted theme templates are read back from there
    names = [p.name for p in (root / "build/.skpdgen/templates").iterdir()]
    assert names and all(re.fullmatch(r"theme-[0-9a-f]{40}\.jinja", n) for n in names), names


def test_the_sandbox_still_refuses_after_the_theme_was_cached(tmp_path: Path) -> None:
    root = _region(tmp_path / "r")
    assert run_cli("build", "--today", TODAY, cwd=root).returncode == 0
    (root / "sites/a/templates").mkdir()
    (root / "sites/a/templates/404.html").write_text(
        "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}\n", encoding="utf-8")
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1
    assert not (root / "MARKER").exists()
    assert "sites/a/templates/404.html:1: error: template error" in result.stderr


def test_a_damaged_or_stale_kept_template_is_compiled_again(tmp_path: Path) -> None:
    root = _region(tmp_path / "r")
    assert run_cli("build", "--today", TODAY, cwd=root).returncode == 0
    first = _pages(root / "build")
    kept = sorted((root / "build/.skpdgen/templates").glob("*.jinja"))
    for number, path in enumerate(kept):
        path.write_bytes(b"garbage" if number % 2 else path.read_bytes()[:20])
    result = run_cli("build", "--clean", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    assert _pages(root / "build") == first
    # a region theme that overrides a template: its own text is compiled, not the kept one
    target = root / "themes/default/templates/404.html"
    target.parent.mkdir(parents=True)
    text = (BUILTIN_THEME / "templates/404.html").read_text(encoding="utf-8")
    target.write_text(text.replace('<div class="notfound">', '<div class="notfound">TEMA-WILAYAH',
                                   1), encoding="utf-8")
    assert run_cli("build", "--today", TODAY, cwd=root).returncode == 0
    assert "TEMA-WILAYAH" in (root / "build/a/404.html").read_text(encoding="utf-8")


def _forged(kept: Path, key_home: str | None) -> None:
    """Replace every kept template by compiled code that writes a marker file when it runs
    (what a build/ folder committed to the repository could hold), with Jinja's header and
    the right source checksum, signed with the key under `key_home` (None: not signed)."""
    marker = kept.parent.parent.parent / "DIRETAS"
    code = compile(f"open({str(marker)!r}, 'w').close()\n", "<forged>", "exec")
    for path in kept.glob("theme-*.jinja"):
        stream = io.BytesIO(path.read_bytes()[32:])
        assert stream.read(len(bc_magic)) == bc_magic
        checksum = pickle.load(stream)
        payload = bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(code)
        signature = (hmac.new((Path(key_home) / "skpdgen/template-cache.key").read_bytes(),
                              payload, hashlib.sha256).digest() if key_home else b"\0" * 32)
        path.write_bytes(signature + payload)


def test_kept_templates_not_signed_with_this_users_key_never_run(tmp_path: Path) -> None:
    """A compiled template is code: one that this user's skpdgen did not write (a build/ in a
    pull request, another user's) is compiled again from its source, never loaded."""
    root = _region(tmp_path / "r")
    news = root / "sites/a/content/berita/2026-11-01-satu.md"

    def rebuild(home: Path, edit: str) -> None:     # an edit: pages are rendered again
        news.write_text(news.read_text(encoding="utf-8") + f"\n{edit}\n", encoding="utf-8")
        result = run_cli("build", "--today", TODAY, cwd=root,
                         env={"XDG_CACHE_HOME": str(home)})
        assert result.returncode in (0, 1), result.stderr     # 1: the forged page fails

    mine, other = tmp_path / "cache", tmp_path / "other"
    rebuild(mine, "Satu.")
    key = mine / "skpdgen/template-cache.key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32
    kept = root / "build/.skpdgen/templates"
    _forged(kept, None)                                  # not signed: never run
    rebuild(mine, "Dua.")
    assert not (root / "DIRETAS").exists()
    assert "Dua." in (root / "build/a/berita/satu/index.html").read_text(encoding="utf-8")
    rebuild(other, "Tiga.")                              # signed with another user's key
    _forged(kept, str(other))
    rebuild(mine, "Empat.")
    assert not (root / "DIRETAS").exists()
    # the same forgery signed with this user's key is loaded: the signature is what stops it
    _forged(kept, str(mine))
    rebuild(mine, "Lima.")
    assert (root / "DIRETAS").exists()


def test_a_clean_build_reads_the_kept_templates_instead_of_compiling(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    from skpdgen.pipeline import BuildRequest, build_region
    root = _region(tmp_path / "r")
    request = BuildRequest(root, today=date(2026, 11, 29), jobs=1)
    assert build_region(request).ok
    compiled = _count_compiles(monkeypatch)
    TEMPLATE_CACHE.clear()          # a new run: only build/.skpdgen/templates/ remains
    try:
        assert build_region(BuildRequest(root, today=date(2026, 11, 29), jobs=1,
                                         clean=True)).ok
        assert compiled == []
        assert list((root / "build/.skpdgen/templates").glob("theme-*.jinja"))
    finally:
        theme_module.cache_templates_in(None)
        TEMPLATE_CACHE.clear()
