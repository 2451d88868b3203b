"""Rate limits per API token: a counter per token and minute in the shared cache (the database
table every app server reads), so that one runaway script cannot starve the others.

``KPIBOARD_API_REQUESTS_PER_MINUTE`` (default 120) requests a minute per token; the next is
answered 429 with ``Retry-After``: the seconds until the minute ends.
"""

from __future__ import annotations

import os
import time

from django.conf import settings
from django.core.cache import cache

from kpiboard.web.api.models import ApiToken
from kpiboard.web.api.problems import ApiError

__all__ = ["per_minute", "throttle"]

DEFAULT_PER_MINUTE = 120


def per_minute() -> int:
    configured = getattr(settings, "KPIBOARD_API_REQUESTS_PER_MINUTE", None)
    if configured is None:
        configured = os.environ.get("KPIBOARD_API_REQUESTS_PER_MINUTE", DEFAULT_PER_MINUTE)
    return max(1, int(str(configured)))


def throttle(token: ApiToken, now: float | None = None) -> None:
    """Count a request of ``token``; raise a 429 problem once it is over the minute's limit."""
    moment = time.time() if now is None else now
    minute = int(moment // 60)
    key = f"api-rate:{token.pk}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=120)
        count = 1
    limit = per_minute()
    if count > limit:
        wait = max(1, 60 - int(moment % 60))
        raise ApiError(
            429,
            f"This token has made more than {limit} requests this minute: wait {wait} seconds",
            headers={"Retry-After": str(wait)},
        )
