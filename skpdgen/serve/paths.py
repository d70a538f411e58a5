"""Map a request target to a file under the output folder, refusing every way out of it.

Refused (403): targets that are not origin-form (`http://…`, `*`), encoded slashes or
backslashes (`%2f`, `%5c`, `\\`), NUL, invalid UTF-8, `.` or `..` segments (also when
percent-encoded) and symbolic links that resolve outside the output folder. Dotfiles and
dot-folders (build/.skpdgen/, staging folders) are treated as missing (404).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote_to_bytes

Status = Literal["file", "redirect", "missing", "forbidden"]

_FORBIDDEN_ESCAPES = ("%2f", "%5c", "%00")


@dataclass(frozen=True, slots=True)
class Resolved:
    """What to answer for one request target."""

    status: Status
    segments: tuple[str, ...] = ()   # the decoded path segments, without empty ones
    file: Path | None = None         # status "file": the real path to send
    location: str | None = None      # status "redirect": where to (a path, same origin)


def split_target(target: str) -> tuple[str, str]:
    """'/a/b?x=1#f' -> ('/a/b', 'x=1'); the fragment is dropped."""
    target = target.split("#", 1)[0]
    path, _, query = target.partition("?")
    return path, query


def decode_segments(raw_path: str) -> tuple[str, ...] | None:
    """Percent-decode a URL path into segments; None when it tries to escape or is malformed."""
    if not raw_path.startswith("/") or "\\" in raw_path:
        return None
    lowered = raw_path.lower()
    if any(escape in lowered for escape in _FORBIDDEN_ESCAPES):
        return None
    try:
        decoded = unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded:
        return None
    segments = decoded.split("/")[1:]
    if segments and segments[-1] == "":
        segments.pop()                 # the trailing slash of a folder URL
    if any(part in ("", ".", "..") for part in segments):
        return None
    return tuple(segments)


def resolve(root: Path, raw_path: str) -> Resolved:
    """Resolve a request path (no query) against `root`, which must be a real path."""
    segments = decode_segments(raw_path)
    if segments is None:
        return Resolved("forbidden")
    if any(part.startswith(".") for part in segments):
        return Resolved("missing", segments)
    try:
        return _resolve_real(root, raw_path, segments)
    except OSError:            # a name too long for the file system, say: it is not there
        return Resolved("missing", segments)


def _resolve_real(root: Path, raw_path: str, segments: tuple[str, ...]) -> Resolved:
    real = Path(os.path.realpath(root.joinpath(*segments)))
    if not _inside(real, root):
        return Resolved("forbidden", segments)
    if _hidden(real, root):    # a link inside the output to its state or a staging folder
        return Resolved("missing", segments)
    if real.is_dir():
        if not raw_path.endswith("/"):
            location = "/" + "".join(quote(part) + "/" for part in segments)
            return Resolved("redirect", segments, location=location)
        index = Path(os.path.realpath(real / "index.html"))
        if _inside(index, root) and not _hidden(index, root) and index.is_file():
            return Resolved("file", segments, file=index)
        return Resolved("missing", segments)
    if real.is_file() and not raw_path.endswith("/"):
        return Resolved("file", segments, file=real)
    return Resolved("missing", segments)


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)
