"""Configuration mistakes in the account settings, reported by ``kpiboard check``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

from kpiboard.web.accounts import roles


@register()
def account_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    required = getattr(settings, "KPIBOARD_REQUIRE_2FA_FOR", [])
    unknown = [name for name in required if name not in roles.ROLES]
    if unknown:
        problems.append(
            Error(
                f"KPIBOARD_REQUIRE_2FA_FOR names {', '.join(map(repr, unknown))}, which is not a "
                "role",
                hint=f"Use role names, comma-separated: {', '.join(roles.ROLES)}.",
                id="kpiboard.accounts.E001",
            )
        )
    idle = getattr(settings, "KPIBOARD_SESSION_IDLE_MINUTES", 30)
    longest = getattr(settings, "KPIBOARD_SESSION_MAX_MINUTES", 12 * 60)
    if idle > longest:
        problems.append(
            Warning(
                f"KPIBOARD_SESSION_IDLE_MINUTES ({idle}) is longer than "
                f"KPIBOARD_SESSION_MAX_MINUTES ({longest}), so it never applies",
                id="kpiboard.accounts.W001",
            )
        )
    return problems
