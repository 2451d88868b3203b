"""What every page needs to know about the signed-in person: which navigation to show; and the
footer's privacy notice link (``KPIBOARD_PRIVACY_URL``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from kpiboard.web import clock


def roles(request: HttpRequest) -> dict[str, Any]:
    from kpiboard.web.register.dataset import organisation_name

    name = organisation_name()
    user = request.user
    pretend = clock.pretend_today()
    privacy_url = getattr(settings, "KPIBOARD_PRIVACY_URL", "")
    if not user.is_authenticated:
        return {
            "can": {},
            "organisation_name": name,
            "pretend_today": pretend,
            "privacy_url": privacy_url,
        }
    return {
        "organisation_name": name,
        "pretend_today": pretend,
        "privacy_url": privacy_url,
        "can": {
            name: user.has_perm(f"kpiboard.{name}")
            for name in ("view_register", "see_my_returns", "review_returns", "import_data")
        },
    }
