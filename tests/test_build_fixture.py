"""The fixture region of issue #2 built through the CLI: URLs, lists, feeds, sitemaps, calendar,
dates, metadata and JSON-LD, as a reader or a crawler sees them in build/.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from fixtures import html
from fixtures.region import (
    DISDIK_URL,
    HOSTILE_TITLE,
    PAGINATE,
    REGION_URL,
    pdf,
    shared_build,
)

from skpdgen.render.meta import SINGLE_DOMAIN_404

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DINKES_URL = REGION_URL + "dinkes/"

# Published berita of dinkes, by URL slug (the draft and the future item are not here).
DINKES_BERITA = {"vaksinasi-massal", "rapat-koordinasi-khusus", "berita-berbahaya", "posyandu",
                 "kabar-1", "kabar-2", "kabar-3", "kabar-4", "kabar-5"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_build(tmp_path_factory)


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_build(tmp_path_factory, "--drafts", "--future")


def local_file(out: Path, url: str) -> Path:
    """The file in build/ that an absolute URL of the region or of disdik's domain names."""
    for base, folder in ((DISDIK_URL, out / "disdik"), (REGION_URL, out)):
        if url.startswith(base):
            rel = urlsplit(url[len(base):]).path
            target = folder / rel
            return target / "index.html" if rel.endswith("/") or rel == "" else target
    raise AssertionError(f"{url} is not a URL of this region")


def html_pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if ".skpdgen" not in p.parts)


def is_redirect(doc: html.Doc) -> bool:
    return any(tag == "meta" and a.get("http-equiv", "").lower() == "refresh"
               for tag, a in doc.tags)


# --- URLs ---------------------------------------------------------------------------------

def test_pretty_urls_and_slugs(built: Path) -> None:
    d = built / "dinkes"
    # slug from the file name without its date prefix
    assert (d / "berita/vaksinasi-massal/index.html").is_file()
    assert not list(d.glob("berita/2024-*"))
    # front matter slug wins over the file name
    assert (d / "berita/rapat-koordinasi-khusus/index.html").is_file()
    assert not (d / "berita/rapat-koordinasi").exists()
    for path in ("", "berita/", "pengumuman/", "agenda/", "layanan/", "dokumen/", "inovasi/",
                 "profil/", "profil/visi-misi/", "layanan/surat-keterangan-sehat/",
                 "dokumen/laporan-kinerja/", "inovasi/si-sehat/", "agenda/senam-sehat/",
                 "tag/", "tag/imunisasi/", "cari/"):
        assert (d / path / "index.html").is_file(), path
    for name in ("feed.xml", "berita/feed.xml", "pengumuman/feed.xml", "agenda.ics",
                 "sitemap.xml", "404.html"):
        assert (d / name).is_file(), name
    for path in ("", "berita/", "inovasi/", "direktori/", "status/", "cari/"):
        assert (built / path / "index.html").is_file(), path
    for name in ("feed.xml", "sitemap.xml", "robots.txt", "404.html", "status.json"):
        assert (built / name).is_file(), name
    # the own-domain agency is still written under build/<slug>/
    assert (built / "disdik/berita/ppdb-dibuka/index.html").is_file()


ITEM_LINK = re.compile(r"berita/(?!page/)[a-z0-9-]+/$")


def _pager_walk(list_dir: Path) -> tuple[list[Path], set[str]]:
    """Follow rel=next from a news list's first page; return the pages and every item link."""
    pages: list[Path] = []
    items: set[str] = set()
    page = list_dir / "index.html"
    while True:
        pages.append(page)
        doc = html.read(page)
        items |= {href for href in doc.hrefs() if ITEM_LINK.search(href)}
        nexts = [a["href"] for tag, a in doc.tags if tag == "a" and a.get("rel") == "next"
                 and "prevnext__next" not in a.get("class", "")]
        if not nexts:
            return pages, items
        target = posixpath.normpath(posixpath.join(page.parent.as_posix(), nexts[0]))
        page = Path(target) / "index.html"
        assert len(pages) < 50, "pager loops"


def test_pagination_reaches_every_item(built: Path) -> None:
    pages, items = _pager_walk(built / "dinkes/berita")
    expected_pages = -(-len(DINKES_BERITA) // PAGINATE)
    assert len(pages) == expected_pages == 3
    assert pages[1] == built / "dinkes/berita/page/2/index.html"
    assert pages[2] == built / "dinkes/berita/page/3/index.html"
    assert not (built / "dinkes/berita/page/4").exists()
    slugs = {href.rstrip("/").rsplit("/", 1)[-1] for href in items}
    assert slugs == DINKES_BERITA
    # newest first: the first page starts with the newest item
    first = [h for h in html.read(pages[0]).hrefs() if ITEM_LINK.search(h)]
    assert first[0].endswith("berita/vaksinasi-massal/")
    # the list pages have distinct titles
    assert len({html.read(p).title for p in pages}) == len(pages)


def test_portal_news_pagination_reaches_every_agency_item(built: Path) -> None:
    pages, items = _pager_walk(built / "berita")
    assert len(pages) == -(-12 // PAGINATE)
    assert len(items) == 12
    assert any(href.startswith(DISDIK_URL) for href in items)          # own domain: absolute
    assert any(href.startswith("../dinkes/berita/") for href in items)  # same domain: relative


# --- what is published --------------------------------------------------------------------

def _all_text(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in sorted(out.rglob("*")) if p.is_file()
                     and p.suffix in (".html", ".xml", ".json", ".ics", ".txt"))


def test_drafts_and_future_items_are_excluded(built: Path) -> None:
    everything = _all_text(built)
    assert "Draf Rahasia" not in everything
    assert "Berita Masa Depan" not in everything
    assert not (built / "dinkes/berita/draf-rahasia").exists()
    assert not (built / "dinkes/berita/berita-masa-depan").exists()


def test_drafts_and_future_items_with_flags(preview: Path) -> None:
    draft = preview / "dinkes/berita/draf-rahasia/index.html"
    future = preview / "dinkes/berita/berita-masa-depan/index.html"
    assert draft.is_file() and future.is_file()
    assert html.read(draft).one_meta("robots") == "noindex"
    _, items = _pager_walk(preview / "dinkes/berita")
    slugs = {href.rstrip("/").rsplit("/", 1)[-1] for href in items}
    assert slugs == DINKES_BERITA | {"draf-rahasia", "berita-masa-depan"}


def test_expired_announcement_leaves_lists_but_keeps_its_page(built: Path) -> None:
    d = built / "dinkes"
    assert (d / "pengumuman/libur-lebaran/index.html").is_file()
    listing = (d / "pengumuman/index.html").read_text()
    home = (d / "index.html").read_text()
    portal = (built / "index.html").read_text()
    for text in (listing, home, portal):
        assert "Kedaluwarsa" not in text
    assert "pengumuman/penerimaan-pegawai/" in listing
    assert "pengumuman/jadwal-posyandu/" in listing
    assert "pengumuman/penerimaan-pegawai/" in home


def test_alias_redirects_to_its_target(built: Path) -> None:
    alias = built / "dinkes/index.php/berita/123/index.html"
    doc = html.read(alias)
    refresh = [a["content"] for tag, a in doc.tags
               if tag == "meta" and a.get("http-equiv", "").lower() == "refresh"]
    assert len(refresh) == 1
    target = refresh[0].split("url=", 1)[1]
    resolved = Path(posixpath.normpath(posixpath.join(alias.parent.as_posix(), target)))
    assert resolved == built / "dinkes/berita/vaksinasi-massal"
    assert (resolved / "index.html").is_file()
    assert doc.links["canonical"] == [DINKES_URL + "berita/vaksinasi-massal/"]
    assert doc.one_meta("robots") == "noindex"
    assert any(target in a.get("href", "") for tag, a in doc.tags if tag == "a")


def test_tags_and_plain_pages(built: Path) -> None:
    d = built / "dinkes"
    tag_page = (d / "tag/imunisasi/index.html").read_text()
    assert "berita/vaksinasi-massal/" in tag_page and "berita/posyandu/" in tag_page
    assert "berita/kabar-1/" not in tag_page
    tags_index = (d / "tag/index.html").read_text()
    for slug in ("kesehatan", "imunisasi", "puskesmas", "i-miring-i"):
        assert f"tag/{slug}/" in tags_index
    profil = (d / "profil/index.html").read_text()
    order = [profil.index(f"profil/{slug}/")
             for slug in ("visi-misi", "struktur-organisasi", "panduan")]
    assert order == sorted(order), "plain pages are listed by weight"
    menu = html.read(d / "index.html").hrefs()
    assert "profil/" in menu and "berita/" in menu


def test_images_and_documents(built: Path) -> None:
    d = built / "dinkes"
    page = html.read(d / "berita/vaksinasi-massal/index.html")
    imgs = [a for tag, a in page.tags if tag == "img" and a.get("src", "").endswith("vaksin.png")]
    assert imgs and imgs[0]["alt"] == "Warga antre vaksinasi"
    assert (imgs[0]["width"], imgs[0]["height"]) == ("16", "9")
    assert page.one_meta("og:image") == DINKES_URL + "img/vaksin.png"
    # a relative image next to the content file is published beside its page
    assert (d / "berita/foto-posyandu.png").is_file()
    # documents: the PDF is copied byte for byte and linked with its size
    assert (d / "files/laporan-kinerja.pdf").read_bytes() == pdf("Laporan Kinerja")
    assert (d / "dokumen/dip.pdf").read_bytes() == pdf("DIP")
    doc_page = (d / "dokumen/laporan-kinerja/index.html").read_text()
    assert 'href="../../files/laporan-kinerja.pdf"' in doc_page
    assert "PDF" in doc_page and "KB" in doc_page


# --- feeds ----------------------------------------------------------------------------------

def _feed(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == f"{ATOM}feed"
    return root


def _check_feed(out: Path, path: Path, feed_url: str) -> list[ET.Element]:
    feed = _feed(path)
    assert feed.findtext(f"{ATOM}id") == feed_url
    assert feed.findtext(f"{ATOM}title")
    assert feed.findtext(f"{ATOM}updated")
    selfs = [link.get("href") for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert selfs == [feed_url]
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        assert entry.findtext(f"{ATOM}title")
        assert entry.findtext(f"{ATOM}updated")
        assert entry.findtext(f"{ATOM}id", "").startswith("https://")
        links = entry.findall(f"{ATOM}link")
        assert links, "entry without link"
        for link in links:
            href = link.get("href", "")
            assert href.startswith("https://"), f"relative link {href} in {path}"
            assert local_file(out, href).is_file(), href
        content = entry.find(f"{ATOM}content")
        if content is not None:
            base = content.get("{http://www.w3.org/XML/1998/namespace}base") or ""
            assert base.startswith("https://")
            for ref in re.findall(r'(?:href|src)="([^"]+)"', content.text or ""):
                absolute = urljoin(base, ref)
                if absolute.startswith((REGION_URL, DISDIK_URL)):
                    assert local_file(out, absolute.split("#")[0]).is_file(), absolute
    return entries


def _entry_urls(entries: list[ET.Element]) -> set[str]:
    return {e.findtext(f"{ATOM}id", "") for e in entries}


def test_feeds_are_atom_with_absolute_links(built: Path) -> None:
    d = built / "dinkes"
    everything = _check_feed(built, d / "feed.xml", DINKES_URL + "feed.xml")
    berita = _check_feed(built, d / "berita/feed.xml", DINKES_URL + "berita/feed.xml")
    pengumuman = _check_feed(built, d / "pengumuman/feed.xml", DINKES_URL + "pengumuman/feed.xml")
    assert _entry_urls(berita) == {f"{DINKES_URL}berita/{s}/" for s in DINKES_BERITA}
    assert all("/pengumuman/" in u for u in _entry_urls(pengumuman)) and len(pengumuman) == 3
    assert _entry_urls(everything) == _entry_urls(berita) | _entry_urls(pengumuman)
    own = _check_feed(built, built / "disdik/feed.xml", DISDIK_URL + "feed.xml")
    assert DISDIK_URL + "berita/ppdb-dibuka/" in _entry_urls(own)
    portal = _check_feed(built, built / "feed.xml", REGION_URL + "feed.xml")
    urls = _entry_urls(portal)
    assert DISDIK_URL + "berita/ppdb-dibuka/" in urls
    assert DINKES_URL + "berita/vaksinasi-massal/" in urls
    assert REGION_URL + "kecamatan-uji/berita/no/" in urls
    # newest first
    published = [e.findtext(f"{ATOM}published", "") for e in berita]
    assert published == sorted(published, reverse=True)


def test_html_pages_announce_their_feeds(built: Path) -> None:
    doc = html.read(built / "dinkes/berita/index.html")
    feeds = [a["href"] for tag, a in doc.tags
             if tag == "link" and a.get("type") == "application/atom+xml"]
    assert "../feed.xml" in feeds and "../berita/feed.xml" in feeds


# --- sitemaps ----------------------------------------------------------------------------------

def test_agency_sitemaps_list_every_page(built: Path) -> None:
    for slug, base in (("dinkes", DINKES_URL), ("disdik", DISDIK_URL),
                       ("kecamatan-uji", REGION_URL + "kecamatan-uji/")):
        root = ET.parse(built / slug / "sitemap.xml").getroot()
        assert root.tag == f"{SITEMAP}urlset"
        locs = [u.findtext(f"{SITEMAP}loc", "") for u in root.findall(f"{SITEMAP}url")]
        assert locs and all(loc.startswith(base) for loc in locs)
        assert len(locs) == len(set(locs))
        for loc in locs:
            assert local_file(built, loc).is_file(), loc
        for lastmod in root.iter(f"{SITEMAP}lastmod"):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", lastmod.text or "")
    listed = {loc.text for loc in
              ET.parse(built / "dinkes/sitemap.xml").getroot().iter(f"{SITEMAP}loc")}
    assert {f"{DINKES_URL}berita/{s}/" for s in DINKES_BERITA} <= listed
    assert DINKES_URL + "profil/visi-misi/" in listed
    assert DINKES_URL + "berita/draf-rahasia/" not in listed


def test_portal_sitemap_index_lists_the_agencies_of_its_own_host(built: Path) -> None:
    root = ET.parse(built / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}sitemapindex"
    locs = {s.findtext(f"{SITEMAP}loc") for s in root.findall(f"{SITEMAP}sitemap")}
    assert {DINKES_URL + "sitemap.xml", REGION_URL + "kecamatan-uji/sitemap.xml"} <= locs
    # another host's sitemap is refused in an index: the own-domain agency's robots.txt has it
    assert all(loc and loc.startswith(REGION_URL) for loc in locs), locs
    assert f"Sitemap: {DISDIK_URL}sitemap.xml" in (built / "disdik/robots.txt").read_text()
    for loc in locs:
        assert loc and local_file(built, loc).is_file(), loc
    assert f"Sitemap: {REGION_URL}sitemap.xml" in (built / "robots.txt").read_text()


# --- calendar ------------------------------------------------------------------------------------

def _unfold(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_agenda_ics_is_rfc5545_shaped(built: Path) -> None:
    data = (built / "dinkes/agenda.ics").read_bytes()
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b""), "bare LF"
    raw_lines = data[:-2].split(b"\r\n")
    assert all(len(line) <= 75 for line in raw_lines), [ln for ln in raw_lines if len(ln) > 75]
    assert any(line.startswith(b" ") for line in raw_lines), "the long title is folded"
    lines = _unfold(data)[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(ln.startswith("PRODID:") for ln in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 3
    starts = [ln for ln in lines if ln.startswith("DTSTART")]
    assert len(starts) == 3
    for line in starts + [ln for ln in lines if ln.startswith("DTEND")]:
        assert re.fullmatch(r"DT(START|END)(;VALUE=DATE:\d{8}|:\d{8}T\d{6}Z)", line), line
    events = "\n".join(lines).split("BEGIN:VEVENT")[1:]
    for event in events:
        for key in ("UID:", "DTSTAMP:", "SUMMARY:", "DTSTART"):
            assert f"\n{key}" in event, (key, event)
    # 06:30 WIB (UTC+7) is 23:30 UTC the day before
    assert "DTSTART:20240619T233000Z" in lines and "DTEND:20240620T020000Z" in lines
    # all-day events end exclusively the day after
    assert "DTSTART;VALUE=DATE:20240701" in lines and "DTEND;VALUE=DATE:20240704" in lines
    assert ("SUMMARY:Pekan Imunisasi Nasional Tingkat Kabupaten — Seluruh Puskesmas dan "
            "Posyandu") in lines
    assert "DESCRIPTION:Senam bersama warga\\, terbuka untuk umum." in lines


# --- dates, metadata, JSON-LD -----------------------------------------------------------------

def test_indonesian_dates(built: Path) -> None:
    d = built / "dinkes"
    assert "Sabtu, 15 Juni 2024" in (d / "berita/vaksinasi-massal/index.html").read_text()
    assert "Senin, 10 Juni 2024, 09.30 WIB" in (d / "berita/posyandu/index.html").read_text()
    senam = (d / "agenda/senam-sehat/index.html").read_text()
    assert "Kamis, 20 Juni 2024, 06.30 WIB" in senam and "09.00 WIB" in senam
    assert 'datetime="2024-06-20T06:30:00+07:00"' in senam
    assert "Senin, 1 Juli 2024" in (d / "agenda/pekan-imunisasi/index.html").read_text()


def test_every_page_has_lang_title_description_canonical_and_og(built: Path) -> None:
    titles: dict[str, Path] = {}
    for path in html_pages(built):
        doc = html.read(path)
        rel = path.relative_to(built).as_posix()
        assert doc.lang == "id", rel
        title = doc.title
        assert title.strip(), rel
        canonical = doc.links.get("canonical", [])
        assert len(canonical) == 1 and canonical[0].startswith("https://"), rel
        if is_redirect(doc) or path.name == SINGLE_DOMAIN_404:
            continue      # alias stubs, and the single-domain copy of an own-domain 404 page
        assert title not in titles, f"{rel} has the same <title> as {titles[title]}"
        titles[title] = path
        assert doc.one_meta("description").strip(), rel
        for prop in ("og:title", "og:type", "og:url", "og:site_name"):
            assert doc.one_meta(prop).strip(), (rel, prop)
        assert doc.one_meta("og:url") == canonical[0], rel
        if path.name == "index.html":
            assert local_file(built, canonical[0]) == path, rel
        else:
            assert local_file(built, canonical[0]).is_file(), rel


def test_titles_keep_quotes_and_escape_markup(built: Path) -> None:
    doc = html.read(built / "dinkes/berita/berita-berbahaya/index.html")
    assert doc.title == f"{HOSTILE_TITLE} | Dinkes"
    assert doc.one_meta("og:title") == HOSTILE_TITLE
    assert doc.one_meta("description") == 'Ringkasan dengan <b>tebal</b> & "kutip"'
    listing = (built / "dinkes/berita/index.html").read_text()
    assert "Ringkasan dengan &lt;b&gt;tebal&lt;/b&gt;" in listing


def _types(graphs: list[object]) -> set[str]:
    return {str(g.get("@type")) for g in graphs if isinstance(g, dict)}


def test_jsonld_parses_everywhere_and_fits_the_page(built: Path) -> None:
    for path in html_pages(built):
        doc = html.read(path)
        if is_redirect(doc):
            continue
        graphs = doc.jsonld()
        assert graphs, f"no JSON-LD in {path.relative_to(built)}"
        for graph in graphs:
            assert graph["@context"] == "https://schema.org"
    d = built / "dinkes"
    home = html.read(d / "index.html").jsonld()
    assert "GovernmentOrganization" in _types(home)
    org = home[0]
    assert org["url"] == DINKES_URL and org["parentOrganization"]["url"] == REGION_URL
    assert org["description"] == 'Dinas uji "kesehatan" </script><script>alert(1)</script>'
    news = html.read(d / "berita/berita-berbahaya/index.html").jsonld()
    assert _types(news) == {"NewsArticle"}
    assert news[0]["headline"] == HOSTILE_TITLE
    assert news[0]["datePublished"].startswith("2024-06-13")
    event = html.read(d / "agenda/senam-sehat/index.html").jsonld()
    assert _types(event) == {"Event"}
    assert event[0]["startDate"] == "2024-06-20T06:30:00+07:00"
    assert event[0]["location"]["name"] == 'Alun-alun <script>alert("lokasi")</script>'
    assert "GovernmentOrganization" in _types(html.read(built / "index.html").jsonld())
    own = html.read(built / "disdik/index.html").jsonld()
    assert own[0]["url"] == DISDIK_URL


# --- the own-domain agency and the portal -------------------------------------------------------

def test_own_domain_agency_urls(built: Path) -> None:
    page = html.read(built / "disdik/berita/ppdb-dibuka/index.html")
    assert page.links["canonical"] == [DISDIK_URL + "berita/ppdb-dibuka/"]
    hrefs = page.hrefs()
    assert REGION_URL in hrefs, "links to the portal are absolute"
    assert not any(h.startswith("../../../") for h in hrefs)
    directory = html.read(built / "direktori/index.html").hrefs()
    assert DISDIK_URL in directory
    assert "../dinkes/" in directory and "../kecamatan-uji/" in directory
    single = html.read(built / "dinkes/index.html").hrefs()
    assert "../" in single, "single-domain agencies link to the portal relatively"


def test_yaml_1_1_values_stay_as_written(built: Path) -> None:
    k = built / "kecamatan-uji"
    home = html.read(k / "index.html")
    assert "tel:0712345" in home.hrefs()
    text = home.visible_text
    assert "0712345" in text and "08:00" in text and "Alamat: on" in text
    page = k / "berita/no/index.html"
    assert html.read(page).title == "NO | Kecamatan Uji"
    assert re.search(r"<h1[^>]*>\s*NO\s*</h1>", page.read_text())
    assert (k / "tag/on/index.html").is_file()
    ktp = (k / "layanan/ktp/index.html").read_text()
    assert re.search(r"<dd[^>]*>\s*on\s*</dd>", ktp) and re.search(r"<dd[^>]*>\s*08:00\s*</dd>", ktp)
    assert "0283-123456" in html.read(built / "disdik/index.html").visible_text
    for doc in (home, html.read(k / "layanan/ktp/index.html"), html.read(page)):
        words = set(doc.visible_text.replace(":", " ").split())
        assert not words & {"True", "False", "480", "None", "237797"}, words
        assert not any("237797" in h for h in doc.hrefs())      # 0712345 read as octal
