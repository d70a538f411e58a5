#!/usr/bin/env python3
"""A static host for build/ on 127.0.0.1, as nginx would serve it: gzip for text, a long cache
for fingerprinted assets (assets/*.<hash>.*), a short one for pages, the theme's CSP, and the
agency's (or the portal's) 404.html for a missing URL.

usage: python3 scripts/static_server.py BUILD_DIR [PORT_FILE]
Listens on a free port and writes it to PORT_FILE (or prints it). Used by scripts/lighthouse.sh.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import re
import sys
from pathlib import Path

CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:"
TEXT = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".ics", ".csv"}
FINGERPRINTED = re.compile(r"/assets/.*\.[0-9a-f]{8}\.[a-z]+$")


class Handler(http.server.SimpleHTTPRequestHandler):
    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to the folder URL
            path = path / "index.html"
        status = 200
        if not path.is_file():  # like error_page 404: the agency's 404.html, else the portal's
            status, root = 404, Path(self.directory)
            first = self.path.lstrip("/").split("/", 1)[0]
            path = root / first / "404.html" if first and (root / first / "404.html").is_file() \
                else root / "404.html"
            if not path.is_file():
                self.send_error(404)
                return None
        body = path.read_bytes()
        gzipped = path.suffix in TEXT and "gzip" in self.headers.get("Accept-Encoding", "")
        if gzipped:
            body = gzip.compress(body, 6)
        self.send_response(status)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(len(body)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        cache = ("public, max-age=31536000, immutable" if FINGERPRINTED.search(self.path)
                 else "public, max-age=600")
        self.send_header("Cache-Control", cache)
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        return _Body(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, *_: object) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


def main(argv: list[str]) -> int:
    root = Path(argv[1]).resolve()
    handler = functools.partial(Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port = str(server.server_address[1])
    if len(argv) > 2:
        Path(argv[2]).write_text(port)
    else:
        print(port, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
