#!/usr/bin/env python3
"""Screenshots of the default theme for docs/screenshots/ (phone 360x740 and desktop 1280x800).

usage: python3 scripts/screenshots.py [OUT_DIR]      (default: docs/screenshots)

Builds the demo region of this repository into a temporary folder (--today 2026-11-29), serves it
on 127.0.0.1 and photographs the portal home, its service index and directory, an agency and a
hospital home, a news list and item, a service page and an announcement archive with Debian's
Chromium through Playwright, and the scorecard. Each PNG is the first screen (not the full page).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
TODAY = "2026-11-29"
SHOTS = [
    ("portal-home", ""),
    ("agency-home", "dinkes/"),
    ("hospital-home", "rsud/"),
    ("news-item", "dinkes/berita/imunisasi-kejar-anak/"),
    ("news-list", "dinkes/berita/"),
    ("service", "dinkes/layanan/surat-keterangan-sehat/"),
    ("status", "status/"),
    ("portal-services", "layanan/"),
    ("portal-directory", "direktori/"),
    ("announcements-archive", "kecamatan-sukamaju-kota/pengumuman/"),
]
SCREENS = {"phone": (360, 740), "desktop": (1280, 800)}
MAX_BYTES = 300 * 1024


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def build_demo(root: Path) -> Path:
    shutil.copy2(REPO / "skpdgen.yaml", root / "skpdgen.yaml")
    shutil.copytree(REPO / "sites", root / "sites")
    shutil.copytree(REPO / "static", root / "static")  # the region logo
    subprocess.run([sys.executable, "-m", "skpdgen", "build", "--today", TODAY], cwd=root,
                   check=True, capture_output=True)
    return root / "build"


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    out_dir = Path(argv[1]) if len(argv) > 1 else REPO / "docs" / "screenshots"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        build = build_demo(Path(tmp))
        handler = functools.partial(_Quiet, directory=str(build))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        too_big = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
                for screen, (width, height) in SCREENS.items():
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    for name, path in SHOTS:
                        page.goto(base + path, wait_until="load")
                        page.wait_for_function("() => [...document.images].every(i =>"
                                               " i.complete || i.getBoundingClientRect().top > innerHeight)")
                        target = out_dir / f"{name}-{screen}.png"
                        page.screenshot(path=str(target), full_page=False)
                        size = target.stat().st_size
                        print(f"{target.relative_to(REPO) if target.is_relative_to(REPO) else target}"
                              f"  {size // 1024} KB")
                        if size > MAX_BYTES:
                            too_big.append(target.name)
                    context.close()
                browser.close()
        finally:
            server.shutdown()
    if too_big:
        print(f"over {MAX_BYTES // 1024} KB: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
