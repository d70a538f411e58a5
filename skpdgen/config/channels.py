"""Contact, complaint and public-information channels: one schema for skpdgen.yaml and site.yaml.

The region sets what every agency shares (SP4N-LAPOR!, the PPID Utama); an agency adds or
replaces single keys (its own WhatsApp line, its PPID Pelaksana), inheriting the rest.
"""

from __future__ import annotations

from typing import Any

from skpdgen.config.schema import Field, email, f, line_text, text, url

CONTACT_SCHEMA: dict[str, Field] = {
    "address": f(text, "Office address"),
    "phone": f(line_text, "Phone number, as written"),
    "email": f(email, "E-mail address"),
    "whatsapp": f(line_text, "WhatsApp number, e.g. 0812-3456-7890"),
    "hours": f(line_text, "Office hours, e.g. 'Senin–Jumat 07.30–16.00'"),
    "map": f(url, "Link to the office on a map"),
}
COMPLAINTS_SCHEMA: dict[str, Field] = {
    "lapor": f(url, "SP4N-LAPOR! address, e.g. https://www.lapor.go.id/"),
    "sms": f(line_text, "LAPOR! SMS number, e.g. 1708"),
    "url": f(url, "The agency's own complaint form or page"),
    "phone": f(line_text, "Complaint phone line"),
    "whatsapp": f(line_text, "Complaint WhatsApp number, e.g. 0812-3456-7890"),
    "email": f(email, "Complaint e-mail address"),
    "note": f(text, "One sentence on how complaints are handled, e.g. 'dijawab dalam 5 hari kerja'"),
}
PPID_SCHEMA: dict[str, Field] = {
    "name": f(line_text, "Name of the information officer, e.g. 'PPID Pelaksana Dinas Kesehatan'"),
    "url": f(url, "The PPID site or page"),
    "form": f(url, "Online information request form (permohonan informasi)"),
    "phone": f(line_text, "PPID phone"),
    "email": f(email, "PPID e-mail address"),
    "address": f(text, "Where to request information in person"),
}


def inherit(region: dict[str, Any] | None, own: dict[str, Any] | None) -> dict[str, Any] | None:
    """The agency's channel keys over the region's; None when neither sets anything."""
    merged = {key: value for key, value in (region or {}).items() if value}
    merged.update({key: value for key, value in (own or {}).items() if value})
    return merged or None
