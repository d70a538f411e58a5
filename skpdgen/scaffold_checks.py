"""Problems of a region's setup that its content cannot show: sample values `init` wrote and
nobody changed, a CI install step that cannot work, a GitHub project-pages address without
its path.

    setup_diagnostics(region, strict=False)   # build: everything is a warning
    setup_diagnostics(region, strict=True)    # check: placeholders and broken installs are errors
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from skpdgen.config.region import REGION_FILE, Region
from skpdgen.diagnostics import Diagnostic, Severity
from skpdgen.scaffold_install import ci_install_lines, install_problems
from skpdgen.scaffold_region import PLACEHOLDER_BASE_URL, PLACEHOLDER_NAME


def setup_diagnostics(region: Region, strict: bool) -> list[Diagnostic]:
    """Setup problems; `strict` (check) makes placeholders and broken installs errors."""
    severity: Severity = "error" if strict else "warning"
    found: list[Diagnostic] = []
    text = _read(region.root / REGION_FILE)
    if region.name == PLACEHOLDER_NAME:
        found.append(Diagnostic(REGION_FILE, _line_of(text, "name:"), severity,
                                f"'name' is still the placeholder value '{PLACEHOLDER_NAME}' "
                                "written by skpdgen init",
                                "write the official name, e.g. 'Pemerintah Kabupaten Tegal'",
                                code="placeholder"))
    if region.base_url.rstrip("/") == PLACEHOLDER_BASE_URL.rstrip("/"):
        found.append(Diagnostic(REGION_FILE, _line_of(text, "base_url:"), severity,
                                f"'base_url' is still the placeholder value '{PLACEHOLDER_BASE_URL}' "
                                "written by skpdgen init",
                                "write the address where the portal is published",
                                code="placeholder"))
    found += _github_pages(region, text)
    for line in ci_install_lines(region.root):
        for problem in install_problems(line.spec, region.root):
            level: Severity = severity if problem.severity == "error" else "warning"
            found.append(Diagnostic(line.path, line.line, level, problem.message,
                                    problem.hint, code="install"))
    return found


def _github_pages(region: Region, text: str) -> list[Diagnostic]:
    """A project page (https://OWNER.github.io/REPO/) is served under /REPO/: base_url must be."""
    host = re.match(r"https?://([^/]+)(/.*)?$", region.base_url)
    if host is None or not host.group(1).lower().endswith(".github.io"):
        return []
    path = (host.group(2) or "/").strip("/")
    owner = host.group(1).split(".", 1)[0]
    if path:
        return []
    remotes = _github_remotes(region.root)
    if any(repo.lower() == f"{owner.lower()}.github.io" for _, repo in remotes):
        return []               # the user/organization page repository: served at the root
    repo = next((r for o, r in remotes if o.lower() == owner.lower()), "REPO")
    return [Diagnostic(REGION_FILE, _line_of(text, "base_url:"), "warning",
                       f"base_url {region.base_url} is a GitHub Pages address at the root, but a "
                       f"project page is served at https://{owner}.github.io/{repo}/",
                       f"write base_url: https://{owner}.github.io/{repo}/ (or use a custom "
                       "domain with 'cname:')", code="github-pages-path")]


def _github_remotes(root: Path) -> list[tuple[str, str]]:
    """(owner, repository) of GITHUB_REPOSITORY (in Actions) and the github.com remotes."""
    text = _read(root / ".git" / "config")
    found = re.findall(r"github\.com[:/]([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?\s*$",
                       text, re.MULTILINE)
    remotes = [(owner, repo) for owner, repo in found]
    owner, _, repo = os.environ.get("GITHUB_REPOSITORY", "").partition("/")
    return ([(owner, repo)] if owner and repo else []) + remotes


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(key):
            return number
    return None
