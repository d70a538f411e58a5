"""Parse every output that has a parser: XML (feeds, sitemaps), iCalendar, JSON and the JSON-LD
block of each page. A malformed output is an error, never a green check.

    diagnostics = check_parsing(root, files)

A fault is placed where it was written when the text around it can be found in the sources
(an invisible control character pasted from Word into a title is found in that title's line);
otherwise at the output file, with a pointer to the templates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from xml.etree.ElementTree import ParseError

import icalendar
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from skpdgen.check.tree import TreeFile, source_file
from skpdgen.diagnostics import Diagnostic

CODE = "malformed-output"
MAX_PARSED_BYTES = 20 * 1024 * 1024      # a larger data file copied from static/ is skipped
_XML = (".xml", ".rss", ".atom", ".xsl", ".svg")
_JSON = (".json", ".jsonld", ".webmanifest", ".geojson")
_ICS = (".ics",)
_JSONLD = re.compile(rb'<script[^>]*type="application/ld\+json"[^>]*>(.*?)</script>',
                     re.DOTALL | re.IGNORECASE)
# what no XML, JSON string or iCalendar text may hold: C0 controls but tab, newline, return
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_BREAK = re.compile(r'[<>"]|^[A-Z-]+(;[^:]*)?:')     # where a run of text starts or ends


@dataclass(frozen=True, slots=True)
class Malformed:
    """One output a parser refuses, and where."""

    file: TreeFile
    kind: str                  # XML, iCalendar, JSON, JSON-LD
    problem: str
    line: int | None           # in the output
    needle: str                # the text around the fault, to look for in the sources
    control: bool              # the fault is an invisible control character


def check_parsing(root: Path, files: Iterable[TreeFile]) -> list[Diagnostic]:
    """An error for each fault in `files` their parser finds; one fault written once in the
    sources (a title in three feeds) is one error that lists every output it breaks."""
    grouped: dict[tuple[str, int | None, str, str | None], list[str]] = {}
    for bad in (bad for file in files for bad in malformed(file)):
        diagnostic = _place(root, bad)
        output = f"build/{bad.file.path}" + (f" (line {bad.line})" if bad.line else "")
        key = (diagnostic.path, diagnostic.line, diagnostic.message, diagnostic.hint)
        grouped.setdefault(key, []).append(output)
    return [Diagnostic(path, line, "error", f"{message}, in {', '.join(outputs)}", hint, CODE)
            for (path, line, message, hint), outputs in grouped.items()]


def malformed(file: TreeFile) -> Iterator[Malformed]:
    """What is wrong with one output file, if anything its parser can tell."""
    name = file.path.lower()
    kind = ("XML" if name.endswith(_XML) else "JSON" if name.endswith(_JSON)
            else "iCalendar" if name.endswith(_ICS) else None)
    if kind is None and not file.is_html:
        return
    if file.size() > MAX_PARSED_BYTES:
        return
    data = file.data()
    if kind is None:
        for match in _JSONLD.finditer(data):
            offset = data.count(b"\n", 0, match.start(1))
            found = _fault(file, "JSON-LD", match.group(1), offset)
            if found is not None:
                yield found
        return
    found = _fault(file, kind, data, 0)
    if found is not None:
        yield found


def _fault(file: TreeFile, kind: str, data: bytes, line_offset: int) -> Malformed | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Malformed(file, kind, "it is not UTF-8 text", line + line_offset, "", False)
    control = _CONTROL.search(text)
    if control is not None:
        problem = f"invisible control character U+{ord(control.group(0)):04X}"
        return _at(file, kind, text, control.start(), line_offset, problem, control=True)
    return _parse(file, kind, text, line_offset)


def _parse(file: TreeFile, kind: str, text: str, line_offset: int) -> Malformed | None:
    try:
        if kind == "XML":
            fromstring(text.encode("utf-8"), forbid_dtd=False)
        elif kind == "iCalendar":
            icalendar.Calendar.from_ical(text)
        else:
            json.loads(text)
    except ParseError as exc:
        line, column = exc.position
        return _at(file, kind, text, _offset(text, line, column), line_offset,
                   problem=str(exc).split(":")[0])
    except json.JSONDecodeError as exc:
        return _at(file, kind, text, exc.pos, line_offset, problem=exc.msg)
    except (ValueError, DefusedXmlException) as exc:       # icalendar says ValueError
        problem = str(exc).split("\n")[0][:160]
        snippet = re.search(r"'([^']{4,})'", problem)
        offset = text.find(snippet.group(1)) if snippet else -1
        if offset < 0:
            return Malformed(file, kind, problem, None, "", False)
        return _at(file, kind, text, offset, line_offset, problem=problem)
    return None


def _offset(text: str, line: int, column: int) -> int:
    """The string offset of a 1-based line and 0-based column."""
    at = 0
    for _ in range(line - 1):
        at = text.find("\n", at) + 1
    return min(at + column, len(text))


def _at(file: TreeFile, kind: str, text: str, offset: int, line_offset: int, problem: str,
        control: bool = False) -> Malformed:
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line_end = len(text) if line_end < 0 else line_end
    line_text = text[line_start:line_end].rstrip("\r")
    column = offset - line_start
    before = [m.end() for m in _BREAK.finditer(line_text[:column])]
    start = before[-1] if before else 0
    after = _BREAK.search(line_text, column + 1)
    end = after.start() if after else len(line_text)
    needle = unescape(line_text[start:end]).strip()
    line = text.count("\n", 0, offset) + 1 + line_offset
    return Malformed(file, kind, problem, line, needle if len(needle) >= 3 else "", control)


def _place(root: Path, bad: Malformed) -> Diagnostic:
    output = f"build/{bad.file.path}"
    message = (f"{bad.kind} output does not parse: {bad.problem} near '{visible(bad.needle)}'"
               if bad.needle else f"{bad.kind} output does not parse: {bad.problem}")
    found = _find(root, bad) if bad.needle else None
    if found is not None:
        path, line = found
        hint = ("the character comes from this line and is invisible: delete the words around "
                "it, type them again and save" if bad.control else
                "the text on this line breaks it: look for a stray character or symbol")
        return Diagnostic(path, line, "error", message, hint, CODE)
    if bad.control:
        return Diagnostic(output, bad.line, "error", message,
                          "an invisible character pasted from Word or a PDF is in this text: "
                          "find it in your files, type the words again and save", CODE)
    templates = (f"themes/ or sites/{bad.file.site}/templates/" if bad.file.site
                 else "themes/")
    return Diagnostic(output, bad.line, "error", message,
                      f"it is written by a template, not by a content file: see {templates}",
                      CODE)


def _find(root: Path, bad: Malformed) -> tuple[str, int] | None:
    """The first source line that holds the text around the fault."""
    own = source_file(root, bad.file)
    base = root / "sites" / bad.file.site if bad.file.site else root
    candidates = [own] if own is not None else []
    candidates += sorted((base / "content").rglob("*.md")) if (base / "content").is_dir() else []
    if bad.file.site is None:
        candidates += sorted((root / "sites").glob("*/content/**/*.md"))
    candidates += [p for p in (base / "site.yaml", root / "skpdgen.yaml") if p.is_file()]
    needles = _spellings(bad.needle)
    for path in candidates:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        except OSError:
            continue
        for number, text in enumerate(lines, start=1):
            if any(needle in text for needle in needles):
                return path.relative_to(root).as_posix(), number
    return None


_YAML_ESCAPES = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\v": "\\v", "\f": "\\f",
                 "\x1b": "\\e"}


def _spellings(needle: str) -> list[str]:
    """The text as it may be written in a source: as it is, or with its control characters
    as YAML escapes ("\\v", "\\x0b", "\\u000b")."""
    found = [needle]
    for char in dict.fromkeys(_CONTROL.findall(needle)):
        code = ord(char)
        for escape in (_YAML_ESCAPES.get(char), f"\\x{code:02x}", f"\\u{code:04x}"):
            if escape:
                found += [text.replace(char, escape) for text in list(found)]
    return found


def visible(text: str) -> str:
    """Text with its control characters shown as [U+000B]."""
    return _CONTROL.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", text)
