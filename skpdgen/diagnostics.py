"""User-facing problems: one Diagnostic per problem, with path, line and a hint of the fix.

Nothing below the command layer prints; code collects Diagnostics and the CLI formats them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in one file. `path` is relative to the region root (POSIX)."""

    path: str
    line: int | None
    severity: Severity
    message: str
    hint: str | None = None
    code: str | None = None      # a stable kind for machines, e.g. "broken-link"

    def format_text(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.severity}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return one_line(text)

    def format_github(self) -> str:
        """A GitHub Actions workflow command, so the problem shows on the file in a PR."""
        kind = "error" if self.severity == "error" else "warning"
        props = f"file={_gh_escape_prop(one_line(self.path))}"
        if self.line:
            props += f",line={self.line}"
        message = one_line(self.message + (f" ({self.hint})" if self.hint else ""))
        return f"::{kind} {props}::{_gh_escape_data(message)}"

    def to_json(self) -> dict[str, object]:
        return asdict(self)


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
