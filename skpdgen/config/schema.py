"""A declarative, typed schema for YAML mappings: each field documented once.

`validate` turns a YMap into a plain dict of typed values and reports every problem as a
Diagnostic with the line of the offending key, so all errors of a file show in one run.
The README's reference tables are generated from the same Field declarations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from skpdgen import safeurl
from skpdgen.diagnostics import Diagnostics, closest, did_you_mean
from skpdgen.textclean import CONTROL
from skpdgen.yamlio import YMap, YNode, YScalar, YSeq


class FieldError(Exception):
    """A value that does not fit its field; caught by `validate` and turned into a Diagnostic."""

    def __init__(self, message: str, hint: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.line = line


@dataclass(frozen=True, slots=True)
class Context:
    """What converters need beyond the node: the file being read, its diagnostics, the timezone."""

    path: str
    diags: Diagnostics
    tz: ZoneInfo


Converter = Callable[[YNode, Context], Any]


@dataclass(frozen=True, slots=True)
class Field:
    """One key of a mapping: its converter, whether it is required, and its documentation."""

    type: Converter
    doc: str
    required: bool = False
    type_name: str = "text"


Schema = Mapping[str, Field]


def validate(
    node: YNode | None, schema: Schema, ctx: Context, *, line: int | None = None, prefix: str = "",
) -> dict[str, Any]:
    """Check `node` against `schema`; return typed values (None for absent optional keys).

    Every problem becomes a diagnostic in `ctx.diags`; the values of bad keys stay None.
    """
    path, diags = ctx.path, ctx.diags
    values: dict[str, Any] = {name: None for name in schema}
    if node is None or (isinstance(node, YScalar) and node.is_null):
        node = YMap({}, {}, line or 1)
    if not isinstance(node, YMap):
        diags.error(path, node.line, f"{prefix or 'this'} must be a mapping of 'key: value' lines")
        return values
    misspelled: set[str] = set()      # known keys an unknown key was a typo of
    for key, child in node.items.items():
        key_line = node.key_lines[key]
        spec = schema.get(key)
        if spec is None:
            meant = meant_key(key, schema)
            if meant:
                misspelled.add(meant)
            diags.error(
                path, key_line, f"unknown key '{prefix}{key}'",
                f"did you mean '{meant}'?" if meant else f"known keys: {', '.join(schema)}",
            )
            continue
        if isinstance(child, YScalar) and child.is_null:
            continue
        try:
            values[key] = spec.type(child, ctx)
        except FieldError as exc:
            diags.error(path, exc.line or key_line, f"'{prefix}{key}' {exc.message}", exc.hint)
    for name, spec in schema.items():
        if (spec.required and values[name] is None and name not in misspelled
                and not _reported(diags, path, prefix + name)):
            diags.error(path, node.line, f"missing required key '{prefix}{name}'",
                        f"add '{name}: ...'")
    return values


# Indonesian (and a few English) words staff write for the keys skpdgen knows: one table,
# used only for did-you-mean (keys stay English so one README serves every region).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("judul", "nama_halaman", "jabatan"),
    "date": ("tanggal", "tgl", "tanggal_terbit", "diterbitkan"),
    "updated": ("diperbarui", "tanggal_perubahan", "diubah"),
    "summary": ("ringkasan", "rangkuman", "deskripsi_singkat"),
    "image": ("gambar", "foto", "photo", "picture"),
    "image_alt": ("keterangan_gambar", "keterangan_foto", "alt", "teks_alt"),
    "tags": ("tag", "label", "kata_kunci", "topik"),
    "draft": ("draf", "konsep"),
    "author": ("penulis", "pengarang", "oleh"),
    "weight": ("urutan", "bobot", "order"),
    "aliases": ("alamat_lama", "url_lama"),
    "hours": ("jam", "jam_layanan", "jam_kerja", "jam_buka"),
    "address": ("alamat",),
    "phone": ("telepon", "telp", "tlp", "nomor_telepon", "no_telp", "telpon"),
    "email": ("surel", "e-mail", "surat_elektronik"),
    "whatsapp": ("wa", "no_wa", "nomor_wa"),
    "name": ("nama", "nama_dinas", "nama_instansi"),
    "short_name": ("singkatan", "nama_singkat"),
    "description": ("deskripsi", "keterangan", "uraian"),
    "color": ("warna", "colour"),
    "head": ("kepala", "pimpinan"),
    "greeting": ("sambutan", "kata_sambutan"),
    "contact": ("kontak", "hubungi"),
    "social": ("media_sosial", "sosmed", "medsos"),
    "start": ("mulai", "waktu_mulai", "tanggal_mulai"),
    "end": ("selesai", "berakhir", "waktu_selesai", "tanggal_selesai"),
    "location": ("lokasi", "tempat"),
    "organizer": ("penyelenggara", "pelaksana"),
    "requirements": ("persyaratan", "syarat"),
    "procedure": ("prosedur", "alur", "tata_cara"),
    "duration": ("waktu", "lama", "waktu_penyelesaian", "jangka_waktu"),
    "cost": ("biaya", "tarif"),
    "output": ("produk", "hasil", "produk_layanan"),
    "complaints": ("pengaduan", "aduan"),
    "legal_basis": ("dasar_hukum",),
    "online_url": ("tautan_online", "layanan_online"),
    "file": ("berkas", "dokumen", "lampiran"),
    "category": ("kategori",),
    "year": ("tahun",),
    "stage": ("tahap", "tahapan"),
    "benefits": ("manfaat",),
    "url": ("tautan", "link", "alamat_web", "situs"),
    "expires": ("kedaluwarsa", "kadaluarsa", "berlaku_sampai", "sampai"),
    "kind": ("jenis",),
    "logo": ("lambang",),
}
_SYNONYM_OF = {word: key for key, words in SYNONYMS.items() for word in words}


def meant_key(key: str, schema: Schema) -> str | None:
    """The known key an unknown one stands for: its English name, or the closest spelling."""
    normal = key.strip().lower().replace(" ", "_")
    meant = _SYNONYM_OF.get(normal) or _SYNONYM_OF.get(normal.replace("-", "_"))
    if meant in schema:
        return meant
    return closest(key, schema)


def _reported(diags: Diagnostics, path: str, key: str) -> bool:
    return any(d.path == path and f"'{key}'" in d.message for d in diags.errors)


# --- converters -----------------------------------------------------------------------------

def _scalar(node: YNode, what: str) -> YScalar:
    if not isinstance(node, YScalar):
        raise FieldError(f"must be {what}, not a list or mapping")
    return node


MAX_TEXT, MAX_LINE = 20_000, 2_000   # characters; no page needs more in one value


def text(node: YNode, ctx: Context) -> str:
    """Text exactly as written (numbers, times and yes/no stay text)."""
    scalar = _scalar(node, "text")
    value = scalar.value.strip()
    if "\x00" in value:
        raise FieldError("contains a NUL character")
    if CONTROL.search(value):      # written as a YAML escape ("\v", "\x0b"): never in output
        found = ", ".join(f"U+{ord(c):04X}" for c in sorted(set(CONTROL.findall(value))))
        ctx.diags.warning(ctx.path, scalar.line, f"removed invisible control character {found}",
                          "delete the escape (such as \\v or \\x0b) from the text")
        value = CONTROL.sub("", value).strip()
    if len(value) > MAX_TEXT:
        raise FieldError(f"is {len(value):,} characters long (at most {MAX_TEXT:,})",
                         "shorten it; long text belongs in the page body")
    return value


def line_text(node: YNode, ctx: Context) -> str:
    value = text(node, ctx)
    if "\n" in value or "\r" in value:
        raise FieldError("must be a single line")
    if len(value) > MAX_LINE:
        raise FieldError(f"is {len(value):,} characters long (at most {MAX_LINE:,})",
                         "shorten it")
    return value


@dataclass(frozen=True, slots=True, eq=False)
class ShortText:
    """One line of at most `limit` characters (titles: a page of 100 000 is a mistake)."""

    limit: int

    def __call__(self, node: YNode, ctx: Context) -> str:
        value = line_text(node, ctx)
        if len(value) > self.limit:
            raise FieldError(f"is {len(value):,} characters long (at most {self.limit})",
                             "shorten it; put the rest in 'summary' or the body")
        return value


def short_text(limit: int) -> Converter:
    return ShortText(limit)


_TRUE = {"true", "yes", "ya", "on"}
_FALSE = {"false", "no", "tidak", "off"}


def boolean(node: YNode, ctx: Context) -> bool:
    raw = _scalar(node, "true or false").value.strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise FieldError(f"must be true or false, got '{raw}'", "use true or false")


# Converters with parameters are small callable objects, so that generators (the README
# reference, the editor's forms) can read their parameters: the choices, the bounds, the
# nested schema.

@dataclass(frozen=True, slots=True, eq=False)
class Integer:
    """A whole number within optional bounds."""

    minimum: int | None = None
    maximum: int | None = None

    def __call__(self, node: YNode, ctx: Context) -> int:
        raw = _scalar(node, "a whole number").value.strip()
        if not re.fullmatch(r"[+-]?\d{1,9}", raw):
            raise FieldError(f"must be a whole number, got '{raw}'")
        value = int(raw)
        if self.minimum is not None and value < self.minimum:
            raise FieldError(f"must be at least {self.minimum}, got {value}")
        if self.maximum is not None and value > self.maximum:
            raise FieldError(f"must be at most {self.maximum}, got {value}")
        return value


def integer(minimum: int | None = None, maximum: int | None = None) -> Converter:
    return Integer(minimum, maximum)


@dataclass(frozen=True, slots=True, eq=False)
class Choice:
    """One word out of a fixed list."""

    choices: tuple[str, ...]

    def __call__(self, node: YNode, ctx: Context) -> str:
        raw = _scalar(node, "one word").value.strip()
        if raw not in self.choices:
            hint = did_you_mean(raw.lower(), self.choices) or f"use one of: {', '.join(self.choices)}"
            raise FieldError(f"must be one of {', '.join(self.choices)}, got '{raw}'", hint)
        return raw


def choice(*choices: str) -> Converter:
    return Choice(tuple(choices))


def url(node: YNode, ctx: Context) -> str:
    """A full http(s) address (social accounts, online services, maps)."""
    raw = line_text(node, ctx)
    problem = safeurl.web_address_problem(raw)
    if problem:
        raise FieldError(f"{problem}, got '{raw}'", "start it with https://")
    return raw


def link(node: YNode, ctx: Context) -> str:
    """A link on a page: http(s), mailto:, tel: or a path of the site (never javascript:)."""
    raw = line_text(node, ctx)
    problem = safeurl.link_problem(raw)
    if problem:
        raise FieldError(f"{problem}: '{raw}'",
                         "use https://…, mailto:…, tel:… or a path of this site such as berita/")
    return raw


def email(node: YNode, ctx: Context) -> str:
    raw = line_text(node, ctx)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", raw):
        raise FieldError(f"must be an e-mail address, got '{raw}'")
    return raw


def color(node: YNode, ctx: Context) -> str:
    raw = line_text(node, ctx)
    if not re.fullmatch(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}", raw):
        raise FieldError(f"must be a colour like '#0b5394', got '{raw}'",
                         "write it in quotes: color: \"#0b5394\"")
    if len(raw) == 4:
        raw = "#" + "".join(c * 2 for c in raw[1:])
    return raw.lower()


def string_list(node: YNode, ctx: Context) -> list[str]:
    """A list of text items; a single text is accepted as a one-item list."""
    if isinstance(node, YScalar):
        return [text(node, ctx)]
    if not isinstance(node, YSeq):
        raise FieldError("must be a list ('- item' lines)")
    result = []
    for item in node.items:
        if not isinstance(item, YScalar):
            raise FieldError("must be a list of text items", line=item.line)
        if not item.is_null:
            result.append(text(item, ctx))
    return result


_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATETIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
    r"(Z|[+-]\d{2}:?\d{2})?"
)


def _date_hint(raw: str) -> str:
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", raw)
    if m:
        day, month, year = m.groups()
        return f"use YYYY-MM-DD: {year}-{int(month):02d}-{int(day):02d}"
    return "use YYYY-MM-DD, e.g. 2024-05-12"


MIN_YEAR, MAX_YEAR = 1900, 2999   # dates outside cannot be meant, and overflow date arithmetic


def year_problem(day: date) -> str | None:
    """Why a date is out of the range skpdgen accepts (None when it is fine)."""
    if MIN_YEAR <= day.year <= MAX_YEAR:
        return None
    return f"year {day.year} is not between {MIN_YEAR} and {MAX_YEAR}"


def calendar_date(node: YNode, ctx: Context) -> date:
    raw = line_text(node, ctx)
    m = _DATE_RE.fullmatch(raw)
    if not m:
        raise FieldError(f"must be a date YYYY-MM-DD, got '{raw}'", _date_hint(raw))
    try:
        day = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise FieldError(f"is not a real date: '{raw}'", "check the day and month") from None
    problem = year_problem(day)
    if problem:
        raise FieldError(f"is out of range: {problem}", "check the year")
    return day


@dataclass(frozen=True, slots=True)
class When:
    """A date or a date with time, as an aware datetime in the region's timezone."""

    at: datetime
    has_time: bool

    @property
    def day(self) -> date:
        return self.at.date()


def when(node: YNode, ctx: Context) -> When:
    """`YYYY-MM-DD` or an ISO datetime; naive times are read in the region's timezone."""
    raw = line_text(node, ctx)
    if _DATE_RE.fullmatch(raw):
        day = calendar_date(node, ctx)
        return When(datetime.combine(day, time(0, 0), tzinfo=ctx.tz), False)
    m = _DATETIME_RE.fullmatch(raw)
    if not m:
        raise FieldError(
            f"must be a date YYYY-MM-DD or date and time YYYY-MM-DDTHH:MM, got '{raw}'",
            _date_hint(raw),
        )
    try:
        parsed = datetime.fromisoformat(raw.replace(" ", "T").replace("Z", "+00:00"))
    except ValueError:
        raise FieldError(f"is not a real date and time: '{raw}'", "check the numbers") from None
    problem = year_problem(parsed.date())
    if problem:
        raise FieldError(f"is out of range: {problem}", "check the year")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ctx.tz)
    return When(parsed.astimezone(ctx.tz), True)


@dataclass(frozen=True, slots=True, eq=False)
class Nested:
    """A mapping validated against its own schema (or, with `many`, a list of such mappings);
    its problems keep their own lines."""

    schema: Schema
    prefix: str
    many: bool = False

    def __call__(self, node: YNode, ctx: Context) -> Any:
        if self.many:
            if not isinstance(node, YSeq):
                raise FieldError("must be a list ('- key: value' items)")
            return [validate(item, self.schema, ctx, prefix=self.prefix) for item in node.items]
        if not isinstance(node, YMap):
            raise FieldError("must be a mapping of 'key: value' lines")
        return validate(node, self.schema, ctx, prefix=self.prefix)


def mapping(schema: Schema, prefix: str) -> Converter:
    """A nested mapping validated against its own schema."""
    return Nested(schema, prefix)


def list_of(schema: Schema, prefix: str) -> Converter:
    """A list of mappings, each validated against `schema`."""
    return Nested(schema, prefix, many=True)


# field constructors, so schemas read like documentation
def f(type_: Converter, doc: str, *, required: bool = False, type_name: str | None = None
      ) -> Field:
    names: dict[Converter, str] = {
        text: "text", line_text: "text", boolean: "bool", url: "URL", email: "e-mail",
        link: "link",
        color: "colour", string_list: "list of text", calendar_date: "date",
        when: "date or datetime"}
    return Field(type_, doc, required, type_name or names.get(type_, "text"))


def field_table(schema: Schema) -> list[tuple[str, str, bool, str]]:
    """(key, type name, required, doc) rows for the README reference."""
    return [(name, spec.type_name, spec.required, spec.doc) for name, spec in schema.items()]


__all__ = [
    "SYNONYMS", "Choice", "Context", "Field", "FieldError", "Integer", "Nested", "Schema",
    "ShortText", "When", "boolean", "calendar_date", "choice", "color", "email", "f",
    "field_table", "integer", "line_text", "link", "list_of", "mapping", "meant_key",
    "short_text", "string_list", "text", "url", "validate", "when", "year_problem",
]
