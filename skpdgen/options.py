"""What a build is asked for: the moment that decides what is published, drafts, future items.

Its own small module: the no-op path of a build (pipeline.py, cache.py) needs it without
importing the content model and its Markdown engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from skpdgen.config.region import Region


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What the user asked for; `now` decides which dated items are published."""

    now: datetime
    drafts: bool = False
    future: bool = False

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def day_start(self) -> datetime:
        """Midnight of the build day: a stamp that keeps same-day builds byte-identical."""
        return datetime.combine(self.today, time(0, 0), tzinfo=self.now.tzinfo)


def build_now(today: date | None, region: Region) -> datetime:
    """The moment that decides what is published: the end of `today`, or now."""
    if today is not None:
        return datetime.combine(today, time(23, 59, 59), tzinfo=region.tz)
    return datetime.now(region.tz).replace(microsecond=0)
