"""What templates and the Markdown renderer need to write a <picture>: sources per slot.

Each layout slot says how wide the image is shown (`sizes`), so the browser picks the
smallest candidate that is sharp on its screen: a 360 px phone at 2× takes 720 w for a full
width image and 240 w for a news thumbnail.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from skpdgen.media.plan import MIME, ImagePlan, is_processed, plan_for

SIZES = {
    "thumb": "(min-width: 40em) 9rem, 5rem",                      # home news rows
    "card": "(min-width: 40em) 15rem, calc(100vw - 2rem)",        # list cards
    "hero": "(min-width: 50em) 46rem, calc(100vw - 2rem)",        # an item's main photo
    "body": "(min-width: 50em) 46rem, calc(100vw - 2rem)",        # images in the text
    "photo": "(min-width: 40em) 11rem, 9rem",                     # the head's portrait
    "logo": "3rem",
}


def url_path(site_path: str) -> str:
    """A site path as it may stand in src and srcset (spaces and the like escaped)."""
    return quote(site_path, safe="/-._~")


def plan_of(ref: Any) -> ImagePlan | None:
    """The plan of an ImageRef (or a summary's image dict), None for SVG or unknown sizes."""
    if ref is None:
        return None
    if isinstance(ref, dict):
        path, width, height = ref.get("path"), ref.get("width"), ref.get("height")
    else:
        path, width, height = (getattr(ref, "path", None), getattr(ref, "width", None),
                               getattr(ref, "height", None))
    if not path or not width or not height or not is_processed(path):
        return None
    return plan_for(path, int(width), int(height))


def picture_data(ref: Any, slot: str = "body") -> dict[str, Any] | None:
    """Sources of a <picture> as site paths ("path 720w"), the fallback src and its size."""
    plan = plan_of(ref)
    if plan is None:
        return None
    sources = [{"type": MIME[fmt], "candidates": [(url_path(r.dest_path), r.width)
                                                  for r in plan.candidates(fmt)]}
               for fmt in plan.formats]
    default = plan.default(240 if slot in ("thumb", "logo") else 720)
    return {"sources": sources[:-1], "fallback": sources[-1], "src": url_path(default.dest_path),
            "width": default.width, "height": default.height,
            "sizes": SIZES.get(slot, SIZES["body"])}


def small_path(site_path: str | None, width: int | None, height: int | None) -> str | None:
    """The smallest fallback rendition of an image (a logo shown at 48 px), or the path."""
    if site_path is None:
        return None
    plan = plan_of({"path": site_path, "width": width, "height": height})
    return plan.smallest().dest_path if plan else site_path


def picture_html(data: dict[str, Any], prefix: str, alt: str, lazy: bool = True,
                 title: str | None = None) -> str:
    """A <picture> for Markdown body images (templates use the picture macro instead)."""
    from html import escape

    def srcset(candidates: list[tuple[str, int]]) -> str:
        return ", ".join(f"{prefix}{path} {width}w" for path, width in candidates)

    parts = ["<picture>"]
    for source in data["sources"]:
        parts.append(f'<source type="{source["type"]}" srcset="{escape(srcset(source["candidates"]))}" '
                     f'sizes="{data["sizes"]}">')
    extra = f' title="{escape(title)}"' if title else ""
    loading = ' loading="lazy"' if lazy else ' fetchpriority="high"'
    parts.append(f'<img src="{escape(prefix + data["src"])}" '
                 f'srcset="{escape(srcset(data["fallback"]["candidates"]))}" '
                 f'sizes="{data["sizes"]}" alt="{escape(alt)}" width="{data["width"]}" '
                 f'height="{data["height"]}"{loading} decoding="async"{extra}>')
    parts.append("</picture>")
    return "".join(parts)
