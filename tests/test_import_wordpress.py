"""`skpdgen import wordpress`: a WordPress export becomes content that builds and checks clean,
every old URL form redirects to the new page, hostile exports fail fast with a clear error.

Hand-written WXR fixtures make the suite run anywhere; the real WordPress Theme Unit Test export
in ../shared/data/wordpress/ is used too when it is present.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from conftest import REPO, make_region, run_cli
from PIL import Image

TODAY = "2026-11-29"
# ../shared/ beside the repository (as CI lays it out); SKPDGEN_SHARED points elsewhere
THEME_UNIT_TEST = (Path(os.environ.get("SKPDGEN_SHARED", REPO.parent / "shared"))
                   / "data" / "wordpress" / "themeunittestdata.wordpress.xml")
SITE = {"sites/arsip/site.yaml": "name: Dinas Arsip\n"}


def item(post_id: int, title: str, body: str, *, kind: str = "post", status: str = "publish",
         slug: str = "", date: str = "2024-03-05 09:30:00", parent: int = 0, order: int = 0,
         link: str = "", categories: str = "", meta: str = "", password: str = "",
         creator: str = "admin", extra: str = "") -> str:
    slug = slug or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    link = link or f"https://dinas.example.go.id/{date[:4]}/{date[5:7]}/{date[8:10]}/{slug}/"
    return f"""
<item>
  <title><![CDATA[{title}]]></title>
  <link>{link}</link>
  <dc:creator><![CDATA[{creator}]]></dc:creator>
  <content:encoded><![CDATA[{body}]]></content:encoded>
  <excerpt:encoded><![CDATA[]]></excerpt:encoded>
  <wp:post_id>{post_id}</wp:post_id>
  <wp:post_date><![CDATA[{date}]]></wp:post_date>
  <wp:post_modified><![CDATA[{date}]]></wp:post_modified>
  <wp:post_name><![CDATA[{slug}]]></wp:post_name>
  <wp:status><![CDATA[{status}]]></wp:status>
  <wp:post_parent>{parent}</wp:post_parent>
  <wp:menu_order>{order}</wp:menu_order>
  <wp:post_type><![CDATA[{kind}]]></wp:post_type>
  <wp:post_password><![CDATA[{password}]]></wp:post_password>
  {categories}{meta}{extra}
</item>"""


def wxr(*items: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Dinas Arsip Kabupaten Uji</title>
  <link>https://dinas.example.go.id</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_blog_url>https://dinas.example.go.id</wp:base_blog_url>
  <wp:author><wp:author_login><![CDATA[admin]]></wp:author_login>
    <wp:author_email>admin@example.go.id</wp:author_email>
    <wp:author_display_name><![CDATA[Humas Dinas]]></wp:author_display_name></wp:author>
  {"".join(items)}
</channel>
</rss>
"""


CLASSIC = """Paragraf pertama dengan <strong>huruf tebal</strong> & <em>miring</em>.
Baris kedua paragraf yang sama.

Paragraf kedua berisi <a href="https://dinas.example.go.id/2024/01/02/rapat-kerja/">tautan ke
berita lama</a>, <a href="https://slot-gacor88.example.com/daftar">slot gacor</a> dan
<a href="javascript:alert(1)">skrip</a>. Tanda &lt;kode&gt; dan *bintang* tetap teks. <o:p>Word</o:p>

[caption id="attachment_50" align="alignnone" width="300"]<img src="https://dinas.example.go.id/\
wp-content/uploads/2024/03/foto-rapat-300x200.jpg" alt="Peserta rapat" width="300" height="200" />\
 Rapat koordinasi di aula[/caption]

<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>
<script>document.write("iklan")</script>
<p style="color:red">Teks dengan gaya.</p>
[contact-form-7 id="12" title="Kontak"]
<img src="https://dinas.example.go.id/wp-content/uploads/2024/03/hilang.jpg" alt="Foto yang hilang">
<img src="https://stats.wp.com/b.gif" width="1" height="1">"""

BLOCKS = """<!-- wp:heading -->
<h2>Jadwal Layanan</h2>
<!-- /wp:heading -->
<!-- wp:table -->
<figure class="wp-block-table"><table><thead><tr><th>Hari</th><th>Jam</th></tr></thead>
<tbody><tr><td>Senin | Kamis</td><td>08.00–15.00</td></tr></tbody></table></figure>
<!-- /wp:table -->
<!-- wp:list -->
<ul><li>Satu<ul><li>Satu A</li></ul></li><li>Dua</li></ul>
<!-- /wp:list -->
<!-- wp:file -->
<div class="wp-block-file"><a href="https://dinas.example.go.id/wp-content/uploads/2024/03/\
Laporan Tahunan.pdf">Laporan Tahunan</a></div>
<!-- /wp:file -->"""

LONG_TITLE = "Sosialisasi " + "Peraturan Daerah Tentang Penyelenggaraan Pelayanan Publik " * 6

ITEMS = [
    item(10, "Rapat Kerja", "<p>Rapat kerja tahunan dinas.</p>", date="2024-01-02 08:00:00"),
    item(11, "Peresmian Gedung Baru & “Layanan” Terpadu", CLASSIC,
         categories='<category domain="category" nicename="kegiatan"><![CDATA[Kegiatan]]></category>'
                    '<category domain="post_tag" nicename="gedung"><![CDATA[Gedung Baru]]></category>',
         meta="<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
              "<wp:meta_value>50</wp:meta_value></wp:postmeta>"),
    item(12, "Jadwal Layanan", BLOCKS, date="2024-03-06 10:00:00",
         categories='<category domain="category" nicename="pengumuman"><![CDATA[Pengumuman]]></category>'),
    item(13, LONG_TITLE, "<p>Judul sangat panjang.</p>", date="2024-03-07 10:00:00"),
    item(14, "Ρεπορτάζ Ελληνικά 日本語", "<p>Unicode.</p>", slug="%ce%b5%ce%bb", date="2024-03-08 10:00:00"),
    item(15, "Draf Berita", "<p>Belum selesai.</p>", status="draft", date="2024-03-09 10:00:00"),
    item(16, "Rahasia", "<p>Jangan terbit.</p>", status="private", date="2024-03-09 11:00:00"),
    item(17, "Berkata Sandi", "<p>Jangan terbit juga.</p>", password="rahasia",
         date="2024-03-09 12:00:00"),
    item(18, "Terjadwal Tahun Depan", "<p>Akan datang.</p>", status="future",
         date="2027-01-05 08:00:00"),
    item(20, "Profil", "<p>Profil dinas.</p>", kind="page", slug="profil", order=1,
         link="https://dinas.example.go.id/profil/"),
    item(21, "Visi dan Misi", "<p>Visi kami.</p>", kind="page", slug="visi-misi", parent=20, order=2,
         link="https://dinas.example.go.id/profil/visi-misi/"),
    item(22, "Berita", "<p>Halaman lama bernama berita.</p>", kind="page", slug="berita",
         link="https://dinas.example.go.id/berita/"),
    item(50, "foto-rapat", "", kind="attachment", status="inherit", parent=11,
         link="https://dinas.example.go.id/2024/03/05/peresmian/foto-rapat/",
         meta="<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key>"
              "<wp:meta_value>Peserta rapat di aula</wp:meta_value></wp:postmeta>",
         extra="<wp:attachment_url>https://dinas.example.go.id/wp-content/uploads/2024/03/"
               "foto-rapat.jpg</wp:attachment_url>"),
    item(60, "Menu", "", kind="nav_menu_item"),
]


@pytest.fixture
def region(tmp_path: Path) -> Path:
    root = make_region(tmp_path / "region", SITE)
    uploads = tmp_path / "uploads" / "2024" / "03"
    uploads.mkdir(parents=True)
    Image.new("RGB", (640, 480), (40, 90, 160)).save(uploads / "foto-rapat.jpg", quality=80)
    (uploads / "Laporan Tahunan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (tmp_path / "export.xml").write_text(wxr(*ITEMS), encoding="utf-8")
    return root


# SKPDGEN_LANG unset (the suite sets it to en): the summary follows the region, Indonesian
REGION_LANGUAGE = {"SKPDGEN_LANG": ""}


def run_import(root: Path, *args: str, env: dict[str, str] | None = REGION_LANGUAGE
               ) -> tuple[int, str, str]:
    result = run_cli("import", "wordpress", str(root.parent / "export.xml"), "--site", "arsip",
                     "--uploads", str(root.parent / "uploads"), *args, cwd=root, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout, result.stderr


def content(root: Path) -> dict[str, str]:
    base = root / "sites/arsip/content"
    return {p.relative_to(base).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(base.rglob("*.md"))}


def test_import_writes_content_that_builds_and_checks_clean(region: Path) -> None:
    status, out, err = run_import(region, "--map", "pengumuman=pengumuman")
    assert status == 0, err
    files = content(region)
    assert "berita/2024-03-05-peresmian-gedung-baru-layanan-terpadu.md" in files
    assert "pengumuman/2024-03-06-jadwal-layanan.md" in files          # the mapped category
    assert "profil/_index.md" in files and "profil/visi-misi.md" in files   # parent hierarchy
    assert "halaman-berita.md" in files            # a page may not take a section's name
    news = files["berita/2024-03-05-peresmian-gedung-baru-layanan-terpadu.md"]
    assert 'title: "Peresmian Gedung Baru & “Layanan” Terpadu"' in news
    assert "date: 2024-03-05T09:30" in news
    assert 'author: "Humas Dinas"' in news and "admin@" not in news
    assert "image: /img/wp/2024/03/foto-rapat.jpg" in news
    assert 'image_alt: "Peserta rapat di aula"' in news
    assert 'tags: ["Kegiatan", "Gedung Baru"]' in news
    assert "::youtube dQw4w9WgXcQ" in news
    assert "](/berita/rapat-kerja/)" in news        # a link to the old site now points here
    assert "slot" not in news and "javascript" not in news and "iklan" not in news
    assert "`<kode>`" in news and "\\*bintang\\*" in news   # text, never markup or raw HTML
    assert "tetap teks. Word" in news               # a Word tag goes, its text stays
    assert "color:red" not in news and "Teks dengan gaya." in news
    assert "![Peserta rapat](/img/wp/2024/03/foto-rapat.jpg)" in news   # the -300x200 variant
    assert "*Rapat koordinasi di aula*" in news
    assert "[Gambar: Foto yang hilang](https://dinas.example.go.id/wp-content/uploads/2024/03/" \
           "hilang.jpg)" in news                    # missing upload: the old link is kept
    assert "stats.wp.com" not in news
    assert "Paragraf pertama dengan **huruf tebal** \\& *miring*.\\\nBaris kedua" in news
    table = files["pengumuman/2024-03-06-jadwal-layanan.md"]
    assert "| Hari | Jam |" in table and "| Senin \\| Kamis | 08.00–15.00 |" in table
    assert "- Satu\n  - Satu A\n- Dua" in table
    assert "](/files/wp/2024/03/laporan-tahunan.pdf)" in table
    assert (region / "sites/arsip/static/img/wp/2024/03/foto-rapat.jpg").is_file()
    assert (region / "sites/arsip/static/files/wp/2024/03/laporan-tahunan.pdf").is_file()
    assert 'draft: true' in files["berita/2024-03-09-draf-berita.md"]
    assert not any("rahasia" in name or "berkata-sandi" in name for name in files)
    assert "2027-01-05-terjadwal-tahun-depan.md" in "".join(files)
    long_name = next(n for n in files if n.startswith("berita/2024-03-07-"))
    assert len(long_name) < 110 and LONG_TITLE.strip() in files[long_name]
    # the summary, in Indonesian
    assert "Impor WordPress selesai" in out
    assert "1 tautan spam judi/slot dibuang" in out and "slot-gacor88.example.com" in out
    assert "1 konten privat tidak diimpor" in out and "1 konten berkata sandi" in out
    assert "[contact-form-7]" in out and "hilang.jpg" in out
    assert "halaman https://dinas.example.go.id/berita/ dipindah ke /halaman-berita/" in out

    build = run_cli("build", "--today", TODAY, cwd=region)
    assert build.returncode == 0, build.stderr
    assert "raw HTML" not in build.stderr
    check = run_cli("check", "--today", TODAY, cwd=region)
    assert check.returncode == 0, check.stderr
    assert re.search(r": 0 errors", check.stderr), check.stderr
    out_dir = region / "build/arsip"
    assert (out_dir / "berita/peresmian-gedung-baru-layanan-terpadu/index.html").is_file()
    assert (out_dir / "profil/visi-misi/index.html").is_file()
    assert not (out_dir / "berita/draf-berita").exists()
    assert not (out_dir / "berita/terjadwal-tahun-depan").exists()     # goes live in 2027


def test_every_old_url_form_leads_to_the_new_page(region: Path) -> None:
    assert run_import(region)[0] == 0
    assert run_cli("build", "--today", TODAY, cwd=region).returncode == 0
    out_dir = region / "build/arsip"
    target = "berita/peresmian-gedung-baru-layanan-terpadu/"
    slug = "peresmian-gedung-baru-layanan-terpadu"
    for old in (f"2024/03/05/{slug}", f"2024/03/{slug}", "archives/11", f"index.php/2024/03/05/{slug}",
                "2024/03/05/peresmian/foto-rapat"):   # the attachment page too
        page = (out_dir / old / "index.html").read_text(encoding="utf-8")
        assert f'url=../../../../{target}' in page or target in page, old
    mapping = json.loads((out_dir / "old-urls.json").read_text(encoding="utf-8"))
    assert mapping["?p=11"] == target
    assert mapping["?attachment_id=50"] == target
    assert mapping["?page_id=21"] == "profil/visi-misi/"
    assert (out_dir / "profil/visi-misi/index.html").is_file()
    home = (out_dir / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<script src="[^"]*js/redirect\.[0-9a-f]+\.js" data-map="[^"]*old-urls\.json"',
                     home)


def test_query_urls_redirect_in_the_browser(region: Path, browser: object) -> None:
    from test_theme_browser import serve
    assert run_import(region)[0] == 0
    assert run_cli("build", "--today", TODAY, cwd=region).returncode == 0
    server, url = serve(region / "build")
    try:
        page = browser.new_page()  # type: ignore[attr-defined]
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url + "arsip/?p=11")
        page.wait_for_url("**/arsip/berita/peresmian-gedung-baru-layanan-terpadu/")
        page.goto(url + "arsip/lama/?page_id=21")          # through the agency's 404 page
        page.wait_for_url("**/arsip/profil/visi-misi/")
        page.goto(url + "arsip/?p=999")                    # unknown: stays on the home page
        page.wait_for_timeout(300)
        assert page.url.endswith("/arsip/?p=999")
        assert not [e for e in errors if "Content Security Policy" in e], errors
        page.close()
    finally:
        server.shutdown()
        server.server_close()


def test_importing_again_updates_and_never_overwrites_staff_edits(region: Path) -> None:
    assert run_import(region)[0] == 0
    files = content(region)
    status, out, _ = run_import(region)
    assert status == 0 and content(region) == files
    assert f"{len(files)} konten tidak berubah" in out
    assert "konten baru" not in out
    edited = region / "sites/arsip/content/berita/2024-01-02-rapat-kerja.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nDitambah staf.\n", encoding="utf-8")
    deleted = next(region.glob("sites/arsip/content/berita/2024-03-08-*.md"))
    deleted.unlink()
    # a newer export: one item changed, one new
    export = region.parent / "export.xml"
    newer = wxr(*[i.replace("Rapat kerja tahunan dinas.", "Rapat kerja tahunan (revisi).")
                  .replace("Jangan terbit.", "x") for i in ITEMS],
                item(30, "Berita Baru Sekali", "<p>Baru.</p>", date="2024-04-01 08:00:00"))
    export.write_text(newer, encoding="utf-8")
    status, out, _ = run_import(region)
    assert status == 0
    assert "Ditambah staf." in edited.read_text(encoding="utf-8")      # not overwritten
    assert "sites/arsip/content/berita/2024-01-02-rapat-kerja.md" in out
    assert "--force" in out
    assert not deleted.exists()                                        # not restored
    assert (region / "sites/arsip/content/berita/2024-04-01-berita-baru-sekali.md").is_file()
    assert "1 konten baru" in out
    status, out, _ = run_import(region, "--force")
    assert "revisi" in edited.read_text(encoding="utf-8") and deleted.exists()


def test_dry_run_writes_nothing(region: Path) -> None:
    status, out, _ = run_import(region, "--dry-run")
    assert status == 0 and "uji coba" in out
    assert not (region / "sites/arsip/content").exists()
    assert not (region / "sites/arsip/static").exists()
    assert not (region / "sites/arsip/import").exists()


def test_since_and_english_summary(region: Path) -> None:
    status, out, _ = run_import(region, "--since", "2024-03-06", "--lang", "en")
    assert status == 0
    names = content(region)
    assert not any(n.startswith("berita/2024-01-02") or n.startswith("berita/2024-03-05")
                   for n in names)
    assert "posts before --since skipped" in out and "WordPress import done" in out


@pytest.mark.parametrize("name, document, message", [
    ("billion-laughs", """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss><channel><title>&lol3;</title></channel></rss>""", "DOCTYPE"),
    ("external-entity", """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&xxe;</title></item></channel></rss>""", "DOCTYPE"),
    ("not-xml", "ini bukan XML sama sekali", "not a well-formed XML export"),
    ("not-wordpress", "<?xml version='1.0'?><html><body/></html>", "not <rss>"),
    ("plain-rss", "<?xml version='1.0'?><rss><channel><title>x</title></channel></rss>",
     "no wp:wxr_version"),
    ("empty", "", "not a well-formed XML export"),
    ("truncated", wxr(item(1, "A", "<p>a</p>"))[:600], "not a well-formed XML export"),
])
def test_a_hostile_or_broken_export_is_a_clear_error(region: Path, name: str, document: str,
                                                     message: str) -> None:
    (region.parent / "export.xml").write_text(document, encoding="utf-8")
    status, _, err = run_import(region, env={})        # errors asserted in English
    assert status == 1
    line = err.strip().splitlines()
    assert len(line) == 1 and "export.xml" in line[0] and ": error: " in line[0]
    assert message in line[0], line[0]
    assert "root:" not in err                       # /etc/passwd never leaks
    assert not (region / "sites/arsip/content").exists()


def test_a_200_mb_export_of_text_fails_fast(region: Path) -> None:
    export = region.parent / "export.xml"
    chunk = ("Lorem ipsum dolor sit amet " * 40 + "\n").encode()
    with export.open("wb") as f:
        f.write(wxr().split("</channel>")[0].encode() + b"<item><content:encoded>")
        for _ in range(200 * 1024 * 1024 // len(chunk)):
            f.write(chunk)
        f.write(b"</content:encoded></item></channel></rss>")
    started = time.monotonic()
    status, _, err = run_import(region, env={})        # errors asserted in English
    assert status == 1 and "more than 32 MB" in err, err
    assert time.monotonic() - started < 20
    assert not (region / "sites/arsip/content").exists()


def test_usage_errors(region: Path) -> None:
    result = run_cli("import", "wordpress", str(region.parent / "export.xml"), "--site", "tidak-ada",
                     cwd=region)
    assert result.returncode == 2 and "no agency 'tidak-ada'" in result.stderr
    result = run_cli("import", "wordpress", str(region.parent / "export.xml"), "--site", "arsip",
                     "--map", "x=layanan", cwd=region)
    assert result.returncode == 2 and "pengumuman" in result.stderr
    result = run_cli("import", "wordpress", str(region.parent / "tidak-ada.xml"), "--site", "arsip",
                     cwd=region)
    assert result.returncode == 1 and "cannot read the export" in result.stderr


@pytest.mark.skipif(not THEME_UNIT_TEST.is_file(), reason="../shared/data/wordpress is not here")
def test_the_wordpress_theme_unit_test_export(tmp_path: Path) -> None:
    root = make_region(tmp_path, SITE)
    result = run_cli("import", "wordpress", str(THEME_UNIT_TEST), "--site", "arsip", cwd=root,
                     env=REGION_LANGUAGE)
    assert result.returncode == 0, result.stderr
    assert "1 konten berkata sandi tidak diimpor" in result.stdout
    files = content(root)
    posts = [n for n in files if n.startswith("berita/")]
    pages = [n for n in files if not n.startswith("berita/")]
    assert len(posts) == 57 and len(pages) == 21          # 58 posts less 1 protected; 21 pages
    assert not any("protected" in n for n in files)
    build = run_cli("build", "--today", TODAY, cwd=root)
    assert build.returncode == 0, build.stderr
    check = run_cli("check", "--today", TODAY, cwd=root)
    assert check.returncode == 0 and ": 0 errors" in check.stderr, check.stderr
    out_dir = root / "build/arsip"
    # every published post and page is at its new URL, and its old permalink redirects there
    state = json.loads((root / "sites/arsip/import/wordpress.json").read_text(encoding="utf-8"))
    assert len(state["items"]) == 78
    for name, text in files.items():
        if "draft: true" in text or "2030-" in name:
            continue
        slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", name.rsplit("/", 1)[-1][:-3])
        folder = name.rsplit("/", 1)[0] if "/" in name else ""
        path = (f"{folder}/" if folder and slug != "_index" else folder + "/" if folder else "") + \
            ("" if slug == "_index" else f"{slug}/")
        assert (out_dir / path / "index.html").is_file(), (name, path)
        old = re.search(r'aliases:\n  - "/([^"?]+)"', text)
        if old:
            assert (out_dir / old.group(1) / "index.html").is_file(), old.group(1)
    # unicode, markup, special characters and a very long word survive in titles
    titles = "\n".join(re.findall(r'^title: (".*")$', "\n".join(files.values()), re.M))
    for title in ('"Markup: Title With Markup"',
                  '"Markup: Title With Special Characters ~`!@#$%^&*()-_=+{}[]/\\\\;:\'\\"?,.>"',
                  '"Taumatawhakatangihangakoauauotamateaturipukakapikimaungahoronukupokaiwhenuakitanatahu"'):
        assert title in titles, title
    assert "Markup: Title With Special Characters" in (
        out_dir / "berita/title-with-special-characters/index.html").read_text("utf-8")
