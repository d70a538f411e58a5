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
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from skpdgen.diagnostics import Diagnostics, closest, did_you_mean
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
            meant = closest(key, schema)
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


def _reported(diags: Diagnostics, path: str, key: str) -> bool:
    return any(d.path == path and f"'{key}'" in d.message for d in diags.errors)


# --- converters -----------------------------------------------------------------------------

def _scalar(node: YNode, what: str) -> YScalar:
    if not isinstance(node, YScalar):
        raise FieldError(f"must be {what}, not a list or mapping")
    return node


def text(node: YNode, ctx: Context) -> str:
    """Text exactly as written (numbers, times and yes/no stay text)."""
    value = _scalar(node, "text").value.strip()
    if "\x00" in value:
        raise FieldError("contains a NUL character")
    return value


def line_text(node: YNode, ctx: Context) -> str:
    value = text(node, ctx)
    if "\n" in value:
        raise FieldError("must be a single line")
    return value


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
    raw = line_text(node, ctx)
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FieldError(f"must be a full web address, got '{raw}'", "start it with https://")
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


def calendar_date(node: YNode, ctx: Context) -> date:
    raw = line_text(node, ctx)
    m = _DATE_RE.fullmatch(raw)
    if not m:
        raise FieldError(f"must be a date YYYY-MM-DD, got '{raw}'", _date_hint(raw))
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise FieldError(f"is not a real date: '{raw}'", "check the day and month") from None


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
        color: "colour", string_list: "list of text", calendar_date: "date",
        when: "date or datetime"}
    return Field(type_, doc, required, type_name or names.get(type_, "text"))


def field_table(schema: Schema) -> list[tuple[str, str, bool, str]]:
    """(key, type name, required, doc) rows for the README reference."""
    return [(name, spec.type_name, spec.required, spec.doc) for name, spec in schema.items()]


__all__ = [
    "Choice", "Context", "Field", "FieldError", "Integer", "Nested", "Schema", "When", "boolean",
    "calendar_date", "choice", "color", "email", "f", "field_table", "integer", "line_text",
    "list_of", "mapping", "string_list", "text", "url", "validate", "when",
]
