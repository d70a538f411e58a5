"""The pieces of `serve` without a server: path resolution, the Host/Origin guard, what a
change rebuilds, what a tab is told, HTML injection and the debounce of file events.
"""

from __future__ import annotations

import errno
import threading
import time
from pathlib import Path

import pytest

from skpdgen.diagnostics import Diagnostic
from skpdgen.serve import inject
from skpdgen.serve.guard import HostGuard, is_loopback
from skpdgen.serve.paths import decode_segments, resolve, split_target
from skpdgen.serve.plan import RebuildPlan, plan_rebuild
from skpdgen.serve.state import PORTAL, REGION, LiveState, Update
from skpdgen.serve.watch import ChangeCollector

# --- paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    "/..", "/../x", "/a/../../x", "/%2e%2e/x", "/%2E%2e/x", "/.%2e/x", "/a/%2f/x", "/a%2Fb",
    "/a%5cb", "/a\\b", "/%00", "/a/./b", "/a//b", "x", "http://h/x", "*", "/%ff",
])
def test_escaping_paths_do_not_decode(raw: str) -> None:
    assert decode_segments(raw) is None


@pytest.mark.parametrize(("raw", "segments"), [
    ("/", ()), ("/dinkes/", ("dinkes",)), ("/dinkes/berita/x/", ("dinkes", "berita", "x")),
    ("/a%20b.pdf", ("a b.pdf",)), ("/kabar-%C3%A9", ("kabar-é",)),
])
def test_ordinary_paths_decode(raw: str, segments: tuple[str, ...]) -> None:
    assert decode_segments(raw) == segments


def test_split_target_drops_fragment() -> None:
    assert split_target("/a/b?x=1#f") == ("/a/b", "x=1")


def test_resolve(tmp_path: Path) -> None:
    out = tmp_path / "build"
    (out / "dinkes/berita").mkdir(parents=True)
    (out / "dinkes/index.html").write_text("home")
    (out / "dinkes/file.pdf").write_text("pdf")
    (out / ".skpdgen").mkdir()
    (out / ".skpdgen/manifest.json").write_text("{}")
    (tmp_path / "secret.txt").write_text("secret")
    (out / "out-link").symlink_to(tmp_path / "secret.txt")
    (out / "out-dir").symlink_to(tmp_path)
    (out / "in-link").symlink_to(out / "dinkes/file.pdf")
    root = out.resolve()
    assert resolve(root, "/dinkes/").file == root / "dinkes/index.html"
    assert resolve(root, "/dinkes").location == "/dinkes/"
    assert resolve(root, "/dinkes/file.pdf").status == "file"
    assert resolve(root, "/dinkes/file.pdf/").status == "missing"
    assert resolve(root, "/dinkes/berita/").status == "missing"     # no listing, no index
    assert resolve(root, "/.skpdgen/manifest.json").status == "missing"
    assert resolve(root, "/out-link").status == "forbidden"
    assert resolve(root, "/out-dir/secret.txt").status == "forbidden"
    assert resolve(root, "/out-dir/").status == "forbidden"
    assert resolve(root, "/in-link").status == "file"
    assert resolve(root, "/../secret.txt").status == "forbidden"
    (out / "state").symlink_to(out / ".skpdgen")      # a way into a dot-folder by a link
    assert resolve(root, "/state/manifest.json").status == "missing"
    assert resolve(root, "/state/").status == "missing"
    # a name the file system refuses (ENAMETOOLONG) is missing, not an exception
    assert resolve(root, "/" + "a" * 300).status == "missing"
    assert resolve(root, "/dinkes/" + "b" * 5000 + "/").status == "missing"


# --- guard ---------------------------------------------------------------------------------

def test_host_guard_on_loopback() -> None:
    guard = HostGuard("127.0.0.1", 8000)
    for ok in ("127.0.0.1:8000", "localhost:8000", "LocalHost:8000", "[::1]:8000"):
        assert guard.host_ok(ok), ok
    for bad in (None, "", "evil.example:8000", "127.0.0.1:8001", "127.0.0.1", "localhost",
                "192.168.1.5:8000", "[::1]", "127.0.0.1:8000:8000", "[::1:8000", "a b:8000",
                "127.0.0.1:\u00b2", "127.0.0.1:\uff18\uff10\uff10\uff10"):   # non-ASCII digits
        assert not guard.host_ok(bad), bad
    assert guard.origin_ok("http://127.0.0.1:8000")
    assert guard.origin_ok("http://localhost:8000")
    for bad in (None, "null", "https://127.0.0.1:8000", "http://evil.example:8000",
                "http://127.0.0.1:8000/x", "http://127.0.0.1:80"):
        assert not guard.origin_ok(bad), bad


def test_host_guard_on_other_addresses() -> None:
    lan = HostGuard("192.168.1.5", 8000)
    assert lan.host_ok("192.168.1.5:8000") and lan.host_ok("localhost:8000")
    assert not lan.host_ok("10.0.0.1:8000")
    anywhere = HostGuard("0.0.0.0", 8000)
    assert anywhere.host_ok("10.0.0.1:8000") and anywhere.host_ok("[fe80::1]:8000")
    assert not anywhere.host_ok("evil.example:8000")    # DNS names still need to be our own
    port80 = HostGuard("127.0.0.1", 80)
    assert port80.host_ok("localhost") and port80.host_ok("127.0.0.1:80")
    assert HostGuard("::1", 8000).origin == "http://[::1]:8000"


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


# --- plan ----------------------------------------------------------------------------------

def test_plan_for_content_theme_and_config(tmp_path: Path) -> None:
    root = tmp_path

    def plan(*rels: str, site: str | None = None) -> RebuildPlan | None:
        return plan_rebuild([root / rel for rel in rels], root, site)

    content = plan("sites/dinkes/content/berita/a.md", "sites/disdik/static/x.png")
    assert content is not None and content.sites == ("dinkes", "disdik")
    assert not content.css_only
    theme = plan("themes/default/templates/base.html", "sites/dinkes/content/a.md")
    assert theme is not None and theme.everything
    config = plan("skpdgen.yaml")
    assert config is not None and config.everything
    css = plan("themes/default/static/css/main.css")
    assert css is not None and css.css_only and css.everything
    site_css = plan("sites/dinkes/static/css/extra.css")
    assert site_css is not None and site_css.css_only and site_css.sites == ("dinkes",)
    assert plan("sites/dinkes/content/.a.md.swp", "sites/dinkes/content/a.md~",
                "README.md", "build/index.html", "sites/dinkes/.git/HEAD") is None
    only = plan("sites/disdik/content/a.md", site="dinkes")
    assert only is None
    only_theme = plan("themes/default/static/css/main.css", site="dinkes")
    assert only_theme is not None and only_theme.sites == ("dinkes",)
    assert theme.touches_theme and config.touches_theme
    assert not content.touches_theme
    override = plan("sites/dinkes/templates/single.html")
    assert override is not None and override.touches_theme and override.sites == ("dinkes",)
    new_agency = plan("sites/baru")
    assert new_agency is not None and new_agency.everything


# --- state ---------------------------------------------------------------------------------

ERROR = Diagnostic("sites/dinkes/content/a.md", 3, "error", "bad date", "use YYYY-MM-DD")


def test_state_tells_each_scope_what_to_do() -> None:
    state = LiveState()
    state.publish(Update(frozenset(), slugs=frozenset({"dinkes", "disdik"})))
    assert state.page(["dinkes", "berita"]).scope == "dinkes"
    assert state.page(["berita"]).scope == PORTAL
    assert state.page([]).scope == PORTAL
    assert state.publish(Update(frozenset())) == frozenset()      # nothing changed: no news
    since = state.generation
    state.publish(Update(frozenset({"dinkes", PORTAL})))
    assert state.wait("dinkes", since, 0) == ("reload", since + 1)
    assert state.wait(PORTAL, since, 0) == ("reload", since + 1)
    assert state.wait("disdik", since, 0) == (None, since + 1)
    state.publish(Update(frozenset({"disdik"}), css_only=True))
    assert state.wait("disdik", since + 1, 0)[0] == "css"
    assert state.wait("disdik", since, 0)[0] == "css"


def test_errors_are_shown_until_fixed() -> None:
    state = LiveState()
    state.publish(Update(frozenset(), slugs=frozenset({"dinkes", "disdik"})))
    since = state.generation
    assert state.publish(Update(frozenset(), {"dinkes": (ERROR,)})) == {"dinkes"}
    assert state.page(["dinkes"]).errors == (ERROR,)
    assert state.page(["disdik"]).errors == ()
    assert state.wait("dinkes", since, 0)[0] == "reload"
    assert state.publish(Update(frozenset(), {"dinkes": (ERROR,)})) == frozenset()  # same
    # a CSS-only change that also fixes an error reloads (the banner must go)
    assert state.publish(Update(frozenset({"dinkes"}), {"dinkes": ()}, css_only=True))
    assert state.wait("dinkes", state.generation - 1, 0)[0] == "reload"
    state.publish(Update(frozenset(), {REGION: (ERROR,)}))
    assert state.page(["disdik"]).errors == (ERROR,)
    assert state.wait("disdik", state.generation - 1, 0)[0] == "reload"


def test_wait_wakes_on_close() -> None:
    state = LiveState()
    threading.Timer(0.05, state.close).start()
    started = time.monotonic()
    assert state.wait(PORTAL, 0, 5) == (None, 0)
    assert time.monotonic() - started < 2


# --- injection -----------------------------------------------------------------------------

def test_inject_script_and_banner() -> None:
    page = b"<!doctype html><html><head><title>x</title></HEAD><body class='a'><p>x</p></body>"
    script = inject.script_tag("tok", "dinkes", 7)
    hostile = Diagnostic("sites/dinkes/<b>.md", 2, "error", "</section><script>x()</script>",
                         "use \"quotes\"")
    out = inject.inject(page, script, inject.banner((hostile,), "id"))
    text = out.decode()
    assert text.index('<script src="/_skpdgen/reload.js"') < text.index("</HEAD>")
    assert 'data-token="tok" data-scope="dinkes" data-generation="7"' in text
    assert text.index("<body class='a'><section class=\"skpdgen-error\"") > 0
    assert "<script>x()</script>" not in text and "&lt;/section&gt;" in text
    assert "sites/dinkes/&lt;b&gt;.md:2" in text and "&quot;quotes&quot;" in text
    assert "<script>" not in text                      # nothing inline
    bare = inject.inject(b"<p>fragment</p>", script)
    assert bare.startswith(b"<p>fragment</p>") and bare.endswith(script)


def test_rebase_points_root_links_at_the_served_path() -> None:
    page = b'<a href="/">x</a><link href="/assets/a.css"><img src="/img/a.png"><a href="//cdn/x">'
    out = inject.rebase(page, "/", "/disdik/")
    assert out == (b'<a href="/disdik/">x</a><link href="/disdik/assets/a.css">'
                   b'<img src="/disdik/img/a.png"><a href="//cdn/x">')
    assert inject.rebase(page, "/dinkes/", "/dinkes/") is page
    sub = inject.rebase(b'<a href="/portal/dinkes/x/">', "/portal/dinkes/", "/dinkes/")
    assert sub == b'<a href="/dinkes/x/">'


def test_banner_speaks_the_region_language() -> None:
    assert b"gagal dibangun" in inject.banner((ERROR,), "id")
    assert b"failed to build" in inject.banner((ERROR,), "en")


# --- the engine hooks serve relies on --------------------------------------------------------

def test_build_region_reports_each_agency_before_the_portal(tmp_path: Path) -> None:
    from test_serve import make_serve_region

    from skpdgen.config.region import load_region
    from skpdgen.pipeline import BuildRequest, SiteResult, build_region
    from skpdgen.theme import load_theme
    root = make_serve_region(tmp_path / "r")
    seen: list[tuple[str, bool, bool]] = []

    def on_site(site: SiteResult) -> None:
        out = root / "build"
        seen.append((site.slug, (out / site.slug / "index.html").is_file(),
                     (out / "index.html").is_file()))
    region = load_region(root)
    theme = load_theme(region.theme_dir, region.language)
    build_region(BuildRequest(root=root), None, theme, on_site)
    assert seen == [("dinkes", True, False), ("disdik", True, False)]
    assert (root / "build/index.html").is_file()


def test_build_region_reports_each_agency_the_moment_its_output_is_live(tmp_path: Path) -> None:
    from test_serve import make_serve_region

    from skpdgen import cache
    from skpdgen.pipeline import BuildRequest, SiteResult, build_region
    from skpdgen.staging import spare_path
    root = make_serve_region(tmp_path / "r")
    out = root / "build"
    build_region(BuildRequest(root=root))
    page = next((root / "sites/dinkes/content/berita").glob("*.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\nKalimat baru PENANDA.\n",
                    encoding="utf-8")
    seen: list[tuple[str, str, bool, bool]] = []

    def on_swapped(site: SiteResult) -> None:
        live = any("PENANDA" in p.read_text(encoding="utf-8")
                   for p in (out / "dinkes").rglob("index.html"))
        # the old output is now the spare (staging.py), holding the page without the edit
        spare = spare_path(out, site.slug)
        old_kept = not any("PENANDA" in p.read_text(encoding="utf-8")
                           for p in spare.rglob("index.html")) and spare.is_dir()
        seen.append(("swapped", site.slug, live, old_kept))

    def on_site(site: SiteResult) -> None:
        seen.append(("site", site.slug, True, cache.entry_path(out, site.slug).is_file()))
    build_region(BuildRequest(root=root, sites=("dinkes",)), None, None, on_site, on_swapped)
    # told the moment its new output is live (the old one kept aside), then again once its
    # cache record is written
    assert seen == [("swapped", "dinkes", True, True), ("site", "dinkes", True, True)]


# --- debounce ------------------------------------------------------------------------------

def test_burst_of_events_is_one_batch() -> None:
    batches: list[frozenset[Path]] = []
    done = threading.Event()

    def on_batch(batch: frozenset[Path]) -> None:
        batches.append(batch)
        done.set()
    collector = ChangeCollector(on_batch, quiet=0.3)     # roomy: CI machines stall
    collector.start()
    try:
        for i in range(10):
            collector.add(Path(f"/r/sites/a/{i}.md"))
            time.sleep(0.01)
        assert done.wait(5)
        time.sleep(0.3)
        assert len(batches) == 1 and len(batches[0]) == 10
    finally:
        collector.stop()


# --- watcher limits --------------------------------------------------------------------------

class _RefusingObserver:
    """An observer that fails as Linux does when fs.inotify.max_user_watches is reached."""

    def schedule(self, *_args: object, **_kwargs: object) -> None:
        pass

    def start(self) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    def stop(self) -> None:
        pass

    def is_alive(self) -> bool:
        return False


def test_inotify_limit_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from test_serve import make_serve_region

    from skpdgen.cli import main
    from skpdgen.serve import watch
    root = make_serve_region(tmp_path / "r")
    monkeypatch.setattr(watch, "Observer", _RefusingObserver)
    with pytest.raises(watch.WatchError, match="max_user_watches"):
        watch.SourceWatcher(root, lambda path: None).start()
    assert main(["serve", "--root", str(root), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().startswith("skpdgen serve: error: cannot watch") and "inotify" in err


# --- a faster turn-around (issue #16) ----------------------------------------------------------

def test_a_completed_save_is_handed_over_without_the_full_quiet_time() -> None:
    batches: list[tuple[float, frozenset[Path]]] = []
    done = threading.Event()

    def on_batch(batch: frozenset[Path]) -> None:
        batches.append((time.monotonic(), batch))
        done.set()
    collector = ChangeCollector(on_batch, quiet=3.0, max_delay=10.0, settled=0.02)
    collector.start()
    try:
        collector.settle(Path("/r/sites/a/never-changed.md"))   # closed without a change
        started = time.monotonic()
        collector.add(Path("/r/sites/a/x.md"))
        collector.settle(Path("/r/sites/a/x.md"))                # ... closed after writing
        assert done.wait(2.5), "the batch waited for the whole quiet time"
        assert batches[0][0] - started < 2.5
        assert batches[0][1] == frozenset({Path("/r/sites/a/x.md")})
        # a change after the save was complete: back to the full quiet time
        done.clear()
        started = time.monotonic()
        collector.add(Path("/r/sites/a/y.md"))
        collector.settle(Path("/r/sites/a/y.md"))
        collector.add(Path("/r/sites/a/y.md"))
        assert not done.wait(1.5)
        assert done.wait(5)
        assert batches[1][0] - started >= 2.9
    finally:
        collector.stop()


def test_the_watcher_notices_a_completed_save(tmp_path: Path) -> None:
    from skpdgen.serve.watch import SourceWatcher
    (tmp_path / "sites/a/content").mkdir(parents=True)
    batches: list[frozenset[Path]] = []
    done = threading.Event()

    def on_batch(batch: frozenset[Path]) -> None:
        batches.append(batch)
        done.set()
    collector = ChangeCollector(on_batch, quiet=5.0, max_delay=20.0)
    watcher = SourceWatcher(tmp_path, collector.add, collector.settle)
    watcher.start()
    collector.start()
    try:
        time.sleep(0.2)
        (tmp_path / "sites/a/content/x.md").write_text("---\ntitle: X\n---\n", encoding="utf-8")
        assert done.wait(4), "the close after writing did not end the batch"
        assert tmp_path / "sites/a/content/x.md" in batches[0]
    finally:
        watcher.stop()
        collector.stop()


def test_the_rebuild_makes_way_for_the_reloading_tabs() -> None:
    state = LiveState()
    state.publish(Update(frozenset(), slugs=frozenset({"dinkes"})))
    since = state.generation
    woke = threading.Event()

    def tab() -> None:          # an open page of dinkes, on its reload channel
        state.wait("dinkes", since, 10)
        woke.set()
    threading.Thread(target=tab, daemon=True).start()
    time.sleep(0.2)
    told = state.publish(Update(frozenset({"dinkes"})))
    assert told == {"dinkes"} and woke.wait(5)
    started = time.monotonic()
    assert state.make_way(told, 0.3) is False          # the page was not loaded again yet
    assert time.monotonic() - started >= 0.25

    def reload() -> None:
        time.sleep(0.2)
        state.served("dinkes")
    threading.Thread(target=reload, daemon=True).start()
    assert state.make_way(told, 10) is True
    # nobody watching the portal: nothing to wait for
    started = time.monotonic()
    assert state.make_way(state.publish(Update(frozenset({PORTAL}))), 10) is True
    assert time.monotonic() - started < 1


def test_work_that_can_wait_runs_once_the_saves_pause() -> None:
    events: list[str] = []
    idle = threading.Event()

    def on_batch(batch: frozenset[Path]) -> None:
        events.append("batch " + ",".join(sorted(p.name for p in batch)))

    def on_idle() -> None:
        events.append("idle")
        idle.set()
    collector = ChangeCollector(on_batch, quiet=0.05, settled=0.01, on_idle=on_idle, idle=0.6)
    collector.start()
    try:
        time.sleep(0.8)
        assert events == []                          # nothing built yet: nothing to catch up
        collector.add(Path("/r/sites/a/1.md"))
        time.sleep(0.3)
        collector.add(Path("/r/sites/a/2.md"))       # saved again before the pause
        assert idle.wait(5)
        time.sleep(0.8)
        assert events == ["batch 1.md", "batch 2.md", "idle"]
    finally:
        collector.stop()


def test_the_preview_indexes_search_when_the_saves_pause(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from test_serve import make_serve_region

    import skpdgen.search
    from skpdgen.serve.rebuild import BuildSettings, Rebuilder
    root = make_serve_region(tmp_path / "r")
    indexed: list[str] = []
    real = skpdgen.search.index_site

    def indexing(site_dir: Path, language: str, source: Path | None = None) -> None:
        indexed.append(site_dir.name)
        real(site_dir, language, source)
    monkeypatch.setattr(skpdgen.search, "index_site", indexing)
    rebuilder = Rebuilder(BuildSettings(root, root / "build"), LiveState(), index_when_idle=True)
    rebuilder.initial()
    indexed.clear()
    page = next((root / "sites/dinkes/content/berita").glob("*.md"))
    for number in range(2):
        page.write_text(page.read_text(encoding="utf-8") + f"\nKalimat {number}.\n",
                        encoding="utf-8")
        outcome = rebuilder.rebuild(RebuildPlan(("dinkes",), False, ()))
        assert outcome.result is not None and outcome.result.ok
    assert indexed == []                              # not while saving,
    assert rebuilder.index_deferred() == []           # once, when the saves pause
    assert indexed == ["dinkes"]
    assert rebuilder.index_deferred() == [] and indexed == ["dinkes"]
