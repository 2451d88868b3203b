"""Rate limits per API token: a counter per token and minute in the shared cache (the database
table every app server reads), so that one runaway script cannot starve the others. The counting
is the web's pacing of a person's changes (web/minute_counts.py), one way for both.

``KPIBOARD_API_REQUESTS_PER_MINUTE`` (default 120) requests a minute per token; the next is
answered 429 with ``Retry-After``: the seconds until the minute ends.
"""

from __future__ import annotations

import os
import time

from django.conf import settings

from kpiboard.web.api.models import ApiToken
from kpiboard.web.api.problems import ApiError
from kpiboard.web.minute_counts import minute_count

__all__ = ["per_minute", "throttle"]

DEFAULT_PER_MINUTE = 120


def per_minute() -> int:
    configured = getattr(settings, "KPIBOARD_API_REQUESTS_PER_MINUTE", None)
    if configured is None:
        configured = os.environ.get("KPIBOARD_API_REQUESTS_PER_MINUTE", DEFAULT_PER_MINUTE)
    return max(1, int(str(configured)))


def throttle(token: ApiToken, now: float | None = None) -> None:
    """Count a request of ``token``; raise a 429 problem once it is over the minute's limit."""
    count, wait = minute_count(f"api-rate:{token.pk}", time.time() if now is None else now)
    limit = per_minute()
    if count > limit:
        raise ApiError(
            429,
            f"This token has made more than {limit} requests this minute: wait {wait} seconds",
            headers={"Retry-After": str(wait)},
        )
