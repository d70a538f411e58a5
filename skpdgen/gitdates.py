"""The date of the last git commit that touched each agency's content, sites/<slug>/content/.

Only published content counts as activity: a commit that only configures a site (site.yaml,
static/, templates/) is not an agency publishing, and neither is the commit that creates it
(adds its site.yaml, with the first page `skpdgen new site` writes): they give no date.

Only reads the repository (`git log`). No git, a folder that is not a repository, an agency
that was never committed: no date, and the scorecard uses content dates alone. In a shallow
clone (CI checkouts fetch one commit by default) the oldest fetched commit looks as if it
added every file, so a date that comes from such a boundary commit is not trusted.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

GIT_TIMEOUT = 20.0


# A commit that touches more agencies than this is repository work (an import of every site,
# a bulk reformat by Diskominfo), not an agency publishing: it updates no agency's date.
BULK_AGENCIES = 3
CONTENT = "content"     # the folder of an agency's published pages
SITE_FILE = "site.yaml"


def last_commit_dates(root: Path, slugs: Iterable[str], until: datetime | None = None
                      ) -> dict[str, datetime]:
    """{slug: commit date} of the newest commit touching sites/<slug>/content/, up to `until`.

    One `git log` over sites/ serves every agency. Agencies without a trustworthy commit
    (none, only bulk commits, or only the boundary of a shallow clone) are left out.
    """
    wanted = set(slugs)
    if not wanted or _git(root, "rev-parse", "--is-inside-work-tree") != "true":
        return {}
    boundary = _shallow_boundary(root)
    # --relative: paths relative to the region even when it is a folder inside a larger
    # repository; core.quotePath=false: non-ASCII file names are not wrapped in quotes.
    args = ["-c", "core.quotePath=false", "log", "--relative", "--format=%x00%H %cI",
            "--name-status", "--no-renames"]
    if until is not None:
        args.append(f"--until={until.isoformat()}")
    out = _git(root, *args, "--", "sites/")
    if not out:
        return {}
    result: dict[str, datetime] = {}
    for record in out.split("\x00"):
        header, _, names = record.strip().partition("\n")
        commit, _, stamp = header.partition(" ")
        touched: set[str] = set()
        created: set[str] = set()
        for line in names.split("\n"):
            status, _, name = line.strip().partition("\t")
            parts = name.lstrip('"').split("/")    # a name with '"' is still quoted
            if len(parts) < 3 or parts[0] != "sites":
                continue
            if len(parts) > 3 and parts[2] == CONTENT:
                touched.add(parts[1])
            elif len(parts) == 3 and parts[2] == SITE_FILE and status == "A":
                created.add(parts[1])
        # the commit that creates an agency (adds its site.yaml, perhaps with a first page
        # from `skpdgen new site`) sets it up: it is not the agency publishing
        touched -= created
        if not commit or commit in boundary or len(touched) > BULK_AGENCIES:
            continue
        try:
            when = datetime.fromisoformat(stamp)
        except ValueError:
            continue
        for slug in touched & wanted:
            result.setdefault(slug, when)   # git log is newest first
        if len(result) == len(wanted):
            break
    return result


def is_shallow(root: Path) -> bool:
    """True in a shallow clone (CI's default checkout): commit dates are then incomplete."""
    return _git(root, "rev-parse", "--is-shallow-repository") == "true"


def head_state(root: Path) -> str | None:
    """The commit checked out and whether the clone is shallow ("<sha> true|false"), in one
    git call: what the commit dates read from this repository depend on. None: no git."""
    out = _git(root, "rev-parse", "--is-shallow-repository", "HEAD")
    return " ".join(out.split()) if out else None


def file_dates(root: Path, folder: str) -> dict[str, datetime]:
    """{path relative to root: date of the newest commit touching it} for files under `folder`.

    One `git log` for the folder; files never committed (or no git) are left out.
    """
    out = _git(root, "-c", "core.quotePath=false", "log", "--relative",
               "--format=%x00%cI", "--name-only", "--no-renames", "--", folder)
    result: dict[str, datetime] = {}
    for record in (out or "").split("\x00"):
        stamp, _, names = record.strip().partition("\n")
        try:
            when = datetime.fromisoformat(stamp)
        except ValueError:
            continue
        for name in names.split("\n"):
            if name.strip():
                result.setdefault(name.strip(), when)   # git log is newest first
    return result


def _shallow_boundary(root: Path) -> frozenset[str]:
    """Commits whose parents were not fetched (empty unless the clone is shallow)."""
    if not is_shallow(root):
        return frozenset()
    shallow = _git(root, "rev-parse", "--git-path", "shallow")
    if not shallow:
        return frozenset()
    path = Path(shallow) if Path(shallow).is_absolute() else root / shallow
    try:
        return frozenset(path.read_text(encoding="ascii").split())
    except (OSError, ValueError):
        return frozenset()


def _git(root: Path, *args: str) -> str | None:
    """stdout of `git -C root ARGS`, stripped; None when git is missing or fails."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                              encoding="utf-8", errors="replace", timeout=GIT_TIMEOUT,
                              check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
