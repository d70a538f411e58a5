"""`skpdgen deploy` to a dir target, served by a real nginx while releases are swapped."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_region, require_browser, run_cli
from fixtures.region import TODAY

from skpdgen.cli import main
from skpdgen.deploy.headers import nginx_server_block

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = "/etc/nginx/mime.types"
KEEP = 3
MAX_REQUESTS = 20_000
MAX_SECONDS = 60.0

REGION = """\
name: Pemerintah Kabupaten Uji
base_url: https://ujikab.go.id/
description: Portal uji.
deploy:
  server:
    type: dir
    path: {www}
    keep: {keep}
"""


def region_files(www: Path) -> dict[str, str | bytes]:
    return {
        "skpdgen.yaml": REGION.format(www=www, keep=KEEP),
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\ndescription: Dinas uji.\n",
        "sites/dinkes/content/profil.md": profil(1),
        "sites/dinkes/content/berita/2024-05-01-vaksin.md":
            "---\ntitle: Vaksinasi\ndate: 2024-05-01\n---\nVaksinasi massal.\n",
        "sites/disdik/site.yaml": "name: Dinas Pendidikan\ndescription: Dinas uji.\n",
        "sites/disdik/content/berita/2024-05-02-ppdb.md":
            "---\ntitle: PPDB\ndate: 2024-05-02\n---\nPendaftaran dibuka.\n",
    }


def profil(version: int) -> str:
    # a long page, so a response cut short by a swap would show
    body = "\n\n".join(f"Paragraf {n} tentang layanan kesehatan." for n in range(200))
    return f"---\ntitle: Profil\n---\nVersi {version}.\n\n{body}\n"


def build(root: Path) -> int:
    return main(["build", "--root", str(root), "--today", TODAY])


def deploy(root: Path, *args: str) -> int:
    return main(["deploy", "server", "--root", str(root), *args])


def releases(www: Path) -> list[str]:
    return sorted(p.name for p in (www / "releases").iterdir() if not p.name.startswith("."))


def test_held_back_agency_is_carried_over_by_hard_links(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    www = tmp_path / "www"
    root = make_region(tmp_path / "region", region_files(www))
    assert build(root) == 0 and deploy(root) == 0
    first = (www / "current").resolve()
    assert (www / "current").is_symlink() and os.readlink(www / "current").startswith("releases/")
    assert (first / "_headers").is_file() and not (first / ".skpdgen").exists()
    assert not (first / ".nojekyll").exists()

    (root / "sites/dinkes/content/profil.md").write_text(profil(2), encoding="utf-8")
    (root / "sites/disdik/content/berita/2024-05-02-ppdb.md").write_text(
        "---\ntitle: PPDB\ndate: 2 Mei 2024\n---\nRusak.\n", encoding="utf-8")
    assert build(root) == 1
    capsys.readouterr()
    assert deploy(root) == 1
    assert "held back: disdik" in capsys.readouterr().err
    second = (www / "current").resolve()
    assert second != first
    old_files = {p.relative_to(first): p for p in (first / "disdik").rglob("*") if p.is_file()}
    assert old_files
    for rel, old in old_files.items():
        new = second / rel
        assert new.read_bytes() == old.read_bytes()
        assert new.stat().st_ino == old.stat().st_ino         # hard link, not a copy
    assert "Versi 2" in (second / "dinkes/profil/index.html").read_text(encoding="utf-8")
    # an unchanged file of a healthy agency is hard-linked from the previous release too
    unchanged = "dinkes/berita/vaksin/index.html"
    assert (second / unchanged).stat().st_ino == (first / unchanged).stat().st_ino
    # nothing changed: no new release
    assert deploy(root) == 1 and (www / "current").resolve() == second
    assert "nothing changed" in capsys.readouterr().out


def test_dry_run_lists_and_changes_nothing(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    www = tmp_path / "www"
    root = make_region(tmp_path / "region", region_files(www))
    assert build(root) == 0
    assert deploy(root, "--dry-run") == 0
    assert "  + dinkes/profil/index.html" in capsys.readouterr().out
    assert not www.exists()


def test_a_link_out_of_build_is_never_published(tmp_path: Path) -> None:
    www = tmp_path / "www"
    root = make_region(tmp_path / "region", region_files(www))
    assert build(root) == 0
    (root / "build/dinkes/kunci.txt").symlink_to(root / "skpdgen.yaml")
    result = run_cli("deploy", "server", cwd=root)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "build/dinkes/kunci.txt is a symbolic link" in result.stderr
    assert not www.exists()
    (root / "build/dinkes/kunci.txt").unlink()
    (root / "build/dinkes/dalam.txt").symlink_to(root / "build/robots.txt")   # inside: fine
    assert deploy(root) == 0
    assert (www / "current/dinkes/dalam.txt").read_bytes() == (root / "build/robots.txt"
                                                              ).read_bytes()


def test_a_failed_switch_of_current_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    www = tmp_path / "www"
    root = make_region(tmp_path / "region", region_files(www))
    assert build(root) == 0
    capsys.readouterr()

    def no_symlinks(*_args: object, **_kwargs: object) -> None:
        raise OSError(1, "Operation not permitted")
    monkeypatch.setattr(os, "symlink", no_symlinks)
    assert deploy(root) == 1
    err = capsys.readouterr().err
    assert err.startswith("deploy server: error: cannot point") and "not permitted" in err


# --- served by nginx --------------------------------------------------------------------------

def nginx_or_skip() -> str:
    if Path(NGINX).is_file():
        return NGINX
    reason = f"nginx not found at {NGINX} (scripts/test.sh installs nginx-light)"
    if require_browser():
        pytest.fail(f"nginx required in CI: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def nginx_config(tmp: Path, site_root: Path, port: int) -> str:
    temp = tmp / "temp"
    temp.mkdir()
    server = nginx_server_block(root=str(site_root), server_name="localhost",
                                listen=f"127.0.0.1:{port}", tls=False)
    paths = "\n".join(f"    {kind}_temp_path {temp / kind};"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""\
daemon off;
master_process off;
pid {tmp / 'nginx.pid'};
error_log {tmp / 'error.log'} warn;
events {{ worker_connections 64; }}
http {{
    types {{
        text/html html; text/css css; application/javascript js; image/svg+xml svg;
        application/xml xml; application/json json; text/plain txt;
    }}
    default_type application/octet-stream;
    access_log off;
{paths}
{server}
}}
"""


class Nginx:
    """nginx on 127.0.0.1 with a temporary config, as the current user, in the foreground."""

    def __init__(self, tmp: Path, site_root: Path):
        self.port = free_port()
        tmp.mkdir()
        # the block includes mime.types (beside nginx.conf), as in a Debian install
        shutil.copyfile(MIME_TYPES, tmp / "mime.types")
        conf = tmp / "nginx.conf"
        conf.write_text(nginx_config(tmp, site_root, self.port), encoding="utf-8")
        self.proc = subprocess.Popen([nginx_or_skip(), "-p", str(tmp), "-e",
                                      str(tmp / "error.log"), "-c", str(conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.proc.stderr.read()!r}")  # type: ignore
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()        # IncompleteRead if the body is cut short
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            conn.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, Path, Nginx]]:
    nginx_or_skip()
    www = tmp_path / "www"
    root = make_region(tmp_path / "region", region_files(www))
    assert build(root) == 0 and deploy(root) == 0
    server = Nginx(tmp_path / "nginx", www / "current")
    yield root, www, server
    server.stop()


PAGES = ["/", "/dinkes/", "/dinkes/profil/", "/dinkes/berita/vaksin/", "/disdik/",
         "/berita/"]


def test_headers_and_not_found_pages(served: tuple[Path, Path, Nginx]) -> None:
    _root, _www, server = served
    status, headers, body = server.get("/dinkes/profil/")
    assert status == 200 and b"Versi 1" in body
    assert headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")
    assert headers["strict-transport-security"] == "max-age=31536000"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "public, max-age=300"
    css = next(line.split('href="', 1)[1].split('"', 1)[0] for line in body.decode().split("<")
               if line.startswith('link rel="stylesheet"'))
    status, headers, _ = server.get("/dinkes/profil/" + css)
    assert status == 200 and headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-security-policy" in headers
    status, headers, body = server.get("/dinkes/tidak-ada/")
    assert status == 404 and b"Dinas Kesehatan" in body and "content-security-policy" in headers
    status, _, body = server.get("/tidak-ada/")
    assert status == 404 and b"Pemerintah Kabupaten Uji" in body


def test_requests_during_deploys_see_only_complete_pages_then_rollback(
        served: tuple[Path, Path, Nginx]) -> None:
    root, www, server = served
    errors: list[str] = []

    def redeploy() -> None:
        for version in (2, 3, 4):
            (root / "sites/dinkes/content/profil.md").write_text(profil(version),
                                                                 encoding="utf-8")
            for command in (("build", "--today", TODAY), ("deploy", "server")):
                result = run_cli(*command, cwd=root)
                if result.returncode != 0:
                    errors.append(f"{command}: {result.stderr}")

    worker = threading.Thread(target=redeploy)
    worker.start()
    statuses: Counter[int] = Counter()
    versions: Counter[str] = Counter()
    problems: list[str] = []
    started = time.monotonic()
    count = 0
    while count < MAX_REQUESTS and time.monotonic() - started < MAX_SECONDS:
        running = worker.is_alive()
        for path in PAGES:
            try:
                status, _headers, body = server.get(path)
            except (http.client.HTTPException, OSError) as exc:
                problems.append(f"{path}: {exc!r}")
                continue
            count += 1
            statuses[status] += 1
            if status != 200:
                problems.append(f"{path}: HTTP {status}")
            elif not body.rstrip().endswith(b"</html>"):
                problems.append(f"{path}: truncated HTML ({len(body)} bytes)")
            if path == "/dinkes/profil/":
                versions[body.split(b"Versi ", 1)[1][:1].decode()] += 1
        if not running:
            break
    worker.join(timeout=MAX_SECONDS)
    elapsed = time.monotonic() - started
    print(f"\nnginx loop: {count} requests in {elapsed:.1f} s during 3 deploys; "
          f"statuses {dict(statuses)}; versions seen {dict(sorted(versions.items()))}")
    assert not errors, errors
    assert not problems, problems[:10]
    assert count >= len(PAGES) * 10
    assert len(versions) >= 2, versions                  # releases really swapped mid-loop
    assert b"Versi 4" in server.get("/dinkes/profil/")[2]
    assert len(releases(www)) == KEEP                    # 4 deploys, the newest 3 kept

    result = run_cli("deploy", "server", "--rollback", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "is live again" in result.stdout
    status, _, body = server.get("/dinkes/profil/")
    assert status == 200 and b"Versi 3" in body
    assert len(releases(www)) == KEEP
