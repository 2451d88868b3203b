"""An indicator's groups on its card (breakdowns.csv): a small table of the reporting period's
months under the figures, in the HTML and Word packs; never judged against the target."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from kpiboard.analysis.evaluate import Evaluation
from kpiboard.reports.docx import render_docx
from kpiboard.reports.html import render_html
from kpiboard.reports.model import Card, build_report
from report_stubs import stub_charts

MONTHS = ("July 2024", "August 2024", "September 2024")
# The seed paper's services (Registration 78%, 61%, 72%; Education Transport 66% and 75% in
# August and September), each month's combining to 190's own figure: 85.1, 76.1 and 84.7.
ROWS = (
    ("Registration", "78.0%", "61.0%", "72.0%"),
    ("Education Transport", "82.0%", "66.0%", "75.0%"),
    ("Highways", "86.7%", "85.0%", "89.0%"),  # 1,300 of 1,500 is 86.67
    ("Blue Badges", "87.5%", "85.0%", "90.0%"),
    ("Other services", "85.4%", "81.5%", "89.7%"),  # 2,306 of 2,700 is 85.41; 2,152/2,400 89.67
)
TOTAL = ("All (190's own figure)", "85.1%", "76.1%", "84.7%")


@pytest.fixture(scope="module")
def card_190(demo_evaluation: Evaluation) -> Card:
    return next(card for card in build_report(demo_evaluation).cards if card.ref == "190")


def test_the_card_of_190_tables_its_services_by_month(card_190: Card) -> None:
    groups = card_190.groups
    assert groups is not None
    assert groups.headers == ("Service", *MONTHS)
    assert groups.rows == ROWS
    assert groups.total == TOTAL
    assert groups.caption == (
        "Indicator 190 by service, 2024/25 Q2 (July to September 2024): "
        "for context, not judged against the target"
    )
    assert groups.notes[0] == (
        "August 2024, Registration: More contacts passed on while the Registration Service recruits"
    )


def test_groups_change_no_status_and_other_cards_have_none(demo_evaluation: Evaluation) -> None:
    report = build_report(demo_evaluation)
    assert [card.ref for card in report.cards if card.groups is not None] == ["190"]
    card = next(card for card in report.cards if card.ref == "190")
    assert card.status.value == "green"  # as the seed: Amber in Q1, Green in Q2


def test_the_html_card_shows_the_table_under_its_figures(demo_evaluation: Evaluation) -> None:
    report = build_report(demo_evaluation)
    html = render_html(report, charts={card.ref: () for card in report.cards})
    card = html.split('id="indicator-190"', 1)[1].split("</article>", 1)[0]
    rest = card.split("Figures for indicator 190", 1)[1]
    table = rest.split("<h4>Commentary</h4>", 1)[0]  # after the figures, before commentary
    assert "<caption>Indicator 190 by service, 2024/25 Q2" in table
    assert '<th scope="col" class="number">August 2024</th>' in table
    assert '<th scope="row">Registration</th><td class="number">78.0%</td>' in table
    assert '<td class="number">61.0%</td>' in table
    assert '<tfoot><tr><th scope="row">All (190&#39;s own figure)</th>' in table
    other = html.split('id="indicator-182"', 1)[1].split("</article>", 1)[0]
    assert "by service" not in other


def test_the_word_card_has_the_table(demo_evaluation: Evaluation, tmp_path: Path) -> None:
    report = build_report(demo_evaluation)
    path = render_docx(report, tmp_path / "report.docx", charts=stub_charts)
    document = docx.Document(str(path))
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables
    ]
    found = [rows for rows in tables if rows[0] == ["Service", *MONTHS]]
    assert len(found) == 1
    assert found[0][1:] == [list(row) for row in (*ROWS, TOTAL)]
    captions = [p.text for p in document.paragraphs if p.text.startswith("Indicator 190 by")]
    assert captions == [
        "Indicator 190 by service, 2024/25 Q2 (July to September 2024): for context, not "
        "judged against the target"
    ]
