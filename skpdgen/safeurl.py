"""Which addresses a site may link to, and parsing that never raises.

An agency's files decide the links on its pages, and every agency shares the portal's origin
in single-domain mode, so a `javascript:` link would run in every agency's name. A link is
allowed only as http(s), mailto:, tel: or a path of the site itself.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

LINK_SCHEMES = ("http", "https", "mailto", "tel")
_CONTROL = re.compile(r"[\x00-\x20\x7f\\]")


def split(url: str) -> SplitResult | None:
    """urlsplit, or None for what it cannot parse (an unbalanced '[', a bad port)."""
    try:
        parts = urlsplit(url)
        _ = parts.port           # raises ValueError for a port that is not a number
    except ValueError:
        return None
    return parts


def web_address_problem(raw: str) -> str | None:
    """Why `raw` is not a full http(s) address (None when it is)."""
    parts = split(raw)
    if parts is None or _CONTROL.search(raw):
        return "is not a valid web address"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "must be a full web address"
    return None


def link_problem(raw: str) -> str | None:
    """Why `raw` may not be a link on a page (None when it may)."""
    parts = split(raw)
    if parts is None or _CONTROL.search(raw):
        return "is not a valid address"
    scheme = parts.scheme.lower()
    if not scheme:
        if raw.startswith("//"):
            return "starts with '//' (another site without https:)"
        return None
    if scheme not in LINK_SCHEMES:
        return f"uses '{scheme}:', which is not allowed"
    if scheme in ("http", "https") and not parts.hostname:
        return "has no host name"
    if scheme in ("mailto", "tel") and not parts.path:
        return f"has nothing after '{scheme}:'"
    return None
