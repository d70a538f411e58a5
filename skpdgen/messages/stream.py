"""An output stream that translates each complete line it is given, for the command layer.

The CLI wraps stdout and stderr in one for the whole command, so every summary line a command
prints (`built 7 of 7 sites ...`, `created ...`, argparse's `usage:`) reaches the reader in
their language without each command knowing about languages. Lines that look like data (JSON,
indented tables) pass through untouched, and diagnostics are written past the translation by
`print_diagnostics`, which formats them in the stream's language itself.
"""

from __future__ import annotations

import io
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO, cast

from skpdgen.messages.catalogue import translate

_DATA_LINE = re.compile(r"^(\s|[\[\]{}\"]|$)")


class TranslatingStream(io.TextIOBase):
    """Writes to `untranslated`, translating line by line into `language`."""

    def __init__(self, untranslated: TextIO, language: str):
        super().__init__()
        self.untranslated = untranslated
        self.language = language
        self._pending = ""
        self._lock = threading.Lock()      # serve prints from its rebuild thread too

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            if "\n" not in self._pending:
                return len(text)
            done, _, self._pending = self._pending.rpartition("\n")
            self.untranslated.write("\n".join(self._line(line) for line in done.split("\n"))
                                    + "\n")
        return len(text)

    def _line(self, line: str) -> str:
        if _DATA_LINE.match(line) or "\r" in line or "\x1b" in line:
            return line
        return translate(line, self.language)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self.untranslated.write(self._pending)
                self._pending = ""
        self.untranslated.flush()

    @property
    def buffer(self) -> object:
        """The byte stream underneath, for output that must stay exact (CSV, JSON files)."""
        self.flush()
        return self.untranslated.buffer

    def isatty(self) -> bool:
        return self.untranslated.isatty()

    def fileno(self) -> int:
        return self.untranslated.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.untranslated.encoding


def language_of(stream: object) -> str:
    """The language a stream speaks: its own for a TranslatingStream, English otherwise."""
    return stream.language if isinstance(stream, TranslatingStream) else "en"


def underlying(stream: TextIO) -> TextIO:
    """The stream under a TranslatingStream (the stream itself otherwise)."""
    return stream.untranslated if isinstance(stream, TranslatingStream) else stream


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Translate what is printed to stdout and stderr into `language` while inside."""
    if language == "en":
        yield
        return
    saved = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, TranslatingStream(saved[0], language))
    sys.stderr = cast(TextIO, TranslatingStream(saved[1], language))
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = saved
