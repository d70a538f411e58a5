"""`build --shard I/N` and `build --portal-only`: one region's agencies built by N CI jobs.

    skpdgen build --shard 2/4        # in each job of a CI matrix: its agencies, no portal
    (copy the build/ folders of the N jobs into one build/)
    skpdgen build --portal-only      # once: the portal, scorecard, search and manifest

An agency's shard depends on its own slug only (the first 8 bytes of sha256(slug), modulo N),
so adding or removing an agency never moves another one to another shard (a CI cache of a
shard's build/ stays useful). A shard writes each agency's output, summary and cache entry as
a full build does, plus a record of how its build went in build/.skpdgen/shards/<slug>.json:
every file a shard writes is named after one of its agencies, so the shards' folders can be
copied together without one overwriting another. `--portal-only` reads those records (the
agencies' health for the scorecard and the manifest), builds the portal from the agencies'
summaries, writes the manifest and removes the records it used.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from skpdgen.diagnostics import ConfigError, Diagnostic
from skpdgen.scorecard import BuildHealth
from skpdgen.write import STATE_DIR, remove_tree, write_file_atomic

RECORDS_DIR = "shards"
MAX_SHARDS = 1000
_FORM = re.compile(r"\s*(\d{1,4})\s*/\s*(\d{1,4})\s*")


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard `index` of `count` (1-based)."""

    index: int
    count: int

    @staticmethod
    def parse(text: str) -> Shard:
        """'2/4' -> Shard(2, 4); a ValueError says what is wrong."""
        match = _FORM.fullmatch(text)
        if not match:
            raise ValueError(f"'{text}' is not I/N (write the shard's number and the number of "
                             "shards, e.g. --shard 2/4)")
        index, count = int(match[1]), int(match[2])
        if not 1 <= count <= MAX_SHARDS:
            raise ValueError(f"'{text}': the number of shards must be 1 to {MAX_SHARDS}")
        if not 1 <= index <= count:
            raise ValueError(f"'{text}': the shard's number must be 1 to {count} "
                             "(shards count from 1)")
        return Shard(index, count)

    def holds(self, slug: str) -> bool:
        return shard_of(slug, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(slug: str, count: int) -> int:
    """The shard (1..count) that builds `slug`: a function of the slug alone."""
    digest = hashlib.sha256(slug.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


@dataclass(frozen=True, slots=True)
class ShardRecord:
    """How a shard's build of one agency went, for the job that assembles the portal."""

    slug: str
    today: date
    drafts: bool
    future: bool
    health: BuildHealth
    page_count: int


def record_path(out: Path, slug: str) -> Path:
    return out / STATE_DIR / RECORDS_DIR / f"{slug}.json"


def save_record(out: Path, record: ShardRecord, has_output: bool) -> None:
    """The agency's state as the manifest would record it, and the options it was built with."""
    health = record.health
    state: dict[str, object] = {
        "build": health.build, "errors": health.errors or 0,
        "broken_links": health.broken_links or 0, "published_is_old": health.published_is_old,
        "has_output": has_output, "not_published": list(health.not_published)}
    data = {"today": record.today.isoformat(), "drafts": record.drafts,
            "future": record.future, "page_count": record.page_count, "state": state}
    write_file_atomic(record_path(out, record.slug),
                      (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8"))


def load_records(out: Path, slugs: list[str]) -> dict[str, ShardRecord]:
    """The records of `slugs` found in build/ (an unreadable one is an error, not a guess)."""
    records: dict[str, ShardRecord] = {}
    for slug in slugs:
        path = record_path(out, slug)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise _record_error(out, slug, f"cannot be read: {exc.strerror or exc}") from None
        try:
            data = json.loads(text)
            health = BuildHealth.from_manifest(data["state"])
            if health is None:
                raise ValueError("no build state")
            records[slug] = ShardRecord(slug, date.fromisoformat(data["today"]),
                                        bool(data["drafts"]), bool(data["future"]), health,
                                        int(data["page_count"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise _record_error(out, slug, f"is not a shard record ({exc})") from None
    return records


def _record_error(out: Path, slug: str, problem: str) -> ConfigError:
    return ConfigError([Diagnostic(
        f"{out.name}/{STATE_DIR}/{RECORDS_DIR}/{slug}.json", None, "error",
        f"{problem}", f"build the shard of '{slug}' again (skpdgen build --shard I/N) and copy "
        "its build/ folder in")])


def common_day(out: Path, records: dict[str, ShardRecord], asked: date | None) -> date | None:
    """The day the shards were built for: the portal is assembled for the same day.

    Shards built for different days (a job queued past midnight), or for another day than
    `asked` (--today, SKPDGEN_TODAY), are an error: the portal would count and list another
    day's content.
    """
    days = sorted({r.today for r in records.values()})
    if asked is not None and days and days != [asked]:
        days = sorted({*days, asked})
    if len(days) <= 1:
        return days[0] if days else asked
    first = {day: next(s for s, r in sorted(records.items()) if r.today == day)
             for day in days if any(r.today == day for r in records.values())}
    shown = ", ".join(f"{day.isoformat()} ({slug})" for day, slug in first.items())
    message = (f"the shards were built for {shown}, the portal was asked for {asked.isoformat()}"
               if asked is not None and asked not in first else
               f"the shards were built for different days: {shown}")
    raise ConfigError([Diagnostic(
        f"{out.name}/{STATE_DIR}/{RECORDS_DIR}", None, "error", message,
        "give every job of the run the same day (SKPDGEN_TODAY=YYYY-MM-DD, or --today), "
        "then build the shards again")])


def forget_records(out: Path) -> None:
    """Before a shard is built: every record in build/ goes (a build/ kept by CI from an earlier
    run brings that run's), so that a record always means "built by this run"."""
    remove_tree(out / STATE_DIR / RECORDS_DIR)


def remove_records(out: Path, slugs: list[str]) -> None:
    """Forget the records the portal was assembled from (the manifest now holds them)."""
    for slug in slugs:
        record_path(out, slug).unlink(missing_ok=True)
