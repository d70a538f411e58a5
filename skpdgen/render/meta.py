"""Page metadata: titles, descriptions, canonical URLs, Open Graph and schema.org JSON-LD."""

from __future__ import annotations

import json
from typing import Any

from skpdgen.config.agency import Agency
from skpdgen.config.region import Region
from skpdgen.config.schema import When

DESCRIPTION_LENGTH = 160


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


def when_iso(value: When | None) -> str | None:
    if value is None:
        return None
    return value.at.isoformat() if value.has_time else value.day.isoformat()


def jsonld(graph: dict[str, Any]) -> str:
    return json_for_html({"@context": "https://schema.org", **graph})
