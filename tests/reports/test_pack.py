"""Whole packs: every format from one model, for committees, directorates and the organisation."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from builders import dataset, indicator, observation, period, series, target
from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.model import Commentary, Dataset
from kpiboard.reports.pack import write_pack

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo-council"
HOSTILE_NAME = '=HYPERLINK("http://evil.example","Café ñ — Ŵ") <b>bold</b>'


def _hostile() -> Dataset:
    """Markup, formula-like text, non-ASCII, very long commentary, and an indicator with no data."""
    return dataset(
        [indicator("1", name=HOSTILE_NAME), indicator("@2", name="+Nothing recorded yet -1")],
        observations=series("2023-04", [70 + i % 5 for i in range(18)]),
        targets=[target("2023/24", 72)],
        commentary=[
            Commentary(
                ref="1",
                period=period("2024/25 Q2"),
                text="<script>alert(1)</script> -1+1 " + "A very long commentary. " * 1500,
            )
        ],
    )


def report_command(*args: str) -> subprocess.CompletedProcess[str]:
    """``kpiboard report`` on the demo council for 2024/25 Q2, with ``args`` added."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kpiboard.cli",
            "report",
            str(DEMO),
            "--period",
            "2024/25 Q2",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_hostile_text_renders_safely_in_every_format(tmp_path: Path) -> None:
    evaluation = evaluate(_hostile(), period("2024/25 Q2"))
    result = write_pack(evaluation, tmp_path)
    assert set(result.files) == {"html", "pdf", "docx", "xlsx"}
    html = result.files["html"].read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "<b>bold</b>" not in html
    assert "Café ñ — Ŵ" in html
    text = " ".join(page.extract_text() or "" for page in PdfReader(result.files["pdf"]).pages)
    assert "Café ñ — Ŵ" in text
    assert "No data" in text  # the indicator with no figures at all
    sheet = load_workbook(result.files["xlsx"])["Dashboard"]
    names = [cell.value for cell in sheet["B"]]
    assert HOSTILE_NAME in names
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_organisation_scope_breaks_the_summary_down_by_directorate(tmp_path: Path) -> None:
    done = report_command("--scope", "organisation", "--out", str(tmp_path), "--formats", "html")
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Status of indicators by directorate, 2024/25 Q2" in html
    assert "Strategy and Partnerships" in html
    assert "Adults, Health and Commissioning" in html
    assert "Current performance of the 20 indicators in this report" in html


def test_directorate_scope_and_its_breakdown_by_committee(tmp_path: Path) -> None:
    from kpiboard.datafiles import read_dataset

    evaluation = evaluate(read_dataset(DEMO), period("2024/25 Q2"), directorate="asc")
    assert {r.ref for r in evaluation.indicators} == {f"ASC{i}" for i in range(1, 8)}
    result = write_pack(evaluation, tmp_path, ["html", "xlsx"])
    html = result.files["html"].read_text(encoding="utf-8")
    assert "Status of indicators by committee, 2024/25 Q2" in html
    assert "Adults and Health Committee" in html
    summary = load_workbook(result.files["xlsx"])["Summary"]
    counts = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
    assert counts.get("Contextual") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--formats", "html,odt"], "--formats: 'odt' is not a format"),
        (["--scope", "galaxy"], "--scope: 'galaxy' is not a scope"),
        (["--scope", "directorate:nope"], "unknown directorate 'nope'"),
    ],
)
def test_bad_report_arguments_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    done = report_command("--out", str(tmp_path), *args)
    assert done.returncode == 2
    assert message in done.stderr


def test_value_text_matches_the_evaluation(tmp_path: Path) -> None:
    """A value of 81 shows as 81.0% in the HTML card, from the same evaluation as the JSON."""
    data = dataset(
        [indicator("1")],
        observations=[observation("2024/25 Q2", 81)],
        targets=[target("2024/25", 90)],
    )
    data = Dataset(
        organisation=data.organisation,
        indicators=(indicator("1", frequency=period("2024/25 Q2").frequency),),
        targets=data.targets,
        observations=data.observations,
        neighbours={},
        commentary={},
    )
    evaluation = evaluate(data, period("2024/25 Q2"))
    assert evaluation.indicators[0].value is not None
    assert evaluation.indicators[0].value.value == Decimal(81)
    html = write_pack(evaluation, tmp_path, ["html"]).files["html"].read_text(encoding="utf-8")
    assert "81.0% for 2024/25 Q2 (July to September 2024)" in html
    assert 'status--red">Red' in html


def test_progress_is_told_of_every_cards_charts_and_every_file(
    demo_evaluation: Any, tmp_path: Path
) -> None:
    told: list[tuple[str, int, int]] = []
    write_pack(demo_evaluation, tmp_path, ["html", "xlsx"], progress=lambda *a: told.append(a))
    cards = len(demo_evaluation.indicators)  # 13 in the srp committee's report
    charts = [done for what, done, total in told if what == "charts" and total == cards]
    files = [(done, total) for what, done, total in told if what == "files"]
    assert charts == sorted(set(charts)), "each count larger than the one before"
    assert charts[-1] == cards
    assert all(total == cards for what, _, total in told if what == "charts")
    assert files == [(1, 2), (2, 2)]


def test_bad_formats_are_refused_before_the_pdf_process_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--formats pdf,odt`` names a PDF, but is refused before a PDF process is forked for it."""
    from click.testing import CliRunner

    from kpiboard.cli import main
    from kpiboard.reports import pdf_process

    def forked() -> None:
        raise AssertionError("a PDF process was started for formats that are refused")

    monkeypatch.setattr(pdf_process, "pdf_process", forked)
    arguments = ["report", str(DEMO), "--period", "2024/25 Q2", "--committee", "srp"]
    result = CliRunner().invoke(main, [*arguments, "--out", str(tmp_path), "--formats", "pdf,odt"])
    assert result.exit_code == 2, result.output
    assert "--formats: 'odt' is not a format" in result.output
    assert not any(tmp_path.iterdir())
