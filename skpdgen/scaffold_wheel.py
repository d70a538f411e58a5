"""The wheel of the running skpdgen that `init` commits into a new region (vendor/): the
region's CI installs exactly the skpdgen that made it, from a file it controls
(scaffold_install.py says why)."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import zipfile
from pathlib import Path

import skpdgen
from skpdgen import __version__
from skpdgen.scaffold_install import wheel_name

_FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def vendor_wheel(dest_dir: Path) -> Path:
    """Write a wheel of the running skpdgen into `dest_dir` (the same bytes every time)."""
    package = Path(skpdgen.__file__).resolve().parent
    files: list[tuple[str, bytes]] = []
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package.parent).as_posix()
        if path.is_file() and "__pycache__" not in rel and not rel.endswith((".pyc", ".pyo")):
            files.append((rel, path.read_bytes()))
    info = f"skpdgen-{__version__}.dist-info"
    files += [(f"{info}/METADATA", _metadata().encode("utf-8")),
              (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: skpdgen init\n"
                                b"Root-Is-Purelib: true\nTag: py3-none-any\n"),
              (f"{info}/entry_points.txt", b"[console_scripts]\nskpdgen = skpdgen.cli:run\n")]
    record = "".join(f"{name},sha256={_digest(data)},{len(data)}\n" for name, data in files)
    record += f"{info}/RECORD,,\n"
    files.append((f"{info}/RECORD", record.encode("utf-8")))
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / wheel_name()
    temporary = dest_dir / f".{target.name}.tmp"
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            entry = zipfile.ZipInfo(name, _FIXED_TIME)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    temporary.replace(target)
    return target


def _metadata() -> str:
    """Name, version and the dependencies (Requires-Dist) of the installed skpdgen."""
    try:
        meta = importlib.metadata.metadata("skpdgen")
        requires = [r for r in (meta.get_all("Requires-Dist") or []) if "extra ==" not in r]
        python = (meta.get_all("Requires-Python") or [">=3.11"])[0]
    except importlib.metadata.PackageNotFoundError:   # run from a plain checkout
        requires = ["jinja2>=3.1", "markdown-it-py>=3.0", "mdit-py-plugins>=0.4",
                    "pyyaml>=6.0", "Pillow>=10.0", "tzdata>=2024.1", "watchdog>=4.0"]
        python = ">=3.11"
    lines = ["Metadata-Version: 2.1", "Name: skpdgen", f"Version: {__version__}",
             "Summary: Static websites for the agencies of an Indonesian kabupaten",
             f"Requires-Python: {python}", *(f"Requires-Dist: {r}" for r in requires)]
    return "\n".join(lines) + "\n"


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")

