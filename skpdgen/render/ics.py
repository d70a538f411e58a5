"""iCalendar (RFC 5545) of an agency's events, agenda.ics, written with the `icalendar` package.

DTSTAMP is when the item last changed (the last git commit touching its file, else the file's
modification time): identical rebuilds write identical bytes, and a calendar app sees an event
as changed exactly when its page changed. ORGANIZER carries the front matter `organizer` as its
CN; the one X- property is the calendar's name for the apps that do not read RFC 7986 NAME.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from skpdgen import gitdates
from skpdgen.config.schema import When
from skpdgen.model import Page, SiteModel

PRODID = "-//skpdgen//agenda//ID"


def _when(value: When, end_exclusive: bool = False) -> object:
    """A UTC datetime for a timed value; a date (the day after, for an all-day end) if not."""
    if value.has_time:
        return value.at.astimezone(UTC)
    return value.day + (timedelta(days=1) if end_exclusive else timedelta())


def _organizer_address(model: SiteModel) -> str:
    email = (model.agency.contact or {}).get("email")
    return f"mailto:{email}" if email else model.agency.base_url


def last_changes(model: SiteModel, pages: list[Page]) -> dict[str, datetime]:
    """{src_path: last change} of each page: its last commit, else its file's mtime."""
    root = model.agency.root
    committed = gitdates.file_dates(root, "content/agenda/")
    result: dict[str, datetime] = {}
    for page in pages:
        when = committed.get(page.src_path)
        if when is None:
            try:
                when = datetime.fromtimestamp(Path(root / page.src_path).stat().st_mtime, UTC)
            except OSError:
                when = model.options.now
        result[page.src_path] = when.astimezone(UTC).replace(microsecond=0)
    return result


def calendar(model: SiteModel) -> bytes:
    """agenda.ics: one VEVENT per published event of the agency."""
    import icalendar  # 50 ms to import: only when a calendar is written

    agency = model.agency
    section = model.sections.get("agenda")
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # NAME is the standard (RFC 7986); X-WR-CALNAME is what Google and Apple calendars show.
    # Every time is written in UTC (or as a date), so no timezone definition is needed.
    cal.add("name", f"Agenda {agency.name}")
    cal.add("x-wr-calname", f"Agenda {agency.name}")
    cal.add("refresh-interval", timedelta(days=1), parameters={"VALUE": "DURATION"})
    pages = [p for p in (section.all_items if section else ())
             if isinstance(p.extra.get("start"), When)]
    changed = last_changes(model, pages)
    host = agency.base_url.split("://", 1)[-1].strip("/").replace("/", "-")
    for page in pages:
        start: When = page.extra["start"]
        end = page.extra.get("end")
        event = icalendar.Event()
        event.add("uid", f"{page.path.strip('/').replace('/', '-')}@{host}")
        event.add("dtstamp", changed[page.src_path])
        event.add("dtstart", _when(start))
        if isinstance(end, When):
            event.add("dtend", _when(end, end_exclusive=True))
        elif not start.has_time:
            event.add("dtend", _when(start, end_exclusive=True))
        event.add("summary", page.title)
        if page.summary:
            event.add("description", page.summary)
        if page.extra.get("location"):
            event.add("location", page.extra["location"])
        organizer = icalendar.vCalAddress(_organizer_address(model))
        organizer.params["cn"] = icalendar.vText(page.extra.get("organizer") or agency.name)
        event.add("organizer", organizer)
        event.add("url", page.url)
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
