"""Re-imports as fast as imports (issue 16): replacing neighbour values is one DELETE, not a
signal a row, and an import bumps the data version once, whatever it changes."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpiboard.web.register import models
from kpiboard.web.register.apply import apply_plan
from kpiboard.web.register.transfer import plan_import, read_source
from web.conftest import DEMO

pytestmark = pytest.mark.django_db


def _with_neighbours_changed(folder: Path) -> int:
    """Every neighbour value of the demo's folder times 0.99; how many there are."""
    path = folder / "neighbours.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    value = rows[0].index("value")
    for row in rows[1:]:
        if row[value]:
            row[value] = f"{(Decimal(row[value]) * Decimal('0.99')).normalize():f}"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return len(rows) - 1


def test_replacing_every_neighbour_value_is_one_bump_and_no_row_by_row_delete(
    tmp_path: Path, people: dict[str, Any]
) -> None:
    folder = tmp_path / "changed"
    shutil.copytree(DEMO, folder)
    count = _with_neighbours_changed(folder)
    before = models.DataVersion.current()
    old = set(models.NeighbourValue.objects.values_list("pk", flat=True))
    assert len(old) == count  # the test database holds the demo's neighbour values
    plan = plan_import(read_source(folder), "changed")
    with CaptureQueriesContext(connection) as queries:
        apply_plan(plan, people["performance"])
    assert models.DataVersion.current() == before + 1
    bumps = [q for q in queries.captured_queries if "register_dataversion" in q["sql"].lower()]
    bumps = [q for q in bumps if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(bumps) == 1
    deletes = [
        q
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("DELETE") and "neighbourvalue" in q["sql"].lower()
    ]
    periods: dict[str, set[str]] = {}
    for ref, period, _ in plan.neighbour_periods:
        periods.setdefault(ref, set()).add(period)
    sets = {frozenset(labels) for labels in periods.values()}
    assert len(deletes) == len(sets) < count  # one per set of periods replaced, not one per row
    assert not old & set(models.NeighbourValue.objects.values_list("pk", flat=True))
    assert models.NeighbourValue.objects.count() == count
    values = models.NeighbourValue.objects.exclude(value=None).values_list("value", flat=True)
    source = read_source(folder)
    expected = sorted(
        n.value
        for by in source.neighbours.values()
        for ns in by.values()
        for n in ns
        if n.value is not None
    )
    assert sorted(v for v in values if v is not None) == expected


def test_an_import_that_fails_leaves_the_version_as_it_was(
    tmp_path: Path, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpiboard.web.register import apply

    folder = tmp_path / "changed"
    shutil.copytree(DEMO, folder)
    _with_neighbours_changed(folder)
    plan = plan_import(read_source(folder), "changed")
    before = models.DataVersion.current()

    def fail(*args: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(apply, "apply_narratives", fail)
    with pytest.raises(RuntimeError):
        apply_plan(plan, people["performance"])
    assert models.DataVersion.current() == before
