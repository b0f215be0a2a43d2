"""Where a fetch may go: the trust model for redirects and the browser's requests.

A watched URL is the user's choice, wherever it points. What a *page* chooses is not trusted: by default a
redirect may not move to a different host whose address is loopback, private, link-local, shared, reserved
or otherwise not global (an attacker's page redirecting to a cloud metadata endpoint or an admin interface
on the intranet), and the browser fallback may request such addresses only on the document's own origin.
Host names are resolved and every address checked, so `localhost`, `0x7f000001`, `[::1]` or a public name
pointing inside are refused alike. `allow_private: true` (per document or in `defaults`) lifts this for
intranet documents.

    refusal = refused_redirect("https://example.com/terms", "http://169.254.169.254/latest/")
    # -> "redirect to 169.254.169.254 refused: ... (allow_private: true permits it)"
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

HINT = "set allow_private: true for the document if it is on your intranet"


def _addresses(host: str, port: int | None) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address `host` resolves to (an IP literal in any form inet_aton accepts, or a name)."""
    try:
        infos = socket.getaddrinfo(host, port or 0, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []          # unresolvable: the fetch itself fails with a network error
    found = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        found.append(address)
    return found


def internal_address(host: str, port: int | None = None) -> str | None:
    """The first non-global address `host` resolves to (as text), or None when all are public."""
    for address in _addresses(host.strip("[]"), port):
        if not address.is_global or address.is_multicast:
            return str(address)
    return None


def _host(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.hostname or "").lower(), port


def refused_redirect(origin_url: str, target_url: str, *, allow_private: bool = False) -> str | None:
    """Why a redirect from the document's `origin_url` to `target_url` is refused, or None when allowed:
    allowed when it stays on the document's own host, or goes to a host whose addresses are all global."""
    if allow_private:
        return None
    host, port = _host(target_url)
    if not host or host == _host(origin_url)[0]:
        return None
    address = internal_address(host, port)
    if address is None:
        return None
    shown = host if host == address else f"{host} ({address})"
    return f"redirect to {shown} refused: not a public address; {HINT}"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    host, port = _host(url)
    return parts.scheme.lower(), host, port or {"http": 80, "https": 443}.get(parts.scheme.lower())


def refused_request(origin_url: str, request_url: str, *, allow_private: bool = False) -> bool:
    """Whether the browser must not send a request of the page at `origin_url` to `request_url`: another
    origin (scheme, host, port) than the document's whose address is internal (data: and blob: URLs have
    no host: allowed)."""
    if allow_private:
        return False
    host, port = _host(request_url)
    if not host or _origin(request_url) == _origin(origin_url):
        return False
    return internal_address(host, port) is not None
