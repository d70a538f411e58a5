"""Every link of the built fixture region resolves, in both URL modes (tests/linkcheck.py).

- single-domain: build/ served as it is at the region's base URL; every relative link, `/path`
  and absolute URL of the region (canonical, links to the own-domain agency) must lead to a file
  in build/, and every #anchor to an id in its page.
- own domain: build/disdik/ served at https://disdik.ujikab.go.id/; every link that stays inside
  resolves there, and nothing climbs out of it: links to the portal are absolute URLs.
"""

from __future__ import annotations

from pathlib import Path

import linkcheck
import pytest
from fixtures.region import DISDIK_URL, REGION_URL, shared_build


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_build(tmp_path_factory)


def test_single_domain_every_link_resolves(built: Path) -> None:
    bases = {REGION_URL: built, DISDIK_URL: built / "disdik"}
    # disdik's 404.html is only ever served as the error page of its own domain: its links
    # are absolute paths of that domain (checked in the own-domain test below).
    problems = linkcheck.check_tree(built, bases=bases, exclude=[built / "disdik/404.html"])
    assert problems == []
    assert len(list(linkcheck.html_files(built))) >= 75


def test_own_domain_agency_resolves_at_its_own_root(built: Path) -> None:
    site = built / "disdik"
    # its 404-single-domain.html is only served in single-domain mode (checked above: every
    # link of the copy resolves under /disdik/ of the portal's domain)
    problems = linkcheck.check_tree(site, bases={DISDIK_URL: site},
                                    exclude=[site / "404-single-domain.html"])
    assert problems == []
    # the 404 page uses absolute paths of its own domain
    not_found = linkcheck.links_of(site / "404.html")
    assert "/" in not_found and any(u.startswith("/assets/") for u in not_found)
    # links to the portal leave as absolute URLs (a ../ past the root is reported above)
    for page in linkcheck.html_files(site):
        assert REGION_URL in linkcheck.links_of(page), page


def test_markdown_links_and_anchors_are_resolved(built: Path) -> None:
    page = built / "dinkes/berita/vaksinasi-massal/index.html"
    links = linkcheck.links_of(page)
    assert "../../layanan/surat-keterangan-sehat/#persyaratan-umum" in links
    assert "../../profil/panduan/" in links
    guide = linkcheck.links_of(built / "dinkes/profil/panduan/index.html")
    assert "#tabel-layanan" in guide
    assert "../../berita/vaksinasi-massal/" in guide
    assert "../../files/laporan-kinerja.pdf" in guide
    assert "../../img/logo.png" in guide
    own = linkcheck.links_of(built / "disdik/berita/ppdb-dibuka/index.html")
    assert "../../layanan/ppdb/" in own


# --- the checker itself: it must catch what it is there to catch ----------------------------

def _site(tmp_path: Path, pages: dict[str, str]) -> Path:
    for rel, text in pages.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_checker_reports_missing_files_anchors_and_escapes(tmp_path: Path) -> None:
    root = _site(tmp_path, {
        "index.html": '<a href="a/">ok</a><a href="a/#top">ok</a><a href="#here">ok</a>'
                      '<p id="here"></p><a href="missing/">x</a><a href="a/#nope">x</a>'
                      '<img src="img/x.png"><a href="../outside/">x</a>'
                      '<a href="https://example.org/">ext</a><a href="mailto:a@b.c">m</a>'
                      '<a href="tel:0712345">t</a><a href="">self</a>'
                      '<a href="https://site.test/a/">abs ok</a>'
                      '<a href="https://site.test/gone/">abs missing</a>'
                      '<a href="javascript:alert(1)">bad</a>',
        "a/index.html": '<h1 id="top">A</h1><a href="../">up</a><a href="/a/#top">abs</a>'
                        '<meta http-equiv="refresh" content="0; url=../missing/">',
    })
    problems = linkcheck.check_tree(root, bases={"https://site.test/": root})
    text = "\n".join(problems)
    assert len(problems) == 7, text
    for fragment in ("'missing/'", "no id 'nope'", "'img/x.png'", "climbs above",
                     "'https://site.test/gone/'", "unexpected scheme 'javascript'",
                     "<meta-refresh> '../missing/'"):
        assert fragment in text
