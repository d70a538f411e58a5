"""Render one agency's site model into outputs: HTML pages, feeds, calendar, sitemap, files."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from skpdgen import urls
from skpdgen.buildday import TrackedDay
from skpdgen.color import contrast, readable_on_white
from skpdgen.content.sections import CATEGORIES
from skpdgen.deps import PageMemo
from skpdgen.diagnostics import Diagnostics
from skpdgen.editor import build as editor_build
from skpdgen.model import Page, SectionList, SiteModel
from skpdgen.render import Output, PageView, feeds, ics, sitemap
from skpdgen.render.context import (
    asset_function,
    featured_services,
    menu_for,
    og_meta,
    portal_href_for,
    region_view,
    site_card,
    site_css_dest,
    site_view,
)
from skpdgen.render.environment import error_location
from skpdgen.render.fragments import Fragments
from skpdgen.render.meta import event, jsonld, organization, shorten, single_domain_404
from skpdgen.theme import Theme

DEFAULT_ACCENT = "#0b4f8a"
ARCHIVE = "arsip/"  # expired announcements: pengumuman/arsip/
QUERY_ALIASES = "old-urls.json"     # query aliases (?p=123) -> site paths, for js/redirect.js
HOME_COUNTS = {"news": 6, "announcements": 5, "events": 5, "services": 4, "innovations": 3}


@dataclass
class SiteRenderer:
    """Renders every output of one agency; template errors become diagnostics."""

    model: SiteModel
    theme: Theme
    env: jinja2.Environment
    diags: Diagnostics
    memo: PageMemo | None = None     # pages of the last build: one unchanged is not rendered
    _site_code: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        agency = self.model.agency
        accent = agency.color or DEFAULT_ACCENT
        accent, adjusted = readable_on_white(accent)
        if adjusted:
            self.diags.warning(
                agency.src_prefix + "site.yaml", agency.line_of("color"),
                f"colour {agency.color} has too little contrast with white "
                f"({contrast(agency.color or accent, '#ffffff'):.1f}:1, text needs 4.5:1); "
                f"using {accent}", "choose a darker colour")
        self.accent = accent
        self.site_css = site_css_dest(accent)
        self.t = self.theme.translator
        self.site = site_view(self.model, self.t, accent)
        self.menu = [{"title": e.title, "path": e.path, "external": e.external}
                     for e in self.model.menu]
        self.region = region_view(self.model.region)
        self.logo_url = self.model.logo.url if self.model.logo else None
        self.org = organization(agency, self.model.region, self.logo_url)
        self.og_card = site_card(self.model, accent)
        self.fragments = Fragments(self.site, self.region, self.model.options.today)

    # --- entry point -------------------------------------------------------------------------

    def outputs(self) -> Iterator[Output]:
        model = self.model
        yield from self._home()
        for section in model.sections.values():
            yield from self._section(section)
        for page in model.pages:
            yield self._page(page)
        yield from self._folders()
        yield from self._tags()
        services = list(model.sections["layanan"].items) if "layanan" in model.sections else []
        yield self._html("cari/", ["search.html"], {"kind": "search", "title": self.t("search.title"),
                                                    "services": services})
        not_found = self._html("404.html", ["404.html"], {"kind": "404", "title": self.t("notfound.title")})
        yield not_found
        not_found_data = (not_found.data if not_found.source is None
                          else not_found.source.read_bytes())
        if model.agency.own_domain and not_found_data:
            yield single_domain_404(model, not_found_data)
        titles = {page.path: page.title for page in model.pages}
        query_aliases = {alias: target for alias, target, _ in model.aliases if "?" in alias}
        if query_aliases:
            yield Output(QUERY_ALIASES, json.dumps(query_aliases, sort_keys=True).encode(),
                         origin="aliases")
        for alias, target, src in model.aliases:
            if "?" in alias:
                continue
            # the redirect names the page it leads to: a unique title and a useful link text
            yield self._html(alias, ["alias.html"], {
                "kind": "alias", "title": f"{self.t('alias.title')}: {titles.get(target, target)}",
                "target": target, "target_title": titles.get(target, target)},
                origin=src, target=target)
        yield from feeds.site_feeds(model, self.t)
        if "agenda" in model.sections:
            yield Output("agenda.ics", ics.calendar(model), origin="agenda")
        yield Output("sitemap.xml", sitemap.site_sitemap(model), origin="sitemap")
        if model.agency.own_domain:  # the root of its own domain needs its own robots.txt
            yield Output("robots.txt", sitemap.robots(model.agency.base_url), origin="robots")
        yield Output(self.site_css[0], self.site_css[1], origin="theme")
        for asset in self.theme.assets.values():
            yield Output(asset.dest_path, source=asset.source, origin="theme")
        for site_path, src in model.files.items():
            yield Output(site_path, source=model.agency.root / src, origin=src)
        yield from editor_build.agency_outputs(model, self.theme, self.diags)

    # --- pages -------------------------------------------------------------------------------

    def _home(self) -> Iterator[Output]:
        sections = self.model.sections
        today = self.model.options.today

        def items(name: str) -> list[Page]:
            return list(sections[name].items) if name in sections else []

        events = upcoming_events(items("agenda"), today)
        home = {
            "kind": "home", "title": self.model.agency.name,
            "intro": self.model.home_intro,
            "news": items("berita")[:HOME_COUNTS["news"]],
            "announcements": items("pengumuman")[:HOME_COUNTS["announcements"]],
            "events": events[:HOME_COUNTS["events"]],
            "services": featured_services(self.model, HOME_COUNTS["services"], self.diags),
            "service_count": len(items("layanan")),
            "innovations": items("inovasi")[:HOME_COUNTS["innovations"]],
            "pages": [p for p in self.model.pages if p.kind == "page"],
        }
        yield self._html("", ["home.html"], home, ld=self.org)

    def _section(self, section: SectionList) -> Iterator[Output]:
        per_page = self.model.region.paginate
        items = list(section.items)
        groups: Any = {}
        if section.name == "agenda":
            today = self.model.options.today
            groups = {"upcoming": upcoming_events(items, today),
                      "past": [p for p in items if not _is_upcoming(p, today)]}
            per_page = max(per_page, len(items)) or per_page
        elif section.name == "dokumen":
            groups = [{"key": cat, "label": self.t.label("categories", cat),
                       "items": [p for p in items if p.extra.get("category") == cat]}
                      for cat in CATEGORIES]
            groups = [g for g in groups if g["items"]]
            per_page = max(per_page, len(items)) or per_page
        elif section.name == "pengumuman":
            # expired announcements leave the list for an archive page of their own
            expired = [p for p in section.all_items if p.expired]
            if expired:
                groups = {"archive_path": f"{section.path}{ARCHIVE}", "archive_count": len(expired)}
                yield self._html(f"{section.path}{ARCHIVE}", ["list-pengumuman.html"], {
                    "kind": "list", "title": self.t("archive.title"), "section": section.name,
                    "items": expired, "intro": None, "pager": pager(section.path, 1, 1),
                    "groups": {"is_archive": True}, "feed_path": None,
                }, origin=f"content/{section.name}/")
        chunks = [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]
        total = len(chunks)
        for number, chunk in enumerate(chunks, start=1):
            path = pager_path(section.path, number)
            title = section.title if number == 1 else (
                f"{section.title} – {self.t('pager.page', number=number, total=total)}")
            yield self._html(path, [f"list-{section.name}.html", "list.html"], {
                "kind": "list", "title": title, "section": section.name,
                "items": chunk, "intro": section.intro if number == 1 else None,
                "pager": pager(section.path, number, total),
                "groups": groups if number == 1 else {},
                "feed_path": f"{section.path}feed.xml" if section.dated else None,
            }, origin=f"content/{section.name}/")

    def _page(self, page: Page) -> Output:
        names = ([f"single-{page.section}.html", "single.html"] if page.kind == "item"
                 else ["page.html"])
        return self._html(page.path, names, page, origin=page.src_path, ld=self._page_ld(page))

    def _folders(self) -> Iterator[Output]:
        """A list page for each folder of plain pages (profil/) that has no index page."""
        folders: dict[str, list[Page]] = {}
        for page in self.model.pages:
            if page.kind != "page":
                continue
            for folder in urls.parent_folders(page.path):
                folders.setdefault(folder, []).append(page)
        existing = {p.path for p in self.model.pages}
        for path, pages in sorted(folders.items()):
            if path in existing:
                continue
            name = path.strip("/").rsplit("/", 1)[-1]
            title = next((e.title for e in self.model.menu if e.path == path),
                         self.t.label("sections", name) or name)
            pages.sort(key=lambda p: (p.weight or 0, p.title))
            yield self._html(path, ["list.html"], {
                "kind": "list", "title": title, "section": name, "items": pages,
                "intro": None, "pager": pager(path, 1, 1), "groups": {}, "feed_path": None,
            }, origin=f"content/{path}")

    def _tags(self) -> Iterator[Output]:
        tags = self.model.tags
        yield self._html("tag/", ["tags.html"], {
            "kind": "tags", "title": self.t("tags.title"),
            "tags": [{"name": ref.name, "slug": ref.slug, "path": ref.path, "count": len(items)}
                     for ref, items in tags.values()],
        }, origin="tags")
        per_page = self.model.region.paginate
        for ref, items in tags.values():
            chunks = [list(items[i:i + per_page]) for i in range(0, len(items), per_page)] or [[]]
            for number, chunk in enumerate(chunks, start=1):
                title = f"{self.t('sections.tag')}: {ref.name}"
                if number > 1:
                    title += f" – {self.t('pager.page', number=number, total=len(chunks))}"
                yield self._html(pager_path(ref.path, number), ["tag.html"], {
                    "kind": "tag", "title": title, "tag": ref, "items": chunk,
                    "pager": pager(ref.path, number, len(chunks))}, origin="tags")

    # --- shared --------------------------------------------------------------------------------

    def _html(self, path: str, templates: list[str], page: Any, *, origin: str = "",
              ld: dict[str, Any] | None = None, target: str | None = None) -> Output:
        model, t = self.model, self.t
        is_404 = path == "404.html"
        root = urls.base_path(model.agency.base_url) if is_404 else urls.root_prefix(path)
        if isinstance(page, dict):
            page = PageView(**{"path": path,
                               "url": model.agency.base_url + ("" if is_404 else path), **page})
        title, kind = page.title, page.kind
        site_name = model.agency.short_name or model.agency.name
        full_title = (f"{model.agency.name} | {model.region.name}" if kind == "home"
                      else f"{title} | {site_name}")
        summary = page.summary if isinstance(page, Page) else None
        description = shorten(summary or model.agency.description or model.agency.name)
        image = page.image if isinstance(page, Page) else None
        canonical = model.agency.base_url + (target if target is not None else
                                             ("" if is_404 else path))
        feeds_meta = [{"title": f"{t('feed.title')} – {site_name}", "path": "feed.xml"}]
        if isinstance(page, PageView) and page.get("feed_path"):
            feeds_meta.append({"title": f"{title} – {site_name}", "path": page["feed_path"]})
        graph = ld or {"@type": "WebPage", "name": title, "url": canonical,
                       "isPartOf": {"@type": "WebSite", "name": model.agency.name,
                                    "url": model.agency.base_url}}
        meta = {
            "title": full_title, "description": description, "canonical": canonical,
            "og_type": "article" if kind == "item" else "website",
            **og_meta(model.agency.base_url, image, self.og_card, title),
            "jsonld": jsonld(graph), "feeds": feeds_meta,
            "noindex": kind in ("alias", "404", "search"),
            # old ?p=123 URLs land on the home or 404 page, whose script sends them on
            "query_aliases": (QUERY_ALIASES if kind in ("home", "404") and any(
                "?" in alias for alias, _, _ in model.aliases) else None),
        }
        site = dict(self.site, menu=menu_for(self.menu, None if is_404 else path))
        context = {
            "site": site, "region": self.region, "page": page, "root": root,
            "portal_href": self._portal_href(path, is_404),
            "meta": meta, "preview": model.options.drafts, "build_date": model.options.today,
            "asset": asset_function(self.theme, {"site.css": self.site_css[0]}, root),
            "fragment": self.fragments.render,
        }
        dest = urls.dest_for(path)
        fingerprint, day = None, None
        if self.memo is not None:
            # the page's data as the template sees it; the day only by its answers (deps.py)
            if self._site_code is None:     # the same for every page: encoded once
                self._site_code = self.memo.fingerprints.encode(
                    (self.site, self.region, self.menu))
            fingerprint = self.memo.fingerprint(
                templates, path, origin, self._site_code, [e["active"] for e in site["menu"]],
                {k: v for k, v in context.items()
                 if k not in ("site", "region", "build_date", "asset", "fragment")})
            kept = self.memo.reuse(dest, fingerprint) if fingerprint is not None else None
            if kept is not None:
                self.diags.extend(kept[1])
                return Output(dest, source=kept[0], origin=origin or path)
            context["build_date"] = day = TrackedDay(model.options.today)
        before = len(self.diags.items)
        try:
            template = self.env.select_template(templates)
            data = template.render(context).encode("utf-8")
        except jinja2.TemplateError as exc:
            self.diags.error(*template_error(exc, templates[0], model.region.root))
            data = b""
            fingerprint = None
        if self.memo is not None and day is not None:
            self.memo.note(dest, fingerprint, day._questions, self.diags.items[before:])
        return Output(dest, data, origin=origin or path)

    def _portal_href(self, path: str, is_404: bool) -> str:
        region = self.model.region
        if is_404 and not self.model.agency.own_domain:
            return urls.base_path(region.base_url)
        return portal_href_for(self.model, path)

    def _page_ld(self, page: Page) -> dict[str, Any]:
        publisher: dict[str, Any] = {"@type": "GovernmentOrganization", "name": self.model.agency.name,
                     "url": self.model.agency.base_url}
        if self.logo_url:
            publisher["logo"] = {"@type": "ImageObject", "url": self.logo_url}
        if page.section in ("berita", "pengumuman"):
            article: dict[str, Any] = {
                "@type": "NewsArticle", "headline": page.title[:110], "url": page.url,
                "datePublished": page.date.isoformat() if page.date else None,
                "dateModified": (page.updated or page.date).isoformat() if page.date else None,
                "description": shorten(page.summary), "publisher": publisher,
                "author": {"@type": "Organization", "name": page.author
                           or self.model.agency.name},
                "mainEntityOfPage": page.url, "inLanguage": self.t.lang,
            }
            if page.image:
                article["image"] = page.image.url
            return {k: v for k, v in article.items() if v is not None}
        if page.section == "agenda":
            return event(page.title, page.url, page.extra, shorten(page.summary),
                         self.model.agency, publisher)
        return {"@type": "WebPage", "name": page.title, "url": page.url,
                "description": shorten(page.summary), "publisher": publisher}


def template_error(exc: jinja2.TemplateError, template: str, root: Path
                   ) -> tuple[str, int | None, str, str]:
    """(path relative to the region root, line, message, hint) of a template failure."""
    filename, line = error_location(exc)
    name = str(filename or getattr(exc, "name", None) or template)
    with contextlib.suppress(ValueError):
        name = Path(name).resolve().relative_to(root.resolve()).as_posix()
    return (name, line, f"template error: {exc.message or exc}",
            "fix the template (variables are listed in docs/templates.md)")


def pager_path(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def pager(base: str, number: int, total: int) -> dict[str, Any]:
    return {
        "number": number, "total": total,
        "prev_path": pager_path(base, number - 1) if number > 1 else None,
        "next_path": pager_path(base, number + 1) if number < total else None,
        "pages": [{"number": n, "path": pager_path(base, n), "current": n == number}
                  for n in range(1, total + 1)],
    }


def _is_upcoming(page: Page, today: date) -> bool:
    end = page.extra.get("end") or page.extra.get("start")
    return bool(end and end.day >= today)


def upcoming_events(items: list[Page], today: date) -> list[Page]:
    """Events not yet over, soonest first."""
    upcoming = [p for p in items if _is_upcoming(p, today)]
    return sorted(upcoming, key=lambda p: p.extra["start"].at)
