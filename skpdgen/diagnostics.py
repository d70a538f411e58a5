"""User-facing problems: one Diagnostic per problem, with path, line and a hint of the fix.

Nothing below the command layer prints; code collects Diagnostics and the CLI formats them.

Messages are written in English at their call sites and translated when they are formatted
(skpdgen/messages): `format_text("id")` gives `PATH:LINE: error: <Indonesian message> (<hint>)`.
The words `error` and `warning` stay as they are in every language: editors, CI problem matchers
and GitHub annotations look for them, and staff meet them as loanwords anyway.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

from skpdgen.messages.catalogue import translate

Severity = Literal["error", "warning"]

BROKEN_LINK = "broken-link"   # the code of every reference that leads nowhere


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in one file. `path` is relative to the region root (POSIX)."""

    path: str
    line: int | None
    severity: Severity
    message: str
    hint: str | None = None
    code: str | None = None      # a stable kind for machines, e.g. "broken-link"

    def translated(self, language: str) -> Diagnostic:
        """The same diagnostic with its message and hint in `language`."""
        if language == "en":
            return self
        hint = translate(self.hint, language) if self.hint else self.hint
        return replace(self, message=translate(self.message, language), hint=hint)

    def format_text(self, language: str = "en") -> str:
        d = self.translated(language)
        where = f"{d.path}:{d.line}" if d.line else d.path
        text = f"{where}: {d.severity}: {d.message}"
        if d.hint:
            text += f" ({d.hint})"
        return one_line(text)

    def format_github(self, language: str = "en") -> str:
        """A GitHub Actions workflow command, so the problem shows on the file in a PR."""
        d = self.translated(language)
        kind = "error" if d.severity == "error" else "warning"
        props = f"file={_gh_escape_prop(one_line(d.path))}"
        if d.line:
            props += f",line={d.line}"
        message = one_line(d.message + (f" ({d.hint})" if d.hint else ""))
        return f"::{kind} {props}::{_gh_escape_data(message)}"

    def to_json(self, language: str | None = None) -> dict[str, object]:
        """The fields as JSON; with a language, `message` and `hint` in it and the English
        originals kept beside them as `message_en` and `hint_en` (stable for scripts)."""
        if language is None:
            return asdict(self)
        return {**asdict(self.translated(language)), "message_en": self.message,
                "hint_en": self.hint}


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7f)} | {
    0x0A: "\\n", 0x0D: "\\r", 0x09: " ", 0x85: "\\x85", 0x2028: "\\u2028",
    0x2029: "\\u2029"}


def one_line(text: str) -> str:
    """User text (a key, a title, a file name) printed on one line: newlines and control
    characters become visible escapes, so no line of output (a fake `::warning` workflow
    command in CI, a terminal escape) can be forged from inside a file."""
    return text.translate(_CONTROL)


def _gh_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_prop(text: str) -> str:
    return _gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass(slots=True)
class Diagnostics:
    """An ordered collection of diagnostics for one unit of work (a site, the region)."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, line: int | None, message: str, hint: str | None = None,
              code: str | None = None) -> None:
        self.items.append(Diagnostic(path, line, "error", message, hint, code))

    def warning(self, path: str, line: int | None, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(path, line, "warning", message, hint))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class ConfigError(Exception):
    """A problem that stops the whole command (missing or broken region config): exit 2."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.format_text() for d in diagnostics))
        self.diagnostics = diagnostics


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The known word closest to a misspelled one, or None."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known word, or None."""
    match = closest(word, choices)
    return f"did you mean '{match}'?" if match else None


def sort_key(d: Diagnostic) -> tuple[str, int]:
    return (d.path, d.line or 0)


def internal_error(path: str, step: str, exc: BaseException) -> Diagnostic:
    """The diagnostic of an unexpected exception: where, while doing what, which exception."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Diagnostic(path, None, "error", f"internal error while {step} ({detail[:300]})",
                      "a file of this folder triggers a bug in skpdgen: please report it; "
                      "the last good output is kept")
