"""Task-first pages (issue 15) without a browser: what the built HTML holds and in which order.

Real regions are built from folders: the agency home puts its emergency line, top services,
contact and complaint channels before the news; complaint, PPID and maklumat settings of
skpdgen.yaml reach every agency (which may override single keys) and every page's footer; the
portal has a service index A–Z and by topic, the Pemkab's contact, LAPOR!, PPID and the region's
emblem; the directory lists each agency's phone, hours and address; and the smaller fixes (an
archive of expired announcements, no calendar button on past events, tags as words, document
summaries, the official-site disclosure).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import make_region, run_cli

TODAY = "2026-11-29"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'

REGION = """\
name: Pemerintah Kabupaten Uji
base_url: https://ujikab.go.id/
logo: /lambang.svg
contact:
  phone: 0283-100100
  hours: Senin–Jumat 08.00–16.00
  address: Jl. Pemda No. 1
complaints:
  lapor: https://www.lapor.go.id/
  sms: "1708"
ppid:
  name: PPID Utama Kabupaten Uji
  form: https://ppid.ujikab.go.id/permohonan/
maklumat: Kami sanggup melayani sesuai standar pelayanan.
"""


def service(title: str, topic: str | None = None, weight: int | None = None) -> str:
    lines = ["---", f"title: {title}"]
    if topic:
        lines.append(f"topic: {topic}")
    if weight is not None:
        lines.append(f"weight: {weight}")
    return "\n".join(lines + [f"summary: Layanan {title}.", "---", "Isi.", ""])


FILES: dict[str, str | bytes] = {
    "skpdgen.yaml": REGION,
    "static/lambang.svg": SVG,
    "sites/rsud/site.yaml": """\
        name: RSUD Uji
        kind: rsud
        description: Rumah sakit umum daerah. Kalimat kedua tidak tampil di atas.
        featured: [rawat-jalan, surat-sehat.md]
        contact:
          phone: 0283-200200
          emergency: (0283) 119119
          hours: Senin–Sabtu 07.00–14.00
          address: Jl. Sehat No. 2
        complaints:
          whatsapp: "0812-1111-2222"
        ppid:
          name: PPID Pelaksana RSUD
        """,
    "sites/rsud/content/layanan/surat-sehat.md": service("Surat Sehat", "Kesehatan", 3),
    "sites/rsud/content/layanan/rawat-jalan.md": service("Rawat Jalan", "Kesehatan", 9),
    "sites/rsud/content/layanan/akta-lahir.md": service("Akta Lahir", None, 1),
    "sites/rsud/content/berita/2026-11-20-berita.md": """\
        ---
        title: Berita RSUD
        date: 2026-11-20
        tags: [rawat-jalan, IGD Baru]
        ---
        Isi berita.
        """,
    "sites/rsud/content/agenda/2026-10-01-lalu.md": """\
        ---
        title: Acara Lalu
        start: 2026-10-01
        ---
        Sudah lewat.
        """,
    "sites/rsud/content/agenda/2026-12-10-nanti.md": """\
        ---
        title: Acara Nanti
        start: 2026-12-10
        ---
        Akan datang.
        """,
    "sites/rsud/content/dokumen/dpa.md": """\
        ---
        title: DPA 2026
        file: dpa.pdf
        category: berkala
        summary: Rekapitulasi anggaran per program.
        ---
        """,
    "sites/rsud/content/dokumen/dpa.pdf": "%PDF-1.4\n",
    "sites/kec/site.yaml": """\
        name: Kecamatan Uji
        kind: kecamatan
        tagline: Surat pengantar dan legalisasi.
        """,
    "sites/kec/content/pengumuman/2026-08-01-kerja-bakti.md": """\
        ---
        title: Kerja Bakti
        date: 2026-08-01
        expires: 2026-08-10
        ---
        Sudah lewat.
        """,
    "sites/kec/content/layanan/surat-pengantar.md": service("Surat Pengantar", "Administrasi"),
}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_region(tmp_path_factory.mktemp("taskfirst"), FILES)
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "build"


def read(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def main_html(html: str) -> str:
    return html[html.index('<main'):html.index('</main>')]


def test_agency_home_puts_emergency_services_contact_and_complaints_before_news(out: Path) -> None:
    home = main_html(read(out, "rsud/index.html"))
    order = [home.index(marker) for marker in (
        "<h1", 'href="tel:0283119119"', "Layanan utama", "Hubungi kami", 'id="pengaduan"',
        "Berita RSUD")]
    assert order == sorted(order), order
    # one line of what the agency does: the first sentence of the description
    assert "Rumah sakit umum daerah." in home and "Kalimat kedua" not in home.split("Layanan utama")[0]


def test_featured_services_come_in_their_order_else_the_first_by_weight(out: Path) -> None:
    top = main_html(read(out, "rsud/index.html")).split('class="quick"')[1].split("</ul>")[0]
    assert re.findall(r">([^<>]+)</a>", top) == ["Rawat Jalan", "Surat Sehat"]
    assert "Semua layanan (3)" in read(out, "rsud/index.html")
    kec = main_html(read(out, "kec/index.html")).split('class="quick"')[1].split("</ul>")[0]
    assert re.findall(r">([^<>]+)</a>", kec) == ["Surat Pengantar"]


def test_channels_are_inherited_key_by_key_and_shown_on_every_page(out: Path) -> None:
    rsud = read(out, "rsud/index.html")
    kec = read(out, "kec/index.html")
    # the agency's own WhatsApp line is its main complaint link; LAPOR! and SMS come from the region
    assert 'class="channels__main complain-link" href="https://www.lapor.go.id/"' in kec
    assert "https://wa.me/6281211112222" in rsud and "sms:1708" in rsud
    assert "PPID Pelaksana RSUD" in rsud and "https://ppid.ujikab.go.id/permohonan/" in rsud
    assert "PPID Utama Kabupaten Uji" in kec
    for rel in ("rsud/index.html", "rsud/layanan/surat-sehat/index.html", "kec/pengumuman/index.html",
                "rsud/tag/index.html", "index.html", "layanan/index.html", "direktori/index.html"):
        html = read(out, rel)
        footer = html[html.index('<footer class="footer"'):]
        assert 'id="f-channels"' in footer, rel
        assert "https://www.lapor.go.id/" in footer and "Maklumat Pelayanan" in footer, rel
        assert "Kami sanggup melayani sesuai standar pelayanan." in footer, rel
    assert "Kami sanggup melayani" in main_html(kec)  # the pledge on the home too


def test_portal_is_task_first_with_emblem_services_contact_and_channels(out: Path) -> None:
    home = main_html(read(out, "index.html"))
    assert '<img class="intro-head__emblem" src="lambang.svg" alt="Lambang Pemerintah Kabupaten Uji"' in home
    assert (out / "lambang.svg").is_file()
    order = [home.index(m) for m in ('id="h-services"', 'id="h-reach"', 'id="pengaduan"',
                                     'id="h-dir"')]
    assert order == sorted(order)
    boxes = home[home.index('id="h-reach"'):home.index('id="h-dir"')]
    for text in ("0283-100100", "https://www.lapor.go.id/", "https://ppid.ujikab.go.id/permohonan/"):
        assert text in boxes, text
    assert 'href="layanan/#kesehatan"' in home and "Kesehatan <span class=\"count\">(2)" in home


def test_portal_service_index_lists_every_service_a_to_z_and_by_topic(out: Path) -> None:
    page = main_html(read(out, "layanan/index.html"))
    az = page[page.index('id="a-z"'):]
    titles = re.findall(r'class="svc__title"><a href="([^"]+)">([^<]+)</a>', az)
    assert [t for _, t in titles] == ["Akta Lahir", "Rawat Jalan", "Surat Pengantar", "Surat Sehat"]
    assert ("../rsud/layanan/akta-lahir/", "Akta Lahir") in titles
    topics = re.findall(r'<h3 id="([^"]+)" class="topic__h">([^<]+)<', page)
    # a service without a topic is filed under its agency's short name
    assert topics == [("administrasi", "Administrasi "), ("kesehatan", "Kesehatan "),
                      ("rsud-uji", "RSUD Uji ")]
    assert "4 layanan dari 2 perangkat daerah" in page


def test_directory_shows_phone_hours_and_address(out: Path) -> None:
    page = main_html(read(out, "direktori/index.html"))
    rsud = page[page.index("RSUD Uji"):]
    for text in ("0283-200200", "Senin–Sabtu 07.00–14.00", "Jl. Sehat No. 2", 'href="tel:0283119119"',
                 "Layanan (3)"):
        assert text in rsud, text
    assert "Kontak belum dicantumkan." in page  # the kecamatan has none


def test_expired_announcements_point_to_their_archive(out: Path) -> None:
    page = main_html(read(out, "kec/pengumuman/index.html"))
    assert "Tidak ada pengumuman yang berlaku saat ini." in page
    assert 'href="../pengumuman/arsip/"' in page or 'href="arsip/"' in page, page
    assert "Kerja Bakti" not in page and "Belum ada isi" not in page
    archive = main_html(read(out, "kec/pengumuman/arsip/index.html"))
    assert "<h1>Arsip pengumuman</h1>" in archive and "Kerja Bakti" in archive
    assert 'href="../../pengumuman/"' in archive  # breadcrumbs lead back to the current ones


def test_only_upcoming_events_offer_add_to_calendar(out: Path) -> None:
    assert "Tambahkan ke kalender" not in read(out, "rsud/agenda/lalu/index.html")
    assert "Tambahkan ke kalender" in read(out, "rsud/agenda/nanti/index.html")


def test_tags_show_words_and_documents_their_summary(out: Path) -> None:
    news = read(out, "rsud/berita/berita/index.html")
    assert '<a href="../../tag/rawat-jalan/">' in news and "rawat jalan</a>" in news
    assert "IGD Baru</a>" in news
    assert "Rekapitulasi anggaran per program." in main_html(read(out, "rsud/dokumen/dpa/index.html"))


def test_official_banner_explains_how_to_know(out: Path) -> None:
    for rel in ("rsud/index.html", "index.html"):
        banner = read(out, rel).split('<div class="official">')[1].split("</details>")[0]
        assert "<details" in banner and "<summary>" in banner
        assert ".go.id" in banner and "https://" in banner, rel


def test_unknown_featured_service_and_channel_key_are_errors_with_lines(tmp_path: Path) -> None:
    root = make_region(tmp_path, {
        "sites/a/site.yaml": "name: Dinas A\nfeatured: [surat-sehta]\ncomplaints:\n  lapr: https://x.go.id/\n",
        "sites/a/content/layanan/surat-sehat.md": service("Surat Sehat"),
        "sites/b/site.yaml": "name: Dinas B\nfeatured: [surat-sehta]\n",
        "sites/b/content/layanan/surat-sehat.md": service("Surat Sehat"),
    })
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1
    assert ("sites/a/site.yaml:4: error: unknown key 'complaints.lapr' (did you mean 'lapor'?)"
            in result.stderr), result.stderr
    assert ("sites/b/site.yaml:2: error: featured service 'surat-sehta' is not in content/layanan/ "
            "(did you mean 'surat-sehat'?)" in result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_region_channel_keys_are_checked(tmp_path: Path) -> None:
    root = make_region(tmp_path, {
        "skpdgen.yaml": "name: Kab\nbase_url: https://kab.go.id/\nppid:\n  form: ppid.kab.go.id\n",
        "sites/a/site.yaml": "name: Dinas A\n",
    })
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 2
    assert "skpdgen.yaml:4: error: 'ppid.form' must be a full web address" in result.stderr
