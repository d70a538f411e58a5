"""The image settings every rendition depends on: widths, formats, qualities, limits.

Qualities were chosen by measurement (`python3 scripts/bench_images.py quality`: photo-like
test pictures at 720 px, SSIM of the luma against the resized original). JPEG 78 sits past the
knee (70 -> 78: +11 KB for +0.018 SSIM; 78 -> 85: +16 KB for +0.019); WebP 81 and AVIF 58 give
the same SSIM (~0.935) at about 17 % and 35 % fewer bytes. AVIF speed 8 encodes 3× faster than
speed 6 for 9 % more bytes; WebP method 4 saves 7 % over method 2 at twice the time.
Every value is part of the cache key (`fingerprint`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

# Rendition widths: 240 serves 80–144 CSS px thumbnails at 2×, 720 a 360 px phone at 2×,
# 1080 and 1600 a 46rem article column on desktops at 1.5× and 2×.
WIDTHS = (240, 480, 720, 1080, 1600)
# the largest rendition (the linked photo); 2000, not 2048, so a 4000 px phone JPEG decodes
# at ½ DCT scale (4× fewer pixels to decode)
MAX_EDGE = 2000
GIF_WIDTH = 720              # animated GIFs: one width, every frame resized once

JPEG_QUALITY = 78
WEBP_QUALITY = 81
AVIF_QUALITY = 58
AVIF_SPEED = 8
FULL_JPEG_QUALITY = 82       # the 2000 px linked copy

OG_SIZE = (1200, 630)
OG_QUALITY = 82

MAX_PIXELS = 50_000_000      # a decompression bomb: refused, never decoded
WARN_BYTES = 3_000_000       # originals heavier than this get a warning (skpdgen optimize)
OPTIMIZE_EDGE = 2560         # `skpdgen optimize` shrinks originals to this long edge
OPTIMIZE_QUALITY = 85

SETTINGS_VERSION = 1


@functools.cache
def avif() -> bool:
    """Pillow >= 11.3 wheels encode AVIF themselves; a Pillow built without libavif serves WebP.
    (Asked on first use: importing Pillow is not free, and a build with nothing to do needs
    no image.)"""
    from PIL import features
    return bool(features.check("avif"))


def __getattr__(name: str) -> Any:
    if name == "AVIF":      # the old constant
        return avif()
    raise AttributeError(name)


def fingerprint() -> str:
    """A short hash of every setting above: a change re-encodes every image."""
    values = [SETTINGS_VERSION, WIDTHS, MAX_EDGE, GIF_WIDTH, JPEG_QUALITY, WEBP_QUALITY,
              AVIF_QUALITY, AVIF_SPEED, FULL_JPEG_QUALITY, OG_SIZE, OG_QUALITY, avif()]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:12]
