"""Photographic-looking test pictures: soft shapes and gradients, film grain, phone EXIF.

Used by scripts/bench_images.py and to make the demo's phone-sized photos (sites/*/static).
Pure noise compresses like nothing real; this mixes smooth low-frequency structure (sky,
walls, faces out of focus) with a little grain, which JPEG and AVIF treat like a real photo.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

GPS_IFD = 0x8825


def photo(width: int, height: int, seed: int = 1, grain: int = 18) -> Image.Image:
    rnd = random.Random(seed)
    small = (max(8, width // 16), max(6, height // 16))
    base = Image.new("RGB", small)
    draw = ImageDraw.Draw(base)
    top = tuple(rnd.randint(120, 230) for _ in range(3))
    bottom = tuple(rnd.randint(20, 120) for _ in range(3))
    for y in range(small[1]):
        t = y / small[1]
        draw.line([(0, y), (small[0], y)],
                  fill=tuple(int(a * (1 - t) + b * t) for a, b in zip(top, bottom, strict=True)))
    for _ in range(40):
        x, y = rnd.randrange(small[0]), rnd.randrange(small[1])
        r = rnd.randint(2, max(3, small[0] // 6))
        draw.ellipse((x - r, y - r, x + r, y + r),
                     fill=tuple(rnd.randint(0, 255) for _ in range(3)))
    base = base.filter(ImageFilter.GaussianBlur(1.2))
    img = base.resize((width, height), Image.Resampling.BICUBIC)
    detail = Image.effect_noise((width // 4, height // 4), 60).resize(
        (width, height), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(1))
    grain_img = Image.effect_noise((width, height), grain)
    img = Image.blend(img, Image.merge("RGB", (detail, detail, detail)), 0.18)
    img = Image.blend(img, Image.merge("RGB", (grain_img, grain_img, grain_img)), 0.06)
    return img


def exif_bytes(orientation: int = 1, gps: bool = True) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone Model X"
    exif[0x0132] = "2026:11:29 08:15:00"
    exif[0x0112] = orientation
    if gps:
        exif[GPS_IFD] = {1: "S", 2: (6.0, 52.0, 30.5), 3: "E", 4: (109.0, 7.0, 12.25)}
    return exif.tobytes()


def phone_jpeg(width: int = 4000, height: int = 3000, seed: int = 1, orientation: int = 1,
               quality: int = 88) -> bytes:
    buf = io.BytesIO()
    photo(width, height, seed).save(buf, "JPEG", quality=quality,
                                    exif=exif_bytes(orientation), comment=b"phone")
    return buf.getvalue()
