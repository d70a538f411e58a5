"""The mistakes a Dinas staff member makes with Word, Notepad, a phone or the web editor.

Each case is the exact bytes such a user produces (CRLF, BOM, cp1252, U+201C/U+201D, U+00A0,
U+200B, U+000B, `.MD`, `.md.txt`, `.docx`, a name with spaces, `judul:`), built through the
CLI in one region; the test asserts the file, the line, the message and the hint. The harmless
ones (CRLF, BOM, balanced curly quotes, `.MD`) build clean and publish.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import icalendar
import pytest
from conftest import make_region, run_cli
from PIL import Image

from skpdgen.content import misnamed
from skpdgen.diagnostics import Diagnostics

TODAY = "2026-11-29"
SITE = "sites/dinkes/"
CONTENT = SITE + "content/"
LINE_RE = re.compile(r"^(?P<path>[^:]+?)(?::(?P<line>\d+))?: (?P<severity>error|warning): "
                     r"(?P<text>.+)$")


@dataclass(frozen=True)
class Said:
    path: str
    line: int | None
    severity: str
    text: str          # message and hint, as printed


def said(stderr: str) -> list[Said]:
    """Every diagnostic line of stderr, parsed."""
    found = []
    for text in stderr.splitlines():
        m = LINE_RE.match(text)
        if m:
            found.append(Said(m["path"], int(m["line"]) if m["line"] else None, m["severity"],
                              m["text"]))
    return found


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str | bytes]      # relative to sites/dinkes/
    path: str                          # the file the message names, relative to sites/dinkes/
    line: int | None
    severity: str
    message: str
    hint: str


def _jpeg() -> bytes:
    """A real (small) photo: the image pipeline refuses a truncated one."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 80)).save(buffer, "JPEG")
    return buffer.getvalue()


def md(front: str, body: str = "Isi.\n") -> bytes:
    return ("---\n" + front + "---\n" + body).encode("utf-8")


CASES = [
    Case("cp1252", {"content/berita/ansi.md":
                    b"---\r\ntitle: Rapat \x93Koordinasi\x94\r\ndate: 2026-11-01\r\n---\r\nIsi.\r\n"},
         "content/berita/ansi.md", 2, "error", "is not UTF-8 text", "ANSI (Windows-1252)"),
    Case("word-quote", {"content/berita/kutip.md":
                        md("title: \"Rapat Koordinasi\u201d\ndate: 2026-11-01\n")},
         "content/berita/kutip.md", 2, "error", "Word quote \u201d on line 2",
         "replace \u201c \u201d with \""),
    Case("nested-quotes", {"content/berita/bupati.md":
                           md('title: "Bupati: "Kita Bisa""\ndate: 2026-11-01\n')},
         "content/berita/bupati.md", 2, "error", "quotes inside quotes",
         "write title: 'Bupati: \"Kita Bisa\"'"),
    Case("nbsp-indent", {"content/berita/nbsp.md":
                         md("title: A\ndate: 2026-11-01\ntags:\n\u00a0 - kesehatan\n")},
         "content/berita/nbsp.md", 5, "error", "non-breaking space (U+00A0)",
         "type them again with the space bar"),
    Case("zero-width-key", {"content/berita/zwsp.md": md("ti\u200btle: A\ndate: 2026-11-01\n")},
         "content/berita/zwsp.md", 2, "error", "zero-width space (U+200B)", "pasted from Word"),
    Case("vertical-tab", {"content/berita/vt.md":
                          md("title: Rapat\x0bKoordinasi\ndate: 2026-11-02\n", "Isi\x0c baru.\n"),
                          "content/agenda/apel.md": md("title: Apel\x0bPagi\nstart: 2026-12-05T07:00\n")},
         "content/berita/vt.md", 2, "warning", "removed invisible control character U+000B",
         "pasted from Word"),
    Case("year-typo", {"content/berita/tahun.md": md("title: Tahun\ndate: 2027-11-29\n")},
         "content/berita/tahun.md", 3, "warning", "will only appear on 2027-11-29",
         "a typo in the year? today is 2026-11-29"),
    Case("md-txt", {"content/pengumuman/libur.md.txt": md("title: Libur\ndate: 2026-11-01\n")},
         "content/pengumuman/libur.md.txt", None, "error", "saved with the wrong extension",
         "rename it to 'libur.md'"),
    Case("docx", {"content/berita/Rapat Kerja.docx": b"PK\x03\x04word/document.xml"},
         "content/berita/Rapat Kerja.docx", None, "error",
         "a Word/office document in content/berita/ does not become a page",
         "skpdgen new berita"),
    Case("pdf-unlinked", {"content/berita/Surat Edaran.pdf": b"%PDF-1.4\n"},
         "content/berita/Surat Edaran.pdf", None, "warning", "a PDF in content/berita/",
         "::pdf Surat Edaran.pdf"),
    Case("space-missing-file", {"content/berita/lapor.md":
                                md("title: Lapor\ndate: 2026-11-01\n",
                                   "Isi.\n\nUnduh [laporan](Laporan Akhir.pdf).\n")},
         "content/berita/lapor.md", 7, "error", "file 'Laporan Akhir.pdf' not found",
         "check the file name"),
    Case("space-no-extension", {"content/profil/sejarah.md":
                                md("title: Sejarah\n", "Lihat [profil](profil kami).\n")},
         "content/profil/sejarah.md", 4, "warning", "space in its address is shown as text",
         "[text](<my file.pdf>)"),
    Case("judul", {"content/berita/judul.md": md("judul: Rapat\ndate: 2026-11-01\n")},
         "content/berita/judul.md", 2, "error", "unknown key 'judul'", "did you mean 'title'?"),
    Case("tanggal", {"content/berita/tanggal.md": md("title: Rapat\ntanggal: 2026-11-01\n")},
         "content/berita/tanggal.md", 3, "error", "unknown key 'tanggal'",
         "did you mean 'date'?"),
    Case("ringkasan", {"content/layanan/izin.md": md("title: Izin\nringkasan: Singkat\n")},
         "content/layanan/izin.md", 3, "error", "unknown key 'ringkasan'",
         "did you mean 'summary'?"),
]

# harmless: they must publish without any message
HARMLESS: dict[str, str | bytes] = {
    "content/berita/2026-11-10-crlf.md":
        b"---\r\ntitle: Windows\r\ndate: 2026-11-10\r\n---\r\nBaris satu.\r\nBaris dua.\r\n",
    "content/berita/2026-11-11-bom.md": b"\xef\xbb\xbf" + md("title: Notepad\ndate: 2026-11-11\n"),
    "content/berita/2026-11-12-kutip.md": md("title: \u201cRapat\u201d Bupati\ndate: 2026-11-12\n"),
    "content/berita/Kabar Desa.MD": md("title: Kabar Desa\ndate: 2026-11-13\n"),
    # scheduled a few weeks ahead: normal, silent (a year typo is tested above)
    "content/berita/2026-12-20-jadwal.md": md("title: Jadwal\ndate: 2026-12-20\n"),
    "content/berita/2026-11-14-lampiran.md":
        md("title: Lampiran\ndate: 2026-11-14\nimage: Foto Kegiatan.jpg\nimage_alt: Foto\n",
           "Unduh [laporan](Laporan Tahunan.pdf) dan lihat ![foto](Foto Kegiatan.jpg).\n\n"
           "::pdf Laporan Tahunan.pdf \"Laporan Tahunan\"\n\n[Surat](<Surat Edaran Bupati.pdf>)\n"),
    "content/berita/Laporan Tahunan.pdf": b"%PDF-1.4\n",
    "content/berita/Surat Edaran Bupati.pdf": b"%PDF-1.4\n",
    "content/berita/Foto Kegiatan.jpg": _jpeg(),
}


def region_files(files: dict[str, str | bytes]) -> dict[str, str | bytes]:
    return {SITE + "site.yaml": "name: Dinas Kesehatan\n",
            **{SITE + rel: content for rel, content in files.items()}}


@pytest.fixture(scope="module")
def all_cases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Said], int]:
    """One region with every mistake (and the harmless files): one build reports them all."""
    files: dict[str, str | bytes] = dict(HARMLESS)
    for case in CASES:
        files.update(case.files)
    root = make_region(tmp_path_factory.mktemp("mistakes"), {
        **region_files(files),
        "sites/dinsos/site.yaml": "name: Dinas Sosial\ncontact:\n  jam: Senin-Jumat\n"
                                  "  alamat: Jl. Merdeka 1\n",
    })
    result = run_cli("build", "--today", TODAY, cwd=root, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return root, said(result.stderr), result.returncode


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_mistake_is_named_at_its_line(all_cases: tuple[Path, list[Said], int],
                                      case: Case) -> None:
    _, found, _ = all_cases
    mine = [s for s in found if s.path == SITE + case.path and case.message in s.text]
    assert len(mine) == 1, [s for s in found if s.path == SITE + case.path]
    assert mine[0].line == case.line, mine[0]
    assert mine[0].severity == case.severity, mine[0]
    assert case.hint in mine[0].text, mine[0]


def test_indonesian_keys_in_site_yaml(all_cases: tuple[Path, list[Said], int]) -> None:
    _, found, status = all_cases
    assert status == 1
    by_line = {s.line: s.text for s in found if s.path == "sites/dinsos/site.yaml"}
    assert "unknown key 'contact.jam'" in by_line[3] and "did you mean 'hours'?" in by_line[3]
    assert "did you mean 'address'?" in by_line[4]


def test_no_message_for_the_harmless_files(all_cases: tuple[Path, list[Said], int]) -> None:
    _, found, _ = all_cases
    harmless = {SITE + rel for rel in HARMLESS}
    assert [s for s in found if s.path in harmless] == []


def test_misnamed_files_are_not_published_as_downloads(
        all_cases: tuple[Path, list[Said], int]) -> None:
    root, _, _ = all_cases
    out = root / "build/dinkes"
    assert not (out / "pengumuman/libur.md.txt").exists()
    assert not (out / "berita/Rapat Kerja.docx").exists()
    assert (out / "berita/kabar-desa/index.html").is_file()      # .MD is Markdown


def test_control_characters_never_reach_xml_or_json(
        all_cases: tuple[Path, list[Said], int]) -> None:
    root, _, _ = all_cases
    out = root / "build/dinkes"
    page = (out / "berita/vt/index.html").read_text(encoding="utf-8")
    assert "RapatKoordinasi" in page and "\x0b" not in page and "\x0c" not in page
    feed = (out / "feed.xml").read_bytes()
    ET.fromstring(feed)                           # well-formed XML
    assert b"RapatKoordinasi" in feed
    calendar = icalendar.Calendar.from_ical((out / "agenda.ics").read_bytes())
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["ApelPagi"]
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S):
        json.loads(block)
    json.loads((root / "build/status.json").read_text(encoding="utf-8"))
    ET.fromstring((root / "build/feed.xml").read_bytes())


def test_harmless_files_build_clean(tmp_path: Path) -> None:
    root = make_region(tmp_path, region_files(HARMLESS))
    result = run_cli("build", "--today", TODAY, cwd=root, timeout=120)
    assert result.returncode == 0, result.stderr
    assert ": warning: " not in result.stderr and ": error: " not in result.stderr, result.stderr
    out = root / "build/dinkes/berita"
    assert "<h1>Windows</h1>" in (out / "crlf/index.html").read_text(encoding="utf-8")
    assert "<h1>Notepad</h1>" in (out / "bom/index.html").read_text(encoding="utf-8")
    assert "<h1>\u201cRapat\u201d Bupati</h1>" in (out / "kutip/index.html").read_text("utf-8")
    page = (out / "lampiran/index.html").read_text(encoding="utf-8")
    assert 'href="../../berita/Laporan%20Tahunan.pdf"' in page          # link with spaces
    assert 'src="../../berita/Foto%20Kegiatan.64.jpg"' in page          # image with spaces
    assert 'href="../../berita/Surat%20Edaran%20Bupati.pdf"' in page    # <angle> form
    assert 'class="embed embed-pdf"' in page and "Laporan Tahunan</a>" not in page
    assert "](" not in page                                             # nothing left as text
    assert (out / "Laporan Tahunan.pdf").is_file()


def test_new_refuses_an_unknown_section(tmp_path: Path) -> None:
    root = make_region(tmp_path, region_files({}))
    result = run_cli("new", "news", "dinkes", "Judul", cwd=root)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "unknown section 'news'; did you mean 'berita'?" in result.stderr
    assert "berita, pengumuman, agenda, layanan, dokumen, inovasi" in result.stderr
    assert not (root / CONTENT / "news").exists()
    # a page folder that exists is fine: plain pages
    (root / CONTENT / "profil").mkdir(parents=True)
    result = run_cli("new", "profil", "dinkes", "Sejarah", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / CONTENT / "profil/sejarah.md").is_file()


def test_heic_is_never_silent_without_pillow_heif(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """With pillow-heif (a dependency) the pipeline converts HEIC (tests/test_media.py);
    an install without it warns instead of publishing a photo no browser shows."""
    diags = Diagnostics()
    assert misnamed.review(tmp_path, "static/img/IMG_0001.HEIC", [], "x/IMG_0001.HEIC", diags)
    assert diags.items == []
    monkeypatch.setattr(misnamed, "heif_readable", lambda: False)
    misnamed.review(tmp_path, "static/img/IMG_0001.HEIC", [], "x/IMG_0001.HEIC", diags)
    assert [d.message for d in diags.items] == [
        "HEIC photo (from an iPhone): most browsers cannot show it"]
