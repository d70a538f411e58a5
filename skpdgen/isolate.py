"""One staff mistake never freezes an agency: a broken item is left out, the rest publishes.

An error confined to one content file (bad front matter, a broken link, a Word file in
content/berita/) leaves that file out; the agency is assembled again without it and published,
and the item's previously published pages (if any) stay: their old output files are carried
into the new output from build/<slug>/, as the last written build recorded them in
build/.skpdgen/items/<slug>.json ({src_path: [dest paths]}). Links from other pages to a
left-out item keep pointing at its old page, or (never published) count as unpublished.
The build still fails (exit 1) and the errors are reported as always. Errors anywhere else
(site.yaml, templates, anything every page depends on) hold the whole agency back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from skpdgen import urls
from skpdgen.diagnostics import BROKEN_LINK, Diagnostic, Diagnostics
from skpdgen.render import Output
from skpdgen.write import STATE_DIR, write_file_atomic

URL_COLLISION = "url-collision"   # model.py: two files want one URL, not one item's fault
MAX_ROUNDS = 8      # leaving an item out can break a link elsewhere: a few rounds settle it


@dataclass(frozen=True, slots=True)
class LeftOut:
    """The items an agency publishes without, and what stays of them."""

    items: dict[str, Diagnostic] = field(default_factory=dict)   # src_path -> first error
    kept: dict[str, str] = field(default_factory=dict)           # src_path -> old site path

    @property
    def not_published(self) -> list[str]:
        """PATH:LINE of each left-out item, for the scorecard and the summary line."""
        return [f"{d.path}:{d.line}" if d.line else d.path for d in self.items.values()]


def broken_items(diagnostics: Iterable[Diagnostic], prefix: str) -> dict[str, Diagnostic] | None:
    """{src_path: first error} when every error is confined to one content file, else None."""
    found: dict[str, Diagnostic] = {}
    for d in diagnostics:
        if d.severity != "error":
            continue
        src = d.path[len(prefix):] if d.path.startswith(prefix) else ""
        if not src.startswith("content/") or src.endswith("/") or d.code == URL_COLLISION:
            return None
        found.setdefault(src, d)
    return found


Model = TypeVar("Model")


def settle(attempt: Callable[[LeftOut, Diagnostics], Model | None], first: Diagnostics,
           prefix: str, previous: dict[str, list[str]]
           ) -> tuple[Model | None, Diagnostics, LeftOut]:
    """Attempt the agency again without its broken items until no new item breaks.

    `first`: the diagnostics of the full attempt. Returns (model, diagnostics to report,
    what was left out); the model is None when an error is not confined to an item.
    A broken link may only be the echo of another broken item (its page failed to load), so
    items with their own errors are left out first, and link errors count only once none
    of those is left.
    """
    diags, left = first, LeftOut()
    model: Model | None = None
    reported: list[Diagnostic] = []
    for _ in range(MAX_ROUNDS):
        broken = broken_items(diags, prefix)
        if broken is None:
            return None, Diagnostics(_unique([*reported, *diags])), LeftOut()
        new = {src: d for src, d in broken.items() if src not in left.items}
        own = {src: d for src, d in new.items()
               if any(e.code != BROKEN_LINK for e in diags.errors if e.path == d.path)}
        new = own or new
        if not new:
            return model, Diagnostics(_unique([*reported, *diags])), left
        paths = {d.path for d in new.values()}
        reported += [d for d in diags if d.path in paths]
        items = {**left.items, **new}
        left = LeftOut(items, old_site_paths(previous, items))
        diags = Diagnostics()
        model = attempt(left, diags)
        if model is None:
            return None, Diagnostics(_unique([*reported, *diags])), LeftOut()
    return None, Diagnostics(_unique([*reported, *diags])), LeftOut()


def _unique(items: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(items))


def items_path(out: Path, slug: str) -> Path:
    return out / STATE_DIR / "items" / f"{slug}.json"


def load_items(out: Path, slug: str) -> dict[str, list[str]]:
    """{src_path: dest paths} of the agency's last written output ({} when unknown)."""
    try:
        data = json.loads(items_path(out, slug).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {src: [d for d in dests if isinstance(d, str)] for src, dests in data.items()
            if isinstance(src, str) and isinstance(dests, list)}


def record_items(outputs: Iterable[Output], previous: dict[str, list[str]],
                 left_out: Iterable[str]) -> dict[str, list[str]]:
    """What each content file wrote, keeping the old record of left-out items."""
    record: dict[str, list[str]] = {}
    for out in outputs:
        if out.origin.startswith("content/") and out.origin.lower().endswith(".md"):
            record.setdefault(out.origin, []).append(out.dest_path)
    for src in left_out:
        if src in previous:
            record[src] = previous[src]
    return record


def save_items(out: Path, slug: str, record: dict[str, list[str]]) -> None:
    write_file_atomic(items_path(out, slug),
                      json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def old_site_paths(previous: dict[str, list[str]], left_out: Iterable[str]
                   ) -> dict[str, str]:
    """{src_path: site path} of left-out items that had a page in the last output."""
    kept: dict[str, str] = {}
    for src in left_out:
        pages = [d for d in previous.get(src, []) if d.endswith("index.html")]
        if pages:
            kept[src] = urls.site_path_for_dest(pages[0])
    return kept


def kept_outputs(target: Path, previous: dict[str, list[str]], left_out: Iterable[str],
                 produced: set[str]) -> list[Output]:
    """The old output files of left-out items, copied from `target` (build/<slug>/)."""
    kept: list[Output] = []
    for src in left_out:
        for dest in previous.get(src, []):
            old = target / dest
            if dest not in produced and old.is_file() and not old.is_symlink():
                kept.append(Output(dest, source=old, origin=src))
                produced.add(dest)
    return kept
