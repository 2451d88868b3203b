"""What is worked out from the data once and kept in the shared cache (the database), under the
data version and the day: every change a reader could see bumps the version
(register/signals.py), and how late returns are changes daily (web/clock.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache

from kpiboard.web import clock
from kpiboard.web.register.models import DataVersion

T = TypeVar("T")

#: How long a result is kept; a change of the data or of the day makes a new key before that.
KEPT_SECONDS = 60 * 60 * 24


def kept(kind: str, parts: tuple[Hashable, ...], make: Callable[[], T]) -> T:
    """``make()``'s result for ``parts`` (whatever else it depends on: an address, a period, a
    reader's permissions) at this data version and day, made once and then read back."""
    key = (
        f"kpiboard:{kind}:"
        + hashlib.sha256(
            repr((*parts, DataVersion.current(), clock.today().isoformat())).encode()
        ).hexdigest()
    )
    found: T | None = cache.get(key)
    if found is None:
        found = make()
        cache.set(key, found, KEPT_SECONDS)
    return found
