"""Counting per minute in the shared cache (the database table every app server reads): the
web's pacing of a person's changes (web/pacing.py) and each API token's rate limit
(web/api/throttle.py) count the same way, so several app servers count one person or token once.
The minute is the clock's (a fixed window)."""

from __future__ import annotations

from django.core.cache import cache

__all__ = ["minute_count"]


def minute_count(counter: str, moment: float) -> tuple[int, int]:
    """Count one more for ``counter`` in the clock minute ``moment`` (seconds since the epoch)
    falls in, in the shared cache: how many so far this minute, this one included, and the
    seconds until the minute ends (1 to 60)."""
    key = f"{counter}:{int(moment // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=120)
        count = 1
    return count, max(1, 60 - int(moment % 60))
