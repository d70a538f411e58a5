"""Task-first pages (issue 15) in a real browser (Debian Chromium through Playwright).

The demo region is copied and made harder the way real data is: a 60-character e-mail address
in dinkes' contact and complaint channel, an unbroken URL and NIP numbers in a news item. It is
built with `--today 2026-11-29` and served on 127.0.0.1 with the theme's CSP. Then:

- at 360×740 the agency home shows a service link, the phone number and the complaint link
  within the first 1.5 viewports (element positions measured), and a hospital its emergency line
  before anything else in <main>;
- no page scrolls sideways at 360 px, with that data and with text scaled to 200 %, and the
  header stays compact at 200 %;
- axe-core finds no WCAG 2.1 A/AA or best-practice violation on the new page types and on an
  agency home with the official-site disclosure open;
- pagination, form controls and embeds have the theme's computed styles, not the browser's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import require_browser, run_cli
from test_theme_browser import AXE, PAGES, WIDTH_JS, axe_violations, copy_demo, serve

TODAY = "2026-11-29"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
LONG_EMAIL = "pengaduanlayanankesehatanmasyarakat@dinkes.sukamajukab.go.id"  # 60 characters
LONG_URL = "https://ppid.sukamajukab.go.id/dokumen/" + "informasi-publik-berkala-" * 4 + "2026.pdf"
NIP = "198703152010011002"

# Page types of issue 15 beside every page type of the theme's own browser test.
NEW_PAGES: list[tuple[str, str]] = [
    ("portal-services", "layanan/"),
    ("announcements-none-current", "kecamatan-sukamaju-kota/pengumuman/"),
    ("announcements-archive", "kecamatan-sukamaju-kota/pengumuman/arsip/"),
    ("news-with-long-strings", "dinkes/berita/data-panjang/"),
    ("news-with-embed", "dinkes/berita/video-panduan/"),
]
ALL_PAGES = [(n, p) for n, p in PAGES if not n.startswith("alias")] + NEW_PAGES


def harden(root: Path) -> None:
    """Real-world data: a 60-character e-mail, a long URL, NIP numbers, an embed."""
    assert len(LONG_EMAIL) == 60
    site = root / "sites" / "dinkes" / "site.yaml"
    text = site.read_text(encoding="utf-8").replace("email: dinkes@sukamajukab.go.id",
                                                    f"email: {LONG_EMAIL}")
    assert LONG_EMAIL in text
    text = text.replace("complaints:\n", f"complaints:\n  email: {LONG_EMAIL}\n", 1)
    site.write_text(text, encoding="utf-8")
    news = root / "sites" / "dinkes" / "content" / "berita"
    (news / "2026-11-28-data-panjang.md").write_text(
        "---\ntitle: Daftar Petugas Vaksinasi NIP " + NIP + "\ndate: 2026-11-28\n---\n"
        f"Unduh di {LONG_URL} atau tulis ke {LONG_EMAIL}.\n\n"
        "| Nama | NIP | Surel |\n|---|---|---|\n"
        f"| dr. Ratna Dewi Anggraini | {NIP} | {LONG_EMAIL} |\n"
        f"| Budi Santoso, S.Kep. | {NIP}{NIP} | {LONG_EMAIL} |\n", encoding="utf-8")
    (news / "2026-11-27-video-panduan.md").write_text(
        "---\ntitle: Video Panduan\ndate: 2026-11-27\n---\nTonton panduannya.\n\n"
        '::youtube dQw4w9WgXcQ "Panduan pendaftaran imunisasi daring"\n\n'
        '::map https://www.openstreetmap.org/?mlat=-6.97&mlon=109.13#map=17/-6.97/109.13 '
        '"Kantor Dinas Kesehatan"\n', encoding="utf-8")


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_demo(tmp_path_factory.mktemp("taskfirst"))
    harden(root)
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    server, url = serve(root / "build")
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def tab(browser: Any) -> Iterator[Any]:
    """One reused tab; its context ignores the CSP so that axe-core can be injected."""
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


def visit(tab: Any, url: str, viewport: dict[str, int] = PHONE, scale: str | None = None) -> None:
    tab.set_viewport_size(viewport)
    tab.goto(url, wait_until="load")
    if scale:  # text at 200 %, as Android's largest font or a browser's text zoom
        tab.evaluate("(s) => { document.documentElement.style.fontSize = s; }", scale)


POSITION_JS = """(selector) => {
    const visible = [...document.querySelectorAll(selector)].find(e => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
    });
    if (!visible) return null;
    const r = visible.getBoundingClientRect();
    return {top: r.top + scrollY, bottom: r.bottom + scrollY, text: visible.textContent.trim()};
}"""


def position(tab: Any, selector: str) -> dict[str, Any]:
    found = tab.evaluate(POSITION_JS, selector)
    assert found is not None, f"nothing visible matches {selector}"
    return dict(found)


def test_agency_home_shows_service_phone_and_complaint_in_the_first_screens(
        tab: Any, site_url: str) -> None:
    visit(tab, site_url + "dinkes/")
    limit = 1.5 * PHONE["height"]
    service = position(tab, "main .tasks__services a[href*='layanan/']")
    phone = position(tab, "main a[href^='tel:']")
    complaint = position(tab, "main a.complain-link")
    assert service["bottom"] <= limit, service
    assert "0283-492210" in phone["text"] and phone["bottom"] <= limit, phone
    assert complaint["bottom"] <= limit, complaint
    news = position(tab, "main #h-news")
    assert news["top"] > max(service["top"], phone["top"], complaint["top"])  # news after tasks


def test_hospital_home_shows_its_emergency_line_first(tab: Any, site_url: str) -> None:
    visit(tab, site_url + "rsud/")
    emergency = position(tab, "main .emergency a")
    assert "(0283) 496119" in emergency["text"]
    assert emergency["bottom"] <= PHONE["height"], emergency  # in the first screen
    first_link = tab.evaluate("() => document.querySelector('main a').closest('.emergency') !== null")
    assert first_link, "the emergency line is not the first link in <main>"


@pytest.mark.parametrize("scale", [None, "200%"], ids=["100pct", "200pct"])
def test_no_page_scrolls_sideways_at_360px_with_long_data(
        tab: Any, site_url: str, scale: str | None) -> None:
    wide = {}
    for name, path in ALL_PAGES:
        visit(tab, site_url + path, scale=scale)
        width = tab.evaluate(WIDTH_JS)
        if width["scroll"] > PHONE["width"]:
            wide[name] = width
    assert wide == {}


def test_header_stays_compact_with_text_at_200_percent(tab: Any, site_url: str) -> None:
    for path in ("dinkes/", "kecamatan-sukamaju-kota/", "dinkes/pengumuman/", "rsud/", ""):
        visit(tab, site_url + path, scale="200%")
        bottom = tab.evaluate("() => document.querySelector('nav.nav').getBoundingClientRect().bottom")
        assert bottom <= 0.5 * PHONE["height"], (path, bottom)
        # the agency's name in the header and the page title are not broken inside a word
        assert tab.evaluate(SPLIT_WORDS_JS, ".brand__name, main h1") == [], path


# Words of the visible text under `selector` that the layout split over two lines.
SPLIT_WORDS_JS = """(selector) => {
    const split = [];
    for (const root of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (!node.parentElement.getClientRects().length) continue;  // display: none
            for (const m of node.data.matchAll(/\\S+/g)) {
                const r = document.createRange();
                r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
                const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
                if (tops.size > 1) split.push(m[0]);
            }
        }
    }
    return split;
}"""


@pytest.fixture(scope="module")
def axe_ready() -> None:
    if not AXE.is_file():
        if require_browser():
            pytest.fail(f"{AXE} missing: run npm ci")
        pytest.skip(f"{AXE} missing: run npm ci")


AXE_PAGES = NEW_PAGES + [("agency-home", "dinkes/"), ("home-rsud", "rsud/"),
                         ("portal-home", ""), ("portal-directory", "direktori/")]


@pytest.mark.parametrize("name", [n for n, _ in AXE_PAGES])
def test_axe_finds_no_violation_on_the_task_first_pages(
        tab: Any, site_url: str, axe_ready: None, name: str) -> None:
    problems = []
    for viewport in (PHONE, DESKTOP):
        visit(tab, site_url + dict(AXE_PAGES)[name], viewport)
        tab.evaluate("() => document.querySelectorAll('details.official__d, details.footer__maklumat')"
                     ".forEach(d => d.open = true)")
        tab.add_script_tag(path=str(AXE))
        problems += [f"{viewport['width']}px: {p}" for p in axe_violations(tab)]
    assert problems == []


def test_pagination_is_styled_not_a_bulleted_list(tab: Any, site_url: str) -> None:
    visit(tab, site_url + "dinkes/berita/")
    style = tab.evaluate("""() => {
        const ul = document.querySelector('.pager ul'), a = document.querySelector('.pager a'),
              cur = document.querySelector('.pager__cur'), s = e => getComputedStyle(e);
        return {list: s(ul).listStyleType, display: s(ul).display, border: s(a).borderTopWidth,
                height: a.getBoundingClientRect().height, width: a.getBoundingClientRect().width,
                curBg: s(cur).backgroundColor, curColor: s(cur).color,
                li: s(ul.firstElementChild).display};
    }""")
    assert style["list"] == "none" and style["display"] == "flex", style
    assert style["border"] == "1px" and style["height"] >= 44 and style["width"] >= 44, style
    assert style["curBg"] != "rgba(0, 0, 0, 0)" and style["curColor"] == "rgb(255, 255, 255)", style


FORM_JS = """() => {
    const f = document.createElement('form');
    f.innerHTML = '<label for="q">Kata kunci</label> <input id="q" type="search">'
        + ' <select id="s"><option>Semua</option></select> <button type="submit">Cari</button>';
    document.querySelector('main .wrap').append(f);
    const s = e => getComputedStyle(f.querySelector(e));
    const box = e => f.querySelector(e).getBoundingClientRect();
    return {input: {border: s('input').borderTopWidth, radius: s('input').borderTopLeftRadius,
                    height: box('input').height, font: s('input').fontFamily},
            select: {border: s('select').borderTopWidth, height: box('select').height,
                     appearance: s('select').appearance},
            button: {bg: s('button').backgroundColor, color: s('button').color,
                     height: box('button').height, weight: s('button').fontWeight},
            label: s('label').fontWeight, body: getComputedStyle(document.body).fontFamily};
}"""


def test_form_controls_have_the_theme_style(tab: Any, site_url: str) -> None:
    visit(tab, site_url + "dinkes/cari/")
    style = tab.evaluate(FORM_JS)
    assert style["input"]["border"] == "2px" and style["input"]["height"] >= 44, style
    assert style["input"]["font"] == style["body"], style  # not the browser's control font
    assert style["select"]["border"] == "2px" and style["select"]["height"] >= 44, style
    assert style["select"]["appearance"] == "none", style
    # the button in the agency's colour (dinkes #1b7f4b), not the grey ButtonFace
    assert style["button"]["bg"] == "rgb(27, 127, 75)" and style["button"]["height"] >= 44, style
    assert style["label"] == "600", style


def test_embeds_are_cards_with_the_kind_above_the_title(tab: Any, site_url: str) -> None:
    visit(tab, site_url + "dinkes/berita/video-panduan/", DESKTOP)
    cards = tab.evaluate("""() => [...document.querySelectorAll('.embed-link')].map(a => {
        const k = a.querySelector('.embed-kind').getBoundingClientRect(), r = a.getBoundingClientRect(),
              s = getComputedStyle(a);
        const range = document.createRange(); range.setStart(a.lastChild, 0);
        range.setEnd(a.lastChild, a.lastChild.length);
        const title = range.getBoundingClientRect();
        return {kind: a.querySelector('.embed-kind').textContent, border: s.borderLeftWidth,
                display: s.display, kindBottom: k.bottom, titleTop: title.top, height: r.height};
    })""")
    assert [c["kind"] for c in cards] == ["YouTube", "Peta"], cards
    for card in cards:
        assert card["display"] == "flex" and card["border"] == "5px", card
        assert card["kindBottom"] <= card["titleTop"] + 1, card  # the label on its own line
        assert card["height"] >= 64, card
