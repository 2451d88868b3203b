"""Cached evaluations are never stale, and reading one costs the same queries at any size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpiboard.analysis.periods import parse_period
from kpiboard.analysis.serialise import evaluation_to_json
from kpiboard.web.collection.models import Return
from kpiboard.web.evaluation import evaluate_period, evaluation_json
from kpiboard.web.register.models import DataVersion

pytestmark = pytest.mark.django_db
Q2 = parse_period("2024/25 Q2")


def test_the_cache_gives_the_engine_answer_and_follows_every_change() -> None:
    first = evaluation_json(Q2)
    assert first == evaluation_to_json(evaluate_period(Q2))
    version = DataVersion.current()
    figure = Return.objects.get(indicator__ref="182", period="2024-09")
    figure.numerator = figure.denominator  # 100% in September
    figure.save()
    assert DataVersion.current() > version
    second = evaluation_json(Q2)
    assert second == evaluation_to_json(evaluate_period(Q2))
    value = {row["ref"]: row["value"] for row in second["indicators"]}["182"]
    assert value != {row["ref"]: row["value"] for row in first["indicators"]}["182"]


def test_reading_a_cached_evaluation_takes_two_queries() -> None:
    evaluation_json(Q2)
    with CaptureQueriesContext(connection) as queries:
        evaluation_json(Q2)
    assert len(queries) == 2
