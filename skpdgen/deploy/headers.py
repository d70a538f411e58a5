"""HTTP headers of the published site: one table, written as `_headers` and as an nginx block.

`_headers` (Netlify, Cloudflare Pages) merges the headers of every rule that matches a URL
and joins repeated names with commas, so each header is set by one rule only: the security
headers on `/*`, the year-long cache on fingerprinted theme files (`/assets/*` and
`/:site/assets/*`). HTML keeps the host's default (revalidated on every visit). nginx gets
the same security headers in every location (an `add_header` in a location replaces the
server's) and five minutes of caching for pages. The one exception to a script-src of 'self'
alone is 'wasm-unsafe-eval': the search (Pagefind) compiles its WebAssembly, nothing else.
"""

from __future__ import annotations

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",   # Pagefind's search runs WebAssembly
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
])

# The editor's pages (<site>/admin/) need more than the public ones: the editor's own inline
# styles, `eval` for its form validator, uploads read back as blob:, and the git host's API (any
# https origin here; each admin page's own <meta> policy names the exact host).
ADMIN_CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "connect-src 'self' blob: https:",
    "frame-src 'self' blob:",
    "media-src 'self' blob:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
])

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CSP),
    ("Strict-Transport-Security", "max-age=31536000"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
IMMUTABLE = "public, max-age=31536000, immutable"
PAGE_CACHE = "public, max-age=300"
HEADERS_NAME = "_headers"


def headers_file() -> str:
    """The `_headers` file for Netlify and Cloudflare Pages (GitHub Pages ignores it)."""
    lines = ["# Written by skpdgen deploy: security headers and caching (Netlify, Cloudflare "
             "Pages).", "/*"]
    lines += [f"  {name}: {value}" for name, value in SECURITY_HEADERS]
    lines += ["", "# Theme files carry a content hash in their name: cache them for a year.",
              "/assets/*", f"  Cache-Control: {IMMUTABLE}", "/:site/assets/*",
              f"  Cache-Control: {IMMUTABLE}", "",
              "# The editor (Cloudflare Pages: '! Header' detaches the strict policy above; on",
              "# Netlify both policies apply and the editor cannot run: use GitHub/GitLab Pages",
              "# or a server of your own for it).", "/admin/*", "  ! Content-Security-Policy",
              f"  Content-Security-Policy: {ADMIN_CSP}", "/:site/admin/*",
              "  ! Content-Security-Policy", f"  Content-Security-Policy: {ADMIN_CSP}", ""]
    return "\n".join(lines)


def _add_headers(indent: str, cache: str, csp: str = CSP) -> list[str]:
    lines = [f'{indent}add_header Cache-Control "{cache}" always;']
    lines += [f'{indent}add_header {name} "{csp if name == "Content-Security-Policy" else value}"'
              " always;" for name, value in SECURITY_HEADERS]
    return lines


def nginx_server_block(root: str = "/var/www/kabupaten/current",
                       server_name: str = "sukamajukab.go.id",
                       listen: str = "443 ssl", tls: bool = True) -> str:
    """A server block serving a `dir` target's `current` release with the same headers."""
    out = ["server {", f"    listen {listen};"]
    if tls:
        out += ["    listen [::]:443 ssl;",
                f"    ssl_certificate     /etc/letsencrypt/live/{server_name}/fullchain.pem;",
                f"    ssl_certificate_key /etc/letsencrypt/live/{server_name}/privkey.pem;"]
    out += [
        f"    server_name {server_name};",
        "",
        "    # The live site is a symlink swapped atomically by `skpdgen deploy`.",
        f"    root {root};",
        "    index index.html;",
        "    server_tokens off;",
        "    # Calendars and spreadsheets (agenda.ics, status.csv) are missing from mime.types.",
        "    include mime.types;",
        "    types {",
        "        text/calendar ics;",
        "        text/csv csv;",
        "    }",
        "    charset utf-8;",
        "    charset_types text/html text/plain text/css text/xml text/calendar text/csv",
        "                  application/javascript application/json application/atom+xml;",
        "    gzip on;",
        "    gzip_types text/css text/xml text/calendar text/csv application/javascript",
        "               application/json application/xml application/atom+xml image/svg+xml;",
        "",
        "    # Atom feeds (feed.xml of the portal, of each agency and of each section).",
        "    location ~ (?:^|/)feed\\.xml$ {",
        "        types { }",
        "        default_type application/atom+xml;",
        "        try_files $uri =404;",
        *_add_headers("        ", PAGE_CACHE),
        "    }",
        "",
        "    # Fingerprinted theme files (portal and every agency): cached for a year.",
        "    location ~ ^/(?:[a-z0-9-]+/)?assets/ {",
        "        try_files $uri =404;",
        *_add_headers("        ", IMMUTABLE),
        "    }",
        "",
        "    # The browser editor of the region and of each agency (when `editor:` is set):",
        "    # its own policy; never cached, so a new editor version is picked up at once.",
        "    location ~ ^/(?:[a-z0-9-]+/)?admin/ {",
        "        try_files $uri $uri/ =404;",
        *_add_headers("        ", "no-cache", ADMIN_CSP),
        "    }",
        "",
        "    # An agency's pages (or a portal section); a missing page shows the agency's",
        "    # own 404 page, else the portal's. The status stays 404.",
        "    location ~ ^/(?<site>[a-z0-9-]+)/ {",
        "        try_files $uri $uri/ =404;",
        "        error_page 404 @notfound;",
        *_add_headers("        ", PAGE_CACHE),
        "    }",
        "",
        "    location / {",
        "        try_files $uri $uri/ =404;",
        "        error_page 404 @notfound;",
        *_add_headers("        ", PAGE_CACHE),
        "    }",
        "",
        "    location @notfound {",
        "        # an agency on its own domain has a copy for single-domain mode",
        "        try_files /$site/404-single-domain.html /$site/404.html /404.html =404;",
        *_add_headers("        ", PAGE_CACHE),
        "    }",
        "",
        "    location = /_headers { return 404; }",
        "}",
        "",
    ]
    return "\n".join(out)


def nginx_http_redirect(server_name: str = "sukamajukab.go.id") -> str:
    """Plain http -> https."""
    return ("server {\n    listen 80;\n    listen [::]:80;\n"
            f"    server_name {server_name};\n"
            "    return 301 https://$host$request_uri;\n}\n")


HEADERS_FILE = headers_file()
NGINX_CONF = nginx_http_redirect() + "\n" + nginx_server_block()
