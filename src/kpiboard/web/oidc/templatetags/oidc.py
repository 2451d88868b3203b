"""``{% sign_in_choices as choices %}``: how the sign-in page offers to sign in (the provider's
name, if there is one; whether kpiboard's own passwords are on)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from kpiboard.web.oidc.provider import configured

register = template.Library()


@register.simple_tag
def sign_in_choices() -> dict[str, Any]:
    provider = configured()
    return {
        "provider": provider.name if provider is not None else "",
        "passwords": bool(getattr(settings, "KPIBOARD_LOCAL_PASSWORDS", True)),
    }
