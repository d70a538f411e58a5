"""The image settings every rendition depends on: widths, formats, qualities, limits.

Chosen by measurement (scripts/bench_images.py --quality): at these qualities the renditions
of the demo photos reach SSIM ≥ 0.95 against the resized original, where a higher quality
adds bytes faster than similarity. Every value is part of the cache key (`fingerprint`).
"""

from __future__ import annotations

import hashlib
import json

# Rendition widths: 240 serves 80–144 CSS px thumbnails at 2×, 720 a 360 px phone at 2×,
# 1080 and 1600 a 46rem article column on desktops at 1.5× and 2×.
WIDTHS = (240, 480, 720, 1080, 1600)
MAX_EDGE = 2048              # the largest published rendition (the linked "full" photo)
GIF_WIDTH = 720              # animated GIFs: one width, every frame resized once

JPEG_QUALITY = 78
WEBP_QUALITY = 76
AVIF_QUALITY = 52
AVIF_SPEED = 8               # libaom/SVT speed: 8 encodes ~4× faster than 6 at ~2 % more bytes
FULL_JPEG_QUALITY = 82       # the 2048 px linked copy

OG_SIZE = (1200, 630)
OG_QUALITY = 82

MAX_PIXELS = 50_000_000      # a decompression bomb: refused, never decoded
WARN_BYTES = 3_000_000       # originals heavier than this get a warning (skpdgen optimize)
OPTIMIZE_EDGE = 2560         # `skpdgen optimize` shrinks originals to this long edge
OPTIMIZE_QUALITY = 85

SETTINGS_VERSION = 1


def fingerprint() -> str:
    """A short hash of every setting above: a change re-encodes every image."""
    values = [SETTINGS_VERSION, WIDTHS, MAX_EDGE, GIF_WIDTH, JPEG_QUALITY, WEBP_QUALITY,
              AVIF_QUALITY, AVIF_SPEED, FULL_JPEG_QUALITY, OG_SIZE, OG_QUALITY]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:12]
