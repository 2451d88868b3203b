"""Proposal rounds between the database and the Dataset (issue 17): what the web stores is what
a data folder's proposals/ files hold, an import of them is planned, applied all or nothing and
audited, and a round trip changes nothing."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kpiboard.analysis.model import Direction, Target, Unit
from kpiboard.analysis.periods import Frequency, parse_period
from kpiboard.analysis.proposals import (
    Proposal,
    ProposalComment,
    ProposalRound,
    ProposalState,
    RoundState,
)
from kpiboard.cli import main
from kpiboard.datafiles import read_dataset
from kpiboard.web.proposals import models as rows
from kpiboard.web.register import models
from kpiboard.web.register.apply import apply_plan
from kpiboard.web.register.dataset import build_dataset
from kpiboard.web.register.proposal_data import stored_proposals
from kpiboard.web.register.transfer import export, plan_import, read_source
from web.conftest import DEMO

pytestmark = pytest.mark.django_db

ROUND = ProposalRound(
    "skpi-test",
    "Strategic KPIs for 2026/27",
    RoundState.CLOSED,
    parse_period("2025/26 Q2"),
    date(2025, 10, 1),
    date(2026, 2, 20),
)
PROPOSALS = (
    Proposal(
        round="skpi-test",
        ref="T-1",
        name="Households in temporary accommodation",
        directorate="pnt",
        unit=Unit.NUMBER,
        direction=Direction.LOWER,
        frequency=Frequency.QUARTER,
        committees=("srp", "ahc"),
        description="Households placed in temporary accommodation at the end of the quarter.",
        rationale="The largest pressure on the housing budget.",
        owner="mark.ellison@example.gov.uk",
        decimals=0,
        target=Decimal("140"),
        start=parse_period("2026/27 Q1"),
        state=ProposalState.ADOPTED,
        decided_by="srp",
        decided_on=date(2026, 2, 12),
        amendment="Target 140, not 150",
        amendment_reason="Members asked for the target of the housing strategy.",
    ),
    Proposal(
        round="skpi-test",
        ref="T-2",
        name="Invoices paid within 30 days",
        directorate="fin",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        frequency=Frequency.MONTH,
        committees=("srp",),
        state=ProposalState.PROPOSED,
    ),
)
COMMENTS = (
    ProposalComment("skpi-test", "T-1", "srp", date(2025, 11, 20), "Why not 120?", ""),
    ProposalComment("skpi-test", "T-1", "srp", date(2025, 11, 20), "Show it by district.", "Yes"),
    ProposalComment("skpi-test", "T-2", "ahc", date(2025, 11, 13), "Welcome it.", ""),
)


def _ours(items: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(item for item in items if getattr(item, "round", None) == "skpi-test")


def _with_test_round() -> None:
    dataset = build_dataset(lifecycle=models.Lifecycle.values, with_register_columns=True)
    dataset = replace(
        dataset,
        rounds=(*dataset.rounds, ROUND),
        proposals=(*dataset.proposals, *PROPOSALS),
        proposal_comments=(*dataset.proposal_comments, *COMMENTS),
    )
    plan = plan_import(dataset, "in code")
    assert plan.new_rounds == ["skpi-test"]
    assert plan.new_proposals == [("skpi-test", "T-1"), ("skpi-test", "T-2")]
    assert len(plan.new_comments) == 3
    assert "New comment: skpi-test T-1: srp on 2025-11-20 (2)" in list(plan.lines())
    assert plan.counts()["new proposals"] == 2
    apply_plan(plan, None)


def test_what_an_import_stores_is_what_the_database_gives_back() -> None:
    _with_test_round()
    rounds, proposals, comments = stored_proposals(4)
    assert [r for r in rounds if r.id == "skpi-test"] == [ROUND]
    assert _ours(proposals) == PROPOSALS
    assert _ours(comments) == COMMENTS
    stored = rows.Proposal.objects.get(ref="T-1")
    through = rows.Proposal.committees.through.objects.filter(proposal=stored).order_by("pk")
    assert list(through.values_list("committee__code", flat=True)) == ["srp", "ahc"]
    assert stored.decided_by is not None
    assert stored.decided_by.code == "srp"
    assert str(stored.target) == "140"
    assert stored.start == "2026/27 Q1"
    # Nothing else would change on a second import of the same.
    again = build_dataset(lifecycle=models.Lifecycle.values, with_register_columns=True)
    assert plan_import(again, "again").empty


def test_a_changed_response_is_a_change_audited_as_the_importer(people: dict[str, object]) -> None:
    _with_test_round()
    dataset = build_dataset(lifecycle=models.Lifecycle.values, with_register_columns=True)
    answered = tuple(
        replace(c, response="The housing strategy's target is 120 by 2028.")
        if c.comment == "Why not 120?"
        else c
        for c in dataset.proposal_comments
    )
    plan = plan_import(replace(dataset, proposal_comments=answered), "answered")
    assert plan.changed_comments == [("skpi-test", "T-1", "srp", "2025-11-20", 1)]
    assert plan.new_comments == []
    assert [line for line in plan.lines() if "comment" in line.lower()] == [
        "Changed comment: skpi-test T-1: srp on 2025-11-20"
    ]
    apply_plan(plan, people["performance"])
    row = rows.ProposalComment.objects.get(comment="Why not 120?")
    assert row.response == "The housing strategy's target is 120 by 2028."
    assert row.version == 2
    latest = row.history.latest()
    assert latest.history_user == people["performance"]
    assert row.history.count() == 2
    # The second comment of the same meeting was left as it was.
    assert rows.ProposalComment.objects.get(comment="Show it by district.").version == 1


def test_an_import_failing_in_its_proposals_writes_nothing() -> None:
    """All or nothing: a proposal naming a committee the database lacks fails the import after
    its targets were written, and the targets go too."""
    dataset = build_dataset(lifecycle=models.Lifecycle.values, with_register_columns=True)
    targets = dict(dataset.targets)
    first = next(iter(targets))
    targets[first] = (*targets[first], Target(first, parse_period("2030/31"), Decimal("1")))
    broken = replace(PROPOSALS[1], ref="T-9", decided_by="nope")
    source = replace(
        dataset, targets=targets, rounds=(ROUND,), proposals=(broken,), proposal_comments=()
    )
    plan = plan_import(source, "broken")
    with pytest.raises(KeyError):
        apply_plan(plan, None)
    assert not models.Target.objects.filter(start="2030/31").exists()
    assert not rows.ProposalRound.objects.filter(code="skpi-test").exists()


def test_the_demo_folder_imported_again_changes_no_proposal() -> None:
    """Committees and ambitions keep the file's order (SKPI-ASC-1 consults ahc, then srp)."""
    plan = plan_import(read_source(DEMO), "demo")
    assert (plan.changed_rounds, plan.changed_proposals, plan.changed_comments) == ([], [], [])
    stored = rows.Proposal.objects.get(ref="SKPI-ASC-1")
    first = stored.history.earliest("history_date")
    assert first.history_type == "+"  # one record made with its links, not one per link
    assert stored.history.count() == 1
    assert sorted(link.committee.code for link in first.committees.all()) == ["ahc", "srp"]


def test_export_then_import_of_proposals_changes_nothing(tmp_path: Path) -> None:
    _with_test_round()
    export(tmp_path / "first")
    folder = read_dataset(tmp_path / "first")
    assert _ours(folder.proposals) == PROPOSALS
    assert _ours(folder.proposal_comments) == COMMENTS
    rows.ProposalRound.objects.all().delete()
    plan = plan_import(read_source(tmp_path / "first"), "first")
    assert "skpi-test" in plan.new_rounds
    apply_plan(plan, None)
    export(tmp_path / "second")
    for name in ("rounds.csv", "proposals.csv", "comments.csv"):
        first = (tmp_path / "first" / "proposals" / name).read_bytes()
        assert first == (tmp_path / "second" / "proposals" / name).read_bytes(), name
    assert plan_import(read_source(tmp_path / "second"), "again").empty


def _edited_export(tmp_path: Path) -> Path:
    """An export of the database with the demo round's first comment answered differently and
    ASC5's rationale reworded."""
    folder = tmp_path / "edited"
    export(folder)
    comments = folder / "proposals" / "comments.csv"
    with comments.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    table[1][5] = "Officers will report the figure by locality from April."
    with comments.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)
    proposals = folder / "proposals" / "proposals.csv"
    with proposals.open(encoding="utf-8-sig", newline="") as handle:
        rows_in = list(csv.DictReader(handle))
    for row in rows_in:
        if row["ref"] == "ASC5":
            row["rationale"] = "Reablement keeps people independent for longer."
    with proposals.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows_in[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows_in)
    return folder


def test_kpiboard_import_applies_changed_proposals_and_comments_as_its_user(
    tmp_path: Path, people: dict[str, object]
) -> None:
    first = rows.ProposalComment.objects.select_related("proposal").order_by("position").first()
    assert first is not None  # the demo council's round has comments
    folder = _edited_export(tmp_path)
    dry = CliRunner().invoke(main, ["import", str(folder), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Changed proposal: skpi-2025-26 ASC5" in dry.output
    assert f"Changed comment: skpi-2025-26 {first.proposal.ref}: " in dry.output
    assert "1 changed proposals" in dry.output
    done = CliRunner().invoke(main, ["import", str(folder), "--user", "perf"])
    assert done.exit_code == 0, done.output
    first.refresh_from_db()
    assert first.response == "Officers will report the figure by locality from April."
    assert first.history.latest().history_user == people["performance"]
    asc5 = rows.Proposal.objects.get(ref="ASC5")
    assert asc5.rationale == "Reablement keeps people independent for longer."
    assert asc5.history.latest().history_user == people["performance"]
    run = models.ImportRun.objects.latest("created")
    assert run.summary["changed proposals"] == 1
    assert run.summary["changed proposal comments"] == 1


def test_an_uploaded_zip_carries_proposals_through_preview_and_confirm(
    tmp_path: Path, client_as: Any
) -> None:
    folder = _edited_export(tmp_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"data/{path.relative_to(folder).as_posix()}")
    buffer.seek(0)
    buffer.name = "edited.zip"
    client = client_as("performance")
    token = client.get("/register/import/").cookies["csrftoken"].value
    preview = client.post("/register/import/", {"file": buffer, "csrfmiddlewaretoken": token})
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "Changed proposal: skpi-2025-26 ASC5" in text
    assert rows.Proposal.objects.get(ref="ASC5").rationale != (
        "Reablement keeps people independent for longer."
    )
    done = client.post("/register/import/confirm/", {"csrfmiddlewaretoken": token})
    assert done.status_code == 302
    asc5 = rows.Proposal.objects.get(ref="ASC5")
    assert asc5.rationale == "Reablement keeps people independent for longer."
    assert asc5.history.latest().history_user.username == "perf"
