"""The register's strategic flag (issue 17): set in the indicator form, shown and filtered in the
register, and carried by export and import as indicators.csv's ``x_strategic``."""

from __future__ import annotations

import csv
import filecmp
import shutil
from pathlib import Path
from typing import Any

import pytest

from kpiboard.datafiles import read_dataset
from kpiboard.web.register import models
from kpiboard.web.register.apply import apply_plan
from kpiboard.web.register.dataset import build_dataset
from kpiboard.web.register.transfer import export, plan_import, read_source
from web.conftest import DEMO

pytestmark = pytest.mark.django_db


def _flag(*refs: str) -> None:
    models.Indicator.objects.filter(ref__in=refs).update(strategic=True)


def _column(folder: Path, name: str) -> dict[str, str]:
    with (folder / "indicators.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["ref"]: row.get(name, "") for row in csv.DictReader(handle)}


def _same_files(first: Path, second: Path) -> None:
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(
        p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file()
    )
    _match, mismatch, errors = filecmp.cmpfiles(first, second, names, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_the_flag_is_written_as_x_strategic_and_read_by_the_engine(tmp_path: Path) -> None:
    _flag("182", "190")
    export(tmp_path / "out")
    column = _column(tmp_path / "out", "x_strategic")
    assert {ref for ref, value in column.items() if value} == {"182", "190"}
    assert column["182"] == "true"
    engine = read_dataset(tmp_path / "out")
    assert {i.ref for i in engine.indicators if i.strategic} == {"182", "190"}
    in_web = build_dataset()
    assert {i.ref for i in in_web.indicators if i.strategic} == {"182", "190"}


def test_the_flag_round_trips_through_export_and_import(tmp_path: Path) -> None:
    _flag("182", "214")
    export(tmp_path / "first")
    models.Indicator.objects.update(strategic=False)
    plan = plan_import(read_source(tmp_path / "first"), "first")
    assert dict(plan.changed_indicators) == {
        "182": ['strategic none -> "true"'],
        "214": ['strategic none -> "true"'],
    }
    apply_plan(plan, None)
    assert set(models.Indicator.objects.filter(strategic=True).values_list("ref", flat=True)) == {
        "182",
        "214",
    }
    # The flag lives in its own field, not among the extra columns.
    assert not models.Indicator.objects.filter(extra__has_key="x_strategic").exists()
    export(tmp_path / "second")
    _same_files(tmp_path / "first", tmp_path / "second")
    assert plan_import(read_source(tmp_path / "first"), "again").empty


def test_a_folder_saying_true_flags_it_and_false_or_an_empty_cell_clears_it(
    tmp_path: Path,
) -> None:
    _flag("183", "184")
    folder = tmp_path / "data"
    shutil.copytree(DEMO, folder)
    path = folder / "indicators.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[0].append("x_strategic")
    for row in rows[1:]:
        row.append({"187": "true", "184": "false"}.get(row[0], ""))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    apply_plan(plan_import(read_source(folder), "data"), None)
    flagged = set(models.Indicator.objects.filter(strategic=True).values_list("ref", flat=True))
    assert flagged == {"187"}  # 183's cell is empty and 184's false: neither is strategic
    history = models.Indicator.objects.get(ref="187").history.order_by("-history_date")
    assert history[0].strategic is True
    assert history[1].strategic is False


def _post(client: Any, path: str, data: dict[str, Any]) -> Any:
    token = client.get("/register/").cookies["csrftoken"].value
    return client.post(path, {**data, "csrfmiddlewaretoken": token})


def test_the_form_sets_the_flag_and_the_register_filters_on_it(client_as: Any) -> None:
    client = client_as("performance")
    row = models.Indicator.objects.get(ref="212")
    form = client.get("/register/212/edit/").content.decode()
    assert "Strategic KPI" in form
    data: dict[str, Any] = {
        field: getattr(row, field)
        for field in (
            "ref",
            "name",
            "unit",
            "decimals",
            "direction",
            "frequency",
            "aggregation",
            "cumulative",
            "category",
            "owner",
        )
    }
    data.update(
        committees=[str(pk) for pk in row.committees.values_list("pk", flat=True)],
        ambitions=[str(pk) for pk in row.ambitions.values_list("pk", flat=True)],
        directorate=str(row.directorate_id),
        tolerance_mode=row.tolerance_mode,
        strategic="on",
        version=str(row.version),
    )
    if row.national_definition:
        data["national_definition"] = "on"
    answer = _post(client, "/register/212/edit/", data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    row.refresh_from_db()
    assert row.strategic is True
    assert row.history.latest().history_user.username == "perf"
    page = client.get("/register/212/").content.decode()
    assert 'id="strategic">Yes' in page
    filtered = client.get("/register/?strategic=yes").content.decode()
    assert 'href="/register/212/' in filtered
    assert 'href="/register/182/' not in filtered
    assert "1 indicator<" in filtered
    everything = client.get("/register/").content.decode()
    assert 'href="/register/182/' in everything
