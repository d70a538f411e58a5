"""Atom feeds (RFC 4287): the whole site's dated items and one feed per dated section."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from skpdgen.i18n import Translator
from skpdgen.model import Page, SiteModel
from skpdgen.render import Output

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 30


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry, independent of where it came from (an agency page or the portal)."""

    title: str
    url: str
    published: datetime
    updated: datetime
    summary: str
    content_html: str | None = None
    author: str | None = None
    categories: tuple[str, ...] = ()


def entry_for(page: Page, author: str) -> FeedEntry:
    assert page.date is not None
    return FeedEntry(page.title, page.url, page.date, page.updated or page.date, page.summary,
                     str(page.content), page.author or author, tuple(t.name for t in page.tags))


def atom(title: str, feed_url: str, site_url: str, entries: Iterable[FeedEntry],
         lang: str, fallback_updated: datetime) -> bytes:
    """A complete Atom document; text is escaped by ElementTree, links are absolute."""
    ET.register_namespace("", ATOM)
    items = sorted(entries, key=lambda e: (e.published, e.url), reverse=True)[:FEED_SIZE]
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_url
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": feed_url,
                                              "type": "application/atom+xml"})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "href": site_url,
                                              "type": "text/html"})
    updated = max((e.updated for e in items), default=fallback_updated)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated.isoformat()
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = title.split(" – ")[-1]
    for entry in items:
        el = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(el, f"{{{ATOM}}}title").text = entry.title
        ET.SubElement(el, f"{{{ATOM}}}link", {"rel": "alternate", "href": entry.url,
                                                "type": "text/html"})
        ET.SubElement(el, f"{{{ATOM}}}id").text = entry.url
        ET.SubElement(el, f"{{{ATOM}}}published").text = entry.published.isoformat()
        ET.SubElement(el, f"{{{ATOM}}}updated").text = entry.updated.isoformat()
        if entry.author:
            ET.SubElement(ET.SubElement(el, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = (
                entry.author)
        for category in entry.categories:
            ET.SubElement(el, f"{{{ATOM}}}category", {"term": category})
        if entry.summary:
            ET.SubElement(el, f"{{{ATOM}}}summary").text = entry.summary
        if entry.content_html:
            content = ET.SubElement(el, f"{{{ATOM}}}content", {
                "type": "html", "{http://www.w3.org/XML/1998/namespace}base": entry.url})
            content.text = entry.content_html
    ET.indent(feed)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def site_feeds(model: SiteModel, t: Translator) -> Iterator[Output]:
    """feed.xml (every dated item) and <section>/feed.xml for each dated section."""
    agency = model.agency
    name = agency.short_name or agency.name
    fallback = model.options.day_start   # an empty feed still needs an <updated>
    dated = [s for s in model.sections.values() if s.dated]
    everything = [entry_for(p, agency.name) for s in dated for p in s.all_items if p.date]
    yield Output("feed.xml", atom(f"{t('feed.title')} – {name}", agency.base_url + "feed.xml",
                                  agency.base_url, everything, t.lang, fallback), origin="feed")
    for section in dated:
        entries = [entry_for(p, agency.name) for p in section.all_items if p.date]
        yield Output(f"{section.path}feed.xml",
                     atom(f"{section.title} – {name}", f"{agency.base_url}{section.path}feed.xml",
                          agency.base_url + section.path, entries, t.lang, fallback),
                     origin="feed")
