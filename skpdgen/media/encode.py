"""Encode the renditions of one source image (runs in a worker process).

Decode once (JPEG at a reduced DCT scale when that is still large enough), turn upright from
EXIF, convert the colours to sRGB, drop every piece of metadata (EXIF with GPS, XMP, IPTC,
maker notes, comments, the ICC profile once applied), then resize largest to smallest and
encode each width in each format. Files are written atomically into the image's cache folder.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, ImageSequence

from skpdgen.media.facts import register_heif
from skpdgen.media.settings import (
    AVIF_QUALITY,
    AVIF_SPEED,
    FULL_JPEG_QUALITY,
    JPEG_QUALITY,
    MAX_PIXELS,
    OG_QUALITY,
    OG_SIZE,
    WEBP_QUALITY,
)

_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True, slots=True)
class Job:
    """What to make of one source: the missing renditions (name, fmt, width, height, role)."""

    source: str
    kind: str                                          # photo, png, gif
    folder: str
    renditions: tuple[tuple[str, str, int, int, str], ...]


def run_job(job: Job) -> str | None:
    """Encode a job's renditions; None on success, else why the image cannot be used."""
    register_heif()
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if job.kind == "gif":
                _gif(job)
            else:
                _still(job)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"has more than {MAX_PIXELS // 1_000_000} megapixels (a decompression bomb)"
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        text = str(exc).split("\n", 1)[0][:120] or type(exc).__name__
        return f"cannot be decoded ({text}); the file is damaged or not really an image"
    return None


def _largest(job: Job) -> tuple[int, int]:
    """The smallest decode that still serves every rendition (the og crop included)."""
    return (max(r[2] for r in job.renditions), max(r[3] for r in job.renditions))


def _still(job: Job) -> None:
    with Image.open(job.source) as opened:
        img: Image.Image = opened
        want_w, want_h = _largest(job)
        if img.format == "JPEG":
            rotated = img.getexif().get(0x0112, 1) in (5, 6, 7, 8)
            img.draft("RGB", (want_h, want_w) if rotated else (want_w, want_h))
        img.load()
        img = _upright_srgb(img, keep_alpha=job.kind == "png")
    base = img
    made: dict[tuple[int, int], Image.Image] = {}
    for name, fmt, width, height, role in sorted(job.renditions, key=lambda r: -r[2]):
        if role == "og":
            _write(job.folder, name, _encode(_og_crop(base), "jpg", job.kind, OG_QUALITY))
            continue
        sized = made.get((width, height))
        if sized is None:
            source = min((im for (w, _h), im in made.items() if w >= width),
                         key=lambda im: im.width, default=base)
            sized = source if source.size == (width, height) else source.resize(
                (width, height), Image.Resampling.LANCZOS)
            made[(width, height)] = sized
        quality = FULL_JPEG_QUALITY if role == "full" and fmt == "jpg" else None
        _write(job.folder, name, _encode(sized, fmt, job.kind, quality))


def _upright_srgb(img: Image.Image, keep_alpha: bool) -> Image.Image:
    """Orientation applied, colours in sRGB, no metadata left in `info`."""
    img = ImageOps.exif_transpose(img) or img
    icc = img.info.get("icc_profile")
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode not in ("RGB", "RGBA", "L", "LA"):
        img = img.convert("RGB")
    if icc and img.mode in ("RGB", "RGBA"):
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            img = ImageCms.profileToProfile(img, src, _SRGB, outputMode=img.mode) or img
        except (ImageCms.PyCMSError, OSError):
            pass    # a broken profile: the pixels are taken as sRGB
    has_alpha = img.mode in ("RGBA", "LA")
    if has_alpha and not keep_alpha:
        flat = Image.new("RGB", img.size, (255, 255, 255))
        flat.paste(img, mask=img.getchannel("A"))
        img = flat
    elif img.mode in ("L", "LA"):
        img = img.convert("RGBA" if has_alpha else "RGB")
    clean = img.copy()
    clean.info = {}
    return clean


def _og_crop(img: Image.Image) -> Image.Image:
    """1200×630 from the middle of the photo (a little above centre: faces, not feet)."""
    rgb = img.convert("RGB") if img.mode != "RGB" else img
    return ImageOps.fit(rgb, OG_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.4))


def _encode(img: Image.Image, fmt: str, kind: str, quality: int | None) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpg":
        rgb = img.convert("RGB") if img.mode != "RGB" else img
        rgb.save(buf, "JPEG", quality=quality or JPEG_QUALITY, optimize=True, progressive=True,
                 subsampling="4:2:0")
    elif fmt == "webp":
        if kind == "png":       # screenshots: lossless where that is smaller
            img.save(buf, "WEBP", lossless=True, method=4)
            lossy = io.BytesIO()
            img.save(lossy, "WEBP", quality=90, method=4)
            if lossy.tell() < buf.tell() * 0.6:
                buf = lossy
        else:
            img.save(buf, "WEBP", quality=WEBP_QUALITY, method=4)
    elif fmt == "avif":
        img.save(buf, "AVIF", quality=AVIF_QUALITY, speed=AVIF_SPEED, max_threads=1)
    elif fmt == "png":
        img.save(buf, "PNG", compress_level=9)
    else:
        raise ValueError(f"unknown format {fmt}")
    return buf.getvalue()


def _gif(job: Job) -> None:
    """Animated GIFs keep their animation: every frame resized, as WebP and as GIF."""
    with Image.open(job.source) as img:
        durations = []
        frames = []
        for frame in ImageSequence.Iterator(img):
            durations.append(frame.info.get("duration", 100))
            frames.append(frame.convert("RGBA"))
        loop = img.info.get("loop", 0)
    for name, fmt, width, height, role in job.renditions:
        if role == "og":
            continue
        sized = [f if f.size == (width, height) else f.resize((width, height),
                 Image.Resampling.LANCZOS) for f in frames]
        for f in sized:
            f.info = {}
        buf = io.BytesIO()
        if fmt == "webp":
            sized[0].save(buf, "WEBP", save_all=True, append_images=sized[1:],
                          duration=durations, loop=loop, quality=WEBP_QUALITY, method=4)
        else:
            pal = [f.convert("RGB").quantize(256) for f in sized]
            pal[0].save(buf, "GIF", save_all=True, append_images=pal[1:], duration=durations,
                        loop=loop, optimize=True)
        _write(job.folder, name, buf.getvalue())


def _write(folder: str, name: str, data: bytes) -> None:
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
