"""Whether a host name is this machine (no network between, so no TLS needed to reach it)."""

from __future__ import annotations

import ipaddress

__all__ = ["is_loopback"]


def is_loopback(host: str) -> bool:
    """True for ``localhost``, a loopback address (``127.0.0.1``, ``::1``), a Unix socket's
    folder (``/run/postgresql``) or no host at all (the client's local default).

    >>> [is_loopback(h) for h in ("", "localhost", "127.0.0.2", "[::1]", "/run/postgresql")]
    [True, True, True, True, True]
    >>> [is_loopback(h) for h in ("db.internal", "10.0.0.5", "localhost.evil.example")]
    [False, False, False]
    """
    host = host.strip().strip("[]").lower()
    if not host or host.startswith("/") or host in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
