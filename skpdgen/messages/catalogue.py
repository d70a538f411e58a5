"""Translate English messages into the reader's language at output time.

Call sites write messages as English f-strings; skpdgen/messages/id.yaml maps each English
template (named placeholders, e.g. "unknown key '{key}'") to its Indonesian form. Each template
is compiled once into a regular expression; a message is translated by the most specific
template that matches it whole, and a placeholder's value is itself translated when it is an
English message of its own ("'date' {message}"). A message with no template stays English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from skpdgen.usercache import kept

LANGUAGES = ("id", "en")
# A one-word entry ("image", "built") translates a whole message, or a placeholder of one of
# these names; elsewhere a one-word value is a key, a slug or a title and stays as it is.
WORD_PLACEHOLDERS = frozenset({"what", "verb", "kind", "change"})
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_MAX_DEPTH = 3
_MAX_NESTED_GAIN = 400      # what nested templates can add to an outer one's fixed text


@dataclass(frozen=True, slots=True)
class Entry:
    """One English template, its translation and what recognises it: the fixed text it starts
    and ends with (a cheap first test), then its pattern, compiled the first time it is needed."""

    english: str
    translated: str
    literal: int                    # how many fixed characters: more is more specific
    prefix: str                     # the fixed text before the first placeholder
    suffix: str                     # the fixed text after the last one ("" without any)
    exact: bool                     # no placeholder: the message is the template itself
    middle: tuple[str, ...] = ()    # the fixed texts between placeholders, in order

    @property
    def pattern(self) -> re.Pattern[str]:
        return _pattern(self.english)

    def match(self, message: str) -> dict[str, str] | None:
        """The placeholders' values when the template produces `message` whole, else None."""
        if self.exact:
            return {} if message == self.prefix else None
        if (not message.startswith(self.prefix) or not message.endswith(self.suffix)
                or len(message) < len(self.prefix) + len(self.suffix)):
            return None
        at, end = len(self.prefix), len(message) - len(self.suffix)
        for text in self.middle:
            at = message.find(text, at, end)
            if at < 0:
                return None
            at += len(text)
        found = self.pattern.fullmatch(message)
        return found.groupdict() if found is not None else None

    @classmethod
    def of(cls, english: str, translated: str) -> Entry:
        tokens = list(_PLACEHOLDER.finditer(english))
        names = [t for t in tokens if t.group(1) is not None]
        if not names:
            return cls(english, translated, _literal(english), _unescape(english), "", True)
        middle = tuple(_unescape(english[one.end():two.start()])
                       for one, two in zip(names, names[1:], strict=False))
        return cls(english, translated, _literal(english),
                   _unescape(english[:names[0].start()]), _unescape(english[names[-1].end():]),
                   False, tuple(text for text in middle if text))


class CatalogueError(Exception):
    """A catalogue file that cannot be used (a bug in skpdgen, caught by the tests)."""


def compile_template(template: str) -> re.Pattern[str]:
    """A regular expression matching every message the template can produce."""
    regex, seen, at = "", set[str](), 0
    for match in _PLACEHOLDER.finditer(template):
        regex += re.escape(template[at:match.start()])
        token, name = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            regex += re.escape(token[0])
        elif name in seen:
            regex += f"(?P={name})"
        else:
            if not name.isidentifier():
                raise CatalogueError(f"placeholder {token} in {template!r} is not a name")
            seen.add(name)
            regex += f"(?P<{name}>.*?)"
        at = match.end()
    regex += re.escape(template[at:])
    return re.compile(regex, re.DOTALL)


@cache
def _pattern(template: str) -> re.Pattern[str]:
    return compile_template(template)


def _unescape(text: str) -> str:
    return text.replace("{{", "{").replace("}}", "}")


def placeholders(template: str) -> set[str]:
    """The names of a template's placeholders."""
    return {m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1) is not None}


def _fill(template: str, values: dict[str, str]) -> str:
    def put(match: re.Match[str]) -> str:
        token = match.group(0)
        return token[0] if token in ("{{", "}}") else values[match.group(1)]
    return _PLACEHOLDER.sub(put, template)


def _is_word(template: str) -> bool:
    return " " not in template and not placeholders(template)


def _literal(template: str) -> int:
    return len(_PLACEHOLDER.sub("", template))


class Catalogue:
    """The compiled templates of one language, most specific first."""

    def __init__(self, language: str, table: dict[str, str]):
        self.language = language
        entries = []
        for english, translated in table.items():
            if not isinstance(english, str) or not isinstance(translated, str):
                raise CatalogueError(f"{language}.yaml: {english!r} must map to text")
            if placeholders(english) != placeholders(translated):
                raise CatalogueError(f"{language}.yaml: {english!r} and {translated!r} "
                                     f"have different placeholders")
            entries.append(Entry.of(english, translated))
        self.entries = sorted(entries, key=lambda e: -e.literal)
        self.words = {e.english: e.translated for e in entries if _is_word(e.english)}
        # the same fragments come up again and again inside one message and across messages
        self._memo: dict[tuple[str, int, bool], tuple[int, str]] = {}

    def translate(self, message: str) -> str:
        """The message in this catalogue's language (unchanged when no template fits)."""
        return self._best(message, 0, True)[1]

    def _best(self, message: str, depth: int, words: bool) -> tuple[int, str]:
        """(how many characters the templates account for, translation): of the templates
        that match, the one whose translation covers the most fixed text, nested ones
        included, wins ("{kind} output does not parse: {problem}" must not swallow the
        ", in {outputs}" of the message around it)."""
        if depth > _MAX_DEPTH or not message:
            return 0, message
        if message in self.words:
            return (len(message), self.words[message]) if words else (0, message)
        key = (message, depth, words)
        known = self._memo.get(key)
        if known is None:
            if len(self._memo) > 20_000:
                self._memo.clear()
            known = self._memo[key] = self._search(message, depth, words)
        return known

    def _search(self, message: str, depth: int, words: bool) -> tuple[int, str]:
        best = (0, message)
        for entry in self.entries:
            if entry.literal <= best[0] - _MAX_NESTED_GAIN:
                break                   # sorted: no later entry can do better
            found = entry.match(message)
            if found is None:
                continue
            score, values = entry.literal, {}
            for name, value in found.items():
                gained, values[name] = self._best(value, depth + 1, name in WORD_PLACEHOLDERS)
                score += gained
            if score > best[0]:
                best = (score, _fill(entry.translated, values))
        return best


@cache
def catalogue(language: str) -> Catalogue | None:
    """The catalogue for a language; None for English, the language messages are written in."""
    if language == "en":
        return None
    try:
        data = (Path(__file__).parent / f"{language}.yaml").read_bytes()
    except FileNotFoundError:
        return None
    return Catalogue(language, load_table(language, data))


def load_table(language: str, data: bytes) -> dict[str, str]:
    """The catalogue file `data` as a mapping, parsed once per version of the file: this user's
    cache keeps it (usercache.kept), since parsing 60 KB of YAML would take longer than a
    build with nothing to do."""
    return kept(f"messages-{language}", data, lambda: _parse_table(language, data), _table)


def _parse_table(language: str, data: bytes) -> dict[str, str]:
    import yaml

    # libyaml's parser when PyYAML has it: milliseconds, not a third of a second
    table = yaml.load(data.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(table or {}, dict):
        raise CatalogueError(f"{language}.yaml must be a mapping of English → {language}")
    for english, translated in (table or {}).items():
        if not isinstance(english, str) or not isinstance(translated, str):
            raise CatalogueError(f"{language}.yaml: {english!r} must map to text")
    return table or {}


def _table(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(type(k) is str and type(v) is str
                                              for k, v in value.items()):
        raise TypeError  # a damaged entry: usercache.kept parses the file again
    return value


def translate(message: str, language: str) -> str:
    """`message` in `language` ('en' or an unknown language: unchanged)."""
    found = catalogue(language)
    return found.translate(message) if found is not None else message
