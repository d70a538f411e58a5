"""`memoize` (render/memoize.py): the theme's icons are drawn once for each name, yet an icon
set of an agency's own, with or without memoize, still applies to its pages."""

from __future__ import annotations

from pathlib import Path

from conftest import make_region, write_tree
from markupsafe import Markup

from skpdgen.pipeline import BuildRequest, build_region
from skpdgen.render.memoize import memoize
from skpdgen.theme import BUILTIN_THEME


def test_a_result_is_kept_by_its_arguments_and_their_types() -> None:
    calls: list[tuple[object, ...]] = []

    def draw(*args: object, **kwargs: object) -> str:
        calls.append((*args, *kwargs.values()))
        return f"{args}{kwargs}"

    icon = memoize(draw)
    assert icon("search") == icon("search") == "('search',){}"
    assert icon("search", cls="x") == icon("search", cls="x")
    assert len(calls) == 2
    icon(Markup("search"))           # prints otherwise than the text: not the same key
    icon(True)
    icon(1)
    assert len(calls) == 5
    icon(["a"])                      # not a key: drawn every time
    icon(["a"])
    assert len(calls) == 7


def test_an_agencys_own_icons_are_used(tmp_path: Path) -> None:
    icons = (BUILTIN_THEME / "templates/_icons.html").read_text(encoding="utf-8")
    old_style = icons.replace("{%- macro _icon(", "{%- macro icon(").replace(
        "{%- set icon = memoize(_icon) -%}", "")
    root = make_region(tmp_path / "region", {
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
        "sites/disdik/site.yaml": "name: Dinas Pendidikan\n",
        "sites/dishub/site.yaml": "name: Dinas Perhubungan\n",
    })
    write_tree(root, {
        "sites/dinkes/templates/_icons.html": icons.replace('"menu": \'<path d="M3 6h18',
                                                            '"menu": \'<path d="M4 6h18'),
        "sites/disdik/templates/_icons.html": old_style.replace('"menu": \'<path d="M3 6h18',
                                                                '"menu": \'<path d="M5 6h18'),
    })
    result = build_region(BuildRequest(root))
    assert result.ok, [d.format_text() for d in result.diagnostics]
    pages = {slug: (root / f"build/{slug}/index.html").read_text("utf-8")
             for slug in ("dinkes", "disdik", "dishub")}
    assert '<path d="M4 6h18' in pages["dinkes"] and '<path d="M3 6h18' not in pages["dinkes"]
    assert '<path d="M5 6h18' in pages["disdik"] and '<path d="M3 6h18' not in pages["disdik"]
    assert '<path d="M3 6h18' in pages["dishub"]
