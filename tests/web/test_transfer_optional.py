"""Import and export carry actions.csv and breakdowns.csv: the demo's rows come back out as they
went in, a changed action or group figure is planned and applied (audited), nothing is deleted."""

from __future__ import annotations

import shutil
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from kpiboard.web.collection.models import Return, ReturnBreakdown
from kpiboard.web.register import models
from kpiboard.web.register.apply import apply_plan
from kpiboard.web.register.dataset import build_dataset
from kpiboard.web.register.transfer import export, plan_import, read_source
from web.conftest import DEMO

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_demo_folders_actions_and_breakdowns(tmp_path: Path) -> None:
    export(tmp_path / "out")
    for name in ("actions.csv", "breakdowns.csv"):
        ours = (tmp_path / "out" / name).read_text(encoding="utf-8-sig").splitlines()
        given = (DEMO / name).read_text(encoding="utf-8-sig").splitlines()
        assert ours == given, name


def test_the_demo_import_puts_each_group_on_its_months_return() -> None:
    july = Return.objects.get(indicator__ref="190", period="2024-07")
    assert [(b.group, b.numerator, b.denominator) for b in july.breakdowns.all()] == [
        ("Registration", D(390), D(500)),
        ("Education Transport", D(410), D(500)),
        ("Highways", D(1300), D(1500)),
        ("Blue Badges", D(700), D(800)),
        ("Other services", D(2306), D(2700)),
    ]
    actions = models.RemedialAction.objects.filter(indicator__ref="182").order_by("due")
    assert [(a.period, a.state, str(a.due)) for a in actions] == [
        ("2024/25 Q2", "in_progress", "2025-01-31"),
        ("2024/25 Q2", "planned", "2025-03-31"),
    ]


def test_the_databases_dataset_has_the_actions_and_breakdowns_of_the_folder() -> None:
    folder = read_source(DEMO)
    database = build_dataset()
    assert database.actions == folder.actions
    assert database.breakdowns == folder.breakdowns


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_changed_and_new_rows_are_planned_then_applied_as_the_importer(
    tmp_path: Path, people: dict[str, Any]
) -> None:
    folder = tmp_path / "changed"
    shutil.copytree(DEMO, folder)
    _edit(folder / "actions.csv", "2025-03-31,planned", "2025-03-31,in_progress")
    with (folder / "actions.csv").open("a", encoding="utf-8") as out:
        out.write("214,2024/25 Q2,Exit interviews for every leaver,Head of HR,2025-02-28,\n")
    _edit(
        folder / "breakdowns.csv",
        "190,2024-07,Highways,,1300,1500,",
        "190,2024-07,Highways,,1300,1500,Roadworks",
    )
    before = {
        "actions": models.RemedialAction.objects.count(),
        "groups": ReturnBreakdown.objects.count(),
    }

    plan = plan_import(read_source(folder), "changed")
    assert plan.new_actions == [("214", "2024/25 Q2", "Exit interviews for every leaver")]
    assert [(r, p) for r, p, _ in plan.changed_actions] == [("182", "2024/25 Q2")]
    assert plan.new_breakdowns == []
    assert plan.changed_breakdowns == [("190", "2024-07", "Highways")]
    assert plan.counts()["new actions"] == 1
    assert any(
        line.startswith("Changed breakdown figure: 190 2024-07 Highways") for line in plan.lines()
    )
    assert models.RemedialAction.objects.count() == before["actions"]  # a plan changes nothing

    apply_plan(plan, people["performance"])
    assert models.RemedialAction.objects.count() == before["actions"] + 1
    assert ReturnBreakdown.objects.count() == before["groups"]  # updated, not added
    changed = models.RemedialAction.objects.get(indicator__ref="182", due="2025-03-31")
    assert (changed.state, changed.version) == ("in_progress", 2)
    assert changed.history.latest().history_user == people["performance"]
    new = models.RemedialAction.objects.get(indicator__ref="214")
    assert (new.state, new.who, new.created_by) == ("planned", "Head of HR", people["performance"])
    highways = ReturnBreakdown.objects.get(return_row__period="2024-07", group="Highways")
    assert highways.note == "Roadworks"
    assert highways.history.latest().history_user == people["performance"]
    assert plan_import(read_source(folder), "again").empty


def test_groups_for_a_period_without_a_figure_get_an_empty_approved_return(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "later"
    shutil.copytree(DEMO, folder)
    with (folder / "breakdowns.csv").open("a", encoding="utf-8") as out:
        out.write("190,2024-10,Registration,70,,,\n")
    apply_plan(plan_import(read_source(folder), "later"), None)
    october = Return.objects.get(indicator__ref="190", period="2024-10")
    assert october.state == "approved"
    assert not october.has_figure
    assert [(b.group, b.value) for b in october.breakdowns.all()] == [("Registration", D(70))]
    assert "2024-10" not in {str(o.period) for o in build_dataset().observations["190"]}


def test_an_import_without_the_optional_files_deletes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "without"
    shutil.copytree(DEMO, folder)
    (folder / "actions.csv").unlink()
    (folder / "breakdowns.csv").unlink()
    actions, groups = models.RemedialAction.objects.count(), ReturnBreakdown.objects.count()
    plan = plan_import(read_source(folder), "without")
    assert plan.empty
    apply_plan(plan, None)
    assert (models.RemedialAction.objects.count(), ReturnBreakdown.objects.count()) == (
        actions,
        groups,
    )
    assert actions == 3
    assert groups == 15
