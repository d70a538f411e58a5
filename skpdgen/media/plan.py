"""Which files an image becomes: a pure function of its site path and (upright) size.

    img/berita/vaksin.jpg 4000×3000  ->  img/berita/vaksin.{240,480,720,1080,1600}.{avif,webp,jpg}
                                         img/berita/vaksin.jpg   (2048 px, no metadata: links)
                                         img/berita/vaksin.og.jpg (1200×630, when a page's image)

Templates, the Markdown renderer and the encoder all use this plan, so the markup can be
written before (or without) any encoding, and `check` sees the same files a build writes.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from skpdgen.media.settings import GIF_WIDTH, MAX_EDGE, WIDTHS, avif

PHOTO_EXTS = frozenset({".jpg", ".jpeg", ".heic", ".heif", ".webp", ".avif"})
PROCESSED_EXTS = PHOTO_EXTS | {".png", ".gif"}
WEB_EXTS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})   # every browser shows these
MIME = {"avif": "image/avif", "webp": "image/webp", "jpg": "image/jpeg", "png": "image/png",
        "gif": "image/gif"}


@dataclass(frozen=True, slots=True)
class Rendition:
    """One published file made from a source image."""

    dest_path: str          # site path
    name: str               # file name inside the image's cache folder
    fmt: str                # avif, webp, jpg, png, gif
    width: int
    height: int
    role: str = "srcset"    # srcset, full, og


@dataclass(frozen=True, slots=True)
class ImagePlan:
    site_path: str
    kind: str                            # photo, png, gif
    width: int                           # upright size of the source
    height: int
    formats: tuple[str, ...]             # modern first, the fallback last
    renditions: tuple[Rendition, ...]
    full: Rendition                      # what a plain link to the image gets

    @property
    def fallback(self) -> str:
        return self.formats[-1]

    def candidates(self, fmt: str) -> list[Rendition]:
        return [r for r in self.renditions if r.fmt == fmt and r.role == "srcset"]

    def smallest(self) -> Rendition:
        return self.candidates(self.fallback)[0]

    def default(self, preferred_width: int = 720) -> Rendition:
        """The fallback candidate an old browser loads: the first at least that wide."""
        found = self.candidates(self.fallback)
        return next((r for r in found if r.width >= preferred_width), found[-1])


def is_processed(site_path: str) -> bool:
    """A raster image the pipeline re-encodes (SVG and other files are copied as they are)."""
    return _ext(site_path) in PROCESSED_EXTS


def kind_of(site_path: str) -> str:
    ext = _ext(site_path)
    return "gif" if ext == ".gif" else "png" if ext == ".png" else "photo"


def bounded(width: int, height: int, edge: int = MAX_EDGE) -> tuple[int, int]:
    """The size with the long edge at most `edge`, never upscaled."""
    long_edge = max(width, height)
    if long_edge <= edge:
        return width, height
    scale = edge / long_edge
    return max(1, round(width * scale)), max(1, round(height * scale))


def scaled_height(width: int, height: int, new_width: int) -> int:
    return max(1, round(height * new_width / width))


def plan_for(site_path: str, width: int, height: int, og: bool = False) -> ImagePlan:
    """Every rendition of one image (`og`: also its 1200×630 Open Graph crop)."""
    kind = kind_of(site_path)
    formats = {"photo": ("avif", "webp", "jpg") if avif() else ("webp", "jpg"),
               "png": ("webp", "png"), "gif": ("webp", "gif")}[kind]
    max_w, max_h = bounded(width, height)
    if kind == "gif":
        widths = [min(max_w, GIF_WIDTH)]
    else:
        top = min(max_w, WIDTHS[-1])
        widths = [w for w in WIDTHS if w < top] + [top]
    stem, ext = posixpath.splitext(site_path)
    renditions = [Rendition(f"{stem}.{w}.{fmt}", f"{w}.{fmt}", fmt, w,
                            scaled_height(width, height, w))
                  for fmt in formats for w in widths]
    if ext.lower() in WEB_EXTS:
        full_fmt = "jpg" if ext.lower() in (".jpg", ".jpeg") else ext.lower()[1:]
        full = Rendition(site_path, f"full.{full_fmt}", full_fmt, max_w, max_h, "full")
    else:   # HEIC/AVIF originals: a JPEG beside them (no phone browser shows HEIC)
        full = Rendition(f"{stem}.jpg", "full.jpg", "jpg", max_w, max_h, "full")
    renditions.append(full)
    if og and kind != "gif":
        renditions.append(Rendition(f"{stem}.og.jpg", "og.jpg", "jpg", 1200, 630, "og"))
    return ImagePlan(site_path, kind, width, height, formats, tuple(renditions), full)


def published_path(site_path: str) -> str:
    """Where a plain link to an image leads (a HEIC photo's JPEG; others keep their path)."""
    if is_processed(site_path) and _ext(site_path) not in WEB_EXTS:
        return posixpath.splitext(site_path)[0] + ".jpg"
    return site_path


def _ext(site_path: str) -> str:
    return posixpath.splitext(site_path)[1].lower()
