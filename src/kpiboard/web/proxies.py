"""The client's address, read through the reverse proxies the site is told to trust (issue 14,
finding 8 and the second half of finding 11).

Behind a reverse proxy every request comes from the proxy's own address (``REMOTE_ADDR``); the
proxy says who its client was by appending that address to ``X-Forwarded-For``. Anyone can send
an ``X-Forwarded-For`` of their own, so only the entries that trusted proxies appended may be
believed, and they are at the right-hand end: with ``KPIBOARD_TRUSTED_PROXIES=1`` the last entry
is the client (the one proxy wrote it), with 2 the one before it, and so on; whatever the client
wrote itself is further left and never read.

- ``KPIBOARD_TRUSTED_PROXIES=0`` (the default): ``REMOTE_ADDR``, and ``X-Forwarded-For`` is
  ignored, whatever it says;
- ``1``: from ``6.6.6.6, 203.0.113.9``, ``203.0.113.9`` (the client forged ``6.6.6.6``);
- ``2``: from ``6.6.6.6, 203.0.113.9, 10.0.0.2``, ``203.0.113.9``.

The same setting decides whether ``X-Forwarded-Proto`` is believed (settings.py sets
``SECURE_PROXY_SSL_HEADER`` only when a proxy is configured): without one, a client sending
``X-Forwarded-Proto: https`` over plain HTTP would be taken for a secure one.
"""

from __future__ import annotations

import ipaddress
import re

from django.conf import settings
from django.http import HttpRequest

__all__ = ["client_address", "forwarded_address"]

#: ``203.0.113.9:51234`` or ``[2001:db8::1]:51234``: some proxies append the client's port.
_WITH_PORT = re.compile(r"^\[?(?P<address>[0-9A-Fa-f:.]+?)\]?(?::\d{1,5})?$")


def _address(text: str) -> str | None:
    """``text`` as a normalised IP address, or None if it is not one.

    >>> _address(" 203.0.113.9 "), _address("203.0.113.9:443"), _address("[2001:DB8::1]:80")
    ('203.0.113.9', '203.0.113.9', '2001:db8::1')
    >>> _address("unknown") is None, _address("") is None
    (True, True)
    """
    text = text.strip()
    for candidate in (text, *(m.group("address") for m in [_WITH_PORT.match(text)] if m)):
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def forwarded_address(forwarded_for: str, trusted_proxies: int) -> str | None:
    """The client's address in an ``X-Forwarded-For`` value that passed through
    ``trusted_proxies`` proxies, or None (no trusted proxy, nothing usable in the header).

    >>> forwarded_address("6.6.6.6, 203.0.113.9", 1)
    '203.0.113.9'
    >>> forwarded_address("6.6.6.6, 203.0.113.9, 10.0.0.2", 2)
    '203.0.113.9'
    >>> forwarded_address("6.6.6.6", 0) is None
    True

    A header with fewer entries than proxies (a request that reached the app by another way than
    through all of them) gives its leftmost entry, the furthest any proxy saw.
    """
    if trusted_proxies <= 0:
        return None
    entries = [entry for entry in forwarded_for.split(",") if entry.strip()]
    if not entries:
        return None
    return _address(entries[-trusted_proxies] if len(entries) >= trusted_proxies else entries[0])


def client_address(request: HttpRequest) -> str | None:
    """The address of whoever sent ``request``: the one the trusted proxies report, or the
    connection's own (``REMOTE_ADDR``) when no proxy is trusted or the header is unusable.
    django-axes reads it through ``AXES_CLIENT_IP_CALLABLE``, and the audit log records it."""
    remote = request.META.get("REMOTE_ADDR") or ""
    trusted = int(getattr(settings, "KPIBOARD_TRUSTED_PROXIES", 0))
    forwarded = forwarded_address(request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted)
    return forwarded or _address(remote)
