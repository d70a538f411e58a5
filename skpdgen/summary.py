"""What the portal and the scorecard need to know of an agency, kept between builds.

A SiteSummary is made from a SiteModel after a successful build and saved as JSON in
build/.skpdgen/sites/<slug>.json, so an agency whose build failed still appears on the portal
with its last good content.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skpdgen.config.agency import SOCIAL_NETWORKS, Agency
from skpdgen.config.schema import When
from skpdgen.media.markup import small_path

if TYPE_CHECKING:
    from skpdgen.model import Page, SiteModel

PORTAL_NEWS_PER_SITE = 20


@dataclass(frozen=True, slots=True)
class ItemSummary:
    title: str
    path: str
    url: str
    section: str
    date: str | None            # ISO datetime of publication (or event start)
    summary: str = ""
    image: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Activity:
    """When one published page was written and last changed: what the scorecard counts."""

    section: str                # its section ("" for a plain page)
    date: str | None            # ISO datetime of `date`
    updated: str | None         # ISO datetime of `updated`


@dataclass(frozen=True, slots=True)
class SiteSummary:
    slug: str
    name: str
    short_name: str
    kind: str
    description: str | None
    base_url: str
    own_domain: bool
    logo: str | None
    contact: dict[str, Any]
    social: dict[str, str | None]
    last_update: str | None       # newest content date (ISO)
    news: list[ItemSummary]
    innovations: list[ItemSummary]
    dated: list[ItemSummary]      # every published dated item, for the scorecard
    events: list[ItemSummary]
    counts: dict[str, int]
    page_count: int
    # Every published page's dates (drafts left out), for the scorecard; a summary saved by an
    # older skpdgen has none and the scorecard falls back on `dated`.
    activity: list[Activity] = field(default_factory=list)
    # The portal's service index and channels (older summaries have none).
    services: list[ItemSummary] = field(default_factory=list)
    tagline: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True)

    @staticmethod
    def from_json(text: str) -> SiteSummary:
        data = json.loads(text)
        for key in ("news", "innovations", "dated", "events"):
            data[key] = [ItemSummary(**item) for item in data[key]]
        data["services"] = [ItemSummary(**item) for item in data.get("services", [])]
        data["activity"] = [Activity(**item) for item in data.get("activity", [])]
        return SiteSummary(**data)


def _iso(value: Any) -> str | None:
    if isinstance(value, When):
        return value.at.isoformat()
    return value.isoformat() if value is not None else None


def _item(page: Page, with_extra: tuple[str, ...] = ()) -> ItemSummary:
    image = None
    if page.image:
        image = {"path": page.image.path, "width": page.image.width,
                 "height": page.image.height, "alt": page.image.alt}
    extra = {key: _iso(page.extra.get(key)) if isinstance(page.extra.get(key), When)
             else page.extra.get(key) for key in with_extra}
    return ItemSummary(page.title, page.path, page.url, page.section, _iso(page.date),
                       page.summary, image, extra)


def _logo(model: SiteModel) -> str | None:
    """The logo as the portal shows it (48 px): its smallest rendition, or the SVG."""
    logo = model.logo
    return small_path(logo.path, logo.width, logo.height) if logo else None


def summarize(model: SiteModel) -> SiteSummary:
    agency: Agency = model.agency
    sections = model.sections
    news = list(sections["berita"].items[:PORTAL_NEWS_PER_SITE]) if "berita" in sections else []
    innovations = list(sections["inovasi"].items) if "inovasi" in sections else []
    dated = [p for s in sections.values() if s.dated for p in s.all_items if p.date]
    events = list(sections["agenda"].all_items) if "agenda" in sections else []
    services = list(sections["layanan"].items) if "layanan" in sections else []
    return SiteSummary(
        slug=agency.slug, name=agency.name, short_name=agency.short_name or agency.name,
        kind=agency.kind, description=agency.description, base_url=agency.base_url,
        own_domain=agency.own_domain, logo=_logo(model),
        contact=dict(agency.contact or {}),
        social={name: (agency.social or {}).get(name) for name in SOCIAL_NETWORKS},
        last_update=model.last_update.isoformat() if model.last_update else None,
        news=[_item(p) for p in news],
        innovations=[_item(p, ("year", "stage", "stage_label", "digital", "url", "benefits"))
                     for p in innovations],
        dated=[_item(p) for p in dated],
        events=[_item(p, ("start", "end", "location")) for p in events],
        counts={name: len(s.all_items) for name, s in sections.items()},
        page_count=len(model.pages),
        activity=[Activity(p.section, _iso(p.date), _iso(p.updated))
                  for p in model.pages if not p.draft and (p.date or p.updated)],
        services=[_service(p) for p in services],
        tagline=agency_tagline(agency),
    )


def _service(page: Page) -> ItemSummary:
    item = _item(page, ("online_url", "cost", "duration"))
    topic = page.extra.get("topic") or (page.tags[0].name if page.tags else None)
    return ItemSummary(item.title, item.path, item.url, item.section, item.date, item.summary,
                       None, {**item.extra, "topic": topic[:1].upper() + topic[1:] if topic else None})


def agency_tagline(agency: Agency) -> str | None:
    """What the agency does in one line: `tagline`, else the first sentence of `description`."""
    if agency.tagline:
        return agency.tagline
    if not agency.description:
        return None
    text = " ".join(agency.description.split())
    end = text.find(". ")
    return text if end < 0 else text[:end + 1]


def summary_path(build_dir: Path, slug: str) -> Path:
    return build_dir / ".skpdgen" / "sites" / f"{slug}.json"


def load_summary(build_dir: Path, slug: str) -> SiteSummary | None:
    try:
        return SiteSummary.from_json(summary_path(build_dir, slug).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError):
        return None
