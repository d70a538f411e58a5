"""Facts about files that pages reference: image dimensions, sizes, types."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) read from the image header, or None for SVG or unreadable files."""
    if path.suffix.lower() == ".svg":
        return None
    try:
        with Image.open(path) as img:
            return img.size
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None   # a pixel bomb gets no dimensions (never a traceback)


def file_size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None
