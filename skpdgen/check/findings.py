"""A problem found in an output file, and where it is written in the sources.

A rendered page is made from a source file (its `Output.origin`) plus the theme and the
agency's settings. A finding carries the text to look for (`needles`): found in the source
Markdown, the problem is reported at that file and line; found in site.yaml or skpdgen.yaml
(a menu entry), there; otherwise it came from the theme or a generated list, and it is
reported once for every page it appears on, at the built file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from skpdgen.check.tree import TreeFile, source_file
from skpdgen.diagnostics import Diagnostic, Severity

# Not part of an address around a needle: what may come before and after it in a source.
_URL_BEFORE = r"(?<![\w.~%/#?&=+@:-])"
_URL_AFTER = r"(?![\w.~%/#?&=+@-])"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one output file, before it is placed in a source file."""

    file: TreeFile
    severity: Severity
    message: str
    hint: str | None = None
    output_line: int | None = None        # line in the output file
    needles: tuple[str, ...] = ()         # text that marks the spot in the source
    config_needles: tuple[str, ...] = ()  # text that marks it in site.yaml / skpdgen.yaml
    group: str | None = None              # same group from generated pages: reported once
    page_level: bool = False              # about the page as a whole (no needle needed)


class SourceLocator:
    """Turns findings into diagnostics at source files and lines."""

    def __init__(self, root: Path):
        self.root = root
        self._texts: dict[Path, list[str]] = {}
        self._used: dict[tuple[Path, str], int] = {}

    def locate(self, findings: Iterable[Finding]) -> list[Diagnostic]:
        result: list[Diagnostic] = []
        # a menu entry of site.yaml is on every page: one diagnostic at its line, counted
        in_config: dict[tuple[str, int, str], tuple[Diagnostic, int]] = {}
        generated: dict[str, tuple[Finding, int]] = {}
        for finding in findings:
            placed = self._in_source(finding)
            if placed is not None:
                result.append(placed)
                continue
            placed = self._in_config(finding)
            if placed is not None and placed.line is not None:
                at_line = (placed.path, placed.line, finding.group or finding.message)
                first, count = in_config.get(at_line, (placed, 0))
                in_config[at_line] = (first, count + 1)
                continue
            group = finding.group or f"{finding.file.path}|{finding.message}"
            first_finding, count = generated.get(group, (finding, 0))
            generated[group] = (first_finding, count + 1)
        for diagnostic, count in in_config.values():
            result.append(replace(diagnostic, message=_on_pages(diagnostic.message, count)))
        for finding, count in generated.values():
            where = (f"themes/ or sites/{finding.file.site}/templates/" if finding.file.site
                     else "themes/")
            result.append(Diagnostic(f"build/{finding.file.path}", finding.output_line,
                                     finding.severity, _on_pages(finding.message, count),
                                     f"it is written by a template, not by a content file: "
                                     f"see {where}"))
        return result

    def _in_source(self, finding: Finding) -> Diagnostic | None:
        """At the line of the content file the page was made from, if it is written there."""
        src = source_file(self.root, finding.file)
        if src is None:
            return None
        line = self._find(src, finding.needles)
        if line is not None or finding.page_level:
            return self._diagnostic(src, line, finding)
        return None

    def _in_config(self, finding: Finding) -> Diagnostic | None:
        """At the line of site.yaml (or skpdgen.yaml for the portal) that writes it."""
        config = self._config_file(finding.file)
        if config is None or not finding.config_needles:
            return None
        line = self._find(config, finding.config_needles)
        return self._diagnostic(config, line, finding) if line is not None else None

    def _diagnostic(self, path: Path, line: int | None, finding: Finding) -> Diagnostic:
        return Diagnostic(path.relative_to(self.root).as_posix(), line, finding.severity,
                          finding.message, finding.hint)

    def _config_file(self, file: TreeFile) -> Path | None:
        path = (self.root / "sites" / file.site / "site.yaml" if file.site
                else self.root / "skpdgen.yaml")
        return path if path.is_file() else None

    def _find(self, path: Path, needles: tuple[str, ...]) -> int | None:
        """The line of the next unused occurrence of the first needle found in the file.

        A line where the needle stands alone (`(../profil/x/)`) wins over one where it is only
        part of a longer address (`(../../profil/x/)`, `(../profil/x/lama/)`).
        """
        lines = self._lines(path)
        for needle in needles:
            if not needle:
                continue
            alone = re.compile(_URL_BEFORE + re.escape(needle) + _URL_AFTER)
            inside = [number for number, text in enumerate(lines, start=1) if needle in text]
            hits = [n for n in inside if alone.search(lines[n - 1])] or inside
            if hits:
                used = self._used.get((path, needle), 0)
                self._used[(path, needle)] = used + 1
                return hits[min(used, len(hits) - 1)]
        return None

    def _lines(self, path: Path) -> list[str]:
        lines = self._texts.get(path)
        if lines is None:
            try:
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                lines = []
            self._texts[path] = lines
        return lines


def _on_pages(message: str, count: int) -> str:
    return message + (f" (on {count} pages)" if count > 1 else "")
