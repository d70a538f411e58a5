"""Facts about files that pages reference, read from headers only: sizes, and what is wrong.

`probe` never decodes pixels: it reads the header (size, EXIF orientation, GPS) and checks the
end of JPEG and PNG files, so a zero-byte, truncated, unreadable or enormous image is found
while the site model is assembled, before any encoding.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from skpdgen.media.settings import MAX_PIXELS

_ROTATED = frozenset({5, 6, 7, 8})    # EXIF orientations that swap width and height
_GPS_IFD = 0x8825
_ORIENTATION = 0x0112


@functools.cache
def register_heif() -> None:
    """Let Pillow open HEIC/HEIF photos (iPhones), when pillow-heif is installed. Done when
    the first such photo is opened: importing pillow-heif costs more than a build of an edit
    that has none."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:   # pragma: no cover - a dependency; check says so if missing
        return
    register_heif_opener()


HEIF_EXTS = frozenset({".heic", ".heif"})


def open_image(path: Path) -> Image.Image:
    """Image.open, with pillow-heif's opener added when Pillow alone does not know the file
    (a HEIC photo under another name)."""
    try:
        return Image.open(path)
    except UnidentifiedImageError:
        if register_heif.cache_info().currsize:
            raise
        register_heif()
        return Image.open(path)


@dataclass(frozen=True, slots=True)
class ImageFacts:
    width: int                 # upright (EXIF orientation applied)
    height: int
    size: int                  # bytes on disk
    has_gps: bool
    format: str


class ImageProblem(Exception):
    """Why an image cannot be published; the message names no path (the caller adds it)."""


_KNOWN: dict[tuple[str, int, int, int, int], ImageFacts | str] = {}
_KNOWN_LIMIT = 4096     # images of a region; the preview server runs for hours


class _Unreadable(ImageProblem):
    """The file could not be read just now: a problem of the moment, never remembered."""


def probe(path: Path) -> ImageFacts:
    """Header facts of a raster image, or ImageProblem saying what is wrong with it.

    Each image is opened once per version of the file: its facts (or its problem) are kept
    by its path, size, mtime, ctime and inode, since every page that shows it asks again (a
    build of 250 news items with a photo each asked about 750 times).
    """
    try:
        st = path.stat()
    except OSError as exc:
        raise ImageProblem(f"cannot be read ({exc.strerror})") from None
    key = (str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    known = _KNOWN.get(key)
    if known is None:
        try:
            known = _probe(path, st.st_size)
        except _Unreadable:
            raise
        except ImageProblem as exc:
            known = str(exc)
        if len(_KNOWN) >= _KNOWN_LIMIT:
            _KNOWN.clear()
        _KNOWN[key] = known
    if isinstance(known, str):
        raise ImageProblem(known)
    return known


def _probe(path: Path, size: int) -> ImageFacts:
    if size == 0:
        raise ImageProblem("is an empty file (0 bytes)")
    if path.suffix.lower() in HEIF_EXTS:
        register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with open_image(path) as img:
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise ImageProblem(
                        f"is {width}×{height} = {width * height / 1e6:.0f} megapixels, more than "
                        f"the limit of {MAX_PIXELS // 1_000_000} (a decompression bomb or a "
                        "scan at far too high a resolution)")
                exif = img.getexif()
                orientation = exif.get(_ORIENTATION, 1)
                has_gps = bool(exif.get_ifd(_GPS_IFD))
                fmt = img.format or ""
    except ImageProblem:
        raise
    except Image.DecompressionBombError:
        raise ImageProblem(f"has more than {MAX_PIXELS // 1_000_000} megapixels "
                           "(a decompression bomb)") from None
    except (FileNotFoundError, PermissionError) as exc:     # not remembered: may be fixed
        raise _Unreadable(f"is not a readable image ({_reason(exc)})") from None
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as exc:
        raise ImageProblem(f"is not a readable image ({_reason(exc)})") from None
    _check_complete(path, fmt, size)
    if orientation in _ROTATED:
        width, height = height, width
    return ImageFacts(width, height, size, has_gps, fmt)


def _check_complete(path: Path, fmt: str, size: int) -> None:
    """A JPEG ends with FFD9, a PNG with its IEND chunk: a cut-off upload does not."""
    tail_len = min(size, 64)
    try:
        with path.open("rb") as fh:
            fh.seek(size - tail_len)
            tail = fh.read(tail_len)
    except OSError as exc:
        raise _Unreadable(f"cannot be read ({exc.strerror})") from None
    cut = ((fmt == "JPEG" and b"\xff\xd9" not in tail[-16:])
           or (fmt == "PNG" and b"IEND" not in tail[-12:]))
    if cut:
        raise ImageProblem("is truncated (the file ends before the image does; "
                           "the upload or copy was cut off)")


def _reason(exc: BaseException) -> str:
    """Pillow's message without the absolute path it names (the diagnostic names the file)."""
    text = str(exc).split("\n", 1)[0].split(" '/", 1)[0].split(" /", 1)[0]
    return text[:120] or type(exc).__name__


def image_size(path: Path) -> tuple[int, int] | None:
    """Upright (width, height) from the header, or None for SVG or unreadable files."""
    if path.suffix.lower() == ".svg":
        return None
    try:
        facts = probe(path)
    except ImageProblem:
        return None
    return facts.width, facts.height


def file_size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None
