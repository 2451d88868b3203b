"""The strategic scorecards as report scopes (issue 17): ``strategic`` and ``strategic:ID`` in the
report run form, their front matter "To" the committee organisation.toml's [strategic] names,
and a run that produces a pack of exactly the strategic KPIs; a committee's pack for the round's
period carries the proposals circulated to it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kpiboard.web.register import models
from kpiboard.web.register.dataset import organisation
from kpiboard.web.reporting import services
from kpiboard.web.reporting.frontmatter import ScopeError, narrative_key, parse_scope, scopes
from kpiboard.web.reporting.models import ReportFile, RunState
from web.test_reporting import Q2, fake_pack, signed_in  # noqa: F401  (fake_pack: a fixture)

pytestmark = pytest.mark.django_db


def _strategic(*refs: str) -> None:
    models.Indicator.objects.filter(ref__in=refs).update(strategic=True)
    models.DataVersion.bump()


@pytest.mark.parametrize(
    ("text", "kind", "ident", "name", "report_key"),
    [
        ("strategic", "strategic", "", "Organisational Scorecard", "strategic"),
        (
            "strategic:asc",
            "strategic",
            "asc",
            "Adults, Health and Commissioning strategic scorecard",
            "strategic-asc",
        ),
        ("directorate:asc", "directorate", "asc", "Adults, Health and Commissioning", "asc"),
    ],
)
def test_strategic_scopes_parse_with_their_names_and_keys(
    text: str, kind: str, ident: str, name: str, report_key: str
) -> None:
    scope = parse_scope(text, organisation())
    assert (scope.kind, scope.id, scope.name, scope.report_key) == (kind, ident, name, report_key)
    assert scope.key == text
    assert narrative_key(text) == report_key
    assert scope.strategic == (kind == "strategic")
    assert scope.committee is None
    assert scope.directorate == (ident or None)


def test_an_unknown_strategic_directorate_is_refused_naming_the_directorates() -> None:
    with pytest.raises(ScopeError, match="there is no directorate 'nope': the directorates are"):
        parse_scope("strategic:nope", organisation())


def test_the_run_form_lists_the_strategic_scopes(people: dict[str, Any]) -> None:
    keys = [scope.key for scope in scopes(organisation())]
    assert "strategic" in keys
    assert "strategic:asc" in keys
    page = signed_in(people["performance"]).get("/reports/").content.decode()
    assert '<option value="strategic">Strategic KPIs: Organisational Scorecard</option>' in page
    assert 'value="strategic:asc">Strategic KPIs: Adults, Health and Commissioning' in page


@pytest.mark.parametrize(
    ("scope", "to"),
    [
        # organisation.toml: [strategic] report_to = "srp", [strategic.directorates] asc = "ahc"
        ("strategic", "Strategy, Resources and Performance Committee"),
        ("strategic:asc", "Adults and Health Committee"),
    ],
)
def test_the_front_matter_goes_to_the_committee_strategic_names(
    people: dict[str, Any], scope: str, to: str
) -> None:
    run = services.run_create(scope_text=scope, period_text=Q2, user=people["performance"])
    assert run.front_matter["to"] == to
    assert run.front_matter["executive_summary"].startswith(
        f"This report provides an update to the {to}"
    )


def test_a_strategic_report_run_produces_a_pack_of_the_strategic_kpis(
    people: dict[str, Any],
    fake_pack: None,  # noqa: F811
) -> None:
    _strategic("182", "190", "214")
    run = services.run_create(scope_text="strategic", period_text=Q2, user=people["performance"])
    services.run_generate(run=run)
    run.refresh_from_db()
    assert run.state == RunState.GENERATED
    formats = set(ReportFile.objects.filter(run=run).values_list("format", flat=True))
    assert formats == {"html", "pdf", "docx", "xlsx"}
    cover = json.loads(bytes(ReportFile.objects.get(run=run, format="html").content))
    assert set(cover["values"]) == {"182", "190", "214"}
    assert cover["to"] == "Strategy, Resources and Performance Committee"
    assert run.evaluation is not None
    assert {row["ref"] for row in run.evaluation["indicators"]} == {"182", "190", "214"}


def test_the_real_pack_of_a_strategic_scope_has_the_scorecard_title(people: dict[str, Any]) -> None:
    """Through kpiboard.reports itself (HTML only): the cover names the Organisational
    Scorecard and its indicators are the strategic ones."""
    _strategic("182", "212")
    run = services.run_create(scope_text="strategic", period_text=Q2, user=people["performance"])
    html = services.run_preview_html(run=run)
    assert "Organisational Scorecard" in html
    assert "Strategy, Resources and Performance Committee" in html
    assert "Proportion of Freedom of Information requests" in html  # 182
    assert "Introduction to First Aid" in html  # 212
    assert "staff turnover" not in html.lower()  # 214 is not strategic here


def test_a_committee_pack_in_the_rounds_period_carries_its_proposals(
    people: dict[str, Any],
    fake_pack: None,  # noqa: F811
) -> None:
    """The demo round is circulated in 2024/25 Q2; the proposals consulting the Adults and
    Health Committee (ahc) are in its pack, others are not."""
    from kpiboard.web.proposals.models import Proposal

    consulted = set(
        Proposal.objects.filter(committees__code="ahc")
        .exclude(state="draft")
        .values_list("ref", flat=True)
    )
    assert consulted  # the demo council's round consults the committee
    run = services.run_create(scope_text="committee:ahc", period_text=Q2, user=None)
    services.run_generate(run=run)
    cover = json.loads(bytes(ReportFile.objects.get(run=run, format="html").content))
    assert set(cover["proposals"]) == consulted
