"""Files in content/ that are not what their author meant: name the file and say the fix.

Windows hides extensions, so a page saved by Notepad becomes `berita.md.txt` and one typed on
a phone `Berita.MD`; a Word document dropped into content/berita/ was meant as a news item.
Without this, they were copied as raw downloads under the section's URL, silently. HEIC
photos from iPhones show in almost no browser: the image pipeline converts them (pillow-heif);
where that library is missing they are never accepted silently either.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from skpdgen.content.sections import SECTIONS
from skpdgen.diagnostics import Diagnostics

WORD_DOCUMENTS = (".docx", ".doc", ".odt", ".rtf", ".wps", ".pages")
DOCUMENTS = (*WORD_DOCUMENTS, ".pdf")
HEIC = (".heic", ".heif")
TEXT_SAVED_AS = (".md.txt", ".md.rtf", ".markdown.txt")


def heif_readable() -> bool:
    """True when pillow-heif is installed, so the image pipeline converts HEIC photos."""
    return importlib.util.find_spec("pillow_heif") is not None


def is_markdown(name: str) -> bool:
    """A Markdown page: `.md` in any case (`Berita.MD` from a phone is what its author meant)."""
    return name.lower().endswith(".md") and len(name) > 3


def review(agency_root: Path, src_path: str, siblings: list[str], diag_path: str,
           diags: Diagnostics) -> bool:
    """Report a misnamed file in content/ or static/; False when it must not be published.

    `siblings`: the names of the other files in its folder (a document linked from a page
    beside it is an attachment, not a mistake).
    """
    name = src_path.rsplit("/", 1)[-1]
    lower = name.lower()
    top, _, rest = src_path.partition("/")
    if lower.endswith(HEIC) and not heif_readable():
        diags.warning(diag_path, None, "HEIC photo (from an iPhone): most browsers cannot show it",
                      "save it as JPEG (.jpg) and use that file instead")
        return True
    if top != "content":
        return True
    stem = name.rsplit(".", 1)[0]
    if lower.endswith(TEXT_SAVED_AS):
        diags.error(diag_path, None, f"'{name}' is a page saved with the wrong extension",
                    f"rename it to '{stem.rsplit('.', 1)[0]}.md' (Windows hides the last "
                    "extension: turn on File name extensions in Explorer)")
        return False
    if lower.endswith(".txt") and _starts_with_front_matter(agency_root / src_path):
        diags.error(diag_path, None, f"'{name}' looks like a page but is not a .md file",
                    f"rename it to '{stem}.md'")
        return False
    section = rest.split("/", 1)[0] if "/" in rest else ""
    spec = SECTIONS.get(section)
    if spec is None or not spec.dated or not lower.endswith(DOCUMENTS):
        return True
    if _linked_from(agency_root / src_path, name, siblings):
        return True
    if lower.endswith(WORD_DOCUMENTS):
        diags.error(diag_path, None,
                    f"a Word/office document in content/{section}/ does not become a page",
                    f"copy its text into a new page: skpdgen new {section} SITE \"Title\"; to "
                    "offer the file for download, move it to static/files/ and link it")
        return False
    diags.warning(diag_path, None,
                  f"a PDF in content/{section}/ that no page links: it is only a download, "
                  "not a news item",
                  f"write a page in content/{section}/ that shows it with ::pdf {name}")
    return True


def _starts_with_front_matter(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf").startswith(b"---")


def _linked_from(path: Path, name: str, siblings: list[str]) -> bool:
    """Whether a Markdown file beside `path` mentions its file name (as written or %20)."""
    spellings = {name, name.replace(" ", "%20")}
    for sibling in siblings:
        if not is_markdown(sibling):
            continue
        try:
            text = (path.parent / sibling).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if any(s in text for s in spellings):
            return True
    return False
