"""Issue #9.4 and #9.6: only allow-listed file types are published from an agency's static/ and
content/ (SVG only when it passes the validator), and only regular files are ever read."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_region, run_cli

from skpdgen.content.publishable import svg_problem

TODAY = "2026-11-29"
GOOD_NEWS = "---\ntitle: Berita Satu\ndate: 2026-11-01\n---\nIsi.\n"
SAFE_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10" '
            b'role="img" aria-labelledby="t"><title id="t">Logo</title>'
            b'<defs><linearGradient id="g"><stop offset="0" stop-color="#0b5394"/>'
            b'</linearGradient></defs><rect width="10" height="10" fill="url(#g)"/>'
            b'<use href="#g"/></svg>')
STEAL = "localStorage.setItem('pwned', location.href); fetch('/status.json')"
HOSTILE: dict[str, str | bytes] = {
    "sites/a/static/halaman.html": f"<html><body><script>{STEAL}</script>"
                                   "<script src='curi.js'></script></body></html>",
    "sites/a/static/curi.js": STEAL + ";\n",
    "sites/a/static/img/logo-jahat.svg":
        f'<svg xmlns="http://www.w3.org/2000/svg"><script>{STEAL}</script></svg>',
    "sites/a/static/data.xml": f'<x:script xmlns:x="http://www.w3.org/1999/xhtml">{STEAL}'
                               "</x:script>",
    "sites/a/content/berita/lampiran.html": f"<script>{STEAL}</script>",
    "sites/a/static/tanpa-ekstensi": "<script>alert(1)</script>",
}


def _region(root: Path, extra: dict[str, str | bytes] | None = None) -> Path:
    return make_region(root, {
        "sites/a/site.yaml": "name: Dinas A\nlogo: /img/logo.svg\n",
        "sites/a/static/img/logo.svg": SAFE_SVG,
        "sites/a/static/files/laporan.PDF": b"%PDF-1.4\n%%EOF\n",
        "sites/a/static/files/data.csv": "a,b\n1,2\n",
        "sites/a/content/berita/2026-11-01-satu.md": GOOD_NEWS,
        "sites/b/site.yaml": "name: Dinas B\n",
        "sites/b/content/berita/2026-11-02-dua.md": GOOD_NEWS.replace("Satu", "Dua"),
        **(extra or {}),
    })


def test_allowed_types_and_a_safe_svg_are_published(tmp_path: Path) -> None:
    root = _region(tmp_path / "r")
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "build/a/img/logo.svg").read_bytes() == SAFE_SVG   # unchanged
    assert (root / "build/a/files/laporan.PDF").is_file()
    assert (root / "build/a/files/data.csv").is_file()


def test_hostile_files_are_errors_at_the_file(tmp_path: Path) -> None:
    root = _region(tmp_path / "r")
    assert run_cli("build", "--today", TODAY, cwd=root).returncode == 0
    for rel, content in HOSTILE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    for command in ("build", "check"):
        result = run_cli(command, "--today", TODAY, cwd=root)
        out = result.stdout + result.stderr
        assert result.returncode == 1, out
        for rel in HOSTILE:
            assert re.search(rf"^{re.escape(rel)}: error: ", out, re.M), (rel, out)
    assert "'.html' files are not published from an agency folder" in out
    assert "SVG is not published: element <script> is not allowed" in out
    assert "files without an extension are not published" in out
    published = [p.name for p in (root / "build").rglob("*")]
    for name in ("halaman.html", "curi.js", "logo-jahat.svg", "data.xml", "lampiran.html"):
        assert name not in published
    assert (root / "build/b/berita/dua/index.html").is_file()


UNSAFE_SVGS = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "onload": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "foreignObject": b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p xmlns='
                     b'"http://www.w3.org/1999/xhtml">x</p></foreignObject></svg>',
    "javascript-href": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org'
                       b'/1999/xlink"><use xlink:href="javascript:alert(1)"/></svg>',
    "external-href": b'<svg xmlns="http://www.w3.org/2000/svg"><use href="https://evil.example/'
                     b'x.svg#a"/></svg>',
    "external-url": b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.'
                    b'example/#p)"/></svg>',
    "doctype-entity": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns='
                      b'"http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    "billion-laughs": b'<!DOCTYPE s [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><svg xmlns='
                      b'"http://www.w3.org/2000/svg">&b;</svg>',
    "style-element": b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(//e.x/)'
                     b'</style></svg>',
    "style-attribute": b'<svg xmlns="http://www.w3.org/2000/svg" style="x:1"/>',
    "anchor": b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>'
              b'x</text></a></svg>',
    "animate-set": b'<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="onmouseover" '
                   b'to="alert(1)"/></svg>',
    "image": b'<svg xmlns="http://www.w3.org/2000/svg"><image href="x.png"/></svg>',
    "html-root": b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    "no-namespace": b"<svg><script>alert(1)</script></svg>",
    "not-xml": b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>",
    "editor-hides-script": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:i="http://www.'
                           b'inkscape.org/namespaces/inkscape"><i:x><script>1</script></i:x></svg>',
}


@pytest.mark.parametrize("name", sorted(UNSAFE_SVGS))
def test_svg_validator_refuses(name: str) -> None:
    assert svg_problem(UNSAFE_SVGS[name]) is not None


def test_svg_validator_accepts_the_demo_logos_and_inkscape_metadata() -> None:
    logos = sorted(Path(__file__).resolve().parent.parent.glob("sites/*/static/img/*.svg"))
    assert logos
    for logo in logos:
        assert svg_problem(logo.read_bytes()) is None, logo
    inkscape = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org'
                b'/namespaces/inkscape" inkscape:version="1.3"><g inkscape:label="L"><path d="M0 0'
                b'"/></g></svg>')
    assert svg_problem(inkscape) is None


# --- special files -------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["static/pipa.pdf", "content/berita/pipa.md", "site.yaml",
                                   "templates/404.html"])
def test_a_fifo_is_an_error_within_a_second(tmp_path: Path, where: str) -> None:
    root = _region(tmp_path / "r")
    target = root / "sites/a" / where
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    os.mkfifo(target)
    started = time.monotonic()
    result = run_cli("build", "--today", TODAY, cwd=root, timeout=30)
    assert time.monotonic() - started < 10   # the process itself; reading a FIFO blocks forever
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(rf"^sites/a/{re.escape(where)}(:1)?: error: (template error: )?"
                     "(not a regular file|only regular files)", result.stderr, re.M), result.stderr
    assert (root / "build/b/berita/dua/index.html").is_file()


@pytest.mark.parametrize("where", ["static/nol.jpg", "content/nol.md", "site.yaml",
                                   "templates/404.html"])
def test_a_link_to_dev_zero_is_an_error_within_a_second(tmp_path: Path, where: str) -> None:
    root = _region(tmp_path / "r")
    target = root / "sites/a" / where
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    os.symlink("/dev/zero", target)
    started = time.monotonic()
    result = run_cli("build", "--today", TODAY, cwd=root, timeout=30)
    assert time.monotonic() - started < 10
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"sites/a/{where}" in result.stderr
    assert (root / "build/b/berita/dua/index.html").is_file()


def test_a_linked_agency_folder_is_not_walked(tmp_path: Path) -> None:
    root = _region(tmp_path / "r")
    outside = tmp_path / "luar"
    (outside / "static").mkdir(parents=True)
    (outside / "site.yaml").write_text("name: Luar\n", encoding="utf-8")
    (outside / "static/rahasia.pdf").write_bytes(b"%PDF-1.4 RAHASIA")
    os.symlink(outside, root / "sites/luar")
    result = run_cli("build", "--today", TODAY, cwd=root, timeout=30)
    assert result.returncode == 1
    assert "sites/luar/site.yaml: error: the agency folder is a symbolic link" in result.stderr
    assert not (root / "build/luar").exists()


# --- in Chromium, on the shared origin without any CSP (as on GitHub Pages) ----------------------

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def _serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_hostile_files_do_not_run_on_the_portal_origin(tmp_path: Path, browser: Any) -> None:
    root = _region(tmp_path / "r")
    assert run_cli("build", "--today", TODAY, cwd=root).returncode == 0
    for rel, content in HOSTILE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert run_cli("build", "--today", TODAY, cwd=root).returncode == 1
    with _serve(root / "build") as base:
        page = browser.new_page()
        try:
            statuses = {}
            for url in ("a/halaman.html", "a/curi.js", "a/img/logo-jahat.svg", "a/data.xml",
                        "a/berita/lampiran.html", "a/tanpa-ekstensi", "a/img/logo.svg",
                        "a/", "", "b/"):
                response = page.goto(base + url)
                statuses[url] = response.status if response else None
                page.wait_for_timeout(50)
            assert page.evaluate("localStorage.getItem('pwned')") is None
            for url in ("a/halaman.html", "a/curi.js", "a/img/logo-jahat.svg", "a/data.xml",
                        "a/berita/lampiran.html", "a/tanpa-ekstensi"):
                assert statuses[url] == 404, (url, statuses)
            assert statuses["a/img/logo.svg"] == 200 and statuses["a/"] == 200
            # the safe logo is shown on the agency's page
            page.goto(base + "a/")
            loaded = page.evaluate(
                "[...document.images].filter(i => i.src.endsWith('logo.svg'))"
                ".map(i => i.complete && i.naturalWidth > 0)")
            assert loaded and all(loaded)
        finally:
            page.close()
