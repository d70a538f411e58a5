"""Decap CMS, vendored: the pinned npm tarball, checked against its integrity, never a CDN.

The editor's script is published from the site's own origin. It comes from the npm registry
as the tarball of one pinned version (fetched with `npm pack`, which uses the machine's npm
registry settings), is checked against the sha512 integrity npm publishes for that version,
and only `package/dist/decap-cms.js` is taken from it. The tarball is kept in the build state
(build/.skpdgen/vendor/), which CI caches; `SKPDGEN_DECAP_TARBALL` names a local copy instead.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

DECAP_VERSION = "3.16.3"
DECAP_INTEGRITY = ("sha512-hf+dPlCh7TJmWl8+6VRzHYOWhri5xgUknrZbDewaWe4s9B7xJ8PQugp2QHeSldMUK"
                   "zav6+z0oIpwUYhUJDYtYw==")
MEMBER = "package/dist/decap-cms.js"
# sha256 of that file in the tarball above: the extracted copy kept beside the tarball is checked
# against it, so a build does not unpack 16 MB every time (a no-op build stays fast)
SCRIPT_SHA256 = "7c1efd6b616b4786e279aeef194dd21649a72058d3bc8d1f78901b574610dfb8"
MAX_SCRIPT = 20 * 1024 * 1024


class VendorError(Exception):
    """The editor's script cannot be had; the message says what to do."""


def tarball_name() -> str:
    return f"decap-cms-{DECAP_VERSION}.tgz"


def decap_script(state_dir: Path) -> bytes:
    """The bytes of decap-cms.js of the pinned version (fetching the tarball once)."""
    extracted = state_dir / "vendor" / f"decap-cms-{DECAP_VERSION}.js"
    with contextlib.suppress(OSError):
        data = extracted.read_bytes()
        if hashlib.sha256(data).hexdigest() == SCRIPT_SHA256:
            return data
    data = _from_tarball(_tarball(state_dir))
    if hashlib.sha256(data).hexdigest() != SCRIPT_SHA256:
        raise VendorError(f"decap-cms {DECAP_VERSION}: {MEMBER} is not the published file")
    with contextlib.suppress(OSError):
        extracted.parent.mkdir(parents=True, exist_ok=True)
        tmp = extracted.with_name(f".{extracted.name}.{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, extracted)
    return data


def _from_tarball(tarball: Path) -> bytes:
    _verify(tarball)
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            member = archive.getmember(MEMBER)
            if not member.isfile() or member.size > MAX_SCRIPT:
                raise VendorError(f"{tarball}: {MEMBER} is not a regular file of a sane size")
            stream = archive.extractfile(member)
            if stream is None:
                raise VendorError(f"{tarball}: cannot read {MEMBER}")
            return stream.read()
    except (OSError, KeyError, tarfile.TarError) as exc:
        raise VendorError(f"{tarball}: not a usable decap-cms package ({exc})") from None


def _tarball(state_dir: Path) -> Path:
    given = os.environ.get("SKPDGEN_DECAP_TARBALL")
    if given:
        path = Path(given)
        if not path.is_file():
            raise VendorError(f"SKPDGEN_DECAP_TARBALL={given}: no such file")
        return path
    folder = state_dir / "vendor"
    target = folder / tarball_name()
    if target.is_file():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError(
            f"the editor needs decap-cms {DECAP_VERSION} from the npm registry once: install "
            "Node.js (npm), or download the package and set SKPDGEN_DECAP_TARBALL to its .tgz")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([npm, "pack", f"decap-cms@{DECAP_VERSION}", "--pack-destination",
                        str(folder), "--silent"], check=True, capture_output=True, timeout=300)
    except (subprocess.SubprocessError, OSError) as exc:
        raise VendorError(f"npm pack decap-cms@{DECAP_VERSION} failed ({exc}); check the "
                          "network or set SKPDGEN_DECAP_TARBALL") from None
    if not target.is_file():
        raise VendorError(f"npm pack did not write {target}")
    return target


def _verify(tarball: Path) -> None:
    algorithm, _, expected = DECAP_INTEGRITY.partition("-")
    digest = hashlib.new(algorithm)
    with tarball.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if base64.b64encode(digest.digest()).decode() != expected:
        raise VendorError(f"{tarball} is not decap-cms {DECAP_VERSION} as published (integrity "
                          "mismatch): delete it and build again")


def sri(data: bytes) -> str:
    """The Subresource Integrity value of a script (sha384)."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
