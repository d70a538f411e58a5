"""iCalendar (RFC 5545) of an agency's events: agenda.ics."""

from __future__ import annotations

from datetime import UTC, timedelta

from skpdgen.config.schema import When
from skpdgen.model import SiteModel

PRODID = "-//skpdgen//agenda//ID"


def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Lines longer than 75 octets are folded with CRLF + space (RFC 5545 §3.1)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _stamp(value: When, key: str, end_exclusive: bool = False) -> str:
    if value.has_time:
        return f"{key}:{value.at.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    day = value.day + (timedelta(days=1) if end_exclusive else timedelta())
    return f"{key};VALUE=DATE:{day.strftime('%Y%m%d')}"


def calendar(model: SiteModel) -> bytes:
    agency = model.agency
    section = model.sections.get("agenda")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape('Agenda ' + agency.name)}",
             f"X-WR-TIMEZONE:{model.region.timezone}"]
    for page in section.all_items if section else ():
        start = page.extra.get("start")
        if not isinstance(start, When):
            continue
        end = page.extra.get("end")
        stamp = (page.updated or page.date or start.at).astimezone(UTC)
        lines += ["BEGIN:VEVENT", f"UID:{page.path.strip('/').replace('/', '-')}@"
                  f"{agency.base_url.split('://', 1)[-1].strip('/').replace('/', '-')}",
                  f"DTSTAMP:{stamp.strftime('%Y%m%dT%H%M%SZ')}", _stamp(start, "DTSTART")]
        if isinstance(end, When):
            lines.append(_stamp(end, "DTEND", end_exclusive=True))
        elif not start.has_time:
            lines.append(_stamp(start, "DTEND", end_exclusive=True))
        lines.append(f"SUMMARY:{escape(page.title)}")
        if page.summary:
            lines.append(f"DESCRIPTION:{escape(page.summary)}")
        if page.extra.get("location"):
            lines.append(f"LOCATION:{escape(page.extra['location'])}")
        if page.extra.get("organizer"):
            lines.append(f"X-ORGANIZER-NAME:{escape(page.extra['organizer'])}")
        lines += [f"URL:{page.url}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
