"""Where a region's CI installs skpdgen from, and whether that source can work.

skpdgen is not on a public package index, and must not pretend to be: a CI line such as
`pip install skpdgen==0.1.0` fails today, and would run a stranger's code the day someone
registers the free name. A region installs skpdgen from a source it controls and pins:

- a wheel committed in the region (the default of `skpdgen init`: `vendor/skpdgen-X-py3-none-any.whl`,
  written by `scaffold_wheel.vendor_wheel` from the skpdgen that runs init),
- a git URL pinned to a tag or commit: `git+https://git.example.go.id/diskominfo/skpdgen@v0.2.0`,
- `.` when the region repository is a fork of skpdgen itself (as the demo is).

`install_problems` says, for one install spec, what would make the CI's install step fail or
unsafe; `ci_install_lines` finds the specs in a region's CI files so `check` can say it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from skpdgen import __version__

VENDOR_DIR = "vendor"
CI_FILES = (".github/workflows/skpdgen.yml", ".gitlab-ci.yml")
INSTALL_LINE = re.compile(r"""pip install (?:--[a-z-]+ )*["']?([^"'\s]+)["']?\s*$""")
_COMMIT = re.compile(r"[0-9a-f]{7,40}")
_TAG = re.compile(r"v?\d+(\.\d+)*([.-]?[A-Za-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class InstallProblem:
    severity: str        # "error" (the install step cannot work) or "warning" (unsafe)
    message: str
    hint: str


def wheel_name() -> str:
    return f"skpdgen-{__version__}-py3-none-any.whl"


def default_install() -> str:
    """What `skpdgen init` writes without --install: the wheel it commits in the region."""
    return f"./{VENDOR_DIR}/{wheel_name()}"


def install_problems(spec: str, root: Path) -> list[InstallProblem]:
    """Why `pip install SPEC`, run in the region `root`, cannot work or is unsafe; [] if fine."""
    hint = ("use a wheel committed in the repository (./vendor/skpdgen-….whl), a git URL "
            "pinned to a tag or commit (git+https://…/skpdgen@v0.2.0), or '.' in a fork of skpdgen")
    if spec.startswith("git+"):
        return _git_problems(spec, root)
    if spec == "." or spec.startswith(("./", "../", "/")) or spec.endswith((".whl", ".tar.gz")):
        if "://" in spec:
            return []     # an archive at a URL the region chose
        path = (root / spec).resolve() if not spec.startswith("/") else Path(spec)
        if not path.exists():
            return [InstallProblem("error", f"the install source '{spec}' does not exist in "
                                   "the repository, so CI cannot install skpdgen",
                                   f"commit the file, or {hint}")]
        if path.is_dir() and not (path / "pyproject.toml").is_file():
            return [InstallProblem("error", f"the install source '{spec}' is a folder without "
                                   "pyproject.toml: it is not a copy of skpdgen", hint)]
        return []
    return [InstallProblem("error", f"'pip install {spec}' asks a package index for skpdgen, "
                           "where it is not published and anyone could register the name",
                           hint)]


def _git_problems(spec: str, root: Path) -> list[InstallProblem]:
    url = spec[4:].split("#", 1)[0]
    scheme, _, rest = url.partition("://")
    path_part = rest.split("/", 1)[1] if "/" in rest else ""
    ref = path_part.rsplit("@", 1)[1] if "@" in path_part else ""
    problems: list[InstallProblem] = []
    if scheme == "file":
        local = Path(rest.split("@", 1)[0] if "@" in rest else rest)
        if not local.exists():
            problems.append(InstallProblem("error", f"the git repository '{local}' does not "
                                           "exist, so CI cannot install skpdgen from it",
                                           "use the URL of a repository the CI can reach"))
    if not ref:
        problems.append(InstallProblem(
            "warning", f"the install source '{spec}' is not pinned: every CI run installs "
            "whatever its default branch holds that day",
            "add @<tag> or @<commit>, e.g. …/skpdgen@v0.2.0"))
    elif ref in ("main", "master", "develop", "HEAD") or not (_COMMIT.fullmatch(ref)
                                                              or _TAG.fullmatch(ref)):
        problems.append(InstallProblem(
            "warning", f"the install source '{spec}' follows the branch '{ref}', which moves",
            "pin a tag or commit, e.g. …/skpdgen@v0.2.0"))
    return problems


@dataclass(frozen=True, slots=True)
class InstallLine:
    path: str            # the CI file, relative to the region
    line: int
    spec: str


def ci_install_lines(root: Path) -> list[InstallLine]:
    """The `pip install SPEC` lines of the region's CI files that install skpdgen."""
    found: list[InstallLine] = []
    for rel in CI_FILES:
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            match = INSTALL_LINE.search(line)
            if match and "-r" not in line.split():
                found.append(InstallLine(rel, number, match.group(1)))
    return found
