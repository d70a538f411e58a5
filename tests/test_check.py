"""`skpdgen check`: broken links, images and anchors named at their source line; exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BUILTIN_THEME, REPO, make_region, run_cli
from fixtures.images import jpeg_bytes
from fixtures.region import TODAY, make_fixture_region, tree_hashes

from skpdgen.check import check_region
from skpdgen.check.scan import scan_css, scan_html
from skpdgen.check.tree import RegionTree, SiteInfo, TreeFile
from skpdgen.render import Output

VAKSIN = """\
---
title: Vaksinasi Massal
date: 2024-05-01
---
Kegiatan vaksinasi massal di alun-alun.

Lihat [jadwal](#jadwal-vaksin) dan [berita lain](../tidak-ada/).

Profil: [sejarah](../../profil/sejarah/#visi-misi-lama) dan [portal](../../../direktori/).

![Foto kegiatan](/img/tidak-ada.jpg)

## Jadwal

Senin sampai Jumat.
"""

BROKEN_REGION: dict[str, str | bytes] = {
    "sites/dinkes/site.yaml": "name: Dinas Kesehatan\ndescription: Dinas uji.\n",
    "sites/dinkes/content/berita/2024-05-01-vaksin.md": VAKSIN,
    "sites/dinkes/content/profil/sejarah.md": """\
        ---
        title: Sejarah
        ---
        Sejarah dinas.

        ## Visi Misi

        Sehat.
        """,
    "sites/disdik/site.yaml": "name: Dinas Pendidikan\ndescription: Dinas uji.\n",
    "sites/disdik/content/berita/2024-05-02-ppdb.md": """\
        ---
        title: PPDB
        date: 2024-05-02
        ---
        Pendaftaran dibuka, lihat [vaksinasi](../../../dinkes/berita/vaksin/#jadwal).
        """,
}


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_broken_link_missing_image_and_anchor_named_at_their_source_lines(tmp_path: Path
                                                                          ) -> None:
    root = make_region(tmp_path, BROKEN_REGION)
    before = tree_hashes(root)
    result = run_cli("check", cwd=root, env={"SKPDGEN_TODAY": TODAY})
    assert result.returncode == 1, result.stderr
    src = "sites/dinkes/content/berita/2024-05-01-vaksin.md"
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    expected = [
        (f"{src}:{line_of(VAKSIN, '#jadwal-vaksin')}", "'#jadwal-vaksin'"),
        (f"{src}:{line_of(VAKSIN, '../tidak-ada/')}", "'../tidak-ada/'"),
        (f"{src}:{line_of(VAKSIN, 'visi-misi-lama')}", "#visi-misi-lama"),
        (f"{src}:{line_of(VAKSIN, 'tidak-ada.jpg')}", "/img/tidak-ada.jpg"),
    ]
    for where, what in expected:
        assert any(e.startswith(where + ": error: ") and what in e for e in errors), (
            where, result.stderr)
    assert len(errors) == len(expected), result.stderr       # each problem once
    assert "did you mean 'jadwal'?" in result.stderr
    assert "did you mean 'visi-misi'?" in result.stderr
    assert "Traceback" not in result.stderr
    # the link from disdik into dinkes (whose build failed) still resolved: no error for it
    assert "disdik" not in "\n".join(errors)
    assert tree_hashes(root) == before            # check writes nothing, not even build/
    assert not (root / "build").exists()


def test_a_broken_link_inside_a_longer_working_one_is_named_at_its_own_line(tmp_path: Path
                                                                            ) -> None:
    text = """\
        ---
        title: Kunjungan
        date: 2024-05-01
        ---
        Lihat [sejarah](../../profil/sejarah/) dan [yang lama](../profil/sejarah/lama/).

        Salah: [sejarah](../profil/sejarah/).
        """
    root = make_region(tmp_path, {
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\ndescription: Dinas uji.\n",
        "sites/dinkes/content/profil/sejarah.md": "---\ntitle: Sejarah\n---\nSejarah.\n",
        "sites/dinkes/content/berita/2024-05-01-kunjungan.md": text})
    errors = [d for d in check_region(root).diagnostics if d.severity == "error"]
    where = {(d.path, d.line, d.message.split("'")[1]) for d in errors}
    src = "sites/dinkes/content/berita/2024-05-01-kunjungan.md"
    assert where == {(src, 5, "../profil/sejarah/lama/"), (src, 7, "../profil/sejarah/")}


def test_github_annotations_and_json(tmp_path: Path) -> None:
    root = make_region(tmp_path, BROKEN_REGION)
    result = run_cli("check", cwd=root, env={"GITHUB_ACTIONS": "true", "SKPDGEN_TODAY": TODAY})
    src = "sites/dinkes/content/berita/2024-05-01-vaksin.md"
    line = line_of(VAKSIN, "../tidak-ada/")
    assert f"::error file={src},line={line}::" in result.stderr
    result = run_cli("check", "--format", "json", cwd=root, env={"SKPDGEN_TODAY": TODAY})
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["errors"] == 4
    assert {d["line"] for d in document["diagnostics"] if d["severity"] == "error"} == {
        line_of(VAKSIN, n) for n in ("#jadwal-vaksin", "../tidak-ada/", "visi-misi-lama",
                                     "tidak-ada.jpg")}


def test_links_from_site_settings_and_own_domain(tmp_path: Path) -> None:
    """A menu entry of site.yaml is named at its line once, also under a base path."""
    files: dict[str, str | bytes] = {
        "sites/dinkes/site.yaml": """\
            name: Dinas Kesehatan
            description: Dinas uji.
            menu:
              - title: Beranda
                url: /
              - title: Profil Lama
                url: /profil-lama/
            """,
        "sites/dinkes/content/profil.md": "---\ntitle: Profil\n---\nProfil dinas.\n",
        "sites/disdik/site.yaml": """\
            name: Dinas Pendidikan
            description: Dinas uji.
            base_url: https://disdik.ujikab.go.id/
            """,
        "sites/disdik/content/profil.md": """\
            ---
            title: Profil
            ---
            Profil dinas, lihat [portal](../../direktori/).
            """,
    }
    for region_url, base_path in (("https://ujikab.go.id/", "/"),
                                  ("https://ujikab.go.id/situs/", "/situs/")):
        files["skpdgen.yaml"] = f"name: Uji\nbase_url: {region_url}\ndescription: Uji.\n"
        root = make_region(tmp_path / base_path.strip("/"), files)
        result = check_region(root, today=None)
        found = [(d.path, d.line) for d in result.diagnostics if d.severity == "error"]
        errors = {(d.path, d.line): d.message for d in result.diagnostics if d.severity == "error"}
        assert len(found) == 2, result.diagnostics            # the menu entry once, not per page
        menu = errors[("sites/dinkes/site.yaml", 7)]
        assert f"{base_path}dinkes/profil-lama/" in menu and "(on " in menu
        own = errors[("sites/disdik/content/profil.md", 4)]
        assert "own domain https://disdik.ujikab.go.id/" in own


def test_warnings_heavy_image_duplicate_title_missing_description(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
        "sites/dinkes/static/img/besar.jpg": jpeg_bytes(2600, 120),
        "sites/dinkes/content/berita/2024-05-01-a.md":
            "---\ntitle: Rapat Koordinasi\ndate: 2024-05-01\n---\nRapat pertama.\n",
        "sites/dinkes/content/berita/2024-05-02-b.md":
            "---\ntitle: Rapat Koordinasi\ndate: 2024-05-02\n---\nRapat kedua.\n",
        "sites/dinkes/content/layanan/izin.md": "---\ntitle: Izin\n---\n## Syarat\n",
    }
    root = make_region(tmp_path, files)
    result = run_cli("check", cwd=root, env={"SKPDGEN_TODAY": TODAY})
    assert result.returncode == 0, result.stderr
    out = result.stderr
    assert "sites/dinkes/static/img/besar.jpg: warning: image is 2600×120" in out
    assert "skpdgen optimize --site dinkes" in out
    assert "sites/dinkes/content/berita/2024-05-01-a.md:2: warning: title 'Rapat Koordinasi" in out
    assert "sites/dinkes/content/berita/2024-05-02-b.md:2: warning: title 'Rapat Koordinasi" in out
    assert "sites/dinkes/content/layanan/izin.md:2: warning: page has no summary" in out
    assert "sites/dinkes/site.yaml: warning: the agency has no 'description'" in out
    assert "0 errors" in out


def test_usage_and_config_errors_exit_2(tmp_path: Path) -> None:
    root = make_region(tmp_path, BROKEN_REGION)
    result = run_cli("check", "--site", "dinkez", cwd=root)
    assert result.returncode == 2
    assert "no agency 'dinkez'" in result.stderr and "did you mean 'dinkes'" in result.stderr
    (root / "skpdgen.yaml").write_text("name: Uji\nbase_url: ujikab\n", encoding="utf-8")
    assert run_cli("check", cwd=root).returncode == 2
    assert run_cli("check", "--format", "xml", cwd=root).returncode == 2


def test_site_filter_checks_only_that_agency(tmp_path: Path) -> None:
    root = make_region(tmp_path, BROKEN_REGION)
    result = check_region(root, ("disdik",))
    assert result.ok, result.diagnostics
    assert result.sites == 1


def test_fixture_region_passes(tmp_path: Path) -> None:
    """The issue #2 fixture (every section, own domain, aliases, hostile content) is clean."""
    root = make_fixture_region(tmp_path)
    result = run_cli("check", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    assert " 0 errors" in result.stderr


def test_demo_repository_passes() -> None:
    """The demo content in sites/ must pass the gate CI runs before publishing."""
    if not (REPO / "sites").is_dir():
        pytest.skip("no demo sites/ in this checkout")
    result = run_cli("check", "--root", str(REPO), cwd=REPO)
    assert result.returncode == 0, result.stderr[-3000:]


# --- the scanner ------------------------------------------------------------------------------

def test_scan_html_reads_urls_ids_and_skips_scripts() -> None:
    page = b"""<!doctype html><html><head><title>A &amp; B</title>
<meta name="description" content="Desc">
<link rel="stylesheet" href="../assets/a.css"><link rel="preconnect" href="https://x.test">
<script type="application/ld+json">{"url": "<a href='nope'>"}</script>
<script src="../assets/a.js" defer></script></head>
<body><a href="#top">t</a><h2 id="jadwal">J</h2><a name="lama"></a>
<!-- <a href="commented"> -->
<img src="a.jpg" srcset="a-1x.jpg 1x, a-2x.jpg 2x" alt=""><img src="b.jpg" id="b"/><br/>
<meta http-equiv="refresh" content="0; url=../baru/">
<p>&lt;a href="escaped"&gt;</p></body></html>"""
    scan = scan_html(page)
    assert scan.title == "A & B" and scan.description == "Desc"
    assert scan.ids == {"jadwal", "lama", "b"}
    urls = [(r.kind, r.url) for r in scan.refs]
    assert urls == [("asset", "../assets/a.css"), ("asset", "../assets/a.js"), ("link", "#top"),
                    ("image", "a.jpg"), ("image", "a-1x.jpg"), ("image", "a-2x.jpg"),
                    ("image", "b.jpg"), ("link", "../baru/")]
    assert [r.line for r in scan.refs][-1] == 9


def test_scan_css_urls() -> None:
    css = b"/* url(commented.png) */ a{background:url('../img/a.png')} @import \"b.css\";"
    assert [r.url for r in scan_css(css).refs] == ["../img/a.png", "b.css"]


def test_resolution_against_the_whole_region() -> None:
    tree = RegionTree("https://ujikab.go.id/situs/", [
        SiteInfo("dinkes", "https://ujikab.go.id/situs/dinkes/", False),
        SiteInfo("disdik", "https://disdik.ujikab.go.id/", True)], {"rsud"})
    tree.add([Output("index.html", b""), Output("berita/index.html", b"")], None)
    tree.add([Output("index.html", b'<h2 id="visi">V</h2>'),
              Output("berita/x/index.html", b""), Output("img/a.jpg", b"")], "dinkes")
    tree.add([Output("index.html", b""), Output("assets/a.css", b"")], "disdik")
    page = tree.files["dinkes/berita/x/index.html"]

    def path(url: str, file: TreeFile = page) -> str | None:
        target = tree.resolve(file, url)
        assert target is not None and target.problem is None, (url, target)
        return target.path

    assert path("../../") == "dinkes/index.html"
    assert path("../../../") == "index.html"                     # into the portal
    assert path("../../../berita/?halaman=2") == "berita/index.html"
    assert path("../../img/a.jpg") == "dinkes/img/a.jpg"
    assert path("../../img/b.jpg") is None
    assert path("/situs/dinkes/") == "dinkes/index.html"
    assert path("https://ujikab.go.id/situs/dinkes/berita/x/") == page.path
    assert path("https://disdik.ujikab.go.id/assets/a.css") == "disdik/assets/a.css"
    assert path("../../berita/x") == page.path                   # the server adds the slash
    target = tree.resolve(page, "../../#visi")
    assert target is not None and tree.anchor_problem(target) is None
    target = tree.resolve(page, "../../#misi")
    assert target is not None and "has no anchor '#misi'" in str(tree.anchor_problem(target))
    for url in ("https://elsewhere.test/", "mailto:a@b.id", "tel:0283", "../../../rsud/x/",
                "../../../pagefind/pagefind.js", ""):
        assert tree.resolve(page, url) is None, url               # not ours to check
    problem = tree.resolve(page, "../../../../")
    assert problem is not None and problem.problem == "climbs above the root of the site"
    problem = tree.resolve(page, "/lain/")
    assert problem is not None and "outside the region's address /situs/" in str(problem.problem)
    own = tree.files["disdik/index.html"]
    assert path("/assets/a.css", own) == "disdik/assets/a.css"  # its own domain's root
    problem = tree.resolve(own, "../")
    assert problem is not None and "own domain" in str(problem.problem)


def test_a_broken_link_in_a_template_is_reported_once(tmp_path: Path) -> None:
    root = make_region(tmp_path, BROKEN_REGION)
    base = (BUILTIN_THEME / "templates/base.html").read_text(encoding="utf-8")
    assert "<main" in base
    override = base.replace("<main", '<a href="{{ root }}arsip-lama/">Arsip</a><main', 1)
    (root / "sites/disdik/templates").mkdir()
    (root / "sites/disdik/templates/base.html").write_text(override, encoding="utf-8")
    result = check_region(root, ("disdik",))
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert len(errors) == 1, errors
    assert errors[0].path.startswith("build/disdik/") and errors[0].line
    assert "nothing is published at /disdik/arsip-lama/ (on " in errors[0].message
    assert "sites/disdik/templates/" in str(errors[0].hint)
