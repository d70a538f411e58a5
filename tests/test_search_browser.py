"""Search in a real browser (Debian Chromium), served with the production CSP of `_headers`.

On the demo region: a word found only in one agency's service page is found on that agency's
/cari/ and on the portal's, with the agency named; another agency's word is not in the first
agency's results; filters narrow by agency and section; the header search box leads to a
pre-filled /cari/; a news item added and rebuilt is found, a draft or future one is not, a
deleted one no longer is; Indonesian stemming. No CSP violation, axe-core finds nothing on the
search page with results, and it fits 360 px.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import require_browser, run_cli
from test_theme_browser import (
    AXE,
    DESKTOP,
    PHONE,
    TODAY,
    WIDTH_JS,
    axe_violations,
    copy_demo,
    serve,
)

DINKES = "Dinas Kesehatan Kabupaten Sukamaju"
DISDIK = "Dinas Pendidikan Kabupaten Sukamaju"
# "jasmani" is only in the summary of a dinkes service sheet, "mutlak" only in a requirement
# of a disdik service sheet: no other page of the demo has them (nor a word of the same stem).
DINKES_WORD, DINKES_PAGE = "jasmani", "/dinkes/layanan/surat-keterangan-sehat/"
DISDIK_WORD, DISDIK_PAGE = "mutlak", "/disdik/layanan/surat-keterangan-pengganti-ijazah/"
CSP_LISTENER = """document.addEventListener('securitypolicyviolation', e => {
    (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI);
});"""


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_demo(tmp_path_factory.mktemp("search-demo"))
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    server, url = serve(root / "build")
    yield url
    server.shutdown()
    server.server_close()


class Tab:
    """One browser tab that obeys the CSP and records violations, script errors and requests."""

    def __init__(self, browser: Any, base_url: str, viewport: dict[str, int] = DESKTOP,
                 bypass_csp: bool = False) -> None:
        self.context = browser.new_context(viewport=viewport, bypass_csp=bypass_csp)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.problems: list[str] = []
        self.requests: list[str] = []
        page = self.page
        page.add_init_script(CSP_LISTENER)
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        page.on("console", self._console)
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(
            f"HTTP {r.status}: {r.url}"))

    def _console(self, message: Any) -> None:
        if message.text.startswith("Failed to load resource"):
            return  # reported with its URL by the response handler (the browser's favicon is not)
        if message.type in ("error", "warning") or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def search(self, path: str) -> list[dict[str, str]]:
        """Open a search page with a query and wait for its status line to say how it went."""
        self.page.goto(self.base_url + path, wait_until="load")
        return self.results()

    def results(self) -> list[dict[str, str]]:
        self.page.wait_for_function(
            "() => { const s = document.querySelector('[data-search-status]');"
            " return s && s.textContent && s.textContent !== s.closest('[data-search]')"
            ".dataset.tSearching; }", timeout=15000)
        return self.page.eval_on_selector_all(".search__result", """els => els.map(e => ({
            href: new URL(e.querySelector('a').href).pathname,
            title: e.querySelector('a').textContent,
            meta: (e.querySelector('.search__meta') || {}).textContent || '',
            excerpt: e.querySelector('.search__excerpt').textContent}))""")

    def status(self) -> str:
        return str(self.page.inner_text("[data-search-status]"))

    def violations(self) -> list[str]:
        return self.problems + self.page.evaluate("() => window.__csp || []")

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def tab(browser: Any, demo_url: str) -> Iterator[Tab]:
    t = Tab(browser, demo_url)
    yield t
    t.close()


def test_a_word_of_one_service_page_is_found_on_its_agency_and_the_portal(tab: Tab) -> None:
    found = tab.search(f"dinkes/cari/?q={DINKES_WORD}")
    assert [r["href"] for r in found] == [DINKES_PAGE]
    assert found[0]["title"] == "Surat Keterangan Sehat"
    assert found[0]["meta"] == "Layanan Publik"
    assert DINKES_WORD in found[0]["excerpt"]
    assert tab.status() == f"1 hasil untuk “{DINKES_WORD}”"
    assert tab.page.input_value("#search-q") == DINKES_WORD       # ?q= pre-fills the box
    assert tab.page.eval_on_selector(".search__excerpt mark", "m => m.textContent") == DINKES_WORD
    # the portal searches every agency and names the agency of each result
    found = tab.search(f"cari/?q={DINKES_WORD}")
    assert [r["href"] for r in found] == [DINKES_PAGE]
    assert found[0]["meta"] == f"{DINKES} · Layanan Publik"
    found = tab.search(f"cari/?q={DISDIK_WORD}")                 # a service requirement
    assert [r["href"] for r in found] == [DISDIK_PAGE]
    assert found[0]["meta"].startswith(DISDIK)
    assert tab.violations() == []
    # nothing but the site's own files: the page, theme and the Pagefind bundles
    assert all(url.startswith(tab.base_url) for url in tab.requests)


def test_another_agencys_word_is_not_in_an_agencys_search(tab: Tab) -> None:
    assert tab.search(f"dinkes/cari/?q={DISDIK_WORD}") == []
    assert tab.status().startswith(f"Tidak ada hasil untuk “{DISDIK_WORD}”")
    assert tab.search(f"disdik/cari/?q={DINKES_WORD}") == []
    assert tab.violations() == []


def test_filters_narrow_the_portal_search_by_agency_and_section(tab: Tab) -> None:
    everything = tab.search("cari/?q=surat")
    agencies = {r["meta"].split(" · ")[0] for r in everything}
    assert {DINKES, DISDIK} <= agencies
    assert not tab.page.is_hidden("[data-search-filters]")
    tab.page.select_option("#search-agency", DISDIK)
    only = tab.results()
    tab.page.wait_for_function(
        "() => [...document.querySelectorAll('.search__meta')].every("
        f"m => m.textContent.startsWith({DISDIK!r}))")
    only = tab.results()
    assert only and all(r["meta"].startswith(DISDIK) for r in only)
    assert "opd=Dinas+Pendidikan" in tab.page.url              # kept in the address
    tab.page.select_option("#search-agency", "")
    tab.page.select_option("#search-section", "Layanan Publik")
    tab.page.wait_for_function(
        "() => [...document.querySelectorAll('.search__meta')].every("
        "m => m.textContent.endsWith('Layanan Publik'))")
    services = tab.results()
    assert services and all(r["href"].split("/")[2] == "layanan" for r in services)
    # the address with filters opens the same search
    found = tab.search(f"cari/?q={DINKES_WORD}&opd=Dinas+Pendidikan+Kabupaten+Sukamaju")
    assert found == [] and tab.page.input_value("#search-agency") == DISDIK
    # within one agency, only the portal's bundle and that agency's are downloaded
    tab.requests.clear()
    found = tab.search(f"cari/?q={DISDIK_WORD}&opd=Dinas+Pendidikan+Kabupaten+Sukamaju")
    assert [r["href"] for r in found] == [DISDIK_PAGE]
    assert {u.split("/")[3] for u in tab.requests if "/pagefind/" in u} == {"pagefind", "disdik"}
    assert tab.violations() == []


def test_the_header_box_leads_to_a_prefilled_search_and_results_are_reachable_by_keyboard(
        tab: Tab) -> None:
    page = tab.page
    page.goto(tab.base_url + "dinkes/berita/", wait_until="load")
    page.fill("#topsearch-q", DINKES_WORD)
    page.press("#topsearch-q", "Enter")
    page.wait_for_url(f"**/dinkes/cari/?q={DINKES_WORD}")
    assert [r["href"] for r in tab.results()] == [DINKES_PAGE]
    assert page.input_value("#search-q") == DINKES_WORD
    # typing a new query (no Enter needed) updates the results and the address
    page.fill("#search-q", "")
    page.type("#search-q", "imunisasi")
    page.wait_for_function("() => location.search === '?q=imunisasi'")
    found = tab.results()
    assert found and all("/dinkes/" in r["href"] for r in found)
    page.focus("#search-q")
    for _ in range(6):                       # search button, filter, then the first result
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('.search__result')"):
            break
    assert page.evaluate("() => document.activeElement.closest('.search__result') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{found[0]['href']}")
    assert tab.violations() == []


def test_axe_finds_nothing_on_the_search_page_with_results_and_it_fits_360px(
        browser: Any, demo_url: str) -> None:
    if not AXE.is_file():
        if require_browser():
            pytest.fail(f"{AXE} missing: run npm ci")
        pytest.skip(f"{AXE} missing: run npm ci")
    tab = Tab(browser, demo_url, bypass_csp=True)     # so that axe-core can be injected
    try:
        for path in ("dinkes/cari/?q=imunisasi", "cari/?q=surat"):
            tab.page.set_viewport_size(DESKTOP)
            assert len(tab.search(path)) >= 2, path
            tab.page.add_script_tag(path=str(AXE))
            assert axe_violations(tab.page) == [], path
            tab.page.set_viewport_size(PHONE)
            assert axe_violations(tab.page) == [], path
            width = tab.page.evaluate(WIDTH_JS)
            assert width["scroll"] <= PHONE["width"], (path, width["wide"])
        assert tab.problems == []
    finally:
        tab.close()


def test_added_draft_future_and_deleted_items(browser: Any,
                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    root = copy_demo(tmp_path_factory.mktemp("search-edit"))
    berita = root / "sites" / "dinkes" / "content" / "berita"
    assert run_cli("build", "--today", TODAY, cwd=root).returncode == 0
    server, url = serve(root / "build")
    tab = Tab(browser, url)
    try:
        assert tab.search("dinkes/cari/?q=zorfbaru") == []
        added = berita / "2026-11-28-kurban.md"
        added.write_text("---\ntitle: Pemeriksaan Hewan Kurban\ndate: 2026-11-28\n---\n"
                         "Petugas memeriksa hewan yang disembelih. Kode zorfbaru.\n",
                         encoding="utf-8")
        (berita / "2026-11-27-draf.md").write_text(
            "---\ntitle: Draf\ndate: 2026-11-27\ndraft: true\n---\nKode zorfdraf.\n",
            encoding="utf-8")
        (berita / "2026-12-10-nanti.md").write_text(
            "---\ntitle: Nanti\ndate: 2026-12-10\n---\nKode zorfnanti.\n", encoding="utf-8")
        result = run_cli("build", "--today", TODAY, cwd=root)
        assert result.returncode == 0, result.stderr
        item = "/dinkes/berita/kurban/"
        assert [r["href"] for r in tab.search("dinkes/cari/?q=zorfbaru")] == [item]
        assert [r["href"] for r in tab.search("cari/?q=zorfbaru")] == [item]
        # Indonesian stemming: "penyembelihan" and "disembelih" share the stem "sembelih"
        assert [r["href"] for r in tab.search("dinkes/cari/?q=penyembelihan")] == [item]
        for word in ("zorfdraf", "zorfnanti"):
            assert tab.search(f"dinkes/cari/?q={word}") == [], word
            assert tab.search(f"cari/?q={word}") == [], word
        added.unlink()
        result = run_cli("build", "--today", TODAY, cwd=root)
        assert result.returncode == 0, result.stderr
        assert tab.search("dinkes/cari/?q=zorfbaru") == []
        assert tab.search("cari/?q=zorfbaru") == []
        assert tab.violations() == []
        # an agency without an index (say Pagefind failed on its first build) is left out of
        # the portal's search instead of breaking it
        shutil.rmtree(root / "build" / "rsud" / "pagefind")
        result = run_cli("build", "--today", TODAY, "--site", "dinkes", cwd=root)
        assert result.returncode == 0, result.stderr
        tab.requests.clear()
        assert [r["href"] for r in tab.search(f"cari/?q={DISDIK_WORD}")] == [DISDIK_PAGE]
        assert not any("/rsud/pagefind/" in url for url in tab.requests)
        assert tab.violations() == []
    finally:
        tab.close()
        server.shutdown()
        server.server_close()
