"""The table of known sections and their front matter: one entry per section, no special cases.

A file's section is its first folder under content/. Sections not in SECTIONS are plain pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from skpdgen.config.schema import (
    Field,
    boolean,
    calendar_date,
    choice,
    f,
    integer,
    line_text,
    string_list,
    text,
    url,
    when,
)

SortKey = Literal["date", "start", "title", "year"]

COMMON_FIELDS: dict[str, Field] = {
    "title": f(line_text, "Title of the page", required=True),
    "date": f(when, "Publication date, YYYY-MM-DD or YYYY-MM-DDTHH:MM (required in dated sections)"),
    "updated": f(when, "Date of the last real change"),
    "summary": f(text, "One or two sentences for lists and search engines (default: first paragraph)"),
    "image": f(line_text, "Main image: relative to the file, or /path under static/"),
    "image_alt": f(line_text, "Description of the image for blind readers (required with image)"),
    "tags": f(string_list, "Tags, a list"),
    "draft": f(boolean, "true: not published (shown with --drafts)"),
    "slug": f(line_text, "URL name of the page (default: the file name)"),
    "author": f(line_text, "Author"),
    "aliases": f(string_list, "Old URLs that redirect here, e.g. /index.php/berita/123"),
    "weight": f(integer(-10000, 10000), "Order in menus and lists (smaller first)",
                type_name="number"),
}

CATEGORIES = ("berkala", "serta-merta", "setiap-saat")
STAGES = ("inisiatif", "uji-coba", "penerapan")


@dataclass(frozen=True, slots=True)
class SectionSpec:
    """How one section behaves: its own fields, whether it is dated, how lists are ordered."""

    name: str
    fields: dict[str, Field]
    dated: bool = False      # requires `date`, newest first, in the Atom feeds
    sort: SortKey = "title"


SECTIONS: dict[str, SectionSpec] = {
    "berita": SectionSpec("berita", {}, dated=True, sort="date"),
    "pengumuman": SectionSpec("pengumuman", {
        "expires": f(calendar_date, "After this date it leaves the home page and the lists"),
    }, dated=True, sort="date"),
    "agenda": SectionSpec("agenda", {
        "start": f(when, "Start, YYYY-MM-DD or YYYY-MM-DDTHH:MM", required=True),
        "end": f(when, "End, YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
        "location": f(line_text, "Where it takes place"),
        "organizer": f(line_text, "Who organizes it"),
    }, sort="start"),
    "layanan": SectionSpec("layanan", {
        "requirements": f(string_list, "Requirements (persyaratan), a list"),
        "procedure": f(string_list, "Procedure (prosedur), a list of steps"),
        "duration": f(line_text, "Time to completion, e.g. '3 hari kerja'"),
        "cost": f(line_text, "Cost, e.g. 'Gratis'"),
        "output": f(line_text, "What the citizen receives"),
        "complaints": f(text, "Where to complain"),
        "legal_basis": f(text, "Legal basis (dasar hukum)"),
        "online_url": f(url, "Link to the online service"),
        "topic": f(line_text, "Topic in the portal's service index, e.g. 'Kesehatan' "
                              "(default: the first tag)"),
    }, sort="title"),
    "dokumen": SectionSpec("dokumen", {
        "file": f(line_text, "The document: relative to the file, or /path under static/",
                  required=True),
        "category": f(choice(*CATEGORIES), "PPID category: " + ", ".join(CATEGORIES),
                      required=True, type_name="choice"),
        "year": f(integer(1900, 2200), "Year of the document", type_name="number"),
    }, sort="year"),
    "inovasi": SectionSpec("inovasi", {
        "year": f(integer(1900, 2200), "Year it started", required=True, type_name="number"),
        "stage": f(choice(*STAGES), "Stage: " + ", ".join(STAGES), type_name="choice"),
        "digital": f(boolean, "true when it is an IT-based (digital) innovation"),
        "url": f(url, "Link to the innovation"),
        "benefits": f(text, "Benefits for the public"),
    }, sort="year"),
}

PLAIN_PAGE = SectionSpec("", {})

def spec_for(section: str) -> SectionSpec:
    return SECTIONS.get(section, PLAIN_PAGE)


def schema_for(spec: SectionSpec) -> dict[str, Field]:
    """Common fields plus the section's own; `date` becomes required in dated sections."""
    schema = dict(COMMON_FIELDS)
    if spec.dated:
        schema["date"] = Field(when, COMMON_FIELDS["date"].doc, True, "date or datetime")
    schema.update(spec.fields)
    return schema
