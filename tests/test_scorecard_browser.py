"""The scorecard as a regent sees it, in Chromium (issue 15, "the scorecard for a regent"):
a region of 24 agencies, 10 of them `mati`, on a 360x740 phone and a desktop.

- the first `mati` agency is within the first phone screen, and the list starts with it;
- no horizontal scrolling at 360 px (every row a card, not a scrolled table);
- axe-core finds nothing with the filters used and after sorting;
- chart labels are at least 14 px, the charts follow the width of the screen, and their
  words stay readable in dark and forced-colour modes; printing hides the controls.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from conftest import make_region, require_browser, run_cli
from test_theme_browser import AXE, WIDTH_JS, axe_violations, serve

TODAY = date(2026, 11, 29)
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
KINDS = ("dinas", "badan", "kecamatan", "desa")


def news(days_ago: int) -> str:
    return f"---\ntitle: Kabar\ndate: {(TODAY - timedelta(days=days_ago)).isoformat()}\n---\nIsi.\n"


def region_files() -> dict[str, str]:
    """10 mati (4 never published), 4 kurang aktif, 10 aktif; long names like real ones."""
    files: dict[str, str] = {}
    ages = [None] * 4 + [45, 60, 90, 120, 200, 365] + [16, 20, 25, 29] + [1, 2, 3, 4, 5, 6, 7,
                                                                         8, 9, 10]
    for number, age in enumerate(ages):
        slug = f"opd-{number:02d}"
        kind = KINDS[number % len(KINDS)]
        files[f"sites/{slug}/site.yaml"] = (
            f"name: {kind.title()} Pemberdayaan Masyarakat dan Urusan Nomor {number}\n"
            f"kind: {kind}\n")
        if age is not None:
            files[f"sites/{slug}/content/berita/kabar.md"] = news(age)
    return files


@pytest.fixture(scope="module")
def status_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = make_region(tmp_path_factory.mktemp("status"), region_files())
    done = run_cli("build", "--today", TODAY.isoformat(), cwd=root)
    assert done.returncode == 0, done.stderr
    server, url = serve(root / "build")
    yield url + "status/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    if not AXE.is_file():
        if require_browser():
            pytest.fail(f"{AXE} missing: run npm ci")
        pytest.skip(f"{AXE} missing: run npm ci")
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    tab = context.new_page()
    # the browser's clock on the build's day: a page read days after its build says it is old
    # (tested in tests/test_install_init.py), which would move the cards down
    tab.clock.set_fixed_time(datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=UTC))
    yield tab
    context.close()


def test_the_first_mati_agency_is_on_the_first_phone_screen(page: Any, status_url: str) -> None:
    page.goto(status_url, wait_until="load")
    first = page.locator(".state-sum__item--mati .state-sum__names a").first
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    count = page.locator(".state-sum__item--mati .state-sum__count").inner_text()
    assert count == "10"
    states = page.eval_on_selector_all("table.status tbody tr", "rows => rows.map(r => r.dataset.state)")
    assert states == ["mati"] * 10 + ["kurang-aktif"] * 4 + ["aktif"] * 10
    # its name leads to its row, which says why in words
    first.click()
    assert page.evaluate("location.hash").startswith("#row-opd-")
    reasons = page.locator("table.status tbody tr").first.locator(".reasons").inner_text()
    assert "belum pernah menerbitkan konten" in reasons


@pytest.mark.parametrize("path", ["", "mati/", "kurang-aktif/"])
def test_no_horizontal_scroll_at_360_px(page: Any, status_url: str, path: str) -> None:
    page.goto(status_url + path, wait_until="load")
    width = page.evaluate(WIDTH_JS)
    assert width["scroll"] <= PHONE["width"], width
    # a card per agency: the table's header row is not shown, the rows are blocks
    assert page.eval_on_selector("table.status tbody tr", "r => getComputedStyle(r).display") == "grid"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_nothing_with_the_filters_used(page: Any, status_url: str,
                                                 viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    page.goto(status_url, wait_until="load")
    page.add_script_tag(path=str(AXE))
    assert axe_violations(page) == []
    page.select_option("#f-state", "kurang-aktif")
    assert page.locator("table.status tbody tr:visible").count() == 4
    assert page.locator(".status-filter__out").inner_text() == "4 dari 24 perangkat daerah ditampilkan."
    page.select_option("#f-kind", "dinas")
    page.fill("#f-q", "Nomor 1")
    visible = page.eval_on_selector_all("table.status tbody tr:not([hidden])",
                                        "rows => rows.map(r => r.dataset.state + ' ' + r.dataset.kind)")
    assert visible and all(v == "kurang-aktif dinas" for v in visible), visible
    assert axe_violations(page) == []
    page.select_option("#f-state", "")
    page.select_option("#f-kind", "")
    page.fill("#f-q", "")
    if viewport is DESKTOP:   # sort by score, lowest first; the controls are styled buttons
        button = page.locator("table.status thead button", has_text="Skor")
        button.click()
        button.click()
        assert page.locator("table.status thead th[aria-sort='ascending']").inner_text() == "Skor"
        assert float(page.eval_on_selector("table.status thead button",
                                           "b => parseFloat(getComputedStyle(b).minHeight)")) >= 44
    field = page.eval_on_selector("#f-state", "s => [getComputedStyle(s).minHeight, "
                                              "getComputedStyle(s).borderTopWidth]")
    assert field == ["44px", "2px"]
    assert axe_violations(page) == []


LABELS = ".chart__max, .chart__axis span, .chart__title, .legend li, .kindbars__label, .kindbars__text"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_chart_labels_are_readable_and_charts_follow_the_screen(page: Any, status_url: str,
                                                                viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    page.goto(status_url, wait_until="load")
    sizes = page.eval_on_selector_all(LABELS, "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert sizes and min(sizes) >= 14, sizes
    width = page.eval_on_selector(".chart__svg--cols", "s => s.getBoundingClientRect().width")
    if viewport is PHONE:
        assert 250 <= width <= 330, width
    else:
        assert width >= 600, width


CONTRAST_JS = """(selector) => {
    const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const background = el => { for (; el; el = el.parentElement) {
        const c = getComputedStyle(el).backgroundColor;
        if (c && !c.endsWith(', 0)') && c !== 'transparent') return c; }
        return 'rgb(255, 255, 255)'; };
    return [...document.querySelectorAll(selector)].map(el => {
        const a = lum(getComputedStyle(el).color), b = lum(background(el));
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); });
}"""


@pytest.mark.parametrize("mode", ["dark", "forced"])
def test_chart_words_stay_readable_in_dark_and_forced_colours(page: Any, status_url: str,
                                                              mode: str) -> None:
    if mode == "dark":
        page.emulate_media(color_scheme="dark")
    else:
        page.emulate_media(forced_colors="active")
    page.goto(status_url, wait_until="load")
    ratios = page.evaluate(CONTRAST_JS, LABELS + ", .state-sum__word, .reasons li")
    assert ratios and min(ratios) >= 4.5, ratios
    if mode == "forced":   # bars in the text colour, the state bars keep their meaning
        fill, text = page.eval_on_selector(
            ".chart__svg--cols .seg:not(.empty)",
            "r => [getComputedStyle(r).fill, getComputedStyle(document.body).color]")
        assert fill == text
        adjust = page.eval_on_selector(".chart__svg--bar", "s => getComputedStyle(s).forcedColorAdjust")
        assert adjust == "none"


def test_print_shows_the_list_without_the_controls(page: Any, status_url: str) -> None:
    page.goto(status_url, wait_until="load")
    page.emulate_media(media="print")
    assert page.eval_on_selector(".status-filter", "f => getComputedStyle(f).display") == "none"
    assert page.eval_on_selector("table.status thead", "t => getComputedStyle(t).position") != "absolute"
    assert page.locator("table.status tbody tr").count() == 24
    assert page.locator(".state-sum__item--mati").is_visible()
