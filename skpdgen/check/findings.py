"""A problem found in an output file, and where it is written in the sources.

A rendered page is made from a source file (its `Output.origin`) plus the theme and the
agency's settings. A finding carries the text to look for (`needles`): found in the source
Markdown, the problem is reported at that file and line; found in site.yaml or skpdgen.yaml
(a menu entry), there; otherwise it came from the theme or a generated list, and it is
reported once for every page it appears on, at the built file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from skpdgen.check.tree import TreeFile, source_file
from skpdgen.diagnostics import Diagnostic, Severity


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
        generated: dict[str, tuple[Finding, int]] = {}
        for finding in findings:
            placed = self._place(finding)
            if placed is not None:
                result.append(placed)
                continue
            key = finding.group or f"{finding.file.path}|{finding.message}"
            first, count = generated.get(key, (finding, 0))
            generated[key] = (first, count + 1)
        for finding, count in generated.values():
            message = finding.message
            if count > 1:
                message += f" (on {count} pages)"
            where = (f"themes/ or sites/{finding.file.site}/templates/" if finding.file.site
                     else "themes/")
            result.append(Diagnostic(f"build/{finding.file.path}", finding.output_line,
                                     finding.severity, message,
                                     f"it is written by a template, not by a content file: "
                                     f"see {where}"))
        return result

    def _place(self, finding: Finding) -> Diagnostic | None:
        src = source_file(self.root, finding.file)
        if src is not None:
            line = self._find(src, finding.needles)
            if line is not None or finding.page_level:
                return self._diagnostic(src, line, finding)
        config = self._config_file(finding.file)
        if config is not None and finding.config_needles:
            line = self._find(config, finding.config_needles)
            if line is not None:
                return self._diagnostic(config, line, finding)
        return None

    def _diagnostic(self, path: Path, line: int | None, finding: Finding) -> Diagnostic:
        return Diagnostic(path.relative_to(self.root).as_posix(), line, finding.severity,
                          finding.message, finding.hint)

    def _config_file(self, file: TreeFile) -> Path | None:
        path = (self.root / "sites" / file.site / "site.yaml" if file.site
                else self.root / "skpdgen.yaml")
        return path if path.is_file() else None

    def _find(self, path: Path, needles: tuple[str, ...]) -> int | None:
        """The line of the next unused occurrence of the first needle found in the file."""
        lines = self._lines(path)
        for needle in needles:
            if not needle:
                continue
            hits = [number for number, text in enumerate(lines, start=1) if needle in text]
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
