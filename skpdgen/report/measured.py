"""Measurements of agencies taken from their sources without a build, kept between runs.

`build --site X` (and `serve --site X`, on every save) measures the agencies it does not build
from their sources, so the scorecard never shows them `mati` for not being built. Loading an
agency's sources is the costly part, so each measurement is kept in
build/.skpdgen/measured/<slug>.json under the agency's cache key (every input file, the
theme, the code) and the day it was taken, and reused while both are the same. It is kept
apart from build/.skpdgen/sites/, whose summaries mean "this agency's site is in build/".
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

from skpdgen.scorecard import BuildHealth
from skpdgen.summary import SiteSummary
from skpdgen.write import STATE_DIR, write_file_atomic


def _path(out: Path, slug: str) -> Path:
    return out / STATE_DIR / "measured" / f"{slug}.json"


def load(out: Path, slug: str, key: str, today: date
         ) -> tuple[SiteSummary | None, BuildHealth] | None:
    """The measurement saved for this key and day, if any."""
    try:
        data = json.loads(_path(out, slug).read_text(encoding="utf-8"))
        if data["key"] != key or data["today"] != today.isoformat():
            return None
        summary = SiteSummary.from_json(data["summary"]) if data["summary"] else None
        return summary, BuildHealth(**data["health"])
    except (OSError, ValueError, TypeError, KeyError):
        return None


def save(out: Path, slug: str, key: str, today: date, summary: SiteSummary | None,
         health: BuildHealth) -> None:
    data = {"key": key, "today": today.isoformat(),
            "summary": summary.to_json() if summary else None, "health": asdict(health)}
    write_file_atomic(_path(out, slug), json.dumps(data, ensure_ascii=False).encode("utf-8"))
