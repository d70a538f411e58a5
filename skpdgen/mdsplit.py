"""The fast Markdown engine's source-level pre-pass: admonitions cut out of a body, footnote
definitions checked, and HandBack, which sends a body back to markdown-it-py.

markdown-it-pyrs has no admonitions: split_admonitions finds them as mdit_py_plugins' rule
does and returns the body as Markdown pieces and admonitions (their content dedented), which
skpdgen/mdfast.py parses one by one. Whatever the split cannot reproduce exactly is handed back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import mdit_py_plugins.admon.index as admon_index


class HandBack(Exception):
    """The walk met something it does not reproduce exactly: use markdown-it-py."""


_NOTE_DEFINITION = re.compile(r"\[\^([^\]\s]+)\]:")
_MAYBE_NOTE_DEFINITION = re.compile(
    r"[ \t>]*(?:(?:[-+*]|[0-9]{1,9}[.)])[ \t]*)*\[\^[^\]\s]+\]:", re.M)


def check_footnote_definitions(body: str) -> None:
    """Hand back footnote definitions the two parsers may read differently: not at the left
    margin, right after other text (markdown-it-py lets them interrupt it), or twice."""
    labels: set[str] = set()
    previous = ""
    for line in body.split("\n"):
        found = _NOTE_DEFINITION.match(line)
        if found is not None:
            if previous.strip(" ") and not _NOTE_DEFINITION.match(previous):
                raise HandBack("footnote definition right after text")
            if found.group(1) in labels:
                raise HandBack("footnote defined twice")
            labels.add(found.group(1))
        elif _MAYBE_NOTE_DEFINITION.match(line):
            raise HandBack("footnote definition inside another block")
        previous = line


@dataclass(frozen=True, slots=True)
class Admonition:
    """`!!! note "Title"` at the start of a line, and its content lines, dedented."""

    line: int           # of the marker line, counted from the body's first line (0)
    marker: str
    params: str
    content: str


_ADMONITION = re.compile(r"(\?\?\?\+|\?\?\?|!!!)(.*)")
# a line where markdown-it-py might start an admonition other than at the left margin
_MAYBE_ADMONITION = re.compile(r"[ \t>]*(?:(?:[-+*]|[0-9]{1,9}[.)])[ \t]*)*(?:!!!|\?\?\?)")


def split_admonitions(body: str) -> list[tuple[int, str] | Admonition]:
    """The body as Markdown pieces (first line, text) and admonitions at the left margin,
    found as mdit_py_plugins' admonition rule finds them. Hands back what the split cannot
    reproduce: admonitions elsewhere or nested, near fences (their lines are code there),
    link reference definitions (they reach across pieces), or not after a blank line."""
    if "```" in body or "~~~" in body or "]:" in body or "\t" in body:
        raise HandBack("admonition with fences, reference definitions or tabs")
    lines = body.split("\n")
    last_newline = body.endswith("\n")
    if last_newline:
        lines.pop()
    pieces: list[tuple[int, str] | Admonition] = []
    start = i = 0
    while i < len(lines):
        found = _ADMONITION.match(lines[i])
        if found is None or not admon_index._validate(found.group(2)):
            if _MAYBE_ADMONITION.match(lines[i]):
                raise HandBack("admonition inside another block")
            i += 1
            continue
        if i and lines[i - 1].strip(" "):
            raise HandBack("admonition right after text")
        pieces.append((start, "".join(line + "\n" for line in lines[start:i])))
        marker, params = found.group(1), found.group(2)
        indent = len(marker) + len(params) - len(params.lstrip(" ")) + 3 - len(marker)
        end = i
        was_empty = False
        while True:
            end += 1
            if end >= len(lines):
                break
            spaces = len(lines[end]) - len(lines[end].lstrip(" "))
            empty = spaces < indent
            if empty and was_empty:
                break
            was_empty = empty
            if spaces < len(lines[end]) and spaces < indent:
                break
        content = [line[indent:] if len(line) - len(line.lstrip(" ")) >= indent else ""
                   for line in lines[i + 1:end]]
        if any(_MAYBE_ADMONITION.match(line) for line in content):
            raise HandBack("admonition inside an admonition")
        pieces.append(Admonition(i, marker, params, "".join(line + "\n" for line in content)))
        start = i = end
    rest = lines[start:]
    pieces.append((start, "\n".join(rest) + ("\n" if last_newline and rest else "")))
    return pieces
