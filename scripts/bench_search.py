#!/usr/bin/env python3
"""Benchmark the search: index build time, and the bytes one query costs a reader.

usage: python3 scripts/bench_search.py [--agencies 40] [--items 250] [--demo] [--query pelayanan]

It generates the region of scripts/bench_build.py (or uses the demo with --demo), builds it,
then times Pagefind over every agency again (the cost a cold build pays for search) and the
portal's own index. In Chromium (served with the production CSP) it opens an agency's /cari/
and the portal's /cari/ with a query and counts what was downloaded for the search: Pagefind's
JS and WASM, its entry/meta files, index chunks and result fragments; then a second query on
the same page (JS and WASM are then loaded). "gzip" is what nginx's `gzip on` sends for the
JS and JSON; Pagefind's own files are compressed already.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_build import generate  # noqa: E402

from skpdgen.deploy.headers import CSP  # noqa: E402
from skpdgen.search import index_site  # noqa: E402

TODAY = "2026-11-29"


class _Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def kind(url: str) -> str:
    name = url.split("?")[0].rsplit("/", 1)[-1]
    if name.endswith(".js"):
        return "js"
    if name.endswith(".pagefind"):
        return "wasm"
    if name.endswith((".pf_meta", ".json")):
        return "entry+meta"
    if name.endswith(".pf_index"):
        return "index chunks"
    if name.endswith(".pf_filter"):
        return "filters"
    if name.endswith(".pf_fragment"):
        return "fragments"
    return "other"


def measure(browser: Any, base: str, path: str, query: str, second: str) -> None:
    page = browser.new_page()
    seen: list[tuple[str, bytes]] = []

    def on_response(response: Any) -> None:
        if "/pagefind/" in response.url or "/js/search." in response.url:
            with contextlib.suppress(Exception):   # a redirect has no body
                seen.append((response.url, response.body()))
    page.on("response", on_response)
    page.goto(f"{base}{path}?q={query}", wait_until="load")
    page.wait_for_function("() => /hasil|Tidak ada/.test("
                           "document.querySelector('[data-search-status]').textContent)",
                           timeout=120000)
    first = list(seen)
    status = page.inner_text("[data-search-status]")
    seen.clear()
    page.fill("#search-q", second)
    page.press("#search-q", "Enter")
    page.wait_for_function(f"() => document.querySelector('[data-search-status]').textContent"
                           f".includes({second!r})", timeout=120000)
    page.wait_for_timeout(300)
    report(f"{path}?q={query}  ({status})", first)
    report(f"  then ?q={second} on the same page", seen)
    page.close()


def report(label: str, responses: list[tuple[str, bytes]]) -> None:
    totals: dict[str, list[int]] = {}
    for url, body in responses:
        compressible = url.split("?")[0].endswith((".js", ".json"))
        zipped = len(gzip.compress(body, 6)) if compressible else len(body)
        entry = totals.setdefault(kind(url), [0, 0, 0])
        entry[0] += 1
        entry[1] += len(body)
        entry[2] += zipped
    raw = sum(v[1] for v in totals.values())
    sent = sum(v[2] for v in totals.values())
    count = sum(v[0] for v in totals.values())
    print(f"{label}: {count} requests, {raw / 1024:.1f} KiB raw, {sent / 1024:.1f} KiB with gzip")
    for name, (n, size, zipped) in sorted(totals.items()):
        print(f"    {name:13} {n:3} × → {size / 1024:7.1f} KiB raw, {zipped / 1024:7.1f} KiB gzip")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agencies", type=int, default=40)
    parser.add_argument("--items", type=int, default=250)
    parser.add_argument("--demo", action="store_true", help="the repository's demo region")
    parser.add_argument("--query", default="pelayanan")
    parser.add_argument("--second", default="kegiatan")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="skpdgen-bench-search-"))
    try:
        if args.demo:
            shutil.copy2(REPO / "skpdgen.yaml", tmp / "skpdgen.yaml")
            shutil.copytree(REPO / "sites", tmp / "sites")
            shutil.copytree(REPO / "static", tmp / "static")      # the region's logo
            label = "demo"
        else:
            pages = generate(tmp, args.agencies, args.items)
            label = f"{args.agencies} agencies × {args.items} items ({pages} Markdown pages)"
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "skpdgen", "build", "--today", TODAY],
                              cwd=tmp, capture_output=True, text=True, check=False)
        build_seconds = time.monotonic() - started
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        out = tmp / "build"
        slugs = sorted(p.parent.parent.name for p in out.glob("*/pagefind/pagefind-entry.json"))
        started = time.monotonic()
        for slug in slugs:
            index_site(out / slug, "id")
        index_seconds = time.monotonic() - started
        html = sum(1 for _ in out.rglob("*.html"))
        print(f"region: {label}; {html} HTML files")
        print(f"cold build with search: {build_seconds:.1f} s ({done.stderr.strip().splitlines()[-1]})")
        print(f"Pagefind over all {len(slugs)} agencies again: {index_seconds:.1f} s "
              f"({index_seconds / max(1, len(slugs)):.2f} s per agency)")
        size = sum(f.stat().st_size for f in out.glob("*/pagefind/**/*") if f.is_file())
        print(f"search bundles on disk: {size / 1024 / 1024:.1f} MiB")
        from playwright.sync_api import sync_playwright
        handler = functools.partial(_Handler, directory=str(out))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox"])
            measure(browser, base, f"{slugs[0]}/cari/", args.query, args.second)
            measure(browser, base, "cari/", args.query, args.second)
            browser.close()
        server.shutdown()
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
