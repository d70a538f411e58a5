"""The built site through the documented nginx block (docs/deploy.md), as a real nginx serves it:
every output type gets the right Content-Type and is compressed (issue 12.7), and an agency
on its own domain shows a working 404 page in single-domain mode (issue 12.6)."""

from __future__ import annotations

import gzip
import http.client
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.region import shared_build
from test_deploy_dir import Nginx, nginx_or_skip

TYPES = {   # path: (Content-Type, compressed)
    "index.html": ("text/html; charset=utf-8", True),
    "dinkes/berita/": ("text/html; charset=utf-8", True),
    "feed.xml": ("application/atom+xml; charset=utf-8", True),
    "dinkes/feed.xml": ("application/atom+xml; charset=utf-8", True),
    "dinkes/berita/feed.xml": ("application/atom+xml; charset=utf-8", True),
    "sitemap.xml": ("text/xml; charset=utf-8", True),
    "dinkes/sitemap.xml": ("text/xml; charset=utf-8", True),
    "dinkes/agenda.ics": ("text/calendar; charset=utf-8", True),
    "status.csv": ("text/csv; charset=utf-8", True),
    "status.json": ("application/json; charset=utf-8", True),
    "robots.txt": ("text/plain; charset=utf-8", False),     # too small to be worth it
}


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Nginx, Path]]:
    nginx_or_skip()
    out = shared_build(tmp_path_factory)
    server = Nginx(tmp_path_factory.mktemp("nginx") / "run", out)
    yield server, out
    server.stop()


def get(server: Nginx, path: str, gzip_ok: bool = True) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
        response = conn.getresponse()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, headers, body
    finally:
        conn.close()


def test_every_output_type_has_its_content_type_and_is_compressed(
        nginx: tuple[Nginx, Path]) -> None:
    server, out = nginx
    css = next(out.glob("assets/css/*.css"))
    js = next(out.glob("assets/js/*.js"))
    checks = {**TYPES, css.relative_to(out).as_posix(): ("text/css; charset=utf-8", True),
              js.relative_to(out).as_posix(): ("application/javascript; charset=utf-8", True)}
    checks.update({svg.relative_to(out).as_posix(): ("image/svg+xml", True)
                   for svg in sorted(out.glob("*/**/*.svg"))[:1] if svg.stat().st_size > 256})
    for path, (content_type, compressed) in checks.items():
        status, headers, body = get(server, "/" + path)
        assert status == 200, path
        assert headers["content-type"].lower() == content_type, (path, headers["content-type"])
        local = out / (path + "index.html" if path.endswith("/") else path)
        assert body == local.read_bytes(), path
        if compressed:
            assert headers.get("content-encoding") == "gzip", path
        assert headers.get("x-content-type-options") == "nosniff", path


def test_an_own_domain_agency_404_works_in_single_domain_mode(
        nginx: tuple[Nginx, Path]) -> None:
    server, _out = nginx
    status, headers, body = get(server, "/disdik/tidak-ada/")
    assert status == 404 and headers["content-type"].startswith("text/html")
    page = body.decode("utf-8")
    assert "Disdik" in page or "Pendidikan" in page
    refs = set(re.findall(r'(?:href|src)="(/[^"/][^"]*)"', page))
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert stylesheets and all(s.startswith("/disdik/") for s in stylesheets), stylesheets
    assert any(r.startswith("/disdik/img/") for r in refs), refs        # its logo
    assert "/disdik/berita/" in refs                                    # its menu
    for ref in sorted(refs):
        ref_status, _h, _b = get(server, ref.split("#")[0])
        assert ref_status == 200, ref
    # the agency on the portal's domain keeps its own 404, the portal its own
    status, _h, body = get(server, "/dinkes/tidak-ada/")
    assert status == 404 and b'href="/dinkes/' in body
    status, _h, body = get(server, "/tidak-ada/")
    assert status == 404 and b"Pemerintah Kabupaten Uji" in body
