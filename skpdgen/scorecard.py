"""The activity scorecard: is each agency's site alive? One measurement for every view.

`measure_all` turns what each agency has published (its SiteSummary), the last git commit to
its folder and how its last build went into one SiteScore per agency. status.json,
status.csv, the portal's /status/ page and `skpdgen report` all show these same numbers.

The score is the sum of named parts with fixed weights (SCORE_PARTS), explained on the page
and in docs/scorecard.md, so an agency can see which points it misses and how to earn them.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from skpdgen import gitdates
from skpdgen.config.agency import CONTACT_SCHEMA, SOCIAL_NETWORKS, Agency, load_agency
from skpdgen.config.region import Region
from skpdgen.content.sections import SECTIONS
from skpdgen.diagnostics import BROKEN_LINK, Diagnostic, Diagnostics
from skpdgen.options import build_now
from skpdgen.summary import SiteSummary

STATES = ("aktif", "kurang aktif", "mati")
WEEKS = 26                       # the weekly series: 26 weeks, the last one ending today
SECTION_NAMES = tuple(SECTIONS)
CONTACT_KEYS = tuple(CONTACT_SCHEMA)

ITEM_POINTS = 5                  # publishing: per item published in the last 30 days
INNOVATION_POINTS = 10           # at least one innovation
DIGITAL_POINTS = 5               # at least one digital innovation
SOCIAL_POINTS = 2                # per social-media account


@dataclass(frozen=True, slots=True)
class ScorePart:
    """One part of the score: at most `weight` points, earned as `rule` says."""

    name: str
    weight: int
    rule: str


SCORE_PARTS = (
    ScorePart("freshness", 30, "30 when the last update is at most {stale} days old (stale_days), "
              "falling in a straight line to 0 at {dead} days (dead_days); 0 when never updated"),
    ScorePart("publishing", 25, f"{ITEM_POINTS} per item published in the last 30 days "
              f"(berita, pengumuman, agenda, ... with a date), at most 25"),
    ScorePart("innovation", 15, f"{INNOVATION_POINTS} for at least one innovation, "
              f"{DIGITAL_POINTS} more when one of them is digital"),
    ScorePart("social", 10, f"{SOCIAL_POINTS} per social-media account in site.yaml "
              f"({', '.join(SOCIAL_NETWORKS)})"),
    ScorePart("contact", 10, f"10 × the share of contact fields filled in site.yaml "
              f"({', '.join(CONTACT_KEYS)})"),
    ScorePart("build", 10, "10 when the site's last build succeeded"),
)
WEIGHT = {p.name: p.weight for p in SCORE_PARTS}



@dataclass(frozen=True, slots=True)
class BuildHealth:
    """How an agency's last build went. None: not known in this run."""

    build: str = "ok"                  # ok | failed
    errors: int | None = 0
    broken_links: int | None = 0
    published_is_old: bool = False     # failed, and the public still sees an older build
    not_published: tuple[str, ...] = ()   # partial: PATH:LINE of each item left out

    @staticmethod
    def from_diagnostics(diagnostics: Iterable[Diagnostic], ok: bool, has_output: bool,
                         not_published: Iterable[str] = ()) -> BuildHealth:
        errors = [d for d in diagnostics if d.severity == "error"]
        left_out = tuple(not_published)
        return BuildHealth("ok" if ok else "partial" if left_out else "failed", len(errors),
                           sum(1 for d in errors if d.code == BROKEN_LINK),
                           not ok and has_output and not left_out, left_out)

    @staticmethod
    def from_manifest(entry: object) -> BuildHealth | None:
        """The health the last build recorded in build/.skpdgen/manifest.json, if valid."""
        if not isinstance(entry, dict) or entry.get("build") not in ("ok", "failed", "partial"):
            return None
        if entry["build"] == "ok":
            return BuildHealth()
        errors, broken = entry.get("errors"), entry.get("broken_links")
        left_out = entry.get("not_published")
        return BuildHealth(entry["build"], errors if isinstance(errors, int) else None,
                           broken if isinstance(broken, int) else None,
                           bool(entry.get("published_is_old")),
                           tuple(str(p) for p in left_out) if isinstance(left_out, list) else ())


@dataclass(frozen=True, slots=True)
class Identity:
    """Who an agency is, even when it has never built."""

    slug: str
    name: str
    kind: str
    url: str

    @staticmethod
    def of_summary(summary: SiteSummary) -> Identity:
        return Identity(summary.slug, summary.name, summary.kind, summary.base_url)

    @staticmethod
    def of_agency(agency: Agency) -> Identity:
        return Identity(agency.slug, agency.name, agency.kind, agency.base_url)

    @staticmethod
    def of_config(region: Region, slug: str) -> Identity:
        """From sites/<slug>/site.yaml, for an agency with nothing published; else the slug."""
        agency = load_agency(region, slug, Diagnostics())
        if agency is not None:
            return Identity.of_agency(agency)
        return Identity(slug, slug, "lainnya", f"{region.base_url}{slug}/")


@dataclass(frozen=True, slots=True)
class ScoreInput:
    """Everything measured of one agency: what it published, how its build went."""

    identity: Identity
    summary: SiteSummary | None        # None: nothing published (never built successfully)
    health: BuildHealth


@dataclass(frozen=True, slots=True)
class SiteScore:
    """The scorecard row of one agency: the same fields in JSON, CSV, the page and report."""

    slug: str
    name: str
    kind: str
    url: str
    state: str                          # aktif | kurang aktif | mati
    score: int                          # 0-100, the sum of score_parts
    score_parts: dict[str, int]
    last_update: str | None             # ISO date
    last_update_source: str             # git | content
    content_update: str | None          # newest content date (ISO date)
    commit_update: str | None           # last commit touching sites/<slug>/ (ISO date)
    days_since_update: int | None
    published_30d: int
    published_90d: int
    sections: dict[str, dict[str, int]]
    upcoming_events: int
    innovations: int
    digital_innovation: bool
    digital_innovations: int
    social_missing: list[str]
    contact_completeness: int           # percent of CONTACT_KEYS filled
    contact_missing: list[str]
    build: str                          # ok | failed
    build_errors: int | None
    broken_links: int | None
    published_is_old: bool
    weekly: list[int] = field(default_factory=list)   # items per week, oldest first
    not_published: list[str] = field(default_factory=list)   # items left out: PATH:LINE

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def measure_all(region: Region, inputs: Iterable[ScoreInput], today: date) -> list[SiteScore]:
    """Score every agency (sorted by slug); reads the last commit dates from git once."""
    entries = sorted(inputs, key=lambda e: e.identity.slug)
    commits = gitdates.last_commit_dates(region.root, [e.identity.slug for e in entries],
                                         until=build_now(today, region))
    return [measure(e, region, today, commits.get(e.identity.slug)) for e in entries]


def measure(entry: ScoreInput, region: Region, today: date, commit: datetime | None = None
            ) -> SiteScore:
    """Score one agency as of `today` (end of day, in the region's timezone)."""
    tz = region.tz
    summary = entry.summary
    published = _published(summary, tz, today) if summary else []
    content_last = max(_update_days(summary, tz, today), default=None) if summary else None
    commit_last = commit.astimezone(tz).date() if commit else None
    if commit_last and commit_last > today:
        commit_last = None
    last, source = content_last, "content"
    if commit_last and (last is None or commit_last > last):
        last, source = commit_last, "git"
    age = (today - last).days if last else None

    if summary is None or age is None or age > region.dead_days:
        state = "mati"
    elif age > region.stale_days:
        state = "kurang aktif"
    else:
        state = "aktif"

    sections = {name: {"published_30d": 0, "published_90d": 0} for name in SECTION_NAMES}
    weekly = [0] * WEEKS
    for section, day in published:
        days_ago = (today - day).days
        if days_ago < 30:
            sections[section]["published_30d"] += 1
        if days_ago < 90:
            sections[section]["published_90d"] += 1
        if days_ago < WEEKS * 7:
            weekly[WEEKS - 1 - days_ago // 7] += 1
    published_30 = sum(s["published_30d"] for s in sections.values())
    published_90 = sum(s["published_90d"] for s in sections.values())

    innovations = summary.innovations if summary else []
    digital = sum(1 for i in innovations if i.extra.get("digital"))
    social = summary.social if summary else {}
    social_missing = [n for n in SOCIAL_NETWORKS if not social.get(n)]
    contact = summary.contact if summary else {}
    contact_missing = [k for k in CONTACT_KEYS if not contact.get(k)]
    upcoming = sum(1 for e in (summary.events if summary else [])
                   if (start := _day(e.extra.get("start"), tz)) and start >= today)

    filled = (len(CONTACT_KEYS) - len(contact_missing)) / len(CONTACT_KEYS)
    published_site = summary is not None
    parts = {
        "freshness": _freshness(age, region) if published_site else 0,
        "publishing": min(WEIGHT["publishing"], ITEM_POINTS * published_30),
        "innovation": ((INNOVATION_POINTS if innovations else 0)
                       + (DIGITAL_POINTS if digital else 0)),
        "social": SOCIAL_POINTS * (len(SOCIAL_NETWORKS) - len(social_missing)),
        "contact": _round(WEIGHT["contact"] * filled) if published_site else 0,
        "build": WEIGHT["build"] if entry.health.build == "ok" and published_site else 0,
    }
    ident, health = entry.identity, entry.health
    return SiteScore(
        slug=ident.slug, name=ident.name, kind=ident.kind, url=ident.url, state=state,
        score=sum(parts.values()), score_parts=parts,
        last_update=_iso(last), last_update_source=source,
        content_update=_iso(content_last), commit_update=_iso(commit_last),
        days_since_update=age, published_30d=published_30, published_90d=published_90,
        sections=sections, upcoming_events=upcoming, innovations=len(innovations),
        digital_innovation=digital > 0, digital_innovations=digital,
        social_missing=social_missing,
        contact_completeness=_round(100 * filled) if published_site else 0,
        contact_missing=contact_missing, build=health.build, build_errors=health.errors,
        broken_links=health.broken_links, published_is_old=health.published_is_old,
        weekly=weekly, not_published=list(health.not_published),
    )


def _freshness(age: int | None, region: Region) -> int:
    weight = WEIGHT["freshness"]
    if age is None or age > region.dead_days:
        return 0
    if age <= region.stale_days:
        return weight
    span = max(1, region.dead_days - region.stale_days)
    return _round(weight * (region.dead_days - age) / span)


def _round(value: float) -> int:
    """Half up (18.5 -> 19), as people round; Python's round() would give 18."""
    return math.floor(value + 0.5)


def _day(value: Any, tz: ZoneInfo) -> date | None:
    """The calendar day (in the region's timezone) of an ISO date or datetime string."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(tz).date() if moment.tzinfo else moment.date()


def _published(summary: SiteSummary, tz: ZoneInfo, today: date) -> list[tuple[str, date]]:
    """(section, day) of every item of a known section published by `today`."""
    if summary.activity:
        pairs = [(a.section, _day(a.date, tz)) for a in summary.activity]
    else:   # a summary saved by an older skpdgen
        pairs = [(i.section, _day(i.date, tz)) for i in summary.dated]
    return [(s, d) for s, d in pairs if s in SECTIONS and d is not None and d <= today]


def _update_days(summary: SiteSummary, tz: ZoneInfo, today: date) -> list[date]:
    """Every content date that counts as an update: `date` and `updated` of any page, by today.

    An event's `start` is when it happens, not when its page was written: never an update.
    """
    if summary.activity:
        raw = [v for a in summary.activity for v in (a.date, a.updated)]
    else:
        raw = [i.date for i in summary.dated]
    return [d for v in raw if (d := _day(v, tz)) is not None and d <= today]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- the views' data: status.json / report --format json, status.csv / report --format csv ---

WORST_FIRST = ("mati", "kurang aktif", "aktif")


def worst_first(score: SiteScore) -> tuple[int, int, str]:
    """Sort key of every view: mati, then kurang aktif, then aktif; the lowest score first."""
    return WORST_FIRST.index(score.state), score.score, score.name.casefold()


def state_counts(scores: Iterable[SiteScore]) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for score in scores:
        counts[score.state] += 1
    return counts


def status_json(document: dict[str, Any]) -> str:
    """The text of status.json, byte for byte what `report --format json` prints."""
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def status_document(scores: list[SiteScore], today: date, region: Region) -> dict[str, Any]:
    """status.json and `skpdgen report --format json`: the same object."""
    return {
        "generated": today.isoformat(),
        "region": region.name,
        "stale_days": region.stale_days,
        "dead_days": region.dead_days,
        "counts": state_counts(scores),
        "score_parts": [{"name": p.name, "weight": p.weight,
                         "rule": p.rule.format(stale=region.stale_days, dead=region.dead_days)}
                        for p in SCORE_PARTS],
        "sites": [s.to_json() for s in scores],
    }


CSV_COLUMNS = (
    "slug", "name", "kind", "url", "state", "score",
    *(f"score_{p.name}" for p in SCORE_PARTS),
    "last_update", "last_update_source", "content_update", "commit_update",
    "days_since_update", "published_30d", "published_90d",
    *(f"{name}_{window}" for name in SECTION_NAMES for window in ("30d", "90d")),
    "upcoming_events", "innovations", "digital_innovation", "digital_innovations",
    "social_missing", "contact_completeness", "contact_missing",
    "build", "build_errors", "broken_links", "published_is_old", "weekly",
)


def csv_row(score: SiteScore) -> dict[str, str]:
    data = score.to_json()
    for part, points in score.score_parts.items():
        data[f"score_{part}"] = points
    for name, counts in score.sections.items():
        data[f"{name}_30d"] = counts["published_30d"]
        data[f"{name}_90d"] = counts["published_90d"]
    data["weekly"] = " ".join(str(n) for n in score.weekly)
    return {column: _csv_value(data[column]) for column in CSV_COLUMNS}


# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = " ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    # an agency name like '=HYPERLINK(...)' is shown as text, not run, in a spreadsheet
    return "'" + text if text.startswith(_FORMULA_START) else text


def status_csv(scores: Iterable[SiteScore]) -> str:
    """status.csv and `skpdgen report --format csv`: one row per agency, RFC 4180."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for score in scores:
        writer.writerow(csv_row(score))
    return out.getvalue()
