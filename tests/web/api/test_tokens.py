"""Personal API tokens: stored as a digest, refused once revoked or expired or when their holder
is switched off, read from a Bearer or Basic header."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone

from kpiboard.web.api.models import ApiToken
from kpiboard.web.api.tokens import (
    authenticate_token,
    token_create,
    token_from_request,
    token_revoke,
)


def _token(user: Any, *, days: int = 30, scope: str = "read") -> tuple[ApiToken, str]:
    return token_create(
        user=user, name="script", scope=scope, expires=timezone.now() + dt.timedelta(days=days)
    )


def test_only_the_digest_is_stored(people: dict[str, Any]) -> None:
    token, raw = _token(people["reader"])
    row = ApiToken.objects.get(pk=token.pk)
    assert row.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {row.digest, row.prefix, row.name}
    assert raw.startswith(row.prefix)
    assert len(row.prefix) < 16
    assert len(raw) > 40


def test_a_live_token_authenticates_its_holder(people: dict[str, Any]) -> None:
    token, raw = _token(people["reader"])
    found = authenticate_token(raw)
    assert found is not None
    assert found[0] == people["reader"]
    assert found[1].pk == token.pk


@pytest.mark.parametrize(
    "spoil",
    ["revoke", "expire", "deactivate", "wrong", "empty", "too long"],
)
def test_a_token_is_refused(people: dict[str, Any], spoil: str) -> None:
    user = people["owner"]
    token, raw = _token(user)
    if spoil == "revoke":
        assert token_revoke(token=token)
    elif spoil == "expire":
        ApiToken.objects.filter(pk=token.pk).update(
            expires=timezone.now() - dt.timedelta(seconds=1)
        )
    elif spoil == "deactivate":
        user.is_active = False
        user.save()
    elif spoil == "wrong":
        raw = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    elif spoil == "empty":
        raw = ""
    else:
        raw = raw + "x" * 300
    assert authenticate_token(raw) is None


def test_last_used_is_written_at_most_once_a_minute(people: dict[str, Any]) -> None:
    token, raw = _token(people["reader"])
    assert token.last_used is None
    authenticate_token(raw)
    first = ApiToken.objects.get(pk=token.pk).last_used
    assert first is not None
    authenticate_token(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used == first
    ApiToken.objects.filter(pk=token.pk).update(last_used=first - dt.timedelta(minutes=2))
    authenticate_token(raw)
    again = ApiToken.objects.get(pk=token.pk).last_used
    assert again is not None
    assert again > first - dt.timedelta(minutes=1)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer kpib_abc", "kpib_abc"),
        ("bearer   kpib_abc  ", "kpib_abc"),
        (_basic("anything", "kpib_abc"), "kpib_abc"),
        (_basic("", "kpib_abc"), "kpib_abc"),
        (_basic("kpib_abc", ""), None),
        ("Basic not-base64!!", None),
        ("Token kpib_abc", None),
        ("Bearer", None),
        ("", None),
    ],
)
def test_the_token_is_read_from_the_authorization_header(header: str, expected: str | None) -> None:
    request = RequestFactory().get("/api/v1/", HTTP_AUTHORIZATION=header)
    assert token_from_request(request) == expected
