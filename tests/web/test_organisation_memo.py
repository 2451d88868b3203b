"""The organisation is read once per data version in a process (register/dataset.py): the same
object while nothing changes, the new settings as soon as a change bumps the version, and always
afresh inside a transaction, which may have changed them before bumping."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kpiboard.web.register import models
from kpiboard.web.register.dataset import organisation
from kpiboard.web.register.signals import one_bump
from web.conftest import load_demo


def _committee_names() -> dict[str, str]:
    return {committee.id: committee.name for committee in organisation().committees}


def test_read_once_per_version_and_afresh_after_a_change(
    transactional_db: Any, django_assert_num_queries: Any
) -> None:
    load_demo()
    first = organisation()
    with django_assert_num_queries(1):  # the data version, nothing else
        assert organisation() is first
    committee = models.Committee.objects.get(code="srp")
    committee.name = "Strategy and Resources Committee"
    committee.save()  # bumps the version
    assert _committee_names()["srp"] == "Strategy and Resources Committee"
    assert organisation() is not first


def test_inside_a_transaction_the_changes_made_so_far_are_read(transactional_db: Any) -> None:
    load_demo()
    assert _committee_names()["srp"] != "Renamed"
    version = models.DataVersion.current()
    with transaction.atomic(), one_bump():  # as an import: one bump, at the end
        models.Committee.objects.filter(code="srp").update(name="Renamed")
        assert models.DataVersion.current() == version  # not bumped yet
        assert _committee_names()["srp"] == "Renamed"
    assert models.DataVersion.current() == version + 1
    assert _committee_names()["srp"] == "Renamed"
