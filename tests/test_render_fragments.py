"""Fragments (render/fragments.py): the header, menu and footer are rendered once an agency for
each set of values, yet every page shows its own, an agency's or a region's templates still
apply, and the build day's questions still reach each page."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import jinja2
import pytest
from conftest import make_region, override_theme_file, write_tree
from markupsafe import Markup

from skpdgen.buildday import TrackedDay
from skpdgen.pipeline import BuildRequest, build_region
from skpdgen.render.environment import make_environment
from skpdgen.render.fragments import Fragments, frozen
from skpdgen.theme import BUILTIN_THEME, load_theme

TODAY = date(2026, 11, 29)


def news(title: str, day: str) -> str:
    return f"---\ntitle: {title}\ndate: {day}\n---\nIsi.\n"


def region(tmp_path: Path, language: str = "id") -> Path:
    return make_region(tmp_path / "region", {
        "skpdgen.yaml": f"name: Pemerintah Kabupaten Uji\nbase_url: https://ujikab.go.id/\n"
                        f"language: {language}\n",
        "sites/dinkes/site.yaml": (
            "name: Dinas Kesehatan\ncontact:\n  phone: 0283-111\n"
            "menu:\n  - {title: Beranda, url: /}\n  - {title: Kabar, url: berita/}\n"
            "  - {title: Profil, url: profil/}\n"),
        "sites/dinkes/content/berita/2026-11-10-a.md": news("Berita A", "2026-11-10"),
        "sites/dinkes/content/berita/2026-11-12-b.md": news("Berita B", "2026-11-12"),
        "sites/dinkes/content/profil/tentang.md": "---\ntitle: Tentang Kami\n---\nProfil.\n",
        "sites/disdik/site.yaml": "name: Dinas Pendidikan\ncontact:\n  phone: 0283-222\n",
        "sites/disdik/content/berita/2026-11-20-ppdb.md": news("PPDB", "2026-11-20"),
    })


def build(root: Path) -> None:
    result = build_region(BuildRequest(root, today=TODAY))
    assert result.ok, [d.format_text() for d in result.diagnostics]


def page(root: Path, path: str) -> str:
    return (root / "build" / path).read_text(encoding="utf-8")


def menu_marks(html: str) -> list[tuple[str, str | None]]:
    """(link text, aria-current) of each entry of the wide menu."""
    wide = html.split('<div class="nav__wide">', 1)[1].split("</div>", 1)[0]
    return [(text, current or None) for _, current, text in re.findall(
        r'<a href="([^"]*)"(?: aria-current="([^"]+)")?>([^<]*)</a>', wide)]


def test_each_page_marks_its_own_menu_entry(tmp_path: Path) -> None:
    root = region(tmp_path)
    build(root)
    assert menu_marks(page(root, "dinkes/index.html")) == [
        ("Beranda", "page"), ("Kabar", None), ("Profil", None)]
    assert menu_marks(page(root, "dinkes/berita/index.html")) == [
        ("Beranda", None), ("Kabar", "page"), ("Profil", None)]
    # two pages at the same depth below different entries
    assert menu_marks(page(root, "dinkes/berita/a/index.html")) == [
        ("Beranda", None), ("Kabar", "true"), ("Profil", None)]
    assert menu_marks(page(root, "dinkes/profil/tentang/index.html")) == [
        ("Beranda", None), ("Kabar", None), ("Profil", "true")]
    assert menu_marks(page(root, "dinkes/404.html")) == [
        ("Beranda", None), ("Kabar", None), ("Profil", None)]
    # links are relative to each page's own depth
    assert '<a class="brand" href="../../">' in page(root, "dinkes/berita/a/index.html")
    assert '<a class="brand" href="../">' in page(root, "dinkes/berita/index.html")
    # the search page's header links to itself instead of showing the search form
    assert 'class="masthead__search"' in page(root, "dinkes/cari/index.html")
    assert 'class="masthead__search"' not in page(root, "dinkes/berita/index.html")


def test_fragments_are_each_agencys_and_in_the_regions_language(tmp_path: Path) -> None:
    root = region(tmp_path, language="en")
    build(root)
    dinkes, disdik = page(root, "dinkes/berita/a/index.html"), page(root, "disdik/berita/ppdb/index.html")
    assert "0283-111" in dinkes and "0283-222" not in dinkes
    assert "0283-222" in disdik and "0283-111" not in disdik
    assert "© 2026 Dinas Kesehatan" in dinkes and "© 2026 Dinas Pendidikan" in disdik
    assert ">Skip to main content</a>" in dinkes and "Contact" in dinkes
    assert "Kontak" not in dinkes


def test_an_agencys_partials_and_macros_are_used_in_its_fragments(tmp_path: Path) -> None:
    root = region(tmp_path)
    footer = (BUILTIN_THEME / "templates/_footer.html").read_text(encoding="utf-8")
    macros = (BUILTIN_THEME / "templates/_macros.html").read_text(encoding="utf-8")
    write_tree(root, {
        "sites/dinkes/templates/_footer.html": footer.replace(
            '<footer class="footer">', '<footer class="footer" data-own="footer">'),
        "sites/disdik/templates/_macros.html": macros.replace(
            '<ul class="contact">', '<ul class="contact" data-own="contact">'),
    })
    build(root)
    for path in ("index.html", "berita/a/index.html", "404.html"):
        assert 'data-own="footer"' in page(root, f"dinkes/{path}")
        assert 'data-own="contact"' not in page(root, f"dinkes/{path}")
    for path in ("index.html", "berita/ppdb/index.html"):
        assert 'data-own="contact"' in page(root, f"disdik/{path}")   # the footer's contact
        assert 'data-own="footer"' not in page(root, f"disdik/{path}")
    assert 'data-own' not in page(root, "index.html")                 # the portal


def test_a_base_template_without_fragments_still_works(tmp_path: Path) -> None:
    """An ejected theme or an agency's base.html from before fragments: it keeps its own header."""
    root = region(tmp_path)
    write_tree(root, {"sites/dinkes/templates/base.html": """\
        <!doctype html><html lang="{{ lang }}"><body><header>{{ site.name }} · {{ region.name }}
        {%- for item in site.menu %} <a href="{{ root }}{{ item.path }}"
        {%- if item.active %} aria-current="true"{% endif %}>{{ item.title }}</a>{% endfor %}
        </header>{% block content %}{% endblock %}<footer>© {{ build_date.year }}</footer></body></html>
        """})
    base = override_theme_file(root, "templates/base.html")
    base.write_text(base.read_text("utf-8").replace("</body>", "<!-- region -->\n</body>"),
                    encoding="utf-8")
    build(root)
    item = page(root, "dinkes/berita/a/index.html")
    assert '<a href="../../berita/" aria-current="true">Kabar</a>' in item
    assert "<footer>© 2026</footer>" in item and '<nav class="nav"' not in item
    assert "<!-- region -->" in page(root, "disdik/index.html")
    assert '<footer class="footer">' in page(root, "disdik/index.html")


# --- units ---------------------------------------------------------------------------------


def environment(tmp_path: Path, files: dict[str, str]) -> jinja2.Environment:
    write_tree(tmp_path / "templates", files)
    return make_environment(load_theme(tmp_path / "no-theme", "id"), tmp_path / "templates")


def test_a_variant_is_rendered_once_and_its_day_questions_reach_every_page(
        tmp_path: Path) -> None:
    env = environment(tmp_path, {
        "_part.html": "{{ site.name }} {{ root }} {{ build_date.year }}",
        "page.html": "[{{ fragment('_part.html', root=root) }}]",
    })
    fragments = Fragments({"name": "Dinkes", "menu": []}, {"name": "Uji"}, TODAY)
    days = [TrackedDay(TODAY) for _ in range(3)]
    pages = [env.get_template("page.html").render(
        root=root, build_date=day, fragment=fragments.render)
        for root, day in zip(("../", "../", "../../"), days, strict=True)]
    assert pages == ["[Dinkes ../ 2026]", "[Dinkes ../ 2026]", "[Dinkes ../../ 2026]"]
    assert len(fragments._kept) == 2
    assert all(day._questions == [["attr", "year", 2026]] for day in days)


def test_a_fragment_sees_the_menu_only_as_a_value(tmp_path: Path) -> None:
    env = environment(tmp_path, {
        "_menu.html": "{{ site.menu|length }}",
        "page.html": "{{ fragment('_menu.html') }}",
    })
    fragments = Fragments({"name": "Dinkes", "menu": [{"path": ""}]}, {}, TODAY)
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("page.html").render(build_date=TODAY, fragment=fragments.render)


def test_only_plain_values_make_a_key() -> None:
    assert frozen("_x.html", {"a": [1, "b"]}) == frozen("_x.html", {"a": [1, "b"]})
    assert frozen("_x.html", "<b>") != frozen("_x.html", Markup("<b>"))
    assert frozen("_x.html", 1) != frozen("_x.html", True)
    with pytest.raises(jinja2.TemplateRuntimeError, match=r"fragment\('_x.html'\)"):
        frozen("_x.html", {"page": object()})


def test_an_error_in_a_partial_names_the_partial_and_its_line(tmp_path: Path) -> None:
    root = region(tmp_path)
    write_tree(root, {"sites/dinkes/templates/_footer.html": "<footer>\n{{ site.nama }}\n</footer>"})
    result = build_region(BuildRequest(root, today=TODAY))
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert errors and all(d.path == "sites/dinkes/templates/_footer.html" and d.line == 2
                          for d in errors), [d.format_text() for d in errors]
    assert [s.slug for s in result.sites if s.ok] == ["disdik"]
