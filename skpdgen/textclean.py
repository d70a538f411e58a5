"""Control characters out of every text file, once, where it is read (config/region.decode_text).

Word and some phones paste vertical tabs, form feeds and other C0/C1 control characters into
titles and bodies. They are invisible on screen but make feed.xml, agenda.ics and JSON
malformed, so they are removed here with a warning at their line, before anything parses them.
"""

from __future__ import annotations

import re

from skpdgen.diagnostics import Diagnostics

# C0 except tab and newline, DEL, C1, and the two XML non-characters U+FFFE/U+FFFF
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def strip_controls(text: str, path: str, diags: Diagnostics) -> str:
    """`text` without control characters; one warning per line that had some."""
    if not CONTROL.search(text):
        return text
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        found = sorted(set(CONTROL.findall(line)))
        if found:
            names = ", ".join(f"U+{ord(c):04X}" for c in found)
            diags.warning(path, number, f"removed invisible control character {names}",
                          "it was pasted from Word or a PDF; check the text on this line")
            lines[number - 1] = CONTROL.sub("", line)
    return "\n".join(lines)


def ansi_hint(raw: bytes, start: int) -> str:
    """The fix for a file that is not UTF-8, naming the character when it is Windows-1252."""
    try:
        char = raw[start:start + 1].decode("cp1252")
    except UnicodeDecodeError:
        return "save the file as UTF-8"
    return (f"save the file as UTF-8: it is ANSI (Windows-1252), here '{char}'; in Notepad "
            "use Save As, Encoding: UTF-8")
