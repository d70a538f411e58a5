"""The theme's `striptags` filter gives exactly what Jinja's (MarkupSafe's) gives."""

from __future__ import annotations

from pathlib import Path

import jinja2
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from skpdgen.render.striptags import striptags

REPO = Path(__file__).resolve().parent.parent


def reference(value: object) -> str:
    return str(jinja2.Environment(autoescape=True).filters["striptags"](value))


CASES = [
    "", "teks biasa", "<p>Satu</p>\n<p>Dua&nbsp;&amp; tiga</p>", "a <b>tebal</b> c",
    "<!-- catatan --> isi", "<!-- <b>di dalam</b> --> isi", "<!-- tanpa akhir <b>x</b>",
    "<!-->x", "<!<!-- a -->-- b --> c", "<<!-- -->!-- z --> w", "<a<b>c>d", "a < b > c",
    "a < b", "a > b", "<p title='1 > 0'>x</p>", "&lt;b&gt; tidak ditulis &lt;/b&gt;",
    "  banyak \t spasi \n baris  ", "<script>var a = 1 < 2;</script>akhir",
    "&#x3c;p&#x3e;", "<br/>baris<br>baris", "--> <!-- -->",
]


def test_the_filter_gives_what_markupsafe_gives_on_known_cases() -> None:
    for case in CASES:
        assert striptags(case) == reference(case), case
        assert striptags(Markup(case)) == reference(Markup(case)), case


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="<>!- a&;#bx/\n", max_size=60))
def test_the_filter_gives_what_markupsafe_gives_on_any_text(text: str) -> None:
    assert striptags(text) == reference(text)


def test_the_filter_gives_what_markupsafe_gives_on_the_demo_pages() -> None:
    pages = sorted((REPO / "sites").rglob("*.md"))[:200]
    assert pages
    from skpdgen.markdown import make_parser
    parser = make_parser("py")
    for page in pages:
        body = page.read_text(encoding="utf-8", errors="replace").split("---", 2)[-1]
        rendered = Markup(parser.render(body))
        assert striptags(rendered) == reference(rendered), page


def test_the_theme_uses_it() -> None:
    from skpdgen.render.environment import make_environment
    from skpdgen.theme import load_theme
    env = make_environment(load_theme(REPO / "themes", "id"), None)
    assert env.filters["striptags"] is striptags
    assert env.from_string("{{ x|striptags }}").render(x=Markup("<b>a &amp; b</b>")) == "a &amp; b"
