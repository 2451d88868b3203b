"""Remedial actions in a pack made from a data folder (actions.csv), as the web app's packs show
them: an indicator's actions raised in or before the reporting period, by due date, with state."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner

from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.model import ActionState, RemedialAction
from kpiboard.analysis.periods import Period, parse_period
from kpiboard.cli import main
from kpiboard.datafiles import read_dataset
from kpiboard.reports.actions import report_actions
from kpiboard.reports.model import Action

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-council"


def test_actions_raised_by_the_end_of_the_period_are_listed_by_due_date() -> None:
    dataset = read_dataset(DEMO)
    evaluation = evaluate(dataset, parse_period("2024/25 Q2"), "srp")
    q2, q3 = Period.quarter(2024, 2), Period.quarter(2024, 3)
    actions = {
        "182": [
            RemedialAction("182", q2, "Later", date(2025, 3, 1), "B", ActionState.DONE),
            RemedialAction("182", q3, "Not yet raised", date(2024, 12, 1), "C"),
            RemedialAction("182", q2, "Sooner", date(2024, 11, 1), "A", ActionState.DROPPED),
        ],
        "ASC1": [RemedialAction("ASC1", q2, "Not in this committee", date(2024, 12, 1))],
    }
    assert report_actions(evaluation, actions) == {
        "182": [
            Action("Sooner", "A", date(2024, 11, 1), "Dropped"),
            Action("Later", "B", date(2025, 3, 1), "Done"),
        ]
    }


def test_the_demo_councils_folder_pack_shows_its_actions(tmp_path: Path) -> None:
    """examples/demo-council/actions.csv: two actions on 182 (Red), one on 190 raised in Q1."""
    out = tmp_path / "pack"
    arguments = ["report", str(DEMO), "--period", "2024/25 Q2", "--committee", "srp"]
    result = CliRunner().invoke(main, [*arguments, "--out", str(out), "--formats", "html"])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Remedial actions" in html
    assert "Publish pothole data on the website" in html
    assert "by 31 January 2025; in progress" in html
    assert "Registration Service" in html.split("Complete the", 1)[1][:40]
