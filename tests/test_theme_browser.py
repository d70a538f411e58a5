"""Quality gates of the default theme in a real browser (Debian Chromium through Playwright).

The demo region (skpdgen.yaml + sites/ of this repository, with the built-in theme) is built into a temporary
folder with `--today 2026-11-29`, served on 127.0.0.1 with the Content-Security-Policy that the
theme promises to work under, and every page type of an agency and of the portal is checked:

- axe-core: zero WCAG 2.1 A/AA violations (and none of axe's best practices), on a desktop
  screen and on a phone with its menu open;
- no horizontal scrolling at 360 px;
- keyboard: Tab from the top reaches the skip link first, the skip link moves focus to #main,
  further tabbing reaches a menu link (desktop row, and the phone menu after opening it);
- CSP: no violation and no script error, nothing requested from another origin, the theme's
  script runs;
- the Nu HTML Checker (vnu) reports no error on any HTML page of the demo (one java run);
- an agency whose colour skpdgen darkened (#ffdd00) still passes axe's contrast checks.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, require_browser, run_cli
from test_theme import html_files, vnu_command, vnu_messages

from skpdgen.deploy.headers import CSP as PRODUCTION_CSP

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
TODAY = "2026-11-29"
CSP = PRODUCTION_CSP  # exactly what `skpdgen deploy` publishes (_headers, nginx)
# WCAG 2.1 A and AA, plus axe's best practices (landmarks, heading order, unique regions).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}

# An old URL added to one news item of the copy, so that the alias page type is checked too.
ALIAS = "/index.php/berita/123"
ALIAS_SOURCE = "sites/dinkes/content/berita"

# Every page type of the demo: (test id, URL path under the served build/).
PAGES: list[tuple[str, str]] = [
    ("agency-home", "dinkes/"),
    ("news-list", "dinkes/berita/"),
    ("news-list-page-2", "dinkes/berita/page/2/"),
    ("news-item", "dinkes/berita/imunisasi-kejar-anak/"),
    ("announcement-list", "dinkes/pengumuman/"),
    ("announcement", "dinkes/pengumuman/jadwal-bias-november/"),
    ("agenda-list", "dinkes/agenda/"),
    ("agenda-item", "dinkes/agenda/jalan-sehat-hkn/"),
    ("service-list", "dinkes/layanan/"),
    ("service", "dinkes/layanan/surat-keterangan-sehat/"),
    ("document-list", "dinkes/dokumen/"),
    ("document", "dinkes/dokumen/dpa-dinkes-2026/"),
    ("innovation-list", "dinkes/inovasi/"),
    ("innovation", "dinkes/inovasi/sisehat/"),
    ("profile-folder", "dinkes/profil/"),
    ("profile-page", "dinkes/profil/visi-misi/"),
    ("tag", "dinkes/tag/imunisasi/"),
    ("tags", "dinkes/tag/"),
    ("search", "dinkes/cari/"),
    ("404", "dinkes/404.html"),
    ("404-deep", "dinkes/tidak/ada/halaman/"),  # served by the 404 rule: absolute asset paths
    ("alias", "dinkes" + ALIAS + "/"),
    ("home-own-domain-agency", "diskominfo/"),
    ("home-kecamatan", "kecamatan-sukamaju-kota/"),
    ("home-rsud", "rsud/"),
    ("portal-home", ""),
    ("portal-news", "berita/"),
    ("portal-innovations", "inovasi/"),
    ("portal-directory", "direktori/"),
    ("portal-status", "status/"),
    ("portal-status-filtered", "status/aktif/"),
    ("portal-search", "cari/"),
    ("portal-404", "404.html"),
    ("portal-404-deep", "tidak-ada/sama/sekali/"),
]
PAGE_IDS = [name for name, _ in PAGES]
# Pages without the site chrome (a redirect page has no menu).
NO_MENU = {"alias"}


# --- the build and the server ----------------------------------------------------------------


def copy_demo(dest: Path) -> Path:
    """The repository's demo region (config, sites) copied into dest."""
    shutil.copy2(REPO / "skpdgen.yaml", dest / "skpdgen.yaml")
    shutil.copytree(REPO / "sites", dest / "sites")
    shutil.copytree(REPO / "static", dest / "static")  # the region logo
    return dest


def add_alias(root: Path) -> None:
    """Give the demo's news item an old URL (front matter `aliases`)."""
    item = next((root / ALIAS_SOURCE).glob("*imunisasi-kejar-anak.md"))
    text = item.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    item.write_text(f"---\naliases: [{ALIAS}]\n" + text[4:], encoding="utf-8")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("demo"))
    add_alias(root)
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    out = root / "build"
    for name, path in PAGES:
        target = out / path
        if not name.endswith("-deep"):
            assert (target / "index.html" if path.endswith("/") or not path else target).is_file(), path
    return out


class _Handler(http.server.SimpleHTTPRequestHandler):
    """build/ as a static host would serve it, with the theme's promised CSP; a missing URL gets
    the agency's 404.html (or the portal's) with status 404, at whatever depth it was asked."""

    def send_head(self):  # type: ignore[no-untyped-def]
        if not Path(self.translate_path(self.path)).exists():
            root = Path(self.directory)
            first = self.path.lstrip("/").split("/", 1)[0]
            page = root / first / "404.html"
            body = (page if first and page.is_file() else root / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def base_url(demo: Path, vnu_job: VnuJob) -> Iterator[str]:
    server, url = serve(demo)  # (vnu_job: the HTML checker runs meanwhile)
    yield url
    server.shutdown()
    server.server_close()


class Auditor:
    """Visits each page once in one reused tab (a new tab costs a renderer process) and keeps
    what the tests assert on: axe-core on a desktop and on a phone with its menu open, and the
    width of the page at 360 px. Its context ignores the CSP so that axe-core can be injected."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.context = browser.new_context(bypass_csp=True, viewport=DESKTOP)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.results: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, name: str, base_url: str | None = None) -> dict[str, Any]:
        base_url = base_url or self.base_url
        if (base_url, name) not in self.results:
            self.results[base_url, name] = self._visit(name, base_url)
        return self.results[base_url, name]

    def _visit(self, name: str, base_url: str) -> dict[str, Any]:
        page = self.page
        page.set_viewport_size(DESKTOP)
        with hold_redirects(page, base_url, name):
            page.goto(base_url + dict(PAGES)[name], wait_until="load")
            page.add_script_tag(path=str(AXE))
            desktop = axe_violations(page)
            page.set_viewport_size(PHONE)
            if name not in NO_MENU:
                page.click(".nav__small summary")  # the phone menu is checked open
            phone = axe_violations(page)
            width = page.evaluate(WIDTH_JS)
        return {"desktop": desktop, "phone": phone, "width": width}

    def close(self) -> None:
        self.context.close()


@contextlib.contextmanager
def hold_redirects(page: Any, base_url: str, name: str) -> Iterator[None]:
    """On the alias page, answer its redirect target with 204 so that the page stays."""
    if name != "alias":
        yield
        return
    target = base_url + dict(PAGES)["news-item"]
    page.route(target, lambda route: route.fulfill(status=204))
    try:
        yield
    finally:
        page.unroute(target)


WIDTH_JS = """() => {
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.width && r.right > innerWidth + 0.5) wide.push(el.tagName.toLowerCase() +
            (typeof el.className === 'string' && el.className ? '.' + el.className : '') +
            ' right=' + Math.round(r.right));
    }
    return {scroll: document.scrollingElement.scrollWidth, wide: wide.slice(0, 8)};
}"""


@pytest.fixture(scope="module")
def auditor(browser: Any, base_url: str) -> Iterator[Auditor]:
    if not AXE.is_file():
        if require_browser():
            pytest.fail(f"{AXE} missing: run npm ci")
        pytest.skip(f"{AXE} missing: run npm ci")
    a = Auditor(browser, base_url)
    yield a
    a.close()


def axe_violations(page: Any) -> list[str]:
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", AXE_TAGS)
    problems = []
    for v in result["violations"]:
        targets = "; ".join(" ".join(n["target"]) + " :: " + n["failureSummary"].replace("\n", " ")
                            for n in v["nodes"][:4])
        problems.append(f"{v['id']} ({v['impact']}): {v['help']} -> {targets}")
    return problems


@pytest.mark.parametrize("name", PAGE_IDS)
@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_axe_finds_no_wcag_violation(auditor: Auditor, name: str, screen: str) -> None:
    assert auditor.get(name)[screen] == []


@pytest.fixture(scope="module")
def yellow_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo with dinkes in yellow (#ffdd00): skpdgen darkens it to just 4.5:1 on white."""
    root = copy_demo(tmp_path_factory.mktemp("yellow"))
    site = root / "sites" / "dinkes" / "site.yaml"
    text, count = re.subn(r"(?m)^color: .*$", 'color: "#ffdd00"', site.read_text(encoding="utf-8"))
    assert count == 1
    site.write_text(text, encoding="utf-8")
    result = run_cli("build", "--today", TODAY, "--site", "dinkes", cwd=root)
    assert result.returncode == 0 and "#ffdd00" in result.stderr, result.stderr
    server, url = serve(root / "build")
    yield url
    server.shutdown()
    server.server_close()


YELLOW_IDS = ["agency-home", "announcement-list", "agenda-item", "service", "document",
              "profile-page"]


@pytest.mark.parametrize("name", YELLOW_IDS)
def test_a_darkened_brand_colour_keeps_every_text_readable(auditor: Auditor, yellow_url: str,
                                                            name: str) -> None:
    """Links on tinted and grey boxes (notices, contact, service sheet) stay at 4.5:1 too."""
    result = auditor.get(name, yellow_url)
    assert result["desktop"] + result["phone"] == []


@pytest.mark.parametrize("name", PAGE_IDS)
def test_no_horizontal_scrolling_at_360px(auditor: Auditor, name: str) -> None:
    width = auditor.get(name)["width"]
    assert width["scroll"] <= PHONE["width"], width["wide"]


# --- a reader's browser: CSP and keyboard --------------------------------------------------


class Reader:
    """One reused tab in a context that obeys the server's CSP, as a reader's browser does.
    Each page is loaded, checked for CSP violations, script errors and requests to another
    origin, then walked with the keyboard. Problems are collected, not raised, so that one
    page's failure shows up in its own test."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.context = browser.new_context(viewport=DESKTOP)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.problems: list[str] = []
        self.results: dict[str, dict[str, list[str]]] = {}
        page = self.page
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        page.on("request", self._request)
        page.on("response", self._response)
        page.add_init_script("""document.addEventListener('securitypolicyviolation', e => {
            (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI);
        });""")

    def _console(self, message: Any) -> None:
        if message.text.startswith("Failed to load resource"):
            return  # reported by _response with its URL (a 404 page's own status is expected)
        if message.type in ("error", "warning") or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _request(self, request: Any) -> None:
        if not request.url.startswith(self.base_url) and not request.url.startswith("data:"):
            self.problems.append(f"request to another origin: {request.url}")

    def get(self, name: str) -> dict[str, list[str]]:
        if name not in self.results:
            self.results[name] = self._visit(name, dict(PAGES)[name])
        return self.results[name]

    def _visit(self, name: str, path: str) -> dict[str, list[str]]:
        page, url = self.page, self.base_url + path
        page.set_viewport_size(DESKTOP)
        self.problems = []
        with hold_redirects(page, self.base_url, name):
            page.goto(url, wait_until="load")
            page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")  # lazy images
            page.wait_for_function("() => [...document.images].every(i => i.complete)")
            csp = self.problems + page.evaluate("() => window.__csp || []") + self._ran(name)
        keyboard: list[str] = []
        if name not in NO_MENU:
            try:
                self._keyboard()
            except AssertionError as e:
                keyboard.append(str(e))
        return {"csp": csp, "keyboard": keyboard}

    def _ran(self, name: str) -> list[str]:
        """Proof that the theme's CSS and JS applied under the policy."""
        page, missing = self.page, []
        if name not in NO_MENU and not page.evaluate(
                "() => document.querySelector('.skip').getBoundingClientRect().bottom <= 0"):
            missing.append("main.css did not apply: the skip link is visible")
        if name == "service" and not page.is_visible(".js-print"):
            missing.append("main.js did not run: the print button is hidden")
        if name.startswith("portal-status") and not (
                page.locator("table.status button.sort").count() and page.is_visible("form.status-filter")):
            missing.append("status.js did not run: no sort buttons or filter form")
        return missing

    def _keyboard(self) -> None:
        """Tab from the top: the skip link first, then on to a menu link; then the skip link,
        activated with Enter, moves focus to <main> and the next Tab stays inside it."""
        page = self.page  # the page as loaded by _visit: nothing has had focus yet
        page.evaluate("() => window.scrollTo(0, 0)")
        page.keyboard.press("Tab")
        first = focused(page)
        assert first["href"] == "#main" and "skip" in first["cls"], f"first Tab: {first}"
        assert page.evaluate("() => document.activeElement.getBoundingClientRect().top >= 0"), \
            "the focused skip link is not visible"
        link = tab_until(page, "inMenu")
        assert link["tag"] == "a", link
        assert page.evaluate("() => { const r = document.activeElement.getBoundingClientRect();"
                             " return r.width > 0 && r.height > 0; }"), "focused menu link is hidden"
        page.focus("a.skip")
        page.keyboard.press("Enter")
        page.wait_for_function("() => location.hash === '#main'")
        assert focused(page)["id"] == "main", f"skip link: focus is on {focused(page)}"
        page.keyboard.press("Tab")
        assert focused(page)["inMain"], f"Tab after the skip link left <main>: {focused(page)}"

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def reader(browser: Any, base_url: str) -> Iterator[Reader]:
    r = Reader(browser, base_url)
    yield r
    r.close()


def focused(page: Any) -> dict[str, Any]:
    return dict(page.evaluate("""() => {
        const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), id: e.id, cls: String(e.className || ''),
                href: e.getAttribute('href'), text: (e.textContent || '').trim().slice(0, 40),
                inMenu: !!e.closest('.menu'), inMain: !!e.closest('#main'),
                summary: e.tagName === 'SUMMARY',
                menuButton: e.tagName === 'SUMMARY' && !!e.closest('.nav__small')};
    }"""))


def tab_until(page: Any, want: str, limit: int = 25) -> dict[str, Any]:
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        f = focused(page)
        seen.append(f"{f['tag']}.{f['cls']} {f['text'][:20]!r}")
        if f[want]:
            return f
    raise AssertionError(f"Tab never reached {want}: {seen}")


@pytest.mark.parametrize("name", PAGE_IDS)
def test_works_under_the_content_security_policy(reader: Reader, name: str) -> None:
    assert reader.get(name)["csp"] == []


KEYBOARD_IDS = [n for n in PAGE_IDS if n not in NO_MENU]


@pytest.mark.parametrize("name", KEYBOARD_IDS)
def test_keyboard_reaches_skip_link_main_and_menu(reader: Reader, name: str) -> None:
    assert reader.get(name)["keyboard"] == []


@pytest.mark.parametrize("name", ["agency-home", "news-item", "portal-home"])
def test_keyboard_opens_the_phone_menu(reader: Reader, name: str) -> None:
    page = reader.page
    page.set_viewport_size(PHONE)
    page.goto(reader.base_url + dict(PAGES)[name], wait_until="load")
    page.keyboard.press("Tab")
    assert focused(page)["href"] == "#main"
    tab_until(page, "menuButton")  # past the official-site banner's own <summary>
    page.keyboard.press("Enter")
    link = tab_until(page, "inMenu", limit=1)
    assert link["tag"] == "a"
    page.keyboard.press("Escape")  # main.js closes the menu and gives focus back to its button
    assert focused(page)["summary"]
    assert page.evaluate("() => !document.querySelector('.nav__small').open")


# --- Nu HTML Checker -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def vnu_job(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[VnuJob]:
    """The Nu HTML Checker over every page of the demo, started in the background as soon as the
    demo is built (it takes ~10 s of java, in parallel with the browser) and read at the end."""
    files = html_files(demo)
    assert len(files) > 300
    report = tmp_path_factory.mktemp("vnu") / "report.json"
    job = None
    try:
        command = vnu_command(files)
    except (pytest.skip.Exception, pytest.fail.Exception):
        command = []  # the test itself skips or fails with the reason
    if command:
        with report.open("w") as err:
            job = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err,
                                   env={**os.environ, "LC_ALL": "C.UTF-8"})
    yield VnuJob(files, job, report)
    if job is not None and job.poll() is None:
        job.kill()
        job.wait()


class VnuJob:
    def __init__(self, files: list[Path], job: subprocess.Popen[bytes] | None, report: Path) -> None:
        self.files, self.job, self.report = files, job, report

    def errors(self) -> list[str]:
        if self.job is None:
            vnu_command(self.files)  # skips (or fails in CI) with the reason
            raise AssertionError("the HTML checker did not start")
        self.job.wait(timeout=300)
        return vnu_messages(self.report.read_text(encoding="utf-8"))


def test_every_page_of_the_demo_is_valid_html(vnu_job: VnuJob) -> None:
    errors = vnu_job.errors()
    assert errors == [], "\n".join(errors[:30])


def test_demo_pages_have_one_h1_and_no_inline_style_or_script(demo: Path) -> None:
    """What CSP forbids (inline style/script, event handlers) is not in the markup at all."""
    inline = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>|"
                        r"\sstyle=\"|<style[\s>]|\son[a-z]+=\"", re.I)
    bad = []
    for file in html_files(demo):
        text = file.read_text(encoding="utf-8")
        found = inline.search(text)
        if found:
            bad.append(f"{file.relative_to(demo)}: {found.group(0)}")
        if text.count("<h1") != 1:
            bad.append(f"{file.relative_to(demo)}: {text.count('<h1')} <h1>")
    assert bad == []
