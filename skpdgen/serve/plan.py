"""Changed source files -> what to rebuild.

A change under sites/<slug>/ rebuilds that agency (and with it the portal); a change of the
theme or of skpdgen.yaml rebuilds everything. When every changed file is a stylesheet, open
tabs can restyle instead of reloading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from skpdgen.config.region import REGION_FILE

# Editor droppings that never are content (the loader skips dotfiles and backups too).
_IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload")
_IGNORED_NAMES = frozenset({"4913"})   # vim's probe file


@dataclass(frozen=True, slots=True)
class RebuildPlan:
    """One rebuild: which agencies (None: all of them) and why."""

    sites: tuple[str, ...] | None
    css_only: bool
    changed: tuple[str, ...]          # the source paths that caused it, relative to the root

    @property
    def everything(self) -> bool:
        return self.sites is None

    @property
    def touches_theme(self) -> bool:
        """The theme, the region config or an agency's templates/ changed: load the theme (and
        its template environments) afresh. Jinja notices edited templates by itself, but not
        a new override file that now hides the theme's template of the same name."""
        return any(path == REGION_FILE or path.startswith("themes/")
                   or path.split("/")[2:3] == ["templates"] for path in self.changed)

    def describe(self) -> str:
        if not self.changed:
            return "start"
        first = self.changed[0]
        more = len(self.changed) - 1
        return first if not more else f"{first} and {more} more file{'s' if more > 1 else ''}"


def relevant(rel: PurePosixPath) -> bool:
    """False for files no build reads: hidden files, editor backups and swap files."""
    if any(part.startswith(".") for part in rel.parts):
        return False
    name = rel.name
    return not (name in _IGNORED_NAMES or name.endswith(_IGNORED_SUFFIXES))


def plan_rebuild(paths: Iterable[Path], root: Path, only_site: str | None = None
                 ) -> RebuildPlan | None:
    """The rebuild for a batch of changed paths; None when none of them matters."""
    sites: set[str] = set()
    everything = False
    css_only = True
    changed: list[str] = []
    for path in paths:
        try:
            rel = PurePosixPath(path.relative_to(root).as_posix())
        except ValueError:
            continue
        if not rel.parts or not relevant(rel):
            continue
        top = rel.parts[0]
        if rel.as_posix() == REGION_FILE or top == "themes":
            everything = True
        elif top == "sites" and len(rel.parts) >= 3:
            slug = rel.parts[1]
            if only_site is not None and slug != only_site:
                continue
            sites.add(slug)
        elif top == "sites":
            everything = True          # an agency folder appeared or went away
        else:
            continue
        css_only = css_only and _is_stylesheet(rel)
        changed.append(rel.as_posix())
    if not changed:
        return None
    if only_site is not None:
        return RebuildPlan((only_site,), css_only, tuple(sorted(changed)))
    return RebuildPlan(None if everything else tuple(sorted(sites)), css_only,
                       tuple(sorted(changed)))


def _is_stylesheet(rel: PurePosixPath) -> bool:
    """A theme's or an agency's static .css file."""
    parts = rel.parts
    return (rel.suffix == ".css" and len(parts) >= 4 and parts[0] in ("themes", "sites")
            and parts[2] == "static")
