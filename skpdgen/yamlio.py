"""Safe, bounded YAML that keeps the line of every key and the text of every scalar as written.

PyYAML's `compose` gives a node tree without resolving types, so `0712345`, `08:00` or `NO`
stay the exact text the author typed. The schema (config/schema.py) decides per field whether
a scalar becomes a bool, a number or a date: YAML 1.1 surprises never reach a page.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml

MAX_YAML_BYTES = 1_000_000
MAX_NODES = 20_000
MAX_DEPTH = 50          # lists in lists in mappings ...: no page needs more


@dataclass(frozen=True, slots=True)
class YScalar:
    value: str
    line: int
    quoted: bool

    @property
    def is_null(self) -> bool:
        return not self.quoted and self.value in ("", "~", "null", "Null", "NULL")


@dataclass(frozen=True, slots=True)
class YSeq:
    items: tuple[YNode, ...]
    line: int


@dataclass(frozen=True, slots=True)
class YMap:
    """A mapping; keys are the text as written. `key_lines` holds the line of each key."""

    items: dict[str, YNode]
    key_lines: dict[str, int]
    line: int


YNode = YScalar | YSeq | YMap


class YamlError(Exception):
    """Invalid YAML; `line` is 1-based within the parsed text."""

    def __init__(self, message: str, line: int | None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


def parse(text: str, line_offset: int = 0) -> YNode | None:
    """Parse one YAML document into YNodes; lines are shifted by `line_offset`."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise YamlError("YAML is larger than 1 MB", None, "split it into smaller files")
    deep = _too_deep_line(text)
    if deep is not None:
        raise YamlError(f"values are nested more than {MAX_DEPTH} levels deep",
                        deep + line_offset, "flatten the lists and mappings")
    invisible = _invisible_in_structure(text)
    if invisible is not None:
        number, char = invisible
        raise YamlError(
            f"invisible {_char_name(char)} in the indentation or the key",
            number + line_offset,
            "it was pasted from Word or a phone: delete the spaces before the key and type them "
            "again with the space bar")
    import yaml  # here: a build whose skpdgen.yaml is kept (parse_kept) never needs it

    try:
        # libyaml's parser when PyYAML has it (several times faster); composing stays safe
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        lines = text.split("\n")
        source_line = lines[mark.line] if mark and mark.line < len(lines) else ""
        quoted = _quote_problem(lines[: (mark.line + 1) if mark else len(lines)], line_offset)
        if quoted is not None:
            number, message, hint = quoted
            raise YamlError(message, number, hint) from None
        raise YamlError(f"invalid YAML: {problem}", line,
                        _yaml_hint(problem, source_line)) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", None) from None
    if node is None:
        return None
    return _Converter(line_offset).convert(node)


def parse_kept(text: str) -> YNode | None:
    """parse(text), kept in this user's cache by the text itself (usercache.kept): every
    command reads skpdgen.yaml, and importing PyYAML takes longer than a build with nothing
    to do spends on the rest of it. A text that does not parse is never kept: it is parsed,
    and its error reported, each time."""
    from skpdgen.usercache import kept

    return kept("yaml", text.encode("utf-8", "surrogatepass") + _parser_identity(),
                lambda: _freeze(parse(text)), _thaw)


@functools.cache
def _parser_identity() -> bytes:
    """What else the tree of a text depends on: this module's code and the PyYAML installed
    (found without importing it), so an upgrade of either parses every text again."""
    import importlib.util

    identity = Path(__file__).read_bytes()
    spec = importlib.util.find_spec("yaml")
    if spec is not None and spec.origin:
        with contextlib.suppress(OSError):
            st = os.stat(spec.origin)
            identity += f"\0{spec.origin}\0{st.st_size}\0{st.st_mtime_ns}".encode()
    return identity


def _freeze(node: YNode | None) -> object:
    """A node as plain tuples, dicts and strings (what marshal writes)."""
    if node is None:
        return None
    if isinstance(node, YScalar):
        return ("s", node.value, node.line, node.quoted)
    if isinstance(node, YSeq):
        return ("l", tuple(_freeze(item) for item in node.items), node.line)
    return ("m", {key: _freeze(item) for key, item in node.items.items()}, node.key_lines,
            node.line)


def _thaw(value: object) -> YNode | None:
    """The node `_freeze` made `value` from; TypeError when it is not such a value."""
    if value is None:
        return None
    if type(value) is tuple and value:
        kind = value[0]
        if kind == "s" and len(value) == 4 and type(value[1]) is str and type(value[2]) is int \
                and type(value[3]) is bool:
            return YScalar(value[1], value[2], value[3])
        if kind == "l" and len(value) == 3 and type(value[1]) is tuple and type(value[2]) is int:
            return YSeq(tuple(_node(item) for item in value[1]), value[2])
        if (kind == "m" and len(value) == 4 and type(value[1]) is dict
                and type(value[2]) is dict and type(value[3]) is int
                and value[1].keys() == value[2].keys()
                and all(type(k) is str and type(n) is int for k, n in value[2].items())):
            return YMap({key: _node(item) for key, item in value[1].items()}, dict(value[2]),
                        value[3])
    raise TypeError  # a damaged entry: usercache.kept parses the text again


def _node(value: object) -> YNode:
    node = _thaw(value)
    if node is None:
        raise TypeError  # a damaged entry: usercache.kept parses the text again
    return node


_SCAN_LIMIT = 1000   # far above MAX_DEPTH, far below what overflows libyaml's C stack


def _too_deep_line(text: str) -> int | None:
    """The line where nesting obviously goes past _SCAN_LIMIT, before the parser recurses.

    An overestimate (brackets in text count too) that only matters for absurd input.
    """
    depth = 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip(" -")
        if len(line) - len(stripped) > _SCAN_LIMIT:
            return number
        for char in line:
            if char in "[{":
                depth += 1
                if depth > _SCAN_LIMIT:
                    return number
            elif char in "]}" and depth:
                depth -= 1
    return None


def _yaml_hint(problem: str, source_line: str = "") -> str | None:
    if "mapping values are not allowed" in problem:
        return "put the value in quotes when it contains ': '"
    # PyYAML says "found character '\t'", libyaml "found character that cannot start any token"
    if "found character '\\t'" in problem or (
            "cannot start any token" in problem and "\t" in source_line):
        return "indent with spaces, not tabs"
    if "cannot start any token" in problem:
        return "put a value that starts with @, ` or % in quotes"
    if "could not find expected ':'" in problem:
        return "each line needs 'key: value'"
    return None


# Characters Word, phones and web pages paste that look like a space or like nothing at all.
INVISIBLE = {
    "\u00a0": "non-breaking space (U+00A0)",
    "\u2007": "figure space (U+2007)",
    "\u202f": "narrow non-breaking space (U+202F)",
    "\u3000": "ideographic space (U+3000)",
    "\u200b": "zero-width space (U+200B)",
    "\u200c": "zero-width non-joiner (U+200C)",
    "\u200d": "zero-width joiner (U+200D)",
    "\u2060": "word joiner (U+2060)",
    "\ufeff": "byte order mark (U+FEFF)",
}
SMART_QUOTES = "\u201c\u201d\u201e\u201f\u2033"
_KEY_LINE = re.compile(r"^([^\S\n]*(?:-[^\S\n]+)?)([^:#\s\"'][^:#]*?)[^\S\n]*:(?:[ \t]|$)")
_QUOTED_VALUE = re.compile(r"^\s*(?:-\s+)?[^:#\"']*:[ \t]+(\")(.*)$")


def _char_name(char: str) -> str:
    return INVISIBLE.get(char, f"U+{ord(char):04X}")


def _invisible_in_structure(text: str) -> tuple[int, str] | None:
    """(1-based line, character) of the first invisible character in an indentation or key."""
    for number, line in enumerate(text.split("\n"), start=1):
        lead = len(line) - len(line.lstrip(" \t" + "".join(INVISIBLE)))
        m = _KEY_LINE.match(line[lead:])
        structure = line[:lead] + (m.group(0) if m else "")
        for char in structure:
            if char in INVISIBLE:
                return number, char
    return None


def _quote_problem(lines: list[str], line_offset: int) -> tuple[int, str, str] | None:
    """A Word quote or a quote inside quotes on one of `lines`: (file line, message, hint)."""
    for number, line in enumerate(lines, start=1 + line_offset):
        m = _QUOTED_VALUE.match(line)
        if not m:
            continue
        rest = m.group(2)
        end = _closing_quote(rest)
        if end is None:
            smart = next((c for c in rest if c in SMART_QUOTES), None)
            if smart is not None:
                return (number, f"Word quote {smart} on line {number}: the text opened with \" "
                        "is never closed", "replace \u201c \u201d with \"")
            continue
        after = rest[end + 1:].strip()
        if after and not after.startswith("#"):
            inner = rest[:end] + '"' + rest[end + 1:].rstrip()
            inner = inner[:-1] if inner.endswith('"') else inner
            suggestion = (f"'{inner}'" if "'" not in inner
                          else '"' + inner.replace('"', '\\"') + '"')
            key = line[: line.index(":")].strip()
            return (number, "quotes inside quotes: the text ends at the second \"",
                    f"write {key}: {suggestion}")
    return None


def _closing_quote(rest: str) -> int | None:
    """Index of the quote that closes a double-quoted YAML scalar, or None."""
    escaped = False
    for index, char in enumerate(rest):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            return index
    return None


class _Converter:
    """Turns PyYAML nodes into YNodes, counting nodes so an alias bomb cannot explode."""

    def __init__(self, line_offset: int):
        self.line_offset = line_offset
        self.count = 0
        self.open: list[yaml.Node] = []      # the nodes being converted, outermost first

    def convert(self, node: yaml.Node) -> YNode:
        line = node.start_mark.line + 1 + self.line_offset
        if any(node is parent for parent in self.open):
            raise YamlError("an alias (*name) refers to the value that contains it", line,
                            "write the values out instead of *name")
        if len(self.open) >= MAX_DEPTH:
            raise YamlError(f"values are nested more than {MAX_DEPTH} levels deep", line,
                            "flatten the lists and mappings")
        self.open.append(node)
        try:
            return self._convert(node, line)
        finally:
            self.open.pop()

    def _convert(self, node: yaml.Node, line: int) -> YNode:
        import yaml  # imported by parse already: a lookup

        self.count += 1
        if self.count > MAX_NODES:
            raise YamlError(
                "YAML expands to too many values (an alias bomb?)",
                line,
                "do not reuse anchors (&name / *name) this way",
            )
        if isinstance(node, yaml.ScalarNode):
            return YScalar(str(node.value), line, node.style in ("'", '"', "|", ">"))
        if isinstance(node, yaml.SequenceNode):
            return YSeq(tuple(self.convert(child) for child in node.value), line)
        if isinstance(node, yaml.MappingNode):
            items: dict[str, YNode] = {}
            key_lines: dict[str, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlError("'<<' merge keys are not supported", line, "write keys out")
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlError(
                        "a key must be a plain word", key_node.start_mark.line + 1 + self.line_offset
                    )
                key = str(key_node.value)
                key_line = key_node.start_mark.line + 1 + self.line_offset
                if key in items:
                    raise YamlError(f"key '{key}' appears twice", key_line, "keep only one")
                items[key] = self.convert(value_node)
                key_lines[key] = key_line
            return YMap(items, key_lines, line)
        raise YamlError("unsupported YAML node", line)  # pragma: no cover


def plain(node: YNode | None) -> object:
    """The untyped Python value of a node (strings, lists, dicts), for free-form data."""
    if node is None:
        return None
    if isinstance(node, YScalar):
        return None if node.is_null else node.value
    if isinstance(node, YSeq):
        return [plain(child) for child in node.items]
    return {key: plain(child) for key, child in node.items.items()}
