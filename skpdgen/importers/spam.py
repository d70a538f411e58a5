"""Links that look like gambling or slot spam injected into a hacked WordPress site.

Hacked .go.id WordPress sites are a favourite place for "slot gacor" and "togel" backlinks,
usually hidden in old posts. The importer reports such links instead of carrying them over.
The patterns are deliberately short and documented (README, "Importing from WordPress"): a
word in the host name, or in the path of a link, that is almost never used by a government
agency. A false positive is reported with its URL, so a person can put it back.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

# words that mark gambling/slot spam in a host name or path (Indonesian and international)
SPAM_WORDS = (
    "slot", "gacor", "maxwin", "togel", "toto", "judi", "casino", "kasino", "poker", "domino",
    "sbobet", "bandar", "taruhan", "jackpot", "pragmatic", "zeus", "scatter", "rtp", "bet88",
    "qq", "pkv", "mahjong", "sabung", "betting", "roulette", "baccarat", "bola88",
)
_WORDS = re.compile(r"(?:^|[^a-z])(" + "|".join(SPAM_WORDS) + r")(?:[^a-z]|\d|$)")
# digits glued to a spam word are typical of the brands (slot88, toto4d, qq11)
_GLUED = re.compile(r"(slot|toto|togel|judi|bet|qq|sbobet|bola)\d+|\d+(slot|toto|togel|qq)")


def is_spam_url(url: str) -> bool:
    """True when the host or path of `url` carries a gambling/slot spam word."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    path = unquote(parts.path + "?" + parts.query).lower()
    return any(_matches(text) for text in (host, path))


def _matches(text: str) -> bool:
    return bool(_WORDS.search(text) or _GLUED.search(text))
