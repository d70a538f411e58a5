"""`skpdgen optimize`: shrink oversized original photos in the repository, in place.

Phone photos (4000×3000, 3–5 MB, GPS in the EXIF) stay in the region's git history forever;
the build never changes sources, so shrinking them is an explicit step: every raster image
under sites/<slug>/static and content whose long edge is over OPTIMIZE_EDGE, whose file is
over WARN_BYTES, or which carries GPS coordinates is turned upright, bounded to OPTIMIZE_EDGE,
stripped of all metadata but its colour profile and saved again in its own format.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from skpdgen.config.agency import discover_agencies, unknown_site_hint
from skpdgen.config.region import Region
from skpdgen.diagnostics import ConfigError, Diagnostic, Diagnostics
from skpdgen.media.facts import ImageFacts, ImageProblem, probe, register_heif
from skpdgen.media.plan import bounded, is_processed
from skpdgen.media.settings import MAX_PIXELS, OPTIMIZE_EDGE, OPTIMIZE_QUALITY, WARN_BYTES

_SAVE_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "HEIF",
                "AVIF": "AVIF"}


@dataclass(frozen=True, slots=True)
class Shrunk:
    """One original rewritten (or, in a dry run, that would be)."""

    src_path: str              # relative to the region root
    before: int
    after: int
    old_size: tuple[int, int]
    new_size: tuple[int, int]
    had_gps: bool

    def describe(self) -> str:
        what = [f"{self.before / 1e6:.1f} MB -> {self.after / 1e6:.1f} MB"]
        if self.old_size != self.new_size:
            what.append(f"{self.old_size[0]}×{self.old_size[1]} -> "
                        f"{self.new_size[0]}×{self.new_size[1]}")
        if self.had_gps:
            what.append("GPS removed")
        return f"{self.src_path}: {', '.join(what)}"


def needs_optimizing(facts: ImageFacts) -> bool:
    return (max(facts.width, facts.height) > OPTIMIZE_EDGE or facts.size > WARN_BYTES
            or facts.has_gps)


def optimize_region(region: Region, sites: tuple[str, ...] = (), dry_run: bool = False
                    ) -> tuple[list[Shrunk], list[Diagnostic]]:
    """Shrink the oversized originals of the agencies named (all by default)."""
    known = discover_agencies(region)
    for slug in sites:
        if slug not in known:
            raise ConfigError([Diagnostic(f"sites/{slug}", None, "error",
                                          f"no agency '{slug}' (no sites/{slug}/site.yaml)",
                                          unknown_site_hint(slug, known))])
    diags = Diagnostics()
    done: list[Shrunk] = []
    for slug in sites or tuple(known):
        agency_root = region.sites_dir / slug
        for folder in ("static", "content"):
            for path in sorted((agency_root / folder).rglob("*")):
                if path.is_symlink() or not path.is_file() or not is_processed(path.name):
                    continue
                src_path = path.relative_to(region.root).as_posix()
                try:
                    shrunk = optimize_file(path, src_path, dry_run)
                except ImageProblem as exc:
                    diags.error(src_path, None, f"image '{src_path}' {exc}",
                                "replace it with the original photo from the phone or camera")
                    continue
                if shrunk is not None:
                    done.append(shrunk)
    return done, diags.items


def optimize_file(path: Path, src_path: str, dry_run: bool = False) -> Shrunk | None:
    """Rewrite one image when it is oversized or has GPS; None when it is left alone."""
    facts = probe(path)
    if not needs_optimizing(facts) or facts.format not in _SAVE_FORMAT:
        return None
    register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as opened:
                if getattr(opened, "n_frames", 1) > 1:
                    return None        # an animation: left as it is
                Image.MAX_IMAGE_PIXELS = MAX_PIXELS
                opened.load()
                icc = opened.info.get("icc_profile")
                img = ImageOps.exif_transpose(opened) or opened
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageProblem(f"cannot be decoded ({str(exc)[:100]})") from None
    new_size = bounded(img.width, img.height, OPTIMIZE_EDGE)
    if new_size != img.size:
        img = img.resize(new_size, Image.Resampling.LANCZOS)
    img.info = {}
    fmt = _SAVE_FORMAT[facts.format]
    if fmt == "JPEG" and img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    buf = io.BytesIO()
    options: dict[str, object] = {"icc_profile": icc} if icc else {}
    if fmt == "PNG":
        img.save(buf, fmt, optimize=True, **options)
    else:
        img.save(buf, fmt, quality=OPTIMIZE_QUALITY, **options)
    data = buf.getvalue()
    if len(data) >= facts.size and not facts.has_gps:
        return None                    # already as small as this gets
    if not dry_run:
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return Shrunk(src_path, facts.size, len(data), (facts.width, facts.height), new_size,
                  facts.has_gps)
