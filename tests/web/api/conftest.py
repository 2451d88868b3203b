"""API tests: a token per role, and a client that sends it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kpiboard.web.api.tokens import token_create


@pytest.fixture
def token_for(people: dict[str, Any]) -> Any:
    """A live token of one of ``people`` (by role name): ``token_for("owner", "read-write")``."""

    def make(role: str, scope: str = "read") -> str:
        _token, raw = token_create(
            user=people[role],
            name=f"{role} {scope}",
            scope=scope,
            expires=timezone.now() + dt.timedelta(days=30),
        )
        return raw

    return make


@pytest.fixture
def api_as(token_for: Any) -> Any:
    """A test client whose every request carries a token of ``role`` (CSRF checks on)."""

    def make(role: str, scope: str = "read") -> Client:
        return Client(
            enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token_for(role, scope)}"
        )

    return make
