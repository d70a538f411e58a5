"""Page metadata: titles, descriptions, canonical URLs, Open Graph and schema.org JSON-LD."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from skpdgen import urls
from skpdgen.config.agency import Agency
from skpdgen.config.region import Region
from skpdgen.config.schema import When
from skpdgen.render import Output

if TYPE_CHECKING:
    from skpdgen.model import SiteModel

DESCRIPTION_LENGTH = 160
# An own-domain agency's 404 page as served under /<slug>/ of the portal's domain
# (single-domain mode): the documented nginx block tries it before 404.html.
SINGLE_DOMAIN_404 = "404-single-domain.html"


def json_for_html(data: Any) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def shorten(text: str | None, length: int = DESCRIPTION_LENGTH) -> str:
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + "…"


def organization(agency: Agency, region: Region, logo_url: str | None) -> dict[str, Any]:
    """schema.org GovernmentOrganization for an agency."""
    org: dict[str, Any] = {
        "@type": "GovernmentOrganization",
        "name": agency.name,
        "url": agency.base_url,
        "parentOrganization": {"@type": "GovernmentOrganization", "name": region.name,
                               "url": region.base_url},
    }
    if agency.short_name:
        org["alternateName"] = agency.short_name
    if agency.description:
        org["description"] = agency.description
    if logo_url:
        org["logo"] = logo_url
    contact = agency.contact or {}
    if contact.get("address"):
        org["address"] = {"@type": "PostalAddress", "streetAddress": contact["address"],
                          "addressCountry": "ID"}
    if contact.get("phone"):
        org["telephone"] = contact["phone"]
    if contact.get("email"):
        org["email"] = contact["email"]
    same_as = [u for u in (agency.social or {}).values() if u]
    if same_as:
        org["sameAs"] = same_as
    return org


def event(page_title: str, url: str, extra: dict[str, Any], description: str,
          agency: Agency, publisher: dict[str, Any]) -> dict[str, Any]:
    """schema.org Event: `location` always (the agency's office when the event names none, as
    `check` warns), `organizer` from front matter `organizer`, else the agency."""
    address = (agency.contact or {}).get("address")
    location: dict[str, Any] = {"@type": "Place", "name": extra.get("location") or agency.name}
    where = extra.get("location") or address
    if where:
        location["address"] = {"@type": "PostalAddress", "streetAddress": where,
                               "addressCountry": "ID"}
    organizer = ({"@type": "Organization", "name": extra["organizer"]}
                 if extra.get("organizer") else publisher)
    data: dict[str, Any] = {
        "@type": "Event", "name": page_title, "url": url,
        "startDate": when_iso(extra.get("start")), "endDate": when_iso(extra.get("end")),
        "description": description, "location": location, "organizer": organizer,
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "eventStatus": "https://schema.org/EventScheduled",
    }
    return {k: v for k, v in data.items() if v is not None}


def single_domain_404(model: SiteModel, page: bytes) -> Output:
    """The 404 page of an agency on its own domain, its root-absolute links ('/assets/…', which
    work at any depth of its own domain) pointed at '/<slug>/…', where single-domain mode
    serves the same folder."""
    served = urls.base_path(model.region.base_url) + model.agency.slug + "/"
    own = urls.base_path(model.agency.base_url)
    pattern = re.compile(rb'(\s(?:href|src|action)=")' + re.escape(own.encode()) + rb"(?!/)")
    return Output(SINGLE_DOMAIN_404, pattern.sub(lambda m: m.group(1) + served.encode(), page),
                  origin="404.html")


def when_iso(value: When | None) -> str | None:
    if value is None:
        return None
    return value.at.isoformat() if value.has_time else value.day.isoformat()


def jsonld(graph: dict[str, Any]) -> str:
    return json_for_html({"@context": "https://schema.org", **graph})
