"""How the command layer shows diagnostics and progress: plain lines, GitHub annotations."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TextIO

from skpdgen.diagnostics import Diagnostic, sort_key
from skpdgen.messages.catalogue import translate
from skpdgen.messages.stream import language_of, underlying


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true") or "GITHUB_ACTIONS" in os.environ


def print_diagnostics(diagnostics: Iterable[Diagnostic], stream: TextIO | None = None) -> None:
    """One line per problem; under GitHub Actions also a workflow annotation.

    In the language of the stream (the CLI's TranslatingStream), written past its line
    translation."""
    stream = stream or sys.stderr
    stream.flush()
    language, stream = language_of(stream), underlying(stream)
    github = os.environ.get("GITHUB_ACTIONS") == "true"
    for d in sorted(diagnostics, key=sort_key):
        print(d.format_text(language), file=stream)
        if github:
            print(d.format_github(language), file=stream)


class Progress:
    """A single self-rewriting status line on a terminal; silent in CI logs and pipes."""

    def __init__(self, label: str, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() and not in_ci()
        self.label = translate(label, language_of(self.stream))

    def __call__(self, name: str, done: int, total: int) -> None:
        if self.enabled:
            self.stream.write(f"\r\x1b[K{self.label} {done}/{total}: {name}")
            self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
