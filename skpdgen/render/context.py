"""Template context shared by agency and portal pages: the `site` and `region` views."""

from __future__ import annotations

import re
from typing import Any

from skpdgen import color, urls
from skpdgen.config.channels import COMPLAINTS_SCHEMA, PPID_SCHEMA
from skpdgen.config.region import Region
from skpdgen.diagnostics import Diagnostics, did_you_mean
from skpdgen.i18n import Translator
from skpdgen.media.markup import small_path
from skpdgen.media.og import Card, OgImage, card_logo, photo_og
from skpdgen.model import Page, SiteModel
from skpdgen.summary import agency_tagline
from skpdgen.theme import Theme, fingerprinted

CONTACT_KEYS = ("address", "phone", "email", "whatsapp", "hours", "map")
SOCIAL_LABELS = {"facebook": "Facebook", "instagram": "Instagram", "x": "X",
                 "youtube": "YouTube", "tiktok": "TikTok"}


def whatsapp_url(number: str | None) -> str | None:
    """wa.me link for an Indonesian number written as 0812-3456-7890 or +62 812 ..."""
    if not number:
        return None
    digits = re.sub(r"\D", "", number)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return f"https://wa.me/{digits}" if len(digits) >= 8 else None


def site_view(model: SiteModel, t: Translator, accent: str | None) -> dict[str, Any]:
    """The agency as templates see it (menu `active` is filled per page)."""
    agency = model.agency
    head = agency.head or {}
    contact = {key: (agency.contact or {}).get(key) for key in CONTACT_KEYS}
    contact["whatsapp_url"] = whatsapp_url(contact["whatsapp"])
    contact["is_empty"] = not any(contact[key] for key in CONTACT_KEYS)
    contact["emergency"] = (agency.contact or {}).get("emergency")
    return {
        "slug": agency.slug,
        "name": agency.name,
        "short_name": agency.short_name or agency.name,
        "kind": agency.kind,
        "kind_label": t.label("kinds", agency.kind),
        "description": agency.description,
        "tagline": agency_tagline(agency),
        "url": agency.base_url,
        "logo": logo_path(model),
        "color": accent,
        "head": ({"name": head.get("name"), "title": head.get("title"),
                  "photo": model.head_photo, "greeting": model.greeting}
                 if any(head.get(k) for k in ("name", "title", "photo", "greeting")) else None),
        "vision": agency.vision,
        "missions": list(agency.missions),
        "contact": contact,
        "social": [{"network": key, "label": SOCIAL_LABELS[key], "url": value}
                   for key, value in (agency.social or {}).items() if value],
        "menu": [],
        "last_update": model.last_update,
        "channels": channels_view(agency.complaints, agency.ppid, agency.maklumat),
    }


def channels_view(complaints: dict[str, Any] | None, ppid: dict[str, Any] | None,
                  maklumat: str | None) -> dict[str, Any]:
    """Complaint and information channels as templates see them (`site.channels`,
    `region.channels`); `any` is false when none is configured."""
    c = {key: None for key in COMPLAINTS_SCHEMA} | dict(complaints or {})
    c["whatsapp_url"] = whatsapp_url(c["whatsapp"])
    c["sms_url"] = "sms:" + re.sub(r"[^\d+]", "", c["sms"]) if c["sms"] else None
    # the one link a citizen follows to complain: the agency's own form, else LAPOR!
    c["main_url"] = c.get("url") or c.get("lapor")
    p = {key: None for key in PPID_SCHEMA} | dict(ppid or {})
    p["main_url"] = p.get("form") or p.get("url")
    return {"complaints": c if complaints else None, "ppid": p if ppid else None,
            "maklumat": maklumat, "any": bool(complaints or ppid or maklumat)}


def featured_services(model: SiteModel, count: int, diags: Diagnostics) -> list[Page]:
    """The agency's top services: those named in `featured` (in that order), else the first
    `count` by weight. A name that is no service is an error on the line of `featured`."""
    agency = model.agency
    services = list(model.sections["layanan"].items) if "layanan" in model.sections else []
    if not agency.featured:
        return services[:count]
    by_name: dict[str, Page] = {}
    for page in services:
        by_name[page.path.strip("/").rsplit("/", 1)[-1]] = page
        by_name.setdefault(page.src_path.rsplit("/", 1)[-1].removesuffix(".md"), page)
    chosen = []
    for name in agency.featured:
        key = name.strip().strip("/").removesuffix(".md").rsplit("/", 1)[-1]
        if key in by_name:
            chosen.append(by_name[key])
            continue
        diags.error(agency.src_prefix + "site.yaml", agency.line_of("featured"),
                    f"featured service '{name}' is not in content/layanan/",
                    did_you_mean(key, list(by_name))
                    or f"use a file name of content/layanan/: {', '.join(sorted(by_name)) or 'none yet'}")
    return chosen


def region_view(region: Region) -> dict[str, Any]:
    contact = {key: (region.contact or {}).get(key) for key in CONTACT_KEYS}
    contact["whatsapp_url"] = whatsapp_url(contact["whatsapp"])
    return {"name": region.name, "url": region.base_url, "logo": _region_logo(region),
            "language": region.language, "tagline": region.tagline,
            "description": region.description, "contact": contact,
            "channels": channels_view(region.complaints, region.ppid, region.maklumat)}


def _region_logo(region: Region) -> str | None:
    if not region.logo:
        return None
    return region.logo.lstrip("/")


def menu_for(entries: list[dict[str, Any]], page_path: str | None) -> list[dict[str, Any]]:
    """Mark the entry the page belongs to: the home only on the home, others by prefix.

    `current` is the entry's aria-current: "page" on the entry's own page, "true" on a page
    below it, else None. `page_path` None (the 404 page, served at any address) marks nothing.
    """
    result = []
    for entry in entries:
        path = entry["path"]
        if page_path is None:
            active = False
        elif path == "":
            active = page_path == ""
        else:
            active = not entry.get("external") and page_path.startswith(path)
        current = ("page" if page_path == path else "true") if active else None
        result.append({**entry, "active": active, "current": current})
    return result


def accent_css(accent: str) -> bytes:
    """The per-agency stylesheet: brand colour through CSS custom properties."""
    return (f":root{{--accent:{accent};--accent-dark:{color.darker(accent)};"
            f"--accent-tint:{color.tint(accent)}}}\n").encode()


def asset_function(theme: Theme, extra: dict[str, str], root: str) -> Any:
    """asset(name) -> root-prefixed fingerprinted URL of a theme static file."""
    def asset(name: str) -> str:
        if name in extra:
            return root + extra[name]
        found = theme.assets.get(name)
        if found is None:
            raise KeyError(f"theme has no static file '{name}'")
        return root + found.dest_path
    return asset


def site_css_dest(accent: str) -> tuple[str, bytes]:
    data = accent_css(accent)
    return "assets/" + fingerprinted("site.css", data), data


def portal_href_for(model: SiteModel, page_path: str) -> str:
    """Link from an agency page to the portal home."""
    if model.agency.own_domain:
        return model.region.base_url
    return urls.root_prefix(page_path) + "../"


# --- images -------------------------------------------------------------------------------


def logo_path(model: SiteModel) -> str | None:
    """The agency's logo as pages show it (48 px): its smallest rendition, or the SVG."""
    logo = model.logo
    return small_path(logo.path, logo.width, logo.height) if logo else None


def site_card(model: SiteModel, accent: str) -> Card:
    """The agency's share card: its name, the region, its colour and (raster) logo."""
    logo = model.logo
    logo_file = model.agency.root / model.files[logo.path] if logo and logo.path in model.files \
        else None
    return Card(model.agency.name, model.region.name, accent, card_logo(logo_file))


def og_meta(base_url: str, image: Any, card: Card, title: str) -> dict[str, Any]:
    """og:image and its width, height and alt: the page's photo cropped, else the card."""
    og: OgImage | None = photo_og(image.path, image.alt or title) if image else None
    og = og or card.og()
    return {"og_image": base_url + og.path, "og_image_width": og.width,
            "og_image_height": og.height, "og_image_alt": og.alt}


def portal_card(region: Region) -> Card:
    """The portal's share card: the region's name and tagline, its logo when raster."""
    logo = region.root / "static" / region.logo.lstrip("/") if region.logo else None
    return Card(region.name, region.tagline or "", "#0b4f8a", card_logo(logo))
