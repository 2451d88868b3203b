"""The strategic scorecards as web pages (issue 17): the Organisational Scorecard shows exactly
the strategic KPIs, a directorate's only its own, each status that of ``kpiboard evaluate
--scope strategic`` on an export of the database; with none, the page says so and points to the
proposal rounds."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kpiboard.cli import main
from kpiboard.web.register import models
from kpiboard.web.register.models import EvaluationCache
from kpiboard.web.register.transfer import export

pytestmark = pytest.mark.django_db

PERIOD = "2024-25-q2"


def _strategic(*refs: str) -> None:
    models.Indicator.objects.update(strategic=False)
    models.Indicator.objects.filter(ref__in=refs).update(strategic=True)
    models.DataVersion.bump()  # update() sends no signal


def _engine(folder: Path, scope: str) -> dict[str, str]:
    result = CliRunner().invoke(
        main,
        ["evaluate", str(folder), "--period", "2024/25 Q2", "--scope", scope, "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    return {row["ref"]: row["status"] for row in json.loads(result.output)["indicators"]}


def _shown(page: str) -> dict[str, str]:
    return dict(
        re.findall(r'<tr class="govuk-table__row" data-ref="([^"]+)" data-status="(\w+)"', page)
    )


def _directorate_of(ref: str) -> str:
    return models.Indicator.objects.get(ref=ref).directorate.code


def test_the_organisational_scorecard_shows_the_strategic_kpis_as_the_engine_judges_them(
    client_as: Any, tmp_path: Path
) -> None:
    chosen = ("182", "190", "212", "214")
    _strategic(*chosen)
    export(tmp_path / "out")
    engine = _engine(tmp_path / "out", "strategic")
    assert set(engine) == set(chosen)
    page = client_as("reader").get(f"/scorecard/strategic/?period={PERIOD}")
    assert page.status_code == 200
    text = page.content.decode()
    assert _shown(text) == engine
    assert engine["182"] == "red"  # the demo's one Red in Q2, as design.md says
    assert "Organisational Scorecard</h1>" in text
    assert "Status of 4 indicators, 2024/25 Q2" in text
    # The demo's organisation.toml sends it to the Strategy, Resources and Performance Committee.
    assert "Reported quarterly to the Strategy, Resources and Performance Committee" in text
    # Cached apart from the organisation's evaluation of every indicator.
    scopes = set(EvaluationCache.objects.values_list("scope", flat=True))
    assert "strategic" in scopes


def test_a_directorate_strategic_scorecard_shows_only_its_own(
    client_as: Any, tmp_path: Path
) -> None:
    _strategic("182", "190", "212", "214")
    directorate = _directorate_of("182")
    own = {ref for ref in ("182", "190", "212", "214") if _directorate_of(ref) == directorate}
    assert own  # the test needs both kinds
    assert own != {"182", "190", "212", "214"}
    export(tmp_path / "out")
    engine = _engine(tmp_path / "out", f"strategic:{directorate}")
    assert set(engine) == own
    text = (
        client_as("reader")
        .get(f"/scorecard/strategic/{directorate}/?period={PERIOD}")
        .content.decode()
    )
    assert _shown(text) == engine
    assert "strategic scorecard</h1>" in text
    assert f"strategic:{directorate}" in set(
        EvaluationCache.objects.values_list("scope", flat=True)
    )
    # The organisation's page links to each directorate's strategic page.
    whole = client_as("reader").get(f"/scorecard/strategic/?period={PERIOD}").content.decode()
    assert f'href="/scorecard/strategic/{directorate}/?period={PERIOD}"' in whole


def test_with_no_strategic_kpis_the_page_says_so_and_points_to_the_proposal_rounds(
    client_as: Any,
) -> None:
    _strategic()
    text = client_as("reader").get(f"/scorecard/strategic/?period={PERIOD}").content.decode()
    assert "There are no strategic KPIs reported in 2024/25 Q2." in text
    assert 'href="/proposals/"' in text
    assert "data-ref=" not in text


def test_the_scorecards_link_to_the_strategic_ones_and_an_unknown_directorate_is_not_found(
    client_as: Any,
) -> None:
    client = client_as("reader")
    text = client.get(f"/scorecard/?period={PERIOD}").content.decode()
    assert f'href="/scorecard/strategic/?period={PERIOD}"' in text
    directorate = _directorate_of("182")
    scope = client.get(f"/scorecard/directorate/{directorate}/?period={PERIOD}").content.decode()
    assert f'href="/scorecard/strategic/{directorate}/?period={PERIOD}"' in scope
    assert client.get("/scorecard/strategic/nope/").status_code == 404
    assert client_as("no_role").get("/scorecard/strategic/").status_code == 403


def test_proposals_adopted_in_the_browser_cycle_appear_on_the_strategic_scorecards(
    client_as: Any, people: dict[str, Any]
) -> None:
    """Adoption (web.proposals) flags the register's indicator strategic: the existing 182 and
    the new SKPI-ASC-1 are then on the Organisational Scorecard, and SKPI-ASC-1 on its
    directorate's, with the return due from its owner counted as outstanding."""
    from datetime import date

    from kpiboard.web.proposals.adoption import proposal_adopt
    from kpiboard.web.proposals.models import Proposal

    _strategic()
    srp = models.Committee.objects.get(code="srp")
    for ref in ("182", "SKPI-ASC-1"):
        proposal = Proposal.objects.get(ref=ref)
        proposal_adopt(
            proposal=proposal,
            version=proposal.version,
            committee=srp,
            meeting=date(2025, 2, 11),
            amended={},
            amendment="",
            reason="",
            user=people["performance"],
        )
    assert set(models.Indicator.objects.filter(strategic=True).values_list("ref", flat=True)) == {
        "182",
        "SKPI-ASC-1",
    }
    whole = client_as("reader").get("/scorecard/strategic/?period=2025-26-q1").content.decode()
    assert set(_shown(whole)) == {"182", "SKPI-ASC-1"}
    own = client_as("reader").get("/scorecard/strategic/asc/?period=2025-26-q1").content.decode()
    assert set(_shown(own)) == {"SKPI-ASC-1"}
    outstanding = own.split('data-period="2025/26 Q1"', 1)[1].split("</tr>", 1)[0]
    # SKPI-ASC-1 is monthly: April, May and June 2025 are due from its owner, none returned.
    assert 'data-outstanding="3"' in outstanding
