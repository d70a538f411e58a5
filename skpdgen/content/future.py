"""A date far in the future is almost always a year typo: say when the item will appear.

A scheduled item a few weeks ahead is normal (it goes live on its day); one more than
FAR_FUTURE_DAYS ahead silently disappears from every list until then, so it gets a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from skpdgen.content.load import SourcePage
from skpdgen.diagnostics import Diagnostics

FAR_FUTURE_DAYS = 31


def warn_far_future(sources: Iterable[SourcePage], now: datetime, future: bool,
                    diags: Diagnostics) -> None:
    """A warning at the `date` line of every non-draft item dated far ahead of `now`."""
    if future:      # --future: the author asked to see scheduled items
        return
    for src in sources:
        if src.draft or src.date is None:
            continue
        days = (src.date.day - now.date()).days
        if days > FAR_FUTURE_DAYS:
            day = src.date.day.isoformat()
            diags.warning(src.diag_path, src.lines.get("date"),
                          f"date {day} is {days} days ahead: this item will only appear "
                          f"on {day}",
                          f"a typo in the year? today is {now.date().isoformat()}")
