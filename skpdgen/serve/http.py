"""The preview HTTP server: stdlib http.server, one thread per connection, SSE for reload.

Serves only files under the output folder (see paths.py), answers only requests whose Host is
its own (see guard.py), injects the reload script and error banner into HTML responses and
streams reload events at /_skpdgen/events to pages of its own origin holding its token.
"""

from __future__ import annotations

import errno
import json
import mimetypes
import secrets
import shutil
import socket
import socketserver
import sys
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from skpdgen.serve import client, editor_api, inject, paths
from skpdgen.serve.guard import HostGuard, url_host
from skpdgen.serve.state import PORTAL, LiveState

HEARTBEAT_SECONDS = 15.0
_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json",
    ".xml": "application/xml; charset=utf-8", ".ics": "text/calendar; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".webp": "image/webp",
    ".woff2": "font/woff2", ".webmanifest": "application/manifest+json",
    ".pdf": "application/pdf",
}
_COMMON_HEADERS = (("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
                   ("Referrer-Policy", "no-referrer"))


class BindError(Exception):
    """The server cannot listen where asked; the message is one line for the user."""


class PreviewServer(ThreadingHTTPServer):
    """The listening socket plus what every request handler needs."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 512   # listen backlog (socketserver's 5 stalls a page of many assets)

    def __init__(self, address: tuple[str, int], state: LiveState, token: str,
                 on_error: Callable[[str], None] | None = None):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, PreviewHandler)
        self.state = state
        self.token = token
        self.on_error = on_error
        self.out_dir = Path("/nonexistent")
        self.editor: editor_api.LocalRepository | None = None   # the editor's local backend
        self.guard = HostGuard(address[0], int(self.server_address[1]))

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host (slow on some networks)."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = self.port

    def set_output(self, out_dir: Path) -> None:
        """The folder to serve; resolved once, so every check compares real paths."""
        self.out_dir = out_dir.resolve()

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return                          # the browser went away: nothing to say
        if self.on_error is not None:
            self.on_error(f"error while answering a request: {type(exc).__name__}: {exc}")


def bind(host: str, port: int | None, state: LiveState, token: str, *, first_port: int = 8000,
         tries: int = 20, on_error: Callable[[str], None] | None = None) -> PreviewServer:
    """Listen on host:port; with port None, on the first free port from `first_port` on."""
    candidates = [port] if port is not None else list(range(first_port, first_port + tries))
    for candidate in candidates:
        try:
            return PreviewServer((host, candidate), state, token, on_error)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE and port is None:
                continue
            raise BindError(_bind_message(host, candidate, exc, explicit=port is not None)
                            ) from None
    raise BindError(f"ports {first_port}-{first_port + tries - 1} on {host} are all in use; "
                    f"pass a free one with --port N")


def _bind_message(host: str, port: int, exc: OSError, *, explicit: bool) -> str:
    where = f"{url_host(host)}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (f"port {port} on {host} is already in use (another skpdgen serve?); "
                f"stop it or pass another port with --port N")
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on {where}; use a port above 1023"
    if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
        return f"cannot listen on {where}: {host} is not an address of this computer"
    return f"cannot listen on {where}: {exc.strerror or exc}"


class PreviewHandler(BaseHTTPRequestHandler):
    """One request: guard, resolve, send (with injection for HTML)."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"
    timeout = 60

    def version_string(self) -> str:
        return "skpdgen-serve"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows rebuilds, not every request."""

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_POST(self) -> None:
        """Only the editor's local backend takes POSTs (see editor_api.py)."""
        raw_path, query = paths.split_target(self.path)
        repo = self.server.editor
        length = _int(self.headers.get("Content-Length"))
        problem = None
        if not self.server.guard.host_ok(self.headers.get("Host")):
            problem = (HTTPStatus.FORBIDDEN, "unknown Host header")
        elif raw_path != editor_api.API_PATH or repo is None:
            problem = (HTTPStatus.NOT_FOUND, "404 not found")
        elif not self._events_allowed(parse_qs(query)) or self.headers.get("Origin") is None:
            problem = (HTTPStatus.FORBIDDEN, "the editor's local backend answers only the "
                                             "editor pages of this server")
        elif not (self.headers.get("Content-Type") or "").startswith("application/json"):
            problem = (HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "JSON only")
        elif length <= 0 or length > editor_api.MAX_BODY:
            problem = (HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body missing or too large")
        if problem is not None:
            self.close_connection = True
            self._bytes(problem[0], _TYPES[".json"], json.dumps({"error": problem[1]}).encode(),
                        True)
            return
        assert repo is not None
        try:
            result = editor_api.handle(repo, self.rfile.read(length))
            status = HTTPStatus.OK
        except editor_api.ApiError as exc:
            result, status = {"error": exc.message}, HTTPStatus(exc.status)
        self._bytes(status, _TYPES[".json"], json.dumps(result).encode(), True)

    def _answer(self, send_body: bool) -> None:
        guard = self.server.guard
        if not guard.host_ok(self.headers.get("Host")):
            self._plain(HTTPStatus.FORBIDDEN, f"403 forbidden: unknown Host header; open "
                        f"{guard.origin}/ instead (protection against DNS rebinding)", send_body)
            return
        raw_path, query = paths.split_target(self.path)
        if raw_path.startswith(inject.PREFIX):
            self._own(raw_path, query, send_body)
            return
        resolved = paths.resolve(self.server.out_dir, raw_path)
        if resolved.status == "forbidden":
            self._plain(HTTPStatus.FORBIDDEN, "403 forbidden: path not allowed", send_body)
        elif resolved.status == "redirect":
            assert resolved.location is not None
            self._redirect(resolved.location + (f"?{query}" if query else ""), send_body)
        elif resolved.status == "file":
            assert resolved.file is not None
            self._file(HTTPStatus.OK, resolved.file, resolved.segments, send_body)
        else:
            self._not_found(resolved.segments, send_body)

    # --- the server's own resources -----------------------------------------------------

    def _own(self, raw_path: str, query: str, send_body: bool) -> None:
        if raw_path == inject.RELOAD_JS_URL:
            self._bytes(HTTPStatus.OK, _TYPES[".js"], client.RELOAD_JS.encode(), send_body)
        elif raw_path == inject.BANNER_CSS_URL:
            self._bytes(HTTPStatus.OK, _TYPES[".css"], client.BANNER_CSS.encode(), send_body)
        elif raw_path == inject.EVENTS_URL:
            self._events(parse_qs(query), send_body)
        else:
            self._plain(HTTPStatus.NOT_FOUND, "404 not found", send_body)

    def _events_allowed(self, params: dict[str, list[str]]) -> bool:
        """Only pages of this server: its token, and its Origin when the browser sends one."""
        if not secrets.compare_digest(params.get("token", [""])[0].encode(),
                                      self.server.token.encode()):
            return False
        origin = self.headers.get("Origin")
        if origin is not None and not self.server.guard.origin_ok(origin):
            return False
        fetch_site = self.headers.get("Sec-Fetch-Site")
        return fetch_site is None or fetch_site in ("same-origin", "none")

    def _events(self, params: dict[str, list[str]], send_body: bool) -> None:
        if not self._events_allowed(params):
            self._plain(HTTPStatus.FORBIDDEN, "403 forbidden: the reload channel is only for "
                        "pages of this server", send_body)
            return
        state = self.server.state
        scope = params.get("scope", [PORTAL])[0]
        since = max(_int(params.get("since", ["0"])[0]), _int(self.headers.get("Last-Event-ID")))
        if not state.is_scope(scope):
            scope = PORTAL
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if not send_body:
            return
        self._stream(b"retry: 500\n\n")
        while not state.closed:
            action, generation = state.wait(scope, since, HEARTBEAT_SECONDS)
            if action is not None:
                message = f'id: {generation}\nevent: {action}\ndata: {{"generation": {generation}}}\n\n'
                self._stream(message.encode())
            elif generation == since:
                self._stream(b": ping\n\n")     # notices a closed tab, keeps proxies awake
            since = generation

    def _stream(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    # --- files ------------------------------------------------------------------------------

    def _not_found(self, segments: tuple[str, ...], send_body: bool) -> None:
        """The agency's 404 page under /<slug>/, else the portal's; status 404."""
        agency = self.server.state.page(segments)
        portal = self.server.state.page(())
        owners = [agency, portal] if agency.scope else [portal]
        for owner in owners:          # resolved like any request: no link out of the output
            page = paths.resolve(self.server.out_dir, owner.served_path + "404.html")
            if page.file is not None:
                self._file(HTTPStatus.NOT_FOUND, page.file, segments, send_body,
                           rebase=(owner.base_path, owner.served_path))
                return
        self._plain(HTTPStatus.NOT_FOUND, "404 not found", send_body)

    def _is_editor(self, file: Path) -> bool:
        """The browser editor's page (/admin/ or /<agency>/admin/): served without the reload
        script, so a rebuild after staff save never reloads the form they are typing in."""
        try:
            parts = file.relative_to(self.server.out_dir).parts
        except ValueError:
            return False
        return parts[-2:] == ("admin", "index.html") and len(parts) <= 3

    def _file(self, status: HTTPStatus, file: Path, segments: tuple[str, ...],
              send_body: bool, rebase: tuple[str, str] | None = None) -> None:
        content_type = _content_type(file)
        try:
            if content_type.startswith("text/html") and not self._is_editor(file):
                page_state = self.server.state.page(segments)   # before reading: never stale
                page = file.read_bytes()
                if rebase is not None:
                    page = inject.rebase(page, *rebase)
                banner = (inject.banner(page_state.diagnostics, page_state.language)
                          if page_state.diagnostics else None)
                script = inject.script_tag(self.server.token, page_state.scope,
                                           page_state.generation)
                self._bytes(status, content_type, inject.inject(page, script, banner), send_body)
                self.server.state.served(page_state.scope)
                return
            if file.name == "config.yml" and segments[-2:-1] == ("admin",):
                # the editor's local backend, reachable only with this server's token
                config = file.read_bytes().replace(
                    editor_api.BUILT_URL.encode(),
                    f"{self.server.guard.origin}{editor_api.API_PATH}"
                    f"?token={self.server.token}".encode())
                self._bytes(status, "text/yaml; charset=utf-8", config, send_body)
                return
            handle = file.open("rb")
        except (FileNotFoundError, NotADirectoryError):   # swapped away since resolving
            self._plain(HTTPStatus.NOT_FOUND, "404 not found", send_body)
            return
        except OSError as exc:      # unreadable: answer, rather than drop the connection
            self._plain(HTTPStatus.FORBIDDEN, f"403 forbidden: cannot read this file "
                        f"({exc.strerror or type(exc).__name__})", send_body)
            return
        with handle:
            size = handle.seek(0, 2)
            handle.seek(0)
            self._head(status, content_type, size)
            if send_body:
                shutil.copyfileobj(handle, self.wfile)

    def _head(self, status: HTTPStatus, content_type: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for name, value in _COMMON_HEADERS:
            self.send_header(name, value)
        self.end_headers()

    def _bytes(self, status: HTTPStatus, content_type: str, data: bytes, send_body: bool) -> None:
        self._head(status, content_type, len(data))
        if send_body:
            self.wfile.write(data)

    def _plain(self, status: HTTPStatus, text: str, send_body: bool) -> None:
        self._bytes(status, _TYPES[".txt"], (text + "\n").encode(), send_body)

    def _redirect(self, location: str, send_body: bool) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        for name, value in _COMMON_HEADERS:
            self.send_header(name, value)
        self.end_headers()


def _content_type(file: Path) -> str:
    suffix = file.suffix.lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, _ = mimetypes.guess_type(file.name)
    return guessed or "application/octet-stream"


def _int(text: str | None) -> int:
    try:
        return max(0, int(text or "0"))
    except ValueError:
        return 0
