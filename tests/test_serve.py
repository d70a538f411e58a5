"""`skpdgen serve` over HTTP: pages, injection, 404s, every path escape, the Host/Origin guard,
the loopback-only default, port errors, clean stops, rebuilds, the error banner and drafts.

The server runs as a subprocess (`python -m skpdgen serve --port 0`) in its own process group;
the fixture kills the group on teardown, so no server outlives its test.
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import make_region, override_theme_file, run_cli

TODAY = "2024-06-15"

NEWS = """\
    ---
    title: {title}
    date: {date}
    ---

    {body}
    """


def news(title: str, date: str, body: str, extra: str = "") -> str:
    text = NEWS.format(title=title, date=date, body=body)
    if extra:
        text = text.replace("    ---\n\n", f"    {extra}\n    ---\n\n", 1)
    return textwrap.dedent(text)


SECRET = "rahasia-sumber-7f3a"     # only in the sources: must never be served

SERVE_FILES: dict[str, str | bytes] = {
    "skpdgen.yaml": f"# {SECRET}\nname: Pemerintah Kabupaten Uji\nbase_url: https://ujikab.go.id/\n",
    "sites/dinkes/site.yaml": f"# {SECRET}\nname: Dinas Kesehatan\nshort_name: Dinkes\n",
    "sites/dinkes/content/berita/2024-05-01-vaksinasi.md":
        news("Vaksinasi Massal", "2024-05-01", "Vaksinasi digelar di balai desa."),
    "sites/dinkes/content/berita/2024-05-02-posyandu.md":
        news("Posyandu Keliling", "2024-05-02", "Posyandu keliling hadir tiap Selasa."),
    "sites/dinkes/content/berita/2024-05-03-rencana.md":
        news("Rencana Rahasia", "2024-05-03", "Masih draf.", extra="draft: true"),
    "sites/disdik/site.yaml":
        "name: Dinas Pendidikan\nbase_url: https://disdik.ujikab.go.id/\n",
    "sites/disdik/content/berita/2024-04-01-sekolah.md":
        news("Sekolah Baru", "2024-04-01", "Gedung sekolah baru diresmikan."),
}


def make_serve_region(root: Path) -> Path:
    return make_region(root, dict(SERVE_FILES))


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Served:
    """A running `skpdgen serve` subprocess and what it printed."""

    root: Path
    proc: subprocess.Popen[bytes]
    log_path: Path
    port: int

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET",
            host: str | None = None) -> Response:
        """A request with the path sent exactly as given (no client-side normalization)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", host if host is not None else f"127.0.0.1:{self.port}")
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            conn.endheaders()
            resp = conn.getresponse()
            body = resp.read().decode("utf-8", errors="replace")
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
        finally:
            conn.close()

    def wait_until(self, check: Callable[[], bool], timeout: float = 10.0,
                   what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"server died:\n{self.log()}"
            if check():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}\n--- server log ---\n{self.log()}")

    def wait_for_text(self, path: str, text: str, present: bool = True,
                      timeout: float = 10.0) -> Response:
        found: list[Response] = []

        def check() -> bool:
            resp = self.get(path)
            found[:] = [resp]
            return (text in resp.body) == present
        self.wait_until(check, timeout, f"{text!r} {'in' if present else 'gone from'} {path}")
        return found[0]

    def token(self) -> str:
        match = re.search(r'data-token="([^"]+)"', self.get("/").body)
        assert match, "no reload script in the page"
        return match.group(1)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 10.0) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server (and its process group) whatever state it is in."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def _die_with_parent() -> None:
    """In the child: get SIGTERM when pytest dies, even by SIGKILL (Linux; elsewhere a no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG


def start_serve(root: Path, log_path: Path, *args: str) -> Served:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "CI")}
    env["SKPDGEN_TODAY"] = TODAY
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "skpdgen", "serve", "--root", str(root), "--port", "0", *args],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            start_new_session=True, preexec_fn=_die_with_parent)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            text = log_path.read_text(encoding="utf-8", errors="replace")
            match = re.search(r"serving http://[^ ]*:(\d+)/", text)
            if match:
                return Served(root, proc, log_path, int(match.group(1)))
            if proc.poll() is not None:
                raise AssertionError(f"serve exited with {proc.returncode}:\n{text}")
            time.sleep(0.05)
        raise AssertionError(f"serve did not start:\n{log_path.read_text()}")
    except BaseException:
        kill_group(proc)
        raise


@pytest.fixture
def serve_factory(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """start(root, *args) -> Served; every server started is killed at teardown."""
    started: list[Served] = []

    def start(root: Path, *args: str) -> Served:
        served = start_serve(root, tmp_path / f"serve-{len(started)}.log", *args)
        started.append(served)
        return served
    yield start
    for served in started:
        kill_group(served.proc)


@pytest.fixture
def served(tmp_path: Path, serve_factory: Callable[..., Served]) -> Served:
    """A fresh fixture region, served (tests may edit its sources)."""
    return serve_factory(make_serve_region(tmp_path / "region"))


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the read-only tests of this module."""
    root = make_serve_region(tmp_path_factory.mktemp("shared"))
    server = start_serve(root, root.parent / "serve.log")
    yield server
    kill_group(server.proc)


# --- serving the output -------------------------------------------------------------------

def test_serves_pages_with_a_same_origin_reload_script(shared: Served) -> None:
    resp = shared.get("/dinkes/berita/vaksinasi/")
    assert resp.status == 200
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert "Vaksinasi digelar di balai desa." in resp.body
    tags = re.findall(r"<script[^>]*>", resp.body)
    reload_tags = [t for t in tags if "/_skpdgen/reload.js" in t]
    assert len(reload_tags) == 1 and 'data-scope="dinkes"' in reload_tags[0]
    assert resp.body.index(reload_tags[0]) < resp.body.index("</head>")
    script = shared.get("/_skpdgen/reload.js")
    assert script.status == 200 and "EventSource" in script.body
    assert script.headers["content-type"].startswith("text/javascript")
    # the files on disk stay as the build wrote them
    on_disk = (shared.root / "build/dinkes/berita/vaksinasi/index.html").read_text()
    assert "_skpdgen" not in on_disk


def test_folder_without_slash_redirects(shared: Served) -> None:
    resp = shared.get("/dinkes/berita?x=1")
    assert resp.status == 301
    assert resp.headers["location"] == "/dinkes/berita/?x=1"


def test_missing_paths_get_the_right_404_page(shared: Served) -> None:
    agency = shared.get("/dinkes/tidak-ada/")
    assert agency.status == 404
    assert "Dinas Kesehatan" in agency.body and "/_skpdgen/reload.js" in agency.body
    portal = shared.get("/tidak-ada/halaman/")
    assert portal.status == 404
    assert "Dinas Kesehatan" not in portal.body.split("<main", 1)[1][:2000]
    assert "/_skpdgen/reload.js" in portal.body
    assert shared.get("/dinkes/tidak-ada/", method="HEAD").status == 404


def test_agency_with_its_own_domain_is_reachable_under_its_slug(shared: Served) -> None:
    page = shared.get("/disdik/")
    assert page.status == 200 and "Sekolah Baru" in page.body
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.body):
        if href.startswith("/_skpdgen/"):
            continue
        assert not href.startswith(("http:", "https:", "//")), href
        assert shared.get("/disdik/" + href).status == 200, href
    # its 404 page links from its domain root ('/assets/…'): the preview points them at /disdik/
    missing = shared.get("/disdik/tidak/ada/")
    assert missing.status == 404
    links = re.findall(r'(?:href|src)="(/[^"]*)"', missing.body)
    assert links and all(link.startswith(("/disdik/", "/_skpdgen/")) for link in links), links
    for link in links:
        if "/assets/" in link:
            assert shared.get(link).status == 200, link
    on_disk = (shared.root / "build/disdik/404.html").read_text()
    assert 'href="/assets/' in on_disk                      # the build output is untouched


# --- security -----------------------------------------------------------------------------

ESCAPES = [
    "/../skpdgen.yaml",
    "/dinkes/../../skpdgen.yaml",
    "/%2e%2e/skpdgen.yaml",
    "/%2E%2E/%2e%2e/etc/passwd",
    "/dinkes/%2e%2e/%2e%2e/skpdgen.yaml",
    "/dinkes/..%2f..%2fskpdgen.yaml",
    "/dinkes%2F..%2F..%2Fskpdgen.yaml",
    "/..\\skpdgen.yaml",
    "/dinkes\\..\\..\\skpdgen.yaml",
    "/%5c..%5cskpdgen.yaml",
    "/./dinkes/",
    "/%00/../skpdgen.yaml",
    "/%c0%ae%c0%ae/skpdgen.yaml",
    "http://127.0.0.1/../skpdgen.yaml",
    "skpdgen.yaml",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_path_escapes_are_refused(shared: Served, path: str) -> None:
    resp = shared.get(path)
    assert resp.status == 403, (path, resp.status)
    assert SECRET not in resp.body and "root:" not in resp.body


@pytest.mark.parametrize("path", ["//etc/passwd", "/etc/passwd", "/skpdgen.yaml",
                                  "/sites/dinkes/site.yaml", "/themes/default/static/css/main.css",
                                  "/tests/conftest.py"])
def test_absolute_and_source_paths_are_not_found(shared: Served, path: str) -> None:
    resp = shared.get(path)
    assert resp.status == 404, (path, resp.status)
    assert SECRET not in resp.body and "root:" not in resp.body


@pytest.mark.parametrize("path", ["/.skpdgen/manifest.json", "/%2eskpdgen/manifest.json",
                                  "/.dinkes.staging/", "/dinkes/.hidden"])
def test_dotfiles_are_not_served(shared: Served, path: str) -> None:
    (shared.root / "build/dinkes/.hidden").write_text("secret")
    resp = shared.get(path)
    assert resp.status == 404, (path, resp.status)
    assert '"sites"' not in resp.body and "secret" not in resp.body


def test_symlinks_out_of_the_output_are_refused(shared: Served) -> None:
    build = shared.root / "build"
    (build / "keluar").symlink_to(shared.root)
    (build / "dinkes/bocor.txt").symlink_to(shared.root / "skpdgen.yaml")
    (build / "dinkes/dalam.txt").symlink_to(build / "robots.txt")
    (build / "disdik/404.html").rename(build / "disdik/404.asli")
    (build / "disdik/404.html").symlink_to(shared.root / "skpdgen.yaml")
    try:
        for path in ("/keluar/skpdgen.yaml", "/keluar/", "/dinkes/bocor.txt"):
            resp = shared.get(path)
            assert resp.status == 403, (path, resp.status)
            assert SECRET not in resp.body
        assert shared.get("/dinkes/dalam.txt").status == 200   # a link inside build/ is fine
        missing = shared.get("/disdik/tidak-ada/")      # its 404 page leads out: the portal's
        assert missing.status == 404 and SECRET not in missing.body
        assert "Pemerintah Kabupaten Uji" in missing.body
    finally:
        for name in ("keluar", "dinkes/bocor.txt", "dinkes/dalam.txt", "disdik/404.html"):
            (build / name).unlink()
        (build / "disdik/404.asli").rename(build / "disdik/404.html")


def test_names_too_long_for_the_file_system_are_404(shared: Served) -> None:
    for path in ("/" + "a" * 300, "/dinkes/" + "b" * 4000 + "/", "/x/" + "c" * 300 + ".css"):
        resp = shared.get(path)
        assert resp.status == 404, (path[:40], resp.status)
    assert "warning" not in shared.log()        # answered, not an error on the terminal


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}",
                                  "127.0.0.1:1", "localhost", "127.0.0.1:{port}@evil.example",
                                  ""])
def test_foreign_host_headers_get_403(shared: Served, host: str) -> None:
    resp = shared.get("/dinkes/", host=host.format(port=shared.port))
    assert resp.status == 403
    assert "Dinas Kesehatan" not in resp.body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}",
                                  "[::1]:{port}"])
def test_own_host_names_are_served(shared: Served, host: str) -> None:
    assert shared.get("/dinkes/", host=host.format(port=shared.port)).status == 200


def test_request_without_host_header_gets_403(shared: Served) -> None:
    with socket.create_connection(("127.0.0.1", shared.port), timeout=5) as sock:
        sock.sendall(b"GET /dinkes/ HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 403") or data.startswith(b"HTTP/1.0 403"), data[:80]


def open_events(served: Served, query: str, headers: dict[str, str]) -> tuple[int, str]:
    """Open the reload channel; returns the status and its first line (if it streams)."""
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
    try:
        conn.putrequest("GET", "/_skpdgen/events?" + query, skip_host=True)
        conn.putheader("Host", f"127.0.0.1:{served.port}")
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        first = resp.fp.readline().decode() if resp.status == 200 else resp.read().decode()
        return resp.status, first
    finally:
        conn.close()


def test_reload_channel_only_for_own_origin_and_token(shared: Served) -> None:
    token = shared.token()
    own = {"Origin": shared.origin}
    ok_query = f"token={token}&scope=dinkes&since=0"
    status, first = open_events(shared, ok_query, own)
    assert status == 200 and first.startswith("retry:")
    assert open_events(shared, ok_query, {"Origin": f"http://localhost:{shared.port}"})[0] == 200
    assert open_events(shared, ok_query, {"Sec-Fetch-Site": "same-origin"})[0] == 200
    for headers in ({"Origin": "http://evil.example"},
                    {"Origin": f"http://evil.example:{shared.port}"},
                    {"Origin": f"https://127.0.0.1:{shared.port}"},
                    {"Origin": "null"},
                    {"Sec-Fetch-Site": "cross-site"},
                    {"Origin": shared.origin, "Sec-Fetch-Site": "same-site"}):
        assert open_events(shared, ok_query, headers)[0] == 403, headers
    assert open_events(shared, "scope=dinkes&since=0", own)[0] == 403
    assert open_events(shared, "token=wrong&scope=dinkes", own)[0] == 403


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (from /proc/net/tcp*)."""
    found = set()
    for name, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        table = Path("/proc/net") / name
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if int(port_hex, 16) != port or fields[3] != "0A":    # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            if family == socket.AF_INET:
                raw = raw[::-1]
            else:
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
            found.add(socket.inet_ntop(family, raw))
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net/tcp")
def test_listens_on_loopback_only_by_default(shared: Served) -> None:
    assert listening_addresses(shared.port) == {"127.0.0.1"}
    assert "warning" not in shared.log()


def test_other_address_only_when_asked_and_with_a_warning(
        tmp_path: Path, serve_factory: Callable[..., Served]) -> None:
    served = serve_factory(make_serve_region(tmp_path / "r"), "--host", "0.0.0.0")
    assert "warning: listening on 0.0.0.0" in served.log()
    assert served.get("/dinkes/").status == 200
    assert served.get("/dinkes/", host=f"evil.example:{served.port}").status == 403


def test_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    root = make_serve_region(tmp_path / "r")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--root", str(root), "--port", str(port), cwd=root, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"port {port}" in lines[0] and "in use" in lines[0], lines
    assert not (root / "build").exists()      # it failed before building anything


def test_default_port_moves_on_when_busy_and_says_so(tmp_path: Path) -> None:
    from skpdgen.serve.http import bind
    from skpdgen.serve.state import LiveState
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = bind("127.0.0.1", None, LiveState(), "t", first_port=port, tries=50)
        try:
            assert server.port != port and port < server.port < port + 50
        finally:
            server.server_close()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_cleanly(served: Served, sig: int) -> None:
    assert served.stop(sig) == 0
    log = served.log()
    assert "Traceback" not in log and log.rstrip().endswith("stopped")


def test_unknown_site_and_missing_config_exit_2(tmp_path: Path) -> None:
    root = make_serve_region(tmp_path / "r")
    result = run_cli("serve", "--root", str(root), "--port", "0", "--site", "dinkez", cwd=root,
                     timeout=60)
    assert result.returncode == 2 and "did you mean 'dinkes'?" in result.stderr
    empty = tmp_path / "kosong"
    empty.mkdir()
    result = run_cli("serve", "--root", str(empty), "--port", "0", cwd=empty, timeout=60)
    assert result.returncode == 2 and "no skpdgen.yaml" in result.stderr
    assert "Traceback" not in result.stderr


# --- watching and rebuilding --------------------------------------------------------------

def test_edit_rebuilds_only_that_agency_and_the_portal(served: Served) -> None:
    disdik_index = served.root / "build/disdik/index.html"
    before = disdik_index.stat().st_ino
    item = served.root / "sites/dinkes/content/berita/2024-05-01-vaksinasi.md"
    item.write_text(item.read_text().replace("balai desa", "lapangan kecamatan"))
    served.wait_for_text("/dinkes/berita/vaksinasi/", "lapangan kecamatan")
    served.wait_until(lambda: "rebuilt dinkes and the portal" in served.log(), 5, "log line")
    assert disdik_index.stat().st_ino == before          # disdik was not rebuilt


def test_burst_of_saves_is_one_rebuild(served: Served) -> None:
    folder = served.root / "sites/dinkes/content/berita"
    for i in range(5):
        (folder / f"2024-05-1{i}-kabar-{i}.md").write_text(
            news(f"Kabar {i}", f"2024-05-1{i}", "Isi."), encoding="utf-8")
    served.wait_for_text("/dinkes/berita/", "Kabar 4")
    time.sleep(0.5)
    # one rebuild; two only if this machine stalled over 100 ms between two of the writes
    assert served.log().count("rebuilt") <= 2, served.log()


def test_broken_front_matter_shows_banner_and_recovers(served: Served) -> None:
    item = served.root / "sites/dinkes/content/berita/2024-05-02-posyandu.md"
    good = item.read_text()
    item.write_text(good.replace("date: 2024-05-02", "date: 02/05/2024"))
    page = served.wait_for_text("/dinkes/berita/posyandu/", "skpdgen-error")
    assert "sites/dinkes/content/berita/2024-05-02-posyandu.md:3" in page.body
    assert "2024-05-02" in page.body                    # the hint names the fix
    assert "Posyandu keliling hadir tiap Selasa." in page.body   # last good output kept
    assert 'href="/_skpdgen/serve.css"' in page.body
    assert "skpdgen-error" not in served.get("/disdik/").body
    assert "skpdgen-error" not in (served.root / "build/dinkes/index.html").read_text()
    assert served.proc.poll() is None
    item.write_text(good)
    served.wait_for_text("/dinkes/berita/posyandu/", "skpdgen-error", present=False)


def test_broken_region_config_shows_everywhere_and_server_lives(served: Served) -> None:
    config = served.root / "skpdgen.yaml"
    good = config.read_text()
    config.write_text(good + "nama_salah: 1\n")
    page = served.wait_for_text("/disdik/", "skpdgen-error")
    assert "skpdgen.yaml" in page.body
    assert "skpdgen-error" in served.get("/").body
    config.write_text(good)
    served.wait_for_text("/disdik/", "skpdgen-error", present=False)


def test_theme_change_rebuilds_every_agency(served: Served) -> None:
    def stylesheet(path: str) -> str:
        return re.findall(r'href="([^"]*main\.[0-9a-f]+\.css)"', served.get(path).body)[0]
    before = stylesheet("/disdik/")
    css = override_theme_file(served.root, "static/css/main.css")
    css.write_text(css.read_text() + "\n.uji{color:red}\n")
    served.wait_until(lambda: stylesheet("/disdik/") != before, 15, "new stylesheet")
    assert stylesheet("/dinkes/") == stylesheet("/disdik/")


def test_new_agency_template_override_is_used(served: Served) -> None:
    templates = served.root / "sites/dinkes/templates"
    templates.mkdir()
    (templates / "_catatan.html").write_text("{# belum dipakai #}\n")
    served.wait_until(lambda: "rebuilt dinkes" in served.log(), 10, "a rebuild")
    assert "Halaman hilang versi dinkes" not in served.get("/dinkes/tidak-ada/").body
    (templates / "404.html").write_text(
        '<!doctype html><html lang="id"><head><title>Hilang</title></head>'
        "<body><p>Halaman hilang versi dinkes</p></body></html>\n")
    resp = served.wait_for_text("/dinkes/tidak-ada/", "Halaman hilang versi dinkes")
    assert resp.status == 404 and "/_skpdgen/reload.js" in resp.body


def test_site_option_builds_and_watches_one_agency(
        tmp_path: Path, serve_factory: Callable[..., Served]) -> None:
    root = make_serve_region(tmp_path / "r")
    served = serve_factory(root, "--site", "dinkes")
    assert re.search(r"serving http://127\.0\.0\.1:\d+/dinkes/", served.log())
    assert not (root / "build/disdik").exists()
    other = root / "sites/disdik/content/berita/2024-04-01-sekolah.md"
    other.write_text(other.read_text().replace("diresmikan", "dibuka"))
    item = root / "sites/dinkes/content/berita/2024-05-01-vaksinasi.md"
    item.write_text(item.read_text().replace("balai desa", "puskesmas"))
    served.wait_for_text("/dinkes/berita/vaksinasi/", "puskesmas")
    time.sleep(0.3)
    assert "disdik" not in served.log() and not (root / "build/disdik").exists()


# --- drafts --------------------------------------------------------------------------------

def test_drafts_only_with_the_flag_and_never_into_build(
        tmp_path: Path, serve_factory: Callable[..., Served]) -> None:
    root = make_serve_region(tmp_path / "r")
    plain = serve_factory(root)
    assert plain.get("/dinkes/berita/rencana/").status == 404
    assert plain.stop() == 0
    drafts = serve_factory(root, "--drafts")
    resp = drafts.get("/dinkes/berita/rencana/")
    assert resp.status == 200 and "Masih draf." in resp.body
    assert not (root / "build/dinkes/berita/rencana").exists()
