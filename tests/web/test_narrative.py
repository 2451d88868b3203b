"""The officer's narrative on the web (issue 12): carried by import and export unchanged, edited
with a preview by the performance team, checked as a data folder's is, and audited."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from kpiboard.web.register import models
from kpiboard.web.register.dataset import build_dataset
from kpiboard.web.register.transfer import export, plan_import, read_source
from web.conftest import DEMO

pytestmark = pytest.mark.django_db

SOURCE = DEMO / "reports" / "srp-2024-25-q2.md"
URL = "/reports/narrative/?scope=srp&period=2024/25+Q2"


def post(client: Any, data: dict[str, Any]) -> Any:
    """POST to the editor as a browser would, with the CSRF token of the page."""
    page = client.get(URL)
    return client.post(URL, {**data, "csrfmiddlewaretoken": page.cookies["csrftoken"].value})


def test_the_demo_import_stores_the_document_as_written() -> None:
    row = models.ReportNarrative.objects.get(scope="srp", period="2024/25 Q2")
    assert row.document == SOURCE.read_text(encoding="utf-8")
    narrative = build_dataset().narratives[("srp", row_period())]
    assert narrative.highlights == ("190", "214")


def row_period() -> Any:
    from kpiboard.analysis.periods import parse_period

    return parse_period("2024/25 Q2")


def test_an_export_writes_it_back_byte_for_byte_and_a_reimport_changes_nothing(
    tmp_path: Path,
) -> None:
    export(tmp_path / "out")
    assert (tmp_path / "out" / "reports" / SOURCE.name).read_bytes() == SOURCE.read_bytes()
    plan = plan_import(read_source(tmp_path / "out"), "out")
    assert plan.new_narratives == []
    assert plan.changed_narratives == []


def test_the_zip_export_holds_the_reports_folder(client_as: Any) -> None:
    response = client_as("performance").get("/register/export/zip/")
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert archive.read(f"data/reports/{SOURCE.name}") == SOURCE.read_bytes()


def test_a_changed_document_is_planned_as_a_change(tmp_path: Path) -> None:
    export(tmp_path / "out")
    target = tmp_path / "out" / "reports" / SOURCE.name
    target.write_text(target.read_text(encoding="utf-8") + "\nOne more paragraph.\n", "utf-8")
    plan = plan_import(read_source(tmp_path / "out"), "out")
    assert plan.changed_narratives == [("srp", "2024/25 Q2")]
    assert "Changed report narrative: srp 2024/25 Q2" in list(plan.lines())


def test_the_editor_previews_where_each_part_goes_without_saving(client_as: Any) -> None:
    client = client_as("performance")
    page = client.get(URL)
    assert page.status_code == 200
    document = page.context["form"].initial["document"]
    assert document == SOURCE.read_text(encoding="utf-8")
    changed = document + "\n## Conclusion\n\nWe will **report again** in March.\n"
    preview = post(client, {"document": changed, "version": 1, "action": "preview"})
    html = preview.content.decode()
    assert "Section 3 (main issues), before the status table" in html
    assert "Section 4 (conclusion), after the transition groups" in html
    assert "We will <strong>report again</strong> in March." in html
    assert models.ReportNarrative.objects.get(scope="srp").document == document  # not saved


def test_saving_keeps_the_text_and_its_history_and_a_stale_save_is_refused(
    client_as: Any,
) -> None:
    client = client_as("performance")
    document = SOURCE.read_text(encoding="utf-8") + "\n## Conclusion\n\nMore to come.\n"
    saved = post(client, {"document": document, "version": 1, "action": "save"})
    assert saved.status_code == 302
    row = models.ReportNarrative.objects.get(scope="srp", period="2024/25 Q2")
    assert row.document == document
    assert row.version == 2
    assert row.history.count() == 2  # the import, then this save
    assert row.history.first().history_user.username == "perf"
    # A second save from an editor opened at version 1 would overwrite this one: refused.
    post(client, {"document": "+++\n", "version": 1, "action": "save"})
    assert models.ReportNarrative.objects.get(pk=row.pk).document == document


def test_a_document_that_does_not_read_is_refused_with_its_line(client_as: Any) -> None:
    client = client_as("performance")
    bad = '+++\nscope = "srp"\nperiod = "2024/25 Q2"\nhighlights = ["999"]\n+++\n'
    page = post(client, {"document": bad, "version": 1, "action": "save"})
    assert page.status_code == 200
    assert "The document, line 4: found &quot;999&quot;, expected refs of indicators" in (
        page.content.decode()
    )
    another = '+++\nscope = "ahc"\nperiod = "2024/25 Q2"\n+++\n'
    page = post(client, {"document": another, "version": 1, "action": "save"})
    assert "expected scope and period of this report: srp 2024/25 Q2" in page.content.decode()
    assert models.ReportNarrative.objects.get(scope="srp").version == 1


@pytest.mark.parametrize("role", ["owner", "reader", "no_role"])
def test_only_the_performance_team_edits_narratives(client_as: Any, role: str) -> None:
    assert client_as(role).get(URL).status_code == 403


@pytest.mark.parametrize(
    "query", ["?scope=nope&period=2024/25+Q2", "?scope=srp&period=0000-01", "?scope=srp"]
)
def test_an_unknown_scope_or_period_is_not_found(client_as: Any, query: str) -> None:
    assert client_as("performance").get("/reports/narrative/" + query).status_code == 404


def test_the_web_pack_carries_the_narrative_and_the_registers_data_version(
    people: dict[str, Any],
) -> None:
    from kpiboard.web.reporting import services

    run = services.run_create(
        scope_text="committee:srp", period_text="2024/25 Q2", user=people["performance"]
    )
    html = services.run_preview_html(run=run)
    assert "1. Creating a greener, fairer and more caring Cambridgeshire" in html
    assert "Following the approval of the refreshed Performance Management Framework" in html
    assert "Paragraph 3.3 shows the breakdown" in html
    assert "from the register at data version " in html


def test_the_run_page_links_to_its_narrative(client_as: Any, people: dict[str, Any]) -> None:
    from kpiboard.web.reporting import services

    run = services.run_create(
        scope_text="committee:srp", period_text="2024/25 Q2", user=people["performance"]
    )
    page = client_as("performance").get(f"/reports/{run.pk}/").content.decode()
    assert 'href="/reports/narrative/?scope=srp&amp;period=2024%2F25+Q2"' in page
    assert (
        client_as("performance")
        .get("/reports/narrative/?scope=srp&period=2024%2F25+Q2")
        .status_code
        == 200
    )
