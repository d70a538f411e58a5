"""Which Host and Origin headers belong to this server (the DNS-rebinding guard).

A page on another site can make the browser send requests to 127.0.0.1 by pointing a DNS name
it controls at that address; the browser then sends that name in Host. Answering only the
server's own names (127.0.0.1, localhost, [::1] or the bound address, with the port) defeats
it. When bound to a wildcard address (0.0.0.0 or ::, only on request) the machine's other
addresses are not known in advance, so any IP literal with the right port is accepted too:
DNS rebinding needs a DNS name, never an IP literal.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def url_host(host: str) -> str:
    """An address as it appears in a URL or Host header: IPv6 literals in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _split_host(value: str) -> tuple[str, int | None] | None:
    """'name:8000' -> ('name', 8000); '[::1]:8000' -> ('[::1]', 8000); None when malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[:end + 1], value[end + 1:]
    else:
        name, sep, port_text = value.partition(":")
        rest = sep + port_text
    if not name:
        return None
    if not rest:
        return name, None
    if not rest.startswith(":") or not (rest[1:].isascii() and rest[1:].isdigit()):
        return None
    return name, int(rest[1:])


@dataclass(frozen=True, slots=True)
class HostGuard:
    """Decides whether a request's Host, and a reload connection's Origin, are our own."""

    bound_host: str
    port: int

    @property
    def names(self) -> frozenset[str]:
        return frozenset({*LOOPBACK_NAMES, url_host(self.bound_host).lower()})

    @property
    def origin(self) -> str:
        """The origin to show the user (and the one tests use)."""
        host = self.bound_host if self.bound_host not in WILDCARD_HOSTS else "127.0.0.1"
        return f"http://{url_host(host)}:{self.port}"

    def host_ok(self, header: str | None) -> bool:
        if not header:
            return False
        parsed = _split_host(header)
        if parsed is None:
            return False
        name, port = parsed
        if (port if port is not None else 80) != self.port:
            return False
        if name in self.names:
            return True
        return self.bound_host in WILDCARD_HOSTS and _is_ip_literal(name)

    def origin_ok(self, origin: str | None) -> bool:
        """An Origin header that names this server (http scheme, own host and port)."""
        if not origin or not origin.lower().startswith("http://"):
            return False
        rest = origin[len("http://"):]
        return "/" not in rest and self.host_ok(rest)


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True
