"""Whether a person has a second factor (web/accounts/two_factor.py, one query in SQL, asked on
every page): for every mix of an authenticator app and security keys, confirmed or not, and for
another person's factors, it says yes exactly when the person has a confirmed one of their own."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from kpiboard.web.accounts.models import EncryptedTOTPDevice, SecurityKey
from kpiboard.web.accounts.two_factor import has_second_factor

STATES = (None, False, True)  # none, being set up, confirmed


@pytest.mark.parametrize(("app", "key", "others"), list(itertools.product(STATES, STATES, STATES)))
def test_yes_exactly_when_a_confirmed_factor_is_the_person_s(
    people: dict[str, Any], app: bool | None, key: bool | None, others: bool | None
) -> None:
    person, other = people["reader"], people["owner"]
    if app is not None:
        EncryptedTOTPDevice.objects.create(user=person, name="app", confirmed=app)
    if key is not None:
        SecurityKey.objects.create(
            user=person, name="key", confirmed=key, credential_id="k1", public_key=b"k"
        )
    if others is not None:  # someone else's never counts for this person
        EncryptedTOTPDevice.objects.create(user=other, name="app", confirmed=others)
        SecurityKey.objects.create(
            user=other, name="key", confirmed=others, credential_id="k2", public_key=b"k"
        )
    assert has_second_factor(person) is (app is True or key is True)
    assert has_second_factor(other) is (others is True)
