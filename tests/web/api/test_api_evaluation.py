"""The API's evaluation is ``kpiboard evaluate --format json`` of an export of the same database,
for the organisation, each committee and each directorate; its scorecards count the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.periods import parse_period
from kpiboard.analysis.serialise import evaluation_to_json
from kpiboard.cli import main as kpiboard
from kpiboard.datafiles import read_dataset
from kpiboard.web.register.transfer import export

PERIODS = ("2024/25 Q2", "2024/25 Q1")


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    export(folder)
    return folder


def _cli(folder: Path, period: str, committee: str | None) -> dict[str, Any]:
    arguments = ["evaluate", str(folder), "--period", period, "--format", "json"]
    if committee:
        arguments += ["--committee", committee]
    result = CliRunner().invoke(kpiboard, arguments)
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.output)
    return payload


@pytest.mark.parametrize("period", PERIODS)
def test_equal_to_kpiboard_evaluate_on_an_export(api_as: Any, exported: Path, period: str) -> None:
    client = api_as("reader")
    committees = [c["id"] for c in client.get("/api/v1/committees").json()]
    assert committees
    for committee in [None, *committees]:
        query = f"?period={period}" + (f"&committee={committee}" if committee else "")
        response = client.get(f"/api/v1/evaluation{query}")
        assert response.status_code == 200
        expected = _cli(exported, period, committee)
        assert expected["indicators"], committee
        assert response.json() == expected, committee


def test_a_directorates_evaluation_is_the_engines_on_the_export(
    api_as: Any, exported: Path
) -> None:
    client = api_as("reader")
    dataset = read_dataset(exported)
    organisation = client.get("/api/v1/evaluation?period=2024-25-q2").json()
    seen = 0
    for directorate in client.get("/api/v1/directorates").json():
        code = directorate["id"]
        answer = client.get(f"/api/v1/evaluation?period=2024-25-q2&directorate={code}").json()
        period = parse_period(organisation["period"], None, 4)
        expected = evaluation_to_json(evaluate(dataset, period, directorate=code))
        seen += len(expected["indicators"])
        assert answer == json.loads(json.dumps(expected)), code
    assert seen == len(organisation["indicators"])  # every indicator is in one directorate


def test_the_scorecard_counts_the_evaluations_statuses(api_as: Any) -> None:
    client = api_as("reader")
    evaluation = client.get("/api/v1/evaluation?period=2024-25-q2&committee=srp").json()
    scorecard = client.get("/api/v1/scorecards/committee/srp?period=2024-25-q2").json()
    assert scorecard["period"] == "2024/25 Q2"
    assert [row["ref"] for row in scorecard["indicators"]] == [
        entry["ref"] for entry in evaluation["indicators"]
    ]
    counts = {line["status"]: line["count"] for line in scorecard["summary"]}
    for status, count in counts.items():
        assert count == sum(1 for e in evaluation["indicators"] if e["status"] == status)


def test_the_cached_text_is_sent_as_it_is_with_one_etag(api_as: Any, exported: Path) -> None:
    """The first read works the evaluation out and caches it; later reads send the cache's text
    without decoding it. Both are the same bytes, so the same ETag, and the same JSON as
    ``kpiboard evaluate`` on an export."""
    from kpiboard.web.register.models import EvaluationCache

    client = api_as("reader")
    query = "/api/v1/evaluation?period=2024-25-q2&committee=srp"
    EvaluationCache.objects.all().delete()
    first = client.get(query)
    assert EvaluationCache.objects.filter(scope="committee:srp").count() == 1
    again = client.get(query)
    assert first.status_code == again.status_code == 200
    assert again["Content-Type"] == "application/json; charset=utf-8"
    assert again["Content-Disposition"] == 'inline; filename="api.json"'
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again.json() == _cli(exported, "2024/25 Q2", "srp")
    unchanged = client.get(query, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304
    assert unchanged["ETag"] == first["ETag"]


@pytest.mark.django_db
def test_a_text_kept_in_the_process_serves_its_data_version_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Outside a transaction (a server's requests) the text is kept for the next read of the same
    data version, without reading the cache's row again; a change of the data is a new version,
    read afresh. (The tests run inside transactions, where nothing is kept; here it is.)"""
    import hashlib
    from collections import OrderedDict

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kpiboard.web import evaluation
    from kpiboard.web.register.models import Indicator

    monkeypatch.setattr(evaluation, "may_keep", lambda: True)
    monkeypatch.setattr(evaluation, "_SENT", OrderedDict())
    period = parse_period("2024/25 Q2")
    first = evaluation.evaluation_json_text(period, "srp")
    assert first.digest == hashlib.sha256(first.body).hexdigest()
    with CaptureQueriesContext(connection) as queries:
        again = evaluation.evaluation_json_text(period, "srp")
    assert again is first
    assert not [q for q in queries.captured_queries if "evaluationcache" in q["sql"].lower()]
    ref = json.loads(first.body)["indicators"][0]["ref"]
    indicator = Indicator.objects.get(ref=ref)
    indicator.name = "Renamed for this test"
    indicator.save()  # bumps the data version (register/signals.py)
    moved = evaluation.evaluation_json_text(period, "srp")
    assert moved.body != first.body
    assert json.loads(moved.body) == evaluation.evaluation_json(period, "srp")
    assert json.loads(moved.body)["indicators"][0]["name"] == "Renamed for this test"
