"""Open Graph images: 1200×630 rasters that X, Facebook and WhatsApp show (never SVG).

A page with a photo shares its crop (`<stem>.og.jpg`, made with the photo's renditions);
every other page shares its agency's card: the agency's colour, its name and its logo
(rasterised when the logo is a raster; an SVG-only logo gives a monogram instead).
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import textwrap
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from skpdgen.media.facts import open_image
from skpdgen.media.plan import is_processed, kind_of
from skpdgen.media.settings import OG_QUALITY, OG_SIZE, fingerprint


@dataclass(frozen=True, slots=True)
class OgImage:
    """What base.html writes as og:image, og:image:width/height/alt."""

    path: str          # site path (the caller makes it absolute)
    width: int
    height: int
    alt: str


def photo_og(site_path: str, alt: str) -> OgImage | None:
    """The crop of a page's photo, when the photo is one the pipeline crops."""
    if not is_processed(site_path) or kind_of(site_path) == "gif":
        return None
    return OgImage(posixpath.splitext(site_path)[0] + ".og.jpg", *OG_SIZE, alt)


@dataclass(frozen=True, slots=True)
class Card:
    """A generated share card: its inputs, and the fingerprinted file it becomes."""

    title: str
    subtitle: str
    color: str
    logo: Path | None          # a raster logo; None draws a monogram

    @property
    def key(self) -> str:
        digest = hashlib.sha256("\0".join([self.title, self.subtitle, self.color,
                                           fingerprint()]).encode())
        if self.logo is not None:
            try:
                digest.update(self.logo.read_bytes())
            except OSError:
                digest.update(b"<unreadable>")
        return digest.hexdigest()[:16]

    @property
    def dest_path(self) -> str:
        return f"assets/og.{self.key}.jpg"

    def og(self) -> OgImage:
        return OgImage(self.dest_path, *OG_SIZE, self.title)


def card_logo(logo_file: Path | None) -> Path | None:
    """A logo usable on a card: raster only (an SVG would need a renderer)."""
    if logo_file is None or not is_processed(logo_file.name) or not logo_file.is_file():
        return None
    return logo_file


def render_card(card: Card) -> bytes:
    """The card as JPEG bytes: deterministic for the same inputs."""
    width, height = OG_SIZE
    img = Image.new("RGB", OG_SIZE, _rgb(card.color))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, height - 24, width, height), fill=(255, 255, 255))
    margin = 80
    mark = 160
    logo = _logo(card.logo, mark)
    if logo is not None:
        plate = Image.new("RGB", (mark + 32, mark + 32), (255, 255, 255))
        plate.paste(logo, ((mark + 32 - logo.width) // 2, (mark + 32 - logo.height) // 2),
                    logo if logo.mode == "RGBA" else None)
        img.paste(plate, (margin, margin))
    else:
        draw.rounded_rectangle((margin, margin, margin + mark, margin + mark), 24,
                               fill=(255, 255, 255))
        letters = _monogram(card.title)
        font = ImageFont.load_default(size=72)
        box = draw.textbbox((0, 0), letters, font=font)
        draw.text((margin + (mark - (box[2] - box[0])) / 2 - box[0],
                   margin + (mark - (box[3] - box[1])) / 2 - box[1]),
                  letters, font=font, fill=_rgb(card.color))
    title_font = ImageFont.load_default(size=64)
    y = margin + mark + 56
    for line in textwrap.wrap(card.title, 30)[:3]:
        draw.text((margin, y), line, font=title_font, fill=(255, 255, 255))
        y += 78
    if card.subtitle:
        draw.text((margin, y + 8), card.subtitle[:60], font=ImageFont.load_default(size=36),
                  fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=OG_QUALITY, optimize=True)
    return buf.getvalue()


def _logo(path: Path | None, box: int) -> Image.Image | None:
    if path is None:
        return None
    try:
        with open_image(path) as opened:
            opened.load()
            img = ImageOps.exif_transpose(opened) or opened
            img = img.convert("RGBA")
    except (OSError, ValueError, SyntaxError):
        return None
    img.thumbnail((box, box), Image.Resampling.LANCZOS)
    img.info = {}
    return img


def _monogram(name: str) -> str:
    """Like the theme's monogram: RSUD -> RS, Dinas Kesehatan -> DK."""
    words = name.replace(".", " ").split()
    if words and len(words[0]) > 1 and words[0].isupper():
        return words[0][:2]
    initials = [w[0] for w in words if w[:1].isupper()][:2]
    return ("".join(initials) if len(initials) > 1 else name[:2]).upper()


def _rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    try:
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except ValueError:
        return 11, 79, 138
