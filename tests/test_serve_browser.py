"""`skpdgen serve` end to end in Chromium: edit, add, break, fix and restyle while a tab is
open, and watch the tab follow by itself.

Pages are served to the browser with a strict Content-Security-Policy (no inline script or
style), so these tests also prove the reload works under such a policy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import override_theme_file
from test_serve import Served, make_serve_region, news, serve_factory  # noqa: F401 - fixture

STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; object-src 'none'; base-uri 'none'")
WAIT_MS = 15_000


@pytest.fixture
def served(tmp_path: Path, serve_factory: Callable[..., Served]) -> Served:  # noqa: F811
    return serve_factory(make_serve_region(tmp_path / "region"))


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    tab = context.new_page()
    csp_errors: list[str] = []
    tab.on("console", lambda msg: csp_errors.append(msg.text)
           if "Content Security Policy" in msg.text and "skpdgen" in msg.text else None)

    def with_csp(route: Any) -> None:
        if route.request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch()
        route.fulfill(response=response,
                      headers={**response.headers, "content-security-policy": STRICT_CSP})
    tab.route("**/*", with_csp)
    tab.set_default_timeout(WAIT_MS)
    yield tab
    context.close()
    assert not csp_errors, csp_errors


def mark_tab(tab: Any) -> None:
    """A flag that a full reload wipes out."""
    tab.evaluate("window.__skpdgenTest = 1")


def was_reloaded(tab: Any) -> bool:
    return bool(tab.evaluate("window.__skpdgenTest === undefined"))


def open_page(tab: Any, served: Served, path: str) -> None:
    """Open a page under the strict policy. An edit made before its reload channel is open is
    not missed: the channel asks for everything newer than the page it was served with."""
    response = tab.goto(served.origin + path)
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_edit_reloads_the_page_with_the_new_text(served: Served, page: Any) -> None:
    open_page(page, served, "/dinkes/berita/vaksinasi/")
    assert "Vaksinasi digelar di balai desa." in page.inner_text("main")
    mark_tab(page)
    item = served.root / "sites/dinkes/content/berita/2024-05-01-vaksinasi.md"
    item.write_text(item.read_text().replace("di balai desa", "di alun-alun kota"))
    page.wait_for_function("() => document.body.innerText.includes('di alun-alun kota')")
    assert was_reloaded(page)


def test_new_file_appears_in_the_list(served: Served, page: Any) -> None:
    open_page(page, served, "/dinkes/berita/")
    assert "Donor Darah Bulanan" not in page.inner_text("main")
    (served.root / "sites/dinkes/content/berita/2024-06-01-donor-darah.md").write_text(
        news("Donor Darah Bulanan", "2024-06-01", "Donor darah di aula dinas."),
        encoding="utf-8")
    page.wait_for_function("() => document.body.innerText.includes('Donor Darah Bulanan')")
    page.get_by_role("link", name="Donor Darah Bulanan").first.click()
    page.wait_for_function(
        "() => document.body.innerText.includes('Donor darah di aula dinas.')")


def test_broken_front_matter_shows_in_the_browser_then_recovers(served: Served,
                                                                page: Any) -> None:
    open_page(page, served, "/dinkes/berita/posyandu/")
    item = served.root / "sites/dinkes/content/berita/2024-05-02-posyandu.md"
    good = item.read_text()
    item.write_text(good.replace("title: Posyandu Keliling", "title: [Posyandu Keliling"))
    banner = page.locator(".skpdgen-error")
    banner.wait_for(state="visible")
    text = banner.inner_text()
    assert "sites/dinkes/content/berita/2024-05-02-posyandu.md:" in text
    assert "gagal dibangun" in text
    assert page.get_by_role("alert").count() == 1
    # the last good page is still there under the banner, and the banner is styled
    assert "Posyandu keliling hadir tiap Selasa." in page.inner_text("main")
    # (its stylesheet may still be on its way when the banner first shows: wait for it)
    # (a function, not an expression: Playwright polls an expression with eval, which the
    # page's CSP refuses whenever the first check is not already true)
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.skpdgen-error')).borderBottomStyle"
        " === 'solid'", timeout=10_000)
    assert served.proc.poll() is None
    # another agency is not affected
    other = page.context.new_page()
    other.goto(served.origin + "/disdik/")
    assert other.locator(".skpdgen-error").count() == 0
    other.close()
    mark_tab(page)
    item.write_text(good)
    banner.wait_for(state="detached")
    assert was_reloaded(page)
    assert "Posyandu keliling hadir tiap Selasa." in page.inner_text("main")


def test_css_change_restyles_without_a_reload(served: Served, page: Any) -> None:
    # the region's own stylesheet (a partial override of the built-in theme): creating the
    # override folder is a theme change (full rebuild); editing the stylesheet is a CSS swap
    seen = len(served.log())
    css = override_theme_file(served.root, "static/css/main.css")
    served.wait_until(lambda: "rebuilt" in served.log()[seen:], 15, "the theme rebuild")
    time.sleep(0.3)
    open_page(page, served, "/dinkes/")
    mark_tab(page)
    probe = "getComputedStyle(document.querySelector('.masthead')).borderTopColor"
    assert page.evaluate(probe) != "rgb(1, 2, 3)"
    css.write_text(css.read_text() + "\n.masthead{border-top:7px solid rgb(1,2,3)}\n")
    page.wait_for_function(f"() => {probe} === 'rgb(1, 2, 3)'")
    assert not was_reloaded(page)
    assert page.evaluate("document.documentElement.hasAttribute('data-skpdgen-restyled')")
    # the old fingerprinted stylesheet is gone from the page, the new one is there once
    hrefs = page.evaluate(
        "[...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)")
    assert sum("/css/main." in h for h in hrefs) == 1, hrefs
