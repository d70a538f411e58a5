"""The activity scorecard: is each agency's site alive? One measurement for every view.

`measure` computes a SiteScore per agency from its summary; status.json, `skpdgen report`
and the portal's /status/ page all show these same numbers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from skpdgen.config.agency import SOCIAL_NETWORKS
from skpdgen.config.region import Region
from skpdgen.summary import SiteSummary

STATES = ("aktif", "kurang aktif", "mati")


@dataclass(frozen=True, slots=True)
class SiteScore:
    slug: str
    name: str
    kind: str
    state: str
    score: int
    last_update: str | None
    last_update_source: str
    published_30d: int
    published_90d: int
    innovations: int
    digital_innovations: int
    social_missing: list[str]
    build: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _published_dates(summary: SiteSummary, today: date) -> list[date]:
    result = []
    for item in summary.dated:
        if item.date:
            day = datetime.fromisoformat(item.date).date()
            if day <= today:
                result.append(day)
    return result


def measure(summary: SiteSummary, region: Region, today: date, build: str) -> SiteScore:
    dates = _published_dates(summary, today)
    last = max(dates, default=None)
    if summary.last_update:
        content_last = date.fromisoformat(summary.last_update[:10])
        if content_last <= today and (last is None or content_last > last):
            last = content_last
    age = (today - last).days if last else None
    if age is None or age > region.dead_days:
        state = "mati"
    elif age > region.stale_days:
        state = "kurang aktif"
    else:
        state = "aktif"
    published_30 = sum(1 for d in dates if d > today - timedelta(days=30))
    published_90 = sum(1 for d in dates if d > today - timedelta(days=90))
    digital = sum(1 for i in summary.innovations if i.extra.get("digital"))
    missing = [n for n in SOCIAL_NETWORKS if not summary.social.get(n)]
    score = _score(age, region, published_30, len(summary.innovations), digital,
                   len(SOCIAL_NETWORKS) - len(missing), build)
    return SiteScore(summary.slug, summary.name, summary.kind, state, score,
                     last.isoformat() if last else None, "content", published_30,
                     published_90, len(summary.innovations), digital, missing, build)


def _score(age: int | None, region: Region, published_30: int, innovations: int,
           digital: int, social: int, build: str) -> int:
    freshness = 0.0
    if age is not None:
        freshness = 40.0 if age <= region.stale_days else max(
            0.0, 40.0 * (region.dead_days - age) / max(1, region.dead_days - region.stale_days))
    volume = min(25.0, published_30 * 25.0 / 4)
    innovation = (10.0 if innovations else 0.0) + (5.0 if digital else 0.0)
    social_points = social * 2.0
    health = 10.0 if build == "ok" else 0.0
    return round(freshness + volume + innovation + social_points + health)


def unknown_score(slug: str, name: str, build: str) -> SiteScore:
    """An agency that never built successfully."""
    return SiteScore(slug, name, "lainnya", "mati", 0, None, "content", 0, 0, 0, 0,
                     list(SOCIAL_NETWORKS), build)


def status_document(scores: list[SiteScore], today: date) -> dict[str, Any]:
    return {"generated": today.isoformat(), "sites": [s.to_json() for s in scores]}
