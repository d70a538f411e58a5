"""The kabupaten portal at the root of build/: home, news, innovations, directory, status.

It is built from the agencies' summaries only (never from their sources), so an agency whose
build failed still shows its last good content.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import jinja2

from skpdgen import urls
from skpdgen.buildday import TrackedDay
from skpdgen.config.region import Region
from skpdgen.deps import PageMemo
from skpdgen.diagnostics import Diagnostics
from skpdgen.media.og import render_card
from skpdgen.model import BuildOptions
from skpdgen.render import Output, PageView
from skpdgen.render.context import (
    CONTACT_KEYS,
    asset_function,
    og_meta,
    portal_card,
    region_view,
    whatsapp_url,
)
from skpdgen.render.environment import environment_for
from skpdgen.render.feeds import FeedEntry, atom
from skpdgen.render.meta import jsonld, shorten
from skpdgen.render.site import pager, pager_path, template_error
from skpdgen.render.sitemap import robots, sitemap_index, urlset
from skpdgen.report import status_page
from skpdgen.scorecard import BuildHealth, SiteScore
from skpdgen.summary import ItemSummary, SiteSummary
from skpdgen.theme import Theme

if TYPE_CHECKING:
    pass

HOME_NEWS = 9
HOME_INNOVATIONS = 6


def agency_href(summary: SiteSummary) -> str:
    """Link from the portal root to an agency: relative, or its own domain."""
    return summary.base_url if summary.own_domain else f"{summary.slug}/"


def _date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def portal_outputs(region: Region, theme: Theme, summaries: list[SiteSummary],
                   health: Mapping[str, BuildHealth], options: BuildOptions,
                   diags: Diagnostics, unbuilt: Mapping[str, SiteSummary] | None = None,
                   memo: PageMemo | None = None) -> Iterator[Output]:
    """Every file of the portal.

    `summaries`: the agencies whose output is in build/ (built now or before); `unbuilt`: the
    agencies measured from their sources only (not built in this run, nothing recorded), which
    the scorecard shows with their real state but never links to. `memo`: the portal's pages
    of the last build; one whose data did not change is not rendered again (deps.py).
    """
    env = environment_for(theme, None)
    t = theme.translator
    today = options.today
    scores = status_page.portal_scores(region, [*summaries, *(unbuilt or {}).values()],
                                       health, today)
    score_by_slug = {s.slug: s for s in scores}
    agencies = [_agency(s, score_by_slug[s.slug], t) for s in summaries]
    by_slug = {a["slug"]: a for a in agencies}

    news = sorted(
        (_item(i, by_slug[s.slug]) for s in summaries for i in s.news if i.date),
        key=lambda i: (i["date"], i["title"]), reverse=True)
    innovations = sorted(
        (_item(i, by_slug[s.slug]) for s in summaries for i in s.innovations),
        key=lambda i: (-(i["extra"].get("year") or 0), i["title"]))

    services = service_index(summaries, by_slug)

    render = _Renderer(env, region, theme, diags, options, memo)
    card = portal_card(region)
    render.og = og_meta(region.base_url, None, card, region.name)
    yield Output(card.dest_path, render_card(card), origin="skpdgen.yaml")
    yield render.page("", "portal/home.html", {
        "kind": "portal-home", "title": region.name,
        "news": news[:HOME_NEWS], "innovations": innovations[:HOME_INNOVATIONS],
        "services": services}, agencies, description=region.description or region.tagline)
    yield render.page("layanan/", "portal/services.html", {
        "kind": "portal-services", "title": t("services.title"), "services": services},
        agencies)
    per_page = region.paginate
    chunks = [news[i:i + per_page] for i in range(0, len(news), per_page)] or [[]]
    for number, chunk in enumerate(chunks, start=1):
        path = pager_path("berita/", number)
        title = t("portal.news_title") + (
            "" if number == 1 else f" – {t('pager.page', number=number, total=len(chunks))}")
        yield render.page(path, "portal/news.html", {
            "kind": "portal-news", "title": title, "items": chunk,
            "pager": windowed(pager("berita/", number, len(chunks)))}, agencies)
    yield render.page("inovasi/", "portal/innovations.html", {
        "kind": "portal-innovations", "title": t("portal.innovations_title"),
        "items": innovations}, agencies)
    yield render.page("direktori/", "portal/directory.html", {
        "kind": "portal-directory", "title": t("portal.directory_title")}, agencies)
    yield from status_page.status_outputs(render.page, agencies, region, t, scores, today,
                                          published={s.slug for s in summaries})
    yield render.page("cari/", "portal/search.html", {
        "kind": "portal-search", "title": t("search.title")}, agencies)
    yield render.page("404.html", "portal/404.html", {
        "kind": "404", "title": t("notfound.title")}, agencies)

    entries = [FeedEntry(f"{i['title']}", i["url"], i["date"], i["date"], i["summary"],
                         author=i["agency"]["name"]) for i in news]
    yield Output("feed.xml", atom(f"{t('portal.news_title')} – {region.name}",
                                  region.base_url + "feed.xml", region.base_url, entries,
                                  t.lang, options.day_start), origin="feed")
    site_maps: list[tuple[str, str | None]] = [(region.base_url + "sitemap-portal.xml", today.isoformat())]
    # same host only: an own-domain agency's sitemap is in its own robots.txt (render/sitemap.py)
    site_maps += [(s.base_url + "sitemap.xml", s.last_update[:10] if s.last_update else None)
                  for s in summaries if not s.own_domain]
    yield Output("sitemap.xml", sitemap_index(site_maps), origin="sitemap")
    yield Output("sitemap-portal.xml", urlset(
        [(region.base_url + p, None) for p in ("", "layanan/", "berita/", "inovasi/",
                                               "direktori/", "status/")]), origin="sitemap")
    yield Output("robots.txt", robots(region.base_url), origin="robots")
    for asset in theme.assets.values():
        yield Output(asset.dest_path, source=asset.source, origin="theme")
    if region.logo:
        logo = region.root / "static" / region.logo.lstrip("/")
        if logo.is_file():
            yield Output(region.logo.lstrip("/"), source=logo, origin="skpdgen.yaml")
        else:
            diags.error("skpdgen.yaml", None, f"logo '{region.logo}' not found in static/")


def _agency(summary: SiteSummary, score: SiteScore, t: Any) -> dict[str, Any]:
    return {
        "slug": summary.slug, "name": summary.name, "short_name": summary.short_name,
        "kind": summary.kind, "kind_label": t.label("kinds", summary.kind),
        "description": summary.description, "logo": summary.logo,
        "href": agency_href(summary), "url": summary.base_url,
        # images and files: always the copy inside build/, so nothing loads from another origin
        "files_href": f"{summary.slug}/",
        "last_update": _date(score.last_update), "state": score.state,
        "state_label": t.label("states", score.state), "score": score.score,
        "build": score.build, "tagline": summary.tagline,
        "contact": {**{key: summary.contact.get(key) for key in (*CONTACT_KEYS, "emergency")},
                    "whatsapp_url": whatsapp_url(summary.contact.get("whatsapp"))},
        "service_count": len(summary.services),
    }


def service_index(summaries: list[SiteSummary], by_slug: dict[str, dict[str, Any]]
                  ) -> dict[str, Any]:
    """Every agency's public services, A–Z and by topic, for the portal."""
    items = sorted((_item(i, by_slug[s.slug]) for s in summaries for i in s.services),
                   key=lambda i: (i["title"].casefold(), i["agency"]["name"]))
    letters: dict[str, list[dict[str, Any]]] = {}
    topics: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        first = item["title"][:1].upper()
        letters.setdefault(first if first.isalpha() else "#", []).append(item)
        topic = item["extra"].get("topic") or item["agency"]["short_name"]
        topics.setdefault(topic, []).append(item)
    return {
        "items": items,
        "letters": [{"letter": k, "items": v} for k, v in sorted(letters.items())],
        "topics": [{"name": k, "slug": urls.slugify(k), "items": v}
                   for k, v in sorted(topics.items(), key=lambda kv: kv[0].casefold())],
    }


def _item(item: ItemSummary, agency: dict[str, Any]) -> dict[str, Any]:
    return {"title": item.title, "path": item.path, "url": item.url, "section": item.section,
            # keys in order, as a summary read back from build/.skpdgen/sites/ has them: the
            # same data whether the agency was built now or kept (deps.py fingerprints it)
            "date": _date(item.date), "summary": item.summary,
            "image": dict(sorted(item.image.items())) if item.image else item.image,
            "extra": dict(sorted(item.extra.items())), "agency": agency, "tags": [],
            "draft": False}


class _Renderer:
    def __init__(self, env: jinja2.Environment, region: Region, theme: Theme, diags: Diagnostics,
                 options: BuildOptions, memo: PageMemo | None = None):
        self.env, self.region, self.theme, self.diags = env, region, theme, diags
        self.options = options
        self.region_view = region_view(region)
        self.og: dict[str, Any] = {"og_image": None}
        self.memo = memo
        self._pinned: tuple[object, str] | None = None

    def _shared(self, agencies: list[dict[str, Any]]) -> str:
        """The data every page gets (the agencies, the region), encoded once (deps.py)."""
        assert self.memo is not None
        if self._pinned is None or self._pinned[0] is not agencies:
            for agency in agencies:       # the items of news and services point to them
                self.memo.fingerprints.pin(agency)
            self._pinned = (agencies, self.memo.fingerprints.pin(
                (agencies, self.region_view)))
        return self._pinned[1]

    def page(self, path: str, template: str, fields: dict[str, Any],
             agencies: list[dict[str, Any]], description: str | None = None) -> Output:
        region = self.region
        is_404 = path == "404.html"
        page = PageView(path=path, url=region.base_url + ("" if is_404 else path), **fields)
        root = urls.base_path(region.base_url) if is_404 else urls.root_prefix(path)
        canonical = region.base_url + ("" if is_404 else path)
        title = region.name if page["kind"] == "portal-home" else f"{page['title']} | {region.name}"
        graph = ({"@type": "GovernmentOrganization", "name": region.name, "url": region.base_url}
                 if page["kind"] == "portal-home" else
                 {"@type": "WebPage", "name": page["title"], "url": canonical})
        meta = {"title": title, "description": shorten(description or region.description
                                                       or region.name),
                "canonical": canonical, "og_type": "website", **self.og,
                "jsonld": jsonld(graph),
                "feeds": [{"title": self.theme.translator("portal.news_title"),
                           "path": "feed.xml"}],
                "noindex": is_404 or path == "cari/"}
        context = {"site": None, "region": self.region_view, "page": page, "root": root,
                   "portal_href": root or "./", "meta": meta, "preview": False,
                   "build_date": self.options.today, "agencies": agencies,
                   "asset": asset_function(self.theme, {}, root)}
        dest = urls.dest_for(path)
        fingerprint, day = None, None
        if self.memo is not None:
            fingerprint = self.memo.fingerprint(
                template, path, self._shared(agencies),
                {k: v for k, v in context.items()
                 if k not in ("region", "agencies", "build_date", "asset")})
            kept = self.memo.reuse(dest, fingerprint) if fingerprint is not None else None
            if kept is not None:
                self.diags.extend(kept[1])
                return Output(dest, source=kept[0], origin=template)
            context["build_date"] = day = TrackedDay(self.options.today)
        before = len(self.diags.items)
        try:
            data = self.env.get_template(template).render(context).encode("utf-8")
        except jinja2.TemplateError as exc:
            self.diags.error(*template_error(exc, template, region.root))
            data = b""
            fingerprint = None
        if self.memo is not None and day is not None:
            self.memo.note(dest, fingerprint, day._questions, self.diags.items[before:])
        return Output(dest, data, origin=template)


PAGER_NEAR = 2      # the portal's news pager: pages named on each side of the current one


def windowed(p: dict[str, Any]) -> dict[str, Any]:
    """A pager naming the first and last pages and those near the current one, with a gap
    (`gap: True`) between: a province's portal has hundreds of news pages, and each naming
    every other made the pages grow with the square of their number (800 pages × 800 links)."""
    number, total = p["number"], p["total"]
    shown = {1, total, *range(number - PAGER_NEAR, number + PAGER_NEAR + 1)}
    if total <= 2 * PAGER_NEAR + 5:     # short enough to name every page
        return p
    pages: list[dict[str, Any]] = []
    for entry in p["pages"]:
        if entry["number"] in shown:
            pages.append(entry)
        elif not pages[-1].get("gap"):
            pages.append({"number": None, "path": None, "current": False, "gap": True})
    return {**p, "pages": pages}
