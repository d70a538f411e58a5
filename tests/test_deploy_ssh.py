"""`skpdgen deploy` to an ssh target: a real OpenSSH server on 127.0.0.1 started by the test,
rsync into <path>/releases/<id>/, nginx serving <path>/current under load while releases swap.
"""

from __future__ import annotations

import contextlib
import getpass
import http.client
import os
import re
import shutil
import socket
import struct
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import make_region, require_browser, run_cli
from fixtures.region import TODAY
from test_deploy_dir import PAGES, Nginx, free_port, nginx_or_skip, profil

SSHD = "/usr/sbin/sshd"
KEEP = 3
MAX_SECONDS = 60.0

REGION = """\
name: Pemerintah Kabupaten Uji
base_url: https://ujikab.go.id/
description: Portal uji.
deploy:
  server:
    type: ssh
    host: 127.0.0.1
    port: {port}
    user: {user}
    path: {www}
    keep: {keep}
"""

DROP_AFTER = 200_000     # bytes client -> server after which a dropping proxy cuts a connection


class Proxy:
    """A TCP proxy in front of sshd; with `dropping` set it cuts every connection that has sent
    more than DROP_AFTER bytes (an rsync transfer; the small ssh commands pass): a connection
    lost mid-transfer, as on a bad line."""

    def __init__(self, upstream: int):
        self.upstream = upstream
        self.dropping = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, dest: socket.socket, upward: bool) -> None:
        sent = 0
        try:
            while data := source.recv(65536):
                sent += len(data)
                if upward and self.dropping.is_set() and sent > DROP_AFTER:
                    for sock in (source, dest):     # reset, as a dropped line does
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                        struct.pack("ii", 1, 0))
                        sock.close()
                    return
                dest.sendall(data)
        except OSError:
            pass
        for sock in (source, dest):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()


@dataclass(frozen=True)
class Server:
    port: int
    key: str              # the client's private key (what CI keeps in SKPDGEN_SSH_KEY)
    known_hosts: str      # the server's host key line
    other_host_key: str   # a host key line that is not the server's
    proxy: Proxy          # what the deploys connect to

    def env(self, known_hosts: str | None = None) -> dict[str, str]:
        return {"SKPDGEN_SSH_KEY": self.key,
                "SKPDGEN_SSH_KNOWN_HOSTS": known_hosts or self.known_hosts}


def keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "uji", "-f", str(path)],
                   check=True)


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """OpenSSH's sshd on 127.0.0.1:<free port>, for the current user, key login only."""
    missing = [tool for tool in (SSHD, "rsync", "ssh", "flock") if not shutil.which(tool)]
    if missing:
        reason = f"not installed: {', '.join(missing)} (scripts/test.sh installs them)"
        if require_browser():
            pytest.fail(reason)
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("sshd")
    for name in ("host", "other", "client"):
        keygen(tmp / name)
    (tmp / "authorized_keys").write_bytes((tmp / "client.pub").read_bytes())
    port = free_port()
    (tmp / "sshd_config").write_text(f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {tmp / 'host'}
PidFile {tmp / 'sshd.pid'}
AuthorizedKeysFile {tmp / 'authorized_keys'}
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
LogLevel ERROR
""", encoding="utf-8")
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)   # sshd's privilege separation dir
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(tmp / "sshd_config")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 10
    while True:
        if proc.poll() is not None:
            pytest.fail(f"sshd exited: {proc.stderr.read()!r}")  # type: ignore[union-attr]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail("sshd did not start")
            time.sleep(0.05)

    proxy = Proxy(port)

    def host_line(name: str) -> str:
        key = (tmp / f"{name}.pub").read_text(encoding="utf-8").split()[:2]
        return f"[127.0.0.1]:{proxy.port} {' '.join(key)}\n"

    yield Server(proxy.port, (tmp / "client").read_text(encoding="utf-8"), host_line("host"),
                 host_line("other"), proxy)
    proxy.close()
    os.killpg(proc.pid, 15)       # sshd and the sessions it forked (its own process group)
    proc.wait(timeout=10)


def region_files(www: Path, port: int) -> dict[str, str | bytes]:
    return {
        "skpdgen.yaml": REGION.format(www=www, keep=KEEP, port=port, user=getpass.getuser()),
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\ndescription: Dinas uji.\n",
        "sites/dinkes/content/profil.md": profil(1),
        "sites/dinkes/content/berita/2024-05-01-vaksin.md":
            "---\ntitle: Vaksinasi\ndate: 2024-05-01\n---\nVaksinasi massal.\n",
        "sites/disdik/site.yaml": "name: Dinas Pendidikan\ndescription: Dinas uji.\n",
        "sites/disdik/content/berita/2024-05-02-ppdb.md":
            "---\ntitle: PPDB\ndate: 2024-05-02\n---\nPendaftaran dibuka.\n",
    }


def build(root: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("build", "--today", TODAY, cwd=root)


def deploy(root: Path, server: Server, *args: str, known_hosts: str | None = None
           ) -> subprocess.CompletedProcess[str]:
    return run_cli("deploy", "server", *args, cwd=root, env=server.env(known_hosts))


def releases(www: Path) -> list[str]:
    return sorted(p.name for p in (www / "releases").iterdir()
                  if p.is_dir() and not p.name.startswith("."))


def snapshot(www: Path) -> dict[str, tuple[int, int]]:
    """Every path under www with its inode and size (what a refused deploy must not change)."""
    return {p.relative_to(www).as_posix(): (p.lstat().st_ino, p.lstat().st_size)
            for p in sorted(www.rglob("*")) if ".deploy.lock" not in p.name}


@pytest.fixture
def region(tmp_path: Path, sshd: Server) -> tuple[Path, Path]:
    www = tmp_path / "www"
    root = make_region(tmp_path / "region", region_files(www, sshd.port))
    assert build(root).returncode == 0
    result = deploy(root, sshd)
    assert result.returncode == 0, result.stderr
    return root, www


def test_deploys_swap_under_nginx_load_then_noop_and_rollback(
        region: tuple[Path, Path], sshd: Server) -> None:
    nginx_or_skip()
    root, www = region
    server = Nginx(root.parent / "nginx", www / "current")
    errors: list[str] = []

    def redeploy() -> None:
        for version in (2, 3, 4):
            (root / "sites/dinkes/content/profil.md").write_text(profil(version),
                                                                 encoding="utf-8")
            for result in (build(root), deploy(root, sshd)):
                if result.returncode != 0:
                    errors.append(result.stderr)

    try:
        worker = threading.Thread(target=redeploy)
        worker.start()
        versions: Counter[str] = Counter()
        problems: list[str] = []
        count = 0
        started = time.monotonic()
        while time.monotonic() - started < MAX_SECONDS:
            running = worker.is_alive()
            for path in PAGES:
                try:
                    status, _headers, body = server.get(path)
                except (http.client.HTTPException, OSError) as exc:
                    problems.append(f"{path}: {exc!r}")
                    continue
                count += 1
                if status != 200:
                    problems.append(f"{path}: HTTP {status}")
                elif not body.rstrip().endswith(b"</html>"):
                    problems.append(f"{path}: truncated HTML ({len(body)} bytes)")
                if path == "/dinkes/profil/":
                    versions[body.split(b"Versi ", 1)[1][:1].decode()] += 1
            if not running:
                break
        worker.join(timeout=MAX_SECONDS)
        print(f"\nnginx loop over ssh deploys: {count} requests; versions seen "
              f"{dict(sorted(versions.items()))}")
        assert not errors, errors
        assert not problems, problems[:10]
        assert len(versions) >= 2, versions
        assert b"Versi 4" in server.get("/dinkes/profil/")[2]
        kept = releases(www)
        assert len(kept) == KEEP and all((www / "releases" / f"{r}.json").is_file() for r in kept)

        # only what changed travelled: an unchanged page is one file, hard-linked across releases
        linked = [www / "releases" / r / "disdik/index.html" for r in kept]
        assert len({p.stat().st_ino for p in linked}) == 1
        assert linked[0].stat().st_nlink >= KEEP

        # a deploy with nothing new makes no release
        result = deploy(root, sshd)
        assert result.returncode == 0, result.stderr
        assert "nothing changed" in result.stdout and "0 added, 0 changed, 0 removed" in result.stdout
        assert releases(www) == kept

        result = deploy(root, sshd, "--rollback")
        assert result.returncode == 0, result.stderr
        # the page and the agency's search index go back
        assert "is live again" in result.stdout
        assert re.search(r"\b[1-9]\d* changed", result.stdout), result.stdout
        assert b"Versi 3" in server.get("/dinkes/profil/")[2]
        assert os.readlink(www / "current") == f"releases/{kept[-2]}"
    finally:
        server.stop()


def test_a_held_back_agency_keeps_its_live_version(region: tuple[Path, Path],
                                                   sshd: Server) -> None:
    root, www = region
    live_disdik = (www / "current/disdik/index.html").resolve()
    # a broken site.yaml fails the whole agency (a broken item would only be left out)
    site = root / "sites/disdik/site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "color: bukan-warna\n", encoding="utf-8")
    (root / "sites/dinkes/content/profil.md").write_text(profil(2), encoding="utf-8")
    assert build(root).returncode == 1
    result = deploy(root, sshd)
    assert result.returncode == 1
    assert "held back: disdik" in result.stderr and "Traceback" not in result.stderr
    assert "Versi 2" in (www / "current/dinkes/profil/index.html").read_text(encoding="utf-8")
    now = (www / "current/disdik/index.html").resolve()
    assert now != live_disdik and now.stat().st_ino == live_disdik.stat().st_ino
    assert len(releases(www)) == 2


def test_a_refused_host_key_changes_nothing(region: tuple[Path, Path], sshd: Server) -> None:
    root, www = region
    (root / "sites/dinkes/content/profil.md").write_text(profil(2), encoding="utf-8")
    assert build(root).returncode == 0
    before = snapshot(www)
    result = deploy(root, sshd, known_hosts=sshd.other_host_key)
    assert result.returncode == 1
    assert "host key is not the one in known_hosts" in result.stderr
    assert "nothing was changed" in result.stderr and "Traceback" not in result.stderr
    assert "PRIVATE KEY" not in result.stdout + result.stderr
    assert snapshot(www) == before


def test_a_connection_dropped_mid_transfer_leaves_the_live_site(
        region: tuple[Path, Path], sshd: Server) -> None:
    root, www = region
    live = os.readlink(www / "current")
    page = (www / "current/dinkes/profil/index.html").read_bytes()
    (root / "sites/dinkes/static/files").mkdir(parents=True)
    (root / "sites/dinkes/static/files/besar.zip").write_bytes(os.urandom(2_000_000))
    (root / "sites/dinkes/content/profil.md").write_text(profil(2), encoding="utf-8")
    assert build(root).returncode == 0
    sshd.proxy.dropping.set()
    try:
        result = deploy(root, sshd)
    finally:
        sshd.proxy.dropping.clear()
    assert result.returncode == 1, result.stdout
    assert "the live site was not switched" in result.stderr
    assert "Traceback" not in result.stderr
    assert os.readlink(www / "current") == live
    assert (www / "current/dinkes/profil/index.html").read_bytes() == page
    assert list((www / "releases").glob(".*.tmp"))          # the half-sent release

    result = deploy(root, sshd)                              # the next deploy goes through
    assert result.returncode == 0, result.stderr
    assert (www / "current/dinkes/files/besar.zip").stat().st_size == 2_000_000
    assert not list((www / "releases").glob(".*.tmp"))      # and cleans the leftover up


def test_without_the_key_a_clear_error(tmp_path: Path, sshd: Server) -> None:
    www = tmp_path / "www"
    root = make_region(tmp_path / "region", region_files(www, sshd.port))
    assert build(root).returncode == 0
    result = run_cli("deploy", "server", cwd=root,
                     env={"SKPDGEN_SSH_KEY": "", "SKPDGEN_SSH_KNOWN_HOSTS": sshd.known_hosts})
    assert result.returncode == 1
    assert "SKPDGEN_SSH_KEY is not set" in result.stderr and "Traceback" not in result.stderr
    assert not www.exists()


def test_ssh_target_config_errors_name_the_line(tmp_path: Path) -> None:
    root = make_region(tmp_path, {"skpdgen.yaml": REGION.format(
        www="var/www", keep=1, port=22, user="deploy")})
    result = run_cli("deploy", "server", "--dry-run", cwd=root)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "skpdgen.yaml:10: error: 'deploy.server.path' must be an absolute folder" in result.stderr
    assert "skpdgen.yaml:11: error: 'deploy.server.keep' must be at least 2" in result.stderr
