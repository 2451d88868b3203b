"""Report runs and publication: the performance team prepares, generates and publishes a report;
a publication never changes afterwards; a figure corrected later is recorded as a revision and
noted in the next report; a withdrawn report stays on record beside its replacement.

Most tests draw no charts: ``fake_pack`` stands in for kpiboard.reports.pack.write_pack with
small files that carry the report's front matter and values. The journey through the database
task backend and its worker writes the real pack, and compares the published bytes before and
after a correction.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import signal
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from kpiboard.analysis.periods import parse_period
from kpiboard.reports import pack
from kpiboard.reports.model import build_report
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.evaluation import evaluation_json
from kpiboard.web.register.apply import apply_plan
from kpiboard.web.register.transfer import plan_import, read_source
from kpiboard.web.reporting import services
from kpiboard.web.reporting.models import (
    Publication,
    PublishedFigure,
    PublishedFile,
    ReportFile,
    ReportRun,
    Revision,
    RunState,
)
from web.conftest import DEMO

Q2 = "2024/25 Q2"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
#: Seconds the fake pack takes for each card and file (a test that watches its progress sets it).
PACK_PAUSE = 0.0
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TEAM = ("administrator", "performance")
OTHERS = ("owner", "reader", "no_role")


# -- helpers -------------------------------------------------------------------------------------


def fake_write_pack(
    evaluation: Any,
    out: Path,
    formats: Any = pack.FORMATS,
    *,
    template: Path | None = None,
    actions: Any = None,
    narrative: Any = None,
    data_version: str | None = None,
    progress: Any = None,
    proposals: Any = None,
) -> pack.PackResult:
    """write_pack's files, each a small JSON document: the report's cover, every value and the
    refs of the appendix of proposals; ``progress`` told of each card and file as write_pack
    tells it."""
    report = build_report(evaluation, actions, narrative, proposals)
    result = pack.PackResult(report)
    out.mkdir(parents=True, exist_ok=True)
    if progress is not None:
        for done in range(1, len(report.cards) + 1):
            progress("charts", done, len(report.cards))
            time.sleep(PACK_PAUSE)
    for number, name in enumerate(formats, 1):
        if progress is not None:
            progress("files", number, len(formats))
            time.sleep(PACK_PAUSE)
        path = out / pack.FILE_NAMES[name]
        path.write_text(
            json.dumps(
                {
                    "format": name,
                    "to": report.front_matter.to,
                    "meeting_date": report.front_matter.meeting_date,
                    "executive_summary": report.front_matter.executive_summary,
                    "values": {
                        r.ref: str(r.value.value) if r.value else None
                        for r in evaluation.indicators
                    },
                    "proposals": [e.ref for e in proposals.entries] if proposals else [],
                }
            ),
            encoding="utf-8",
        )
        result.files[name] = path
    return result


@pytest.fixture
def fake_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pack, "write_pack", fake_write_pack)


@pytest.fixture
def immediate(settings: Any) -> None:
    """Tasks run at once, in the request (django-tasks' immediate backend)."""
    settings.TASKS = IMMEDIATE


def published(scope: str, user: Any, period: str = Q2) -> Publication:
    run = services.run_create(scope_text=scope, period_text=period, user=user)
    services.run_generate(run=run)
    return services.run_publish(run=run, user=user)


def approved(ref: str, period: str) -> Return:
    return Return.objects.get(indicator__ref=ref, period=period, state=ReturnState.APPROVED)


def correct(ref: str, period: str, value: str, user: Any) -> None:
    """The performance team corrects an approved figure (as the admin or a script would)."""
    item = approved(ref, period)
    item.value = Decimal(value)
    item.reviewed_by = user
    item._history_user = user  # type: ignore[attr-defined]
    item.save()


def signed_in(user: Any) -> Client:
    """A client signed in as ``user`` (CSRF is tested by the browser journey)."""
    client = Client()
    client.force_login(user)
    return client


def file_bytes(publication: Publication) -> dict[str, bytes]:
    return {
        item.format: bytes(item.content)
        for item in PublishedFile.objects.filter(publication=publication)
    }


def downloads(client: Client, publication: Publication) -> dict[str, bytes]:
    found = {}
    for name in pack.FORMATS:
        response = client.get(f"/published/{publication.pk}/files/{name}/")
        assert response.status_code == 200, name
        found[name] = response.content
    return found


# -- front matter --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (
            "committee:srp",
            {
                "to": "Strategy, Resources and Performance Committee",
                "meeting_date": "2024-12-17",
                "from": "Executive Director of Strategy and Partnerships",
                "officer_name": "Alex Morgan",
                "officer_email": "alex.morgan@example.gov.uk",
                "key_decision": "No",
            },
        ),
        (
            "directorate:fin",
            {
                # No [report.fin] table: a scorecard, not a committee paper, so no committee
                # lines and no "To be confirmed" (issue 12: empty lines are left out).
                "to": "",
                "meeting_date": "",
                "from": "",
                "officer_name": "",
                "electoral_divisions": "",
                "recommendation": "",
            },
        ),
    ],
)
def test_front_matter_is_prefilled_from_the_organisations_report_table(
    people: dict[str, Any], scope: str, expected: dict[str, str]
) -> None:
    """[report.srp] of organisation.toml fills in the SRP committee's cover; a scope without a
    table gets the pack's own defaults, so the form shows what the report would print."""
    run = services.run_create(scope_text=scope, period_text=Q2, user=people["performance"])
    assert {key: run.front_matter[key] for key in expected} == expected
    assert run.front_matter["executive_summary"].startswith(
        f"This report provides an update to the {expected['to']}"
        if expected["to"]
        else "This report sets out the performance of Finance and Resources"
    )
    assert (
        "quarter 2 of 2024/25 (1 July to 30 September 2024)"
        in run.front_matter["executive_summary"]
    )
    assert run.period == Q2
    assert run.state == RunState.DRAFT


@pytest.mark.parametrize(
    ("scope", "period", "message"),
    [
        ("committee:nope", Q2, "there is no committee 'nope'"),
        ("team:srp", Q2, "is not a scope"),
        ("committee:srp", "Q9 2024", "is not a reporting period"),
    ],
)
def test_a_run_for_an_unknown_scope_or_period_is_refused(
    people: dict[str, Any], scope: str, period: str, message: str
) -> None:
    with pytest.raises(services.ReportingError, match=message):
        services.run_create(scope_text=scope, period_text=period, user=people["performance"])
    assert not ReportRun.objects.exists()


def test_the_front_matter_reaches_the_pack_with_the_meeting_date_in_words(
    people: dict[str, Any], fake_pack: None, immediate: None
) -> None:
    """The team's front matter is what the generated pack prints (laid over [report.srp])."""
    client = signed_in(people["performance"])
    response = client.post("/reports/", {"scope": "committee:srp", "period": "2024-25 Q2"})
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{run.pk}/"
    page = client.get(f"/reports/{run.pk}/")
    assert 'value="Alex Morgan"' in page.content.decode()
    form = {
        "version": run.version,
        **{("from_" if key == "from" else key): value for key, value in run.front_matter.items()},
        "meeting_date": "2025-01-21",
        "to": "Strategy, Resources and Performance Committee (special meeting)",
    }
    assert client.post(f"/reports/{run.pk}/", form).status_code == 302
    run.refresh_from_db()
    assert run.front_matter["meeting_date"] == "2025-01-21"
    assert client.post(f"/reports/{run.pk}/generate/").status_code == 302
    run.refresh_from_db()
    assert run.state == RunState.GENERATED
    assert run.progress == 100
    cover = json.loads(bytes(ReportFile.objects.get(run=run, format="html").content))
    assert cover["to"] == "Strategy, Resources and Performance Committee (special meeting)"
    assert cover["meeting_date"] == "21 January 2025"


def test_a_front_matter_form_with_a_mistake_is_shown_again_with_the_error(
    people: dict[str, Any],
) -> None:
    run = services.run_create(scope_text="committee:srp", period_text=Q2, user=None)
    form = {"version": run.version, **run.front_matter, "from_": "", "to": ""}
    form["officer_email"] = "alex.morgan at example"
    response = signed_in(people["performance"]).post(f"/reports/{run.pk}/", form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_officer_email"' in html
    assert 'href="#id_to"' not in html  # an empty line is allowed: the report leaves it out
    run.refresh_from_db()
    assert run.front_matter["officer_email"] == "alex.morgan@example.gov.uk"
    assert run.version == 1


def test_a_stale_front_matter_form_is_refused_and_saving_discards_a_generated_pack(
    people: dict[str, Any], fake_pack: None
) -> None:
    run = services.run_create(scope_text="directorate:fin", period_text=Q2, user=None)
    services.run_generate(run=run)
    assert ReportFile.objects.filter(run=run).count() == 4
    services.run_front_matter_save(
        run=run, front_matter={**run.front_matter, "to": "Cabinet"}, version=1, user=None
    )
    run.refresh_from_db()
    assert (run.state, run.version, run.front_matter["to"]) == (RunState.DRAFT, 2, "Cabinet")
    assert not ReportFile.objects.filter(run=run).exists()
    with pytest.raises(services.ReportingError, match="Someone else changed"):
        services.run_front_matter_save(run=run, front_matter=run.front_matter, version=1, user=None)


# -- generating, publishing ----------------------------------------------------------------------


def test_the_published_figures_are_kpiboard_evaluate_s_for_the_same_data_and_period(
    people: dict[str, Any], fake_pack: None
) -> None:
    """What is frozen is formats.md's evaluation JSON of the approved figures, nothing else."""
    publication = published("committee:srp", people["performance"])
    expected = json.loads(json.dumps(evaluation_json(parse_period(Q2), "srp")))
    assert publication.evaluation == expected
    statuses = [row["status"] for row in publication.evaluation["indicators"]]
    assert len(statuses) == 13
    # The design brief's demo: Red 1, Amber 1, Green 10, Baseline 1 in Q2.
    counts = {row["status"]: row["count"] for row in publication.evaluation["summary"]}
    assert (counts["red"], counts["amber"], counts["green"], counts["baseline"]) == (1, 1, 10, 1)
    assert publication.definitions["212"]["committees"] == [
        "Strategy, Resources and Performance Committee"
    ]
    assert publication.definitions["212"]["category"] == "targeted"
    assert (
        publication.title == "Strategy, Resources and Performance Committee: performance "
        "report, 2024/25 Q2"
    )
    assert publication.number == 1
    assert publication.run.state == RunState.PUBLISHED
    assert not ReportFile.objects.filter(run=publication.run).exists()  # moved, not copied
    assert sorted(file_bytes(publication)) == sorted(pack.FORMATS)


def test_the_figures_behind_a_publication_are_its_periods_approved_returns(
    people: dict[str, Any], fake_pack: None
) -> None:
    """186 (monthly, latest) in Q2 stands on September; 182 (monthly ratio) on July to
    September; each with the value the engine used."""
    publication = published("directorate:fin", people["performance"])
    figures = {
        (f.ref, f.period): f.value for f in PublishedFigure.objects.filter(publication=publication)
    }
    assert figures[("186", "2024-09")] == Decimal("8.71")
    assert ("186", "2024-06") in figures  # the previous quarter's value is printed too
    snp_publication = published("directorate:snp", people["performance"])
    snp = {
        (f.ref, f.period): f.value
        for f in PublishedFigure.objects.filter(publication=snp_publication)
    }
    assert {p for r, p in snp if r == "182"} >= {"2024-07", "2024-08", "2024-09"}
    assert snp[("182", "2024-08")] == Decimal(107) * 100 / Decimal(134)


def test_publishing_is_refused_when_the_figures_changed_after_generation(
    people: dict[str, Any], fake_pack: None
) -> None:
    """The pack on the page would no longer show the approved figures: generate it again."""
    run = services.run_create(scope_text="directorate:fin", period_text=Q2, user=None)
    services.run_generate(run=run)
    correct("186", "2024-09", "9.5", people["performance"])
    with pytest.raises(services.ReportingError, match="changed since this pack was generated"):
        services.run_publish(run=run, user=people["performance"])
    assert not Publication.objects.exists()
    services.run_generate(run=run)
    publication = services.run_publish(run=run, user=people["performance"])
    values = {row["ref"]: row["value"] for row in publication.evaluation["indicators"]}
    assert values["186"] == 9.5


def test_publishing_is_refused_when_an_earlier_figure_was_revised_after_generation(
    people: dict[str, Any], fake_pack: None
) -> None:
    """The Q2 pack would not mention a Q1 figure revised after it was generated."""
    perf = people["performance"]
    published("directorate:fin", perf, period="2024/25 Q1")
    run = services.run_create(scope_text="directorate:fin", period_text=Q2, user=perf)
    services.run_generate(run=run)
    assert run.revision_note == ""
    correct("186", "2024-06", "8.5", perf)  # Q1's figure, Q2's previous value
    with pytest.raises(services.ReportingError, match="revised since this pack was generated"):
        services.run_publish(run=run, user=perf)
    run = services.run_generate(run=run)
    assert "indicator 186" in run.revision_note
    assert services.run_publish(run=run, user=perf).revision_note == run.revision_note


def test_a_change_in_another_scope_does_not_stop_publication(
    people: dict[str, Any], fake_pack: None
) -> None:
    """Any change moves the data version on; only a change of this report's figures refuses."""
    run = services.run_create(scope_text="directorate:fin", period_text=Q2, user=None)
    services.run_generate(run=run)
    correct("182", "2024-09", "80", people["performance"])  # snp's, not fin's
    publication = services.run_publish(run=run, user=people["performance"])
    assert publication.number == 1


# -- revisions -----------------------------------------------------------------------------------


def test_a_corrected_figure_is_a_revision_and_the_publication_stays_as_it_was(
    people: dict[str, Any], fake_pack: None
) -> None:
    perf = people["performance"]
    publication = published("directorate:fin", perf)
    before_files = file_bytes(publication)
    before_downloads = downloads(Client(), publication)
    assert before_downloads == before_files
    evaluation_before = publication.evaluation

    correct("186", "2024-09", "8.9", perf)

    revision = Revision.objects.get()
    assert (revision.publication, revision.ref, revision.period) == (publication, "186", "2024-09")
    assert (revision.old_value, revision.new_value) == (Decimal("8.71"), Decimal("8.9"))
    assert revision.changed_by == perf
    assert revision.indicator_name.startswith("Average")
    publication.refresh_from_db()
    assert publication.evaluation == evaluation_before
    assert file_bytes(publication) == before_files
    assert downloads(Client(), publication) == before_downloads
    assert {f.sha256 for f in PublishedFile.objects.filter(publication=publication)} == {
        hashlib.sha256(data).hexdigest() for data in before_files.values()
    }

    correct("186", "2024-09", "8.9", perf)  # saved again, the same figure: nothing new
    correct("186", "2024-09", "8.8", perf)
    assert [(r.old_value, r.new_value) for r in Revision.objects.all()] == [
        (Decimal("8.71"), Decimal("8.9")),
        (Decimal("8.9"), Decimal("8.8")),
    ]
    page = Client().get(f"/published/{publication.pk}/").content.decode()
    scorecard = page[page.index('id="scorecard"') : page.index('id="revisions"')]
    assert "8.71 days" in scorecard  # as published
    revisions = page[page.index('id="revisions"') :]
    assert revisions.count("8.90 days") == 2
    assert "8.80 days" in revisions


def test_a_figure_corrected_by_an_import_is_a_revision_by_the_importer(
    people: dict[str, Any], fake_pack: None, tmp_path: Path
) -> None:
    """Imports write returns in bulk, without signals; the import's record sets the check off."""
    publication = published("directorate:fin", people["performance"])
    folder = tmp_path / "data"
    shutil.copytree(DEMO, folder)
    observations = folder / "observations.csv"
    rows = list(csv.DictReader(observations.open(newline="")))
    for row in rows:
        if (row["ref"], row["period"]) == ("186", "2024-09"):
            row["value"] = "8.95"
    with observations.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    apply_plan(plan_import(read_source(folder), str(folder)), people["administrator"])

    revision = Revision.objects.get()
    assert (revision.publication, revision.old_value, revision.new_value) == (
        publication,
        Decimal("8.71"),
        Decimal("8.95"),
    )
    assert revision.changed_by == people["administrator"]


def test_a_figure_not_in_any_publication_is_no_revision(
    people: dict[str, Any], fake_pack: None
) -> None:
    published("directorate:fin", people["performance"])
    correct("186", "2022-10", "7.0", people["performance"])  # in no published value
    correct("182", "2024-09", "80", people["performance"])  # another directorate's
    assert not Revision.objects.exists()


def test_a_withdrawn_publication_gets_no_revisions(people: dict[str, Any], fake_pack: None) -> None:
    publication = published("directorate:fin", people["performance"])
    services.publication_withdraw(publication=publication, reason="Wrong period", user=None)
    correct("186", "2024-09", "8.9", people["performance"])
    assert not Revision.objects.exists()


def test_the_next_report_notes_that_an_earlier_figure_was_revised(
    people: dict[str, Any], fake_pack: None, immediate: None
) -> None:
    perf = people["performance"]
    q2 = published("directorate:fin", perf)
    correct("186", "2024-09", "8.9", perf)

    client = signed_in(people["performance"])
    client.post("/reports/", {"scope": "directorate:fin", "period": "2024/25 Q3"})
    run = ReportRun.objects.get(period="2024/25 Q3")
    page = client.get(f"/reports/{run.pk}/").content.decode()
    assert "8.71 days" in page
    assert "8.90 days" in page
    assert f'href="/published/{q2.pk}/"' in page
    assert 'id="revision-note"' in page

    client.post(f"/reports/{run.pk}/generate/")
    run.refresh_from_db()
    summary = json.loads(bytes(ReportFile.objects.get(run=run, format="pdf").content))[
        "executive_summary"
    ]
    assert summary.startswith("This report sets out the performance of Finance and Resources")
    assert (
        "Revised figures: since the last report, 1 figure published in an earlier report "
        "has been revised: indicator 186" in summary
    )
    assert "for 2024-09, from 8.71 days to 8.90 days" in summary
    assert run.revision_note in summary

    q3 = services.run_publish(run=run, user=perf)
    assert q3.revision_note == run.revision_note
    # After the Q3 report, the revision has been reported: the Q4 report has nothing to note.
    q4 = services.run_create(scope_text="directorate:fin", period_text="2024/25 Q4", user=perf)
    page = client.get(f"/reports/{q4.pk}/").content.decode()
    assert 'id="revision-note"' not in page
    assert "has been revised since its last publication" in page


# -- withdrawal and replacement ------------------------------------------------------------------


def test_withdraw_and_replace_keep_both_on_record(
    people: dict[str, Any], fake_pack: None, immediate: None
) -> None:
    perf = people["performance"]
    first = published("directorate:fin", perf)
    second_run = services.run_create(scope_text="directorate:fin", period_text=Q2, user=perf)
    services.run_generate(run=second_run)
    with pytest.raises(services.ReportingError, match="already published"):
        services.run_publish(run=second_run, user=perf)

    client = signed_in(people["performance"])
    client.post(f"/published/{first.pk}/withdraw/", {"reason": ""})
    first.refresh_from_db()
    assert not first.withdrawn  # a reason is required
    client.post(f"/published/{first.pk}/withdraw/", {"reason": "The September figure was wrong"})
    first.refresh_from_db()
    assert first.withdrawn
    assert first.withdrawn_by == perf
    assert first.withdrawal_reason == "The September figure was wrong"
    with pytest.raises(services.ReportingError, match="already been withdrawn"):
        services.publication_withdraw(publication=first, reason="again", user=perf)

    response = client.post(f"/published/{first.pk}/replace/")
    replacement_run = ReportRun.objects.get(replaces=first)
    assert response["Location"] == f"/reports/{replacement_run.pk}/"
    assert replacement_run.front_matter == first.front_matter
    client.post(f"/reports/{replacement_run.pk}/generate/")
    client.post(f"/reports/{replacement_run.pk}/publish/")
    second = Publication.objects.get(run=replacement_run)
    assert (second.number, second.replaces) == (2, first)
    assert not second.withdrawn

    listing = Client().get("/published/").content.decode()
    # Withdrawn and taken down (the form's default, issue 14 finding 3): listed, its files not.
    assert listing.count(f'href="/published/{first.pk}/files/pdf/"') == 0
    assert listing.count(f'href="/published/{second.pk}/files/pdf/"') == 1
    assert "Withdrawn" in listing
    assert "Current" in listing
    old_page = Client().get(f"/published/{first.pk}/")
    assert old_page.status_code == 410
    assert "The September figure was wrong" in old_page.content.decode()
    assert f'href="/published/{second.pk}/"' in old_page.content.decode()
    assert Client().get(f"/published/{first.pk}/files/pdf/").status_code == 410
    new_page = Client().get(f"/published/{second.pk}/").content.decode()
    assert f'href="/published/{first.pk}/"' in new_page
    # The open data come from the current version only: one row per indicator and period.
    rows = Client().get("/open-data/figures.json").json()["figures"]
    assert {row["publication_version"] for row in rows} == {2}
    assert len(rows) == len({(row["ref"], row["period"]) for row in rows}) == 6


def test_a_published_run_cannot_change_or_be_generated_again(
    people: dict[str, Any], fake_pack: None, immediate: None
) -> None:
    publication = published("directorate:fin", people["performance"])
    run = publication.run
    client = signed_in(people["performance"])
    form = {"version": run.version, **run.front_matter, "from_": "", "to": "Changed"}
    client.post(f"/reports/{run.pk}/", form)
    client.post(f"/reports/{run.pk}/generate/")
    run.refresh_from_db()
    assert run.front_matter["to"] == ""  # as published: a scorecard with no committee named
    assert run.state == RunState.PUBLISHED
    with pytest.raises(services.ReportingError, match="published"):
        services.run_generate(run=run)
    assert Publication.objects.get() == publication


# -- the page and its progress -------------------------------------------------------------------


def test_the_status_partial_polls_while_the_pack_is_generated(people: dict[str, Any]) -> None:
    run = services.run_create(scope_text="directorate:fin", period_text=Q2, user=None)
    ReportRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, progress=50, progress_text="Writing the PDF"
    )
    client = signed_in(people["performance"])
    partial = client.get(f"/reports/{run.pk}/status/", headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert "<html" not in html
    assert 'hx-trigger="load delay:1s"' in html
    assert 'id="run-state" hx-swap-oob="true"' in html  # the tag at the top changes too
    assert ">Generating<" in html
    assert 'value="50"' in html
    assert "Writing the PDF" in html
    assert f'href="/reports/{run.pk}/#pack"' in html  # the no-script refresh link
    page = client.get(f"/reports/{run.pk}/").content.decode()
    assert 'id="pack-status" aria-live="polite"' in page
    assert 'value="50"' in page
    # Without htmx the address answers with the whole page.
    assert client.get(f"/reports/{run.pk}/status/")["Location"] == f"/reports/{run.pk}/"

    ReportRun.objects.filter(pk=run.pk).update(state=RunState.GENERATED, progress=100)
    done = client.get(f"/reports/{run.pk}/status/", headers={"HX-Request": "true"})
    assert "hx-get" not in done.content.decode()
    assert "<progress" not in done.content.decode()
    assert ">Generated<" in done.content.decode()
    assert "Publish the report" in done.content.decode()


def test_generating_records_the_cards_drawn_and_files_written_as_it_goes(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's row says how far the pack has got while it is written (the page polls it):
    percentages that only rise, the cards whose charts are drawn, then the files, then 100."""
    from kpiboard.web.reporting import progress

    monkeypatch.setattr(pack, "write_pack", fake_write_pack)
    monkeypatch.setattr(progress, "EVERY", 0.01)
    monkeypatch.setitem(globals(), "PACK_PAUSE", 0.03)  # a fake pack that takes its time
    run = services.run_create(scope_text="committee:srp", period_text=Q2, user=None)
    seen: list[tuple[int, str, int, str]] = []

    def told(percent: int, text: str) -> None:
        row = ReportRun.objects.get(pk=run.pk)
        seen.append((percent, text, row.progress, row.progress_text))

    services.run_generate(run=run, progress=told)
    percents = [percent for percent, *_ in seen]
    assert percents == sorted(percents)
    assert percents[0] == 5
    assert percents[-1] == 100
    # What the callback is told is what the page reads from the row (but the last word, which
    # is told after the row says the pack is ready).
    assert all((p, t) == (rp, rt) for p, t, rp, rt in seen[:-1])
    texts = [text for _, text, *_ in seen]
    cards = [t for t in texts if t.startswith("Drawing the charts for the web page: card ")]
    assert cards, texts
    assert cards[-1] == "Drawing the charts for the web page: card 13 of 13"  # srp's 13 cards
    assert any(t.startswith("Drawing the charts for print: card ") for t in texts)
    assert "Writing the PDF, Word and Excel files: 3 of 3 written" in texts
    assert texts[-1] == "The pack is ready"
    run.refresh_from_db()
    assert (run.state, run.progress) == (RunState.GENERATED, 100)


def test_the_database_backend_queues_the_job_and_a_failed_task_fails_the_run(
    people: dict[str, Any], settings: Any
) -> None:
    """Generate puts a task in django-tasks' database queue for ``kpiboard db_worker``; a task
    that failed without recording why (here: marked failed directly) shows as failed."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    run = services.run_create(scope_text="directorate:fin", period_text=Q2, user=None)
    client = signed_in(people["performance"])
    client.post(f"/reports/{run.pk}/generate/")
    run.refresh_from_db()
    assert run.state == RunState.QUEUED
    queued = DBTaskResult.objects.get(id=run.task_id)
    assert queued.task_path == "kpiboard.web.reporting.tasks.generate_pack"
    assert queued.args_kwargs == {"args": [run.pk], "kwargs": {}}
    page = client.get(f"/reports/{run.pk}/status/", headers={"HX-Request": "true"})
    assert "Waiting for the background worker" in page.content.decode()
    client.post(f"/reports/{run.pk}/generate/")  # a second click queues nothing more
    assert DBTaskResult.objects.count() == 1

    queued.set_failed(RuntimeError("worker lost"))
    page = client.get(f"/reports/{run.pk}/status/", headers={"HX-Request": "true"})
    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert "RuntimeError" in run.error
    assert "could not be generated" in page.content.decode()


def test_a_failure_while_generating_is_shown_on_the_run(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(pack, "write_pack", broken)
    run = services.run_create(scope_text="directorate:fin", period_text=Q2, user=None)
    with pytest.raises(OSError, match="disk full"):
        services.run_generate(run=run)
    run.refresh_from_db()
    assert (run.state, run.error) == (RunState.FAILED, "OSError: disk full")


# -- permissions ---------------------------------------------------------------------------------


def _paths(run: ReportRun, publication: Publication) -> list[tuple[str, str]]:
    return [
        ("get", "/reports/"),
        ("post", "/reports/"),
        ("get", f"/reports/{run.pk}/"),
        ("post", f"/reports/{run.pk}/"),
        ("get", f"/reports/{run.pk}/status/"),
        ("post", f"/reports/{run.pk}/generate/"),
        ("get", f"/reports/{run.pk}/files/pdf/"),
        ("post", f"/reports/{run.pk}/publish/"),
        ("post", f"/published/{publication.pk}/withdraw/"),
        ("post", f"/published/{publication.pk}/replace/"),
    ]


def test_only_the_performance_team_and_administrators_run_and_publish_reports(
    people: dict[str, Any], fake_pack: None
) -> None:
    publication = published("directorate:fin", people["performance"])
    run = services.run_create(scope_text="directorate:asc", period_text=Q2, user=None)
    for role in OTHERS:
        client = Client()
        client.force_login(people[role])
        for method, path in _paths(run, publication):
            assert getattr(client, method)(path).status_code == 403, (role, method, path)
    for method, path in _paths(run, publication):
        response = getattr(Client(), method)(path)
        assert response.status_code == 302, (method, path)
        assert response["Location"].startswith("/accounts/login/"), path
    for role in TEAM:
        assert people[role].has_perm("kpiboard.run_reports")
        assert people[role].has_perm("kpiboard.publish")
        client = Client()
        client.force_login(people[role])
        assert client.get("/reports/").status_code == 200
        assert client.get(f"/reports/{run.pk}/").status_code == 200
    assert not ReportRun.objects.filter(scope="directorate:asc").exclude(pk=run.pk).exists()
    assert Publication.objects.get() == publication
    assert not publication.withdrawn


def test_the_reports_link_is_in_the_navigation_for_the_team_only(people: dict[str, Any]) -> None:
    team = signed_in(people["performance"]).get("/register/").content.decode()
    reader = signed_in(people["reader"]).get("/register/").content.decode()
    assert 'href="/reports/"' in team
    assert 'href="/reports/"' not in reader
    assert 'href="/published/"' in team
    assert 'href="/published/"' in reader


# -- kpiboard publish ----------------------------------------------------------------------------


def test_kpiboard_publish_generates_and_publishes_the_real_pack(people: dict[str, Any]) -> None:
    """The command line does what the button does: four real files, frozen and listed."""
    from kpiboard.cli import main

    runner = CliRunner()
    result = runner.invoke(
        main, ["publish", "--scope", "directorate:fin", "--period", Q2, "--user", "perf"]
    )
    assert result.exit_code == 0, result.output
    publication = Publication.objects.get()
    assert f"/published/{publication.pk}/" in result.stdout
    assert publication.published_by == people["performance"]
    data = file_bytes(publication)
    assert data["pdf"].startswith(b"%PDF-")
    assert data["docx"][:2] == data["xlsx"][:2] == b"PK"
    assert b"Finance and Resources" in data["html"]
    assert "100%  The pack is ready" in result.stderr

    again = runner.invoke(main, ["publish", "--scope", "directorate:fin", "--period", Q2])
    assert again.exit_code == 2
    assert "Nothing was published" in again.stderr
    assert "already published" in again.stderr
    assert "Drawing the charts" not in again.stderr  # refused before generating, not after
    assert ReportRun.objects.count() == 1  # and no draft left behind by the refusal
    # make demo run a second time: what is published stays, and the command succeeds.
    demo = runner.invoke(
        main, ["publish", "--scope", "directorate:fin", "--period", Q2, "--if-unpublished"]
    )
    assert demo.exit_code == 0, demo.output
    assert demo.stdout.startswith("Nothing to publish: ")
    assert "already published (version 1" in demo.stdout
    assert "Drawing the charts" not in demo.stderr
    assert ReportRun.objects.count() == 1
    both = runner.invoke(
        main, ["publish", "--committee", "srp", "--scope", "organisation", "--period", Q2]
    )
    assert both.exit_code == 2
    assert "either --committee or --scope" in both.output
    assert Publication.objects.count() == 1


# -- the whole journey through the database queue and its worker ---------------------------------


def run_worker() -> str:
    """``kpiboard db_worker --batch``: run every queued task, then stop."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    out = io.StringIO()
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return out.getvalue()


@pytest.mark.slow
def test_the_performance_team_publishes_a_pack_and_a_later_correction_leaves_it_as_it_was(
    committed_council: None, settings: Any
) -> None:
    """Through the database task backend and its worker, with the real pack: the published
    files are byte for byte what they were after a figure is corrected, and the revision is
    recorded."""
    settings.TASKS = DATABASE
    perf = get_user_model().objects.get(username="perf")
    client = Client()
    client.force_login(perf)
    client.post("/reports/", {"scope": "committee:srp", "period": Q2})
    run = ReportRun.objects.get()
    preview = client.get(f"/reports/{run.pk}/preview/")
    assert preview.status_code == 200
    assert "default-src 'none'" in preview["Content-Security-Policy"]
    assert "Strategy, Resources and Performance Committee" in preview.content.decode()

    client.post(f"/reports/{run.pk}/generate/")
    run.refresh_from_db()
    assert run.state == RunState.QUEUED
    log = run_worker()
    run.refresh_from_db()
    assert run.state == RunState.GENERATED, (run.error, log)
    drafts = {}
    for name in pack.FORMATS:
        response = client.get(f"/reports/{run.pk}/files/{name}/")
        assert response.status_code == 200
        drafts[name] = response.content
    assert drafts["pdf"].startswith(b"%PDF-")
    assert "attachment" in client.get(f"/reports/{run.pk}/files/pdf/")["Content-Disposition"]

    client.post(f"/reports/{run.pk}/publish/")
    publication = Publication.objects.get()
    stored = file_bytes(publication)
    assert stored == drafts
    public = downloads(Client(), publication)
    assert public == stored

    correct("212", "2024/25 Q2", "99", perf)  # 212 is reported by quarter

    revision = Revision.objects.get()
    assert (revision.publication_id, revision.ref, revision.period) == (
        publication.pk,
        "212",
        "2024/25 Q2",
    )
    assert revision.new_value == Decimal(99)
    assert revision.changed_by == perf
    assert file_bytes(Publication.objects.get()) == stored
    assert downloads(Client(), publication) == public
    frozen = Publication.objects.get().evaluation
    assert [r["value"] for r in frozen["indicators"] if r["ref"] == "212"] == [
        float(str(revision.old_value))
    ]
