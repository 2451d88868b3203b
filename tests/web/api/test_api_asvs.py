"""ASVS 4.0.3 V13 (and the tokens' rows of V2 and V3) pinned for the API and the OData feed:
a body that is not JSON is 415 and changes nothing, a token is never taken from an address,
methods an address does not offer are refused, and a role that must use a second factor
makes no token without one (docs/security.md)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kpiboard.web.accounts.models import EncryptedTOTPDevice as TOTPDevice
from kpiboard.web.api.models import ApiToken
from kpiboard.web.collection.models import Return
from web.test_two_factor import _code, _sign_in, _with_device

SUBMIT = "/api/v1/returns/182/2024-10"
BODY = '{"numerator": "81", "denominator": "90"}'
TOKENS = "/accounts/tokens/"


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", "text/json", ""],
)
def test_a_json_body_sent_as_another_content_type_is_415_and_changes_nothing(
    api_as: Any, content_type: str
) -> None:
    response = api_as("owner", "read-write").post(SUBMIT, BODY, content_type=content_type)
    assert response.status_code == 415, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert "application/json" in response.json()["detail"]
    assert response["Accept-Post"] == "application/json"
    assert not Return.objects.filter(indicator__ref="182", period="2024-10").exists()


def test_json_with_a_charset_is_accepted(api_as: Any) -> None:
    response = api_as("owner", "read-write").post(
        SUBMIT, BODY, content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 201, response.content
    assert Return.objects.filter(indicator__ref="182", period="2024-10").exists()


@pytest.mark.parametrize("name", ["access_token", "token", "api_key", "key", "bearer"])
@pytest.mark.parametrize("address", ["/api/v1/organisation", "/odata/Figures"])
def test_a_token_in_the_address_opens_nothing(token_for: Any, name: str, address: str) -> None:
    raw = token_for("reader")
    assert Client().get(f"{address}?{name}={raw}").status_code == 401
    # The same token in the header does open it, so the 401 above is the address's doing.
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(address).status_code == 200


def test_a_new_token_is_in_the_page_never_in_an_address(client_as: Any) -> None:
    client = client_as("reader")
    page = client.get(TOKENS).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None
    response = client.post(
        TOKENS,
        {"name": "Script", "scope": "read", "expires_in": "30", "csrfmiddlewaretoken": csrf[1]},
    )
    assert response.status_code == 200  # shown on the answer itself, not after a redirect
    assert "Location" not in response
    raw = re.search(r"kpib_[A-Za-z0-9_-]{43}", response.content.decode())
    assert raw is not None
    hrefs = re.findall(r'(?:href|action|src)="([^"]*)"', response.content.decode())
    assert not [address for address in hrefs if raw[0] in address]


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options", "trace"])
def test_a_read_refuses_other_methods_with_405_naming_get(api_as: Any, method: str) -> None:
    response = getattr(api_as("reader"), method)("/api/v1/organisation")
    assert response.status_code == 405
    assert response["Allow"] == "GET"


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_a_submission_refuses_other_methods_with_405_naming_post(api_as: Any, method: str) -> None:
    client = api_as("owner", "read-write")
    response = client.generic(method, SUBMIT, BODY, content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert not Return.objects.filter(indicator__ref="182", period="2024-10").exists()


@pytest.mark.parametrize("address", ["/odata/Figures", "/odata/", "/odata/feeds/figures.csv"])
def test_odata_offers_get_and_head_only(token_for: Any, address: str) -> None:
    header = f"Bearer {token_for('reader')}"
    # A client that passes Django's CSRF check reaches the view, which answers 405.
    lenient = Client(HTTP_AUTHORIZATION=header)
    for method in ("post", "put", "patch", "delete", "options", "trace"):
        response = getattr(lenient, method)(address)
        assert response.status_code == 405, (method, address)
        assert response["Allow"] == "GET, HEAD"
    assert lenient.head(address).status_code == 200
    # A real client without a CSRF token is stopped earlier, before the view: still no change.
    strict = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=header)
    for method in ("post", "put", "patch", "delete"):
        assert getattr(strict, method)(address).status_code == 403, (method, address)


REQUIRED = ["administrator", "performance team"]


def _make_token(client: Client) -> Any:
    page = client.get(TOKENS)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    csrf = found[1] if found else client.cookies["csrftoken"].value
    return client.post(
        TOKENS,
        {"name": "Nightly", "scope": "read-write", "expires_in": "30", "csrfmiddlewaretoken": csrf},
    )


def test_a_role_that_must_use_a_second_factor_makes_no_token_without_one(
    people: dict[str, Any], settings: Any
) -> None:
    settings.KPIBOARD_REQUIRE_2FA_FOR = REQUIRED
    client, _ = _sign_in(people["performance"])
    assert client.get(TOKENS)["Location"].startswith(reverse("two_factor_setup"))
    response = client.post(TOKENS, {"name": "Nightly", "scope": "read", "expires_in": "30"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    assert not ApiToken.objects.filter(user=people["performance"]).exists()


def test_with_the_code_given_the_same_person_makes_a_token(
    people: dict[str, Any], settings: Any
) -> None:
    settings.KPIBOARD_REQUIRE_2FA_FOR = REQUIRED
    user = people["performance"]
    device = _with_device(user)
    client, _ = _sign_in(user)
    client.post(reverse("two_factor_verify"), {"code": _code(device)})
    assert _make_token(client).status_code == 200
    assert ApiToken.objects.filter(user=user, name="Nightly").count() == 1


def test_a_role_that_need_not_use_one_makes_a_token_without_one(
    people: dict[str, Any], settings: Any
) -> None:
    settings.KPIBOARD_REQUIRE_2FA_FOR = REQUIRED
    user = people["owner"]
    assert not TOTPDevice.objects.filter(user=user).exists()
    client, _ = _sign_in(user)
    assert _make_token(client).status_code == 200
    assert ApiToken.objects.filter(user=user, name="Nightly").count() == 1


@pytest.mark.parametrize(
    ("address", "disposition"),
    [
        ("/api/v1/organisation", 'inline; filename="api.json"'),
        ("/api/v1/indicators/no-such-ref", 'inline; filename="problem.json"'),
        ("/odata/", 'attachment; filename="odata.json"'),
        ("/odata/Figures?$top=1", 'attachment; filename="odata.json"'),
        ("/odata/NoSuchSet", 'attachment; filename="odata.json"'),
        ("/odata/$metadata", 'attachment; filename="metadata.xml"'),
    ],
)
def test_api_answers_are_named_and_no_browser_sniffs_them(
    token_for: Any, address: str, disposition: str
) -> None:
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token_for('reader')}").get(address)
    assert response["Content-Disposition"] == disposition
    assert response["X-Content-Type-Options"] == "nosniff"
