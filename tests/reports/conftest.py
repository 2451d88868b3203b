"""A demo council report pack, written once for the report tests that read it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kpiboard.analysis.evaluate import Evaluation, evaluate
from kpiboard.analysis.model import Dataset
from kpiboard.analysis.periods import parse_period
from kpiboard.analysis.serialise import evaluation_to_json
from kpiboard.datafiles import read_dataset
from kpiboard.reports.actions import report_actions
from kpiboard.reports.pack import PackResult, write_pack
from kpiboard.reports.proposals import proposal_appendix

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo-council"


@pytest.fixture(scope="session")
def demo_dataset() -> Dataset:
    return read_dataset(DEMO)


@pytest.fixture(scope="session")
def demo_evaluation(demo_dataset: Dataset) -> Evaluation:
    return evaluate(demo_dataset, parse_period("2024/25 Q2"), "srp")


@pytest.fixture(scope="session")
def demo_json(demo_evaluation: Evaluation) -> dict[str, Any]:
    return evaluation_to_json(demo_evaluation)


@pytest.fixture(scope="session")
def demo_pack(
    demo_dataset: Dataset, demo_evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory
) -> PackResult:
    """The srp committee's Q2 2024/25 pack in all four formats, with real charts, as
    `kpiboard report` makes it: the officer's narrative (examples/demo-council/reports/), the
    remedial actions and the appendix of proposed strategic indicators."""
    narrative = demo_dataset.narrative("srp", demo_evaluation.period)
    assert narrative is not None
    proposals = proposal_appendix(demo_dataset, demo_evaluation)
    assert proposals is not None
    return write_pack(
        demo_evaluation,
        tmp_path_factory.mktemp("pack"),
        narrative=narrative,
        actions=report_actions(demo_evaluation, demo_dataset.actions),
        proposals=proposals,
    )


@pytest.fixture(scope="session")
def neighbours_pack(tmp_path_factory: pytest.TempPathFactory) -> PackResult:
    """The ahc committee's pack as HTML: seven indicators, each with a neighbour chart."""
    evaluation = evaluate(read_dataset(DEMO), parse_period("2024/25 Q2"), "ahc")
    return write_pack(evaluation, tmp_path_factory.mktemp("neighbours"), ["html"])


@pytest.fixture(scope="session")
def organisation_pack(tmp_path_factory: pytest.TempPathFactory) -> PackResult:
    """The whole organisation's Q2 2024/25 PDF and Word document (srp's 13 indicators and
    ahc's 7)."""
    evaluation = evaluate(read_dataset(DEMO), parse_period("2024/25 Q2"))
    return write_pack(evaluation, tmp_path_factory.mktemp("organisation"), ["pdf", "docx"])


@pytest.fixture(scope="session")
def organisation_pdf(organisation_pack: PackResult) -> Path:
    return organisation_pack.files["pdf"]
