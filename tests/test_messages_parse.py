"""`check` parses every output it has a parser for (XML, iCalendar, JSON, JSON-LD): a malformed
output is an error naming the output and, where the fault is written in a source, that line."""

from __future__ import annotations

from pathlib import Path

from conftest import make_region, override_theme_file, run_cli

from skpdgen.check.parse import check_parsing
from skpdgen.check.tree import TreeFile
from skpdgen.render import Output

SITE = {"sites/dinkes/site.yaml": "name: Dinas Kesehatan\ndescription: Dinas uji.\n"}
NEWS = "sites/dinkes/content/berita/2026-11-20-rapat.md"


def _check(root: Path, lang: str = "en") -> tuple[int, list[str]]:
    proc = run_cli("check", "--today", "2026-11-29", "--lang", lang, cwd=root)
    assert "Traceback" not in proc.stderr
    return proc.returncode, [line for line in proc.stderr.splitlines() if ": error: " in line]


def test_the_demo_region_parses() -> None:
    root = Path(__file__).resolve().parent.parent
    proc = run_cli("check", "--today", "2026-11-29", cwd=root)
    assert "does not parse" not in proc.stderr, proc.stderr


def test_json_and_xml_from_an_agency_static_are_refused_one_line_each(tmp_path: Path) -> None:
    """An agency may not publish JSON or XML (scripts on the portal's domain could read them:
    content/publishable.py); each file is one error line naming it, the rest is built."""
    root = make_region(tmp_path, {**SITE,
                                  "sites/dinkes/static/data/angka.json": '{"a": 1,}\n',
                                  "sites/dinkes/static/data/peta.xml": "<peta><titik></peta>\n"})
    proc = run_cli("build", "--today", "2026-11-29", "--lang", "en", cwd=root)
    errors = [line for line in proc.stderr.splitlines() if ": error: " in line]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert sorted(e.split(":", 1)[0] for e in errors) == [
        "sites/dinkes/static/data/angka.json", "sites/dinkes/static/data/peta.xml"], errors
    assert not (root / "build/dinkes/data").exists()


def test_malformed_json_output_is_placed_at_its_output(tmp_path: Path) -> None:
    root = make_region(tmp_path, SITE)
    found = check_parsing(root, [_file("dinkes/status.json", b'{"a": 1,}\n'),
                                 _file("dinkes/baik.json", b'{"a": 1}\n')])
    assert [d.path for d in found] == ["build/dinkes/status.json"]
    assert found[0].message.startswith("JSON output does not parse: Expecting property name")


def test_a_template_that_breaks_the_json_ld(tmp_path: Path) -> None:
    root = make_region(tmp_path, {**SITE, "sites/dinkes/content/profil.md":
                                  "---\ntitle: Profil\n---\nIsi.\n"})
    base = override_theme_file(root, "templates/base.html")
    text = base.read_text(encoding="utf-8")
    base.write_text(text.replace("{{ meta.jsonld|safe }}", "{{ meta.jsonld|safe }},"),
                    encoding="utf-8")
    status, errors = _check(root, "id")
    assert status == 1
    found = [e for e in errors if "JSON-LD" in e]
    assert found, errors
    assert found[0].startswith("build/")
    assert "keluaran JSON-LD tidak bisa dibaca" in found[0]
    assert "ini ditulis oleh templat, bukan oleh berkas isi: lihat themes/" in found[0]


def test_a_control_character_never_passes_green(tmp_path: Path) -> None:
    root = make_region(tmp_path, {**SITE, NEWS: b"---\ntitle: \"Rapat\\vKoordinasi\"\n"
                                               b"date: 2026-11-20\n---\nIsi rapat.\n"})
    status, errors = _check(root)
    proc = run_cli("check", "--today", "2026-11-29", cwd=root)
    # either the text is cleaned with a warning at its line, or check refuses the output
    assert status == 1 or f"{NEWS}:2: warning" in proc.stderr, proc.stderr
    if status == 1:
        assert any(e.startswith(f"{NEWS}:2: error: XML output does not parse: invisible "
                                "control character U+000B") for e in errors), errors


def _file(path: str, data: bytes, site: str | None = "dinkes", origin: str = "") -> TreeFile:
    return TreeFile(path, Output(path, data, origin=origin), site)


def test_a_control_character_in_a_feed_is_placed_at_its_source_line(tmp_path: Path) -> None:
    root = make_region(tmp_path, {**SITE, NEWS: b"---\ntitle: Rapat\ndate: 2026-11-20\n---\n"
                                               b"Rapat\x0bKoordinasi bulanan.\n"})
    feed = _file("dinkes/feed.xml", b"<?xml version='1.0'?>\n<rss><channel>\n"
                 b"<description>Rapat\x0bKoordinasi bulanan.</description>\n</channel></rss>\n")
    calendar = _file("dinkes/agenda.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
                     b"BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20240101T000000Z\r\n"
                     b"SUMMARY:Rapat\x0bKoordinasi bulanan.\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    found = check_parsing(root, [feed, calendar])
    assert [(d.path, d.line) for d in found] == [(NEWS, 5), (NEWS, 5)]
    assert found[0].message == ("XML output does not parse: invisible control character "
                                "U+000B near 'Rapat[U+000B]Koordinasi "
                                "bulanan.', in build/dinkes/feed.xml (line 3)")
    assert found[1].message.startswith("iCalendar output does not parse: invisible control")
    assert found[0].code == "malformed-output"


def test_a_broken_calendar_and_sitemap(tmp_path: Path) -> None:
    root = make_region(tmp_path, SITE)
    calendar = _file("dinkes/agenda.ics", b"BEGIN:VCALENDAR\r\nBROKEN LINE\r\nEND:VCALENDAR\r\n")
    sitemap = _file("sitemap.xml", b"<urlset><url>a & b</url></urlset>", site=None)
    fine = _file("dinkes/sitemap.xml", b"<urlset><url>a &amp; b</url></urlset>")
    found = check_parsing(root, [calendar, sitemap, fine])
    assert [d.path for d in found] == ["build/dinkes/agenda.ics", "build/sitemap.xml"]
    assert "iCalendar output does not parse" in found[0].message
    assert found[1].message.startswith("XML output does not parse: not well-formed")
    assert found[1].hint == ("it is written by a template, not by a content file: "
                             "see themes/")
