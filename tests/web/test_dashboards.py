"""Scorecards and indicator pages: who may see them, that their figures are ``kpiboard
evaluate``'s, that the table filters and sorts with and without htmx, that any period shows what
was known then, and that a page's SQL queries do not grow with the number of indicators."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import lxml.html  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.periods import Period, parse_period
from kpiboard.analysis.serialise import evaluation_to_json
from kpiboard.analysis.status import Status
from kpiboard.analysis.summary import ROUNDING_FOOTNOTE
from kpiboard.analysis.transitions import TRANSITION_WORDS
from kpiboard.cli import main as kpiboard
from kpiboard.datafiles import read_dataset
from kpiboard.reports.charts import history_chart
from kpiboard.reports.formatting import format_value
from kpiboard.reports.model import neighbour_areas
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.dashboards import scorecards
from kpiboard.web.evaluation import evaluate_period, indicator_dataset
from kpiboard.web.period_choice import default_period
from kpiboard.web.register import models
from kpiboard.web.register.dataset import organisation
from kpiboard.web.register.transfer import export

pytestmark = pytest.mark.django_db

Q1, Q2 = parse_period("2024/25 Q1"), parse_period("2024/25 Q2")
ROLES_WHO_READ = ("administrator", "performance", "owner", "other_owner", "reader")
PAGES = (
    "/scorecard/",
    "/scorecard/directorate/snp/",
    "/scorecard/committee/srp/",
    "/indicators/182/",
)


# -- reading the pages -------------------------------------------------------------------------
_SIMPLE = re.compile(r"(?P<tag>[a-z0-9]*)(?P<rest>(?:[#.][\w-]+|\[[^\]]+\])*)")
_PART = re.compile(
    r"#(?P<id>[\w-]+)|\.(?P<cls>[\w-]+)|\[(?P<attr>[\w-]+)(?:=\"?(?P<value>[^\"\]]*)\"?)?\]"
)


def select(node: Any, css: str) -> list[Any]:
    """The elements under ``node`` that match a CSS selector of descendant steps, each a tag
    with ids, classes and attributes (``#returns tbody tr[data-ref]``), through lxml's XPath."""
    steps = []
    for simple in css.split():
        found = _SIMPLE.fullmatch(simple)
        assert found, css
        tests = []
        for part in _PART.finditer(found["rest"]):
            if part["id"]:
                tests.append(f"@id='{part['id']}'")
            elif part["cls"]:
                tests.append(f"contains(concat(' ', @class, ' '), ' {part['cls']} ')")
            elif part["value"] is not None:
                tests.append(f"@{part['attr']}='{part['value']}'")
            else:
                tests.append(f"@{part['attr']}")
        steps.append((found["tag"] or "*") + "".join(f"[{test}]" for test in tests))
    return list(node.xpath("descendant-or-self::" + "//".join(steps)))


def page(client: Client, url: str, **headers: Any) -> Any:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return lxml.html.fromstring(response.content.decode())


def text(element: Any) -> str:
    return " ".join(element.text_content().split())


def summary_of(doc: Any) -> list[tuple[str, int, int]]:
    """The status summary: (status, count, percent) per row."""
    return [
        (
            row.get("data-status"),
            int(select(row, "[data-count]")[0].get("data-count")),
            int(select(row, "[data-percent]")[0].get("data-percent")),
        )
        for row in select(doc, "#status-summary tbody tr")
    ]


def table_of(doc: Any) -> list[dict[str, str]]:
    """The indicator table: ref, status and the text of each column, per row."""
    rows = []
    for row in select(doc, "#indicators tbody tr[data-ref]"):
        cells = {cell.get("data-column"): text(cell) for cell in select(row, "[data-column]")}
        rows.append({"ref": row.get("data-ref"), "status_value": row.get("data-status"), **cells})
    return rows


def transitions_of(doc: Any) -> dict[str, list[str]]:
    return {
        group.get("id").removeprefix("transition-"): [
            item.get("data-ref") for item in select(group, "li[data-ref]")
        ]
        for group in select(doc, ".kpiboard-transition")
    }


def breakdown_of(doc: Any, kind: str) -> dict[str, dict[str, tuple[int, int]]]:
    return {
        row.get("data-group"): {
            cell.get("data-status"): (int(cell.get("data-count")), int(cell.get("data-percent")))
            for cell in select(row, "td[data-status]")
        }
        for row in select(doc, f"#breakdown-{kind} tbody tr")
    }


def expected_summary(payload: dict[str, Any]) -> list[tuple[str, int, int]]:
    return [(row["status"], row["count"], row["percent"]) for row in payload["summary"]]


def expected_transitions(payload: dict[str, Any]) -> dict[str, list[str]]:
    return {group: payload["transitions"][group] for group in TRANSITION_WORDS}


# -- who may see them --------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES_WHO_READ)
def test_signed_in_people_start_at_the_organisation_scorecard(client_as: Any, role: str) -> None:
    response = client_as(role).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/scorecard/"


def test_anonymous_visitors_start_at_sign_in() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", [*ROLES_WHO_READ, "no_role"])
def test_every_role_that_reads_the_register_may_see_the_scorecards(
    client_as: Any, role: str, url: str
) -> None:
    """kpiboard.view_register: readers, owners, the performance team and administrators; an
    account without a role is refused."""
    response = client_as(role).get(url)
    assert response.status_code == (403 if role == "no_role" else 200), (role, url)


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize(
    "url", ["/scorecard/directorate/nope/", "/scorecard/committee/nope/", "/indicators/nope/"]
)
def test_unknown_directorates_committees_and_indicators_are_not_found(
    client_as: Any, url: str
) -> None:
    assert client_as("reader").get(url).status_code == 404


# -- the figures are kpiboard evaluate's -------------------------------------------------------
@pytest.fixture
def exported(tmp_path: Path) -> Path:
    """The database as a data folder, as the performance team would download it."""
    folder = tmp_path / "data"
    export(folder)
    return folder


def cli_evaluate(folder: Path, period: Period, committee: str | None = None) -> dict[str, Any]:
    arguments = ["evaluate", str(folder), "--period", period.label, "--format", "json"]
    if committee:
        arguments += ["--committee", committee]
    result = CliRunner().invoke(kpiboard, arguments)
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.output)
    return payload


def check_rows(rows: list[dict[str, str]], payload: dict[str, Any], exact: Any) -> None:
    """Each table row against its JSON entry (statuses) and the engine's exact Decimal result
    (the value and target as written: rounded half-up to the indicator's decimals)."""
    assert [row["ref"] for row in rows] == [entry["ref"] for entry in payload["indicators"]]
    results = {result.ref: result for result in exact.indicators}
    for row, entry in zip(rows, payload["indicators"], strict=True):
        result = results[row["ref"]]
        unit, decimals = result.indicator.unit, result.indicator.decimals
        assert row["status_value"] == entry["status"], row["ref"]
        assert row["status"] == Status(entry["status"]).label, row["ref"]
        assert row["previous"] == Status(entry["previous_status"]).label, row["ref"]
        value = format_value(result.value.value if result.value else None, unit, decimals)
        assert row["value"] in (value, f"{value} (incomplete)"), row["ref"]
        assert row["target"] == format_value(result.target, unit, decimals), row["ref"]


@pytest.mark.parametrize("period", [Q2, Q1], ids=str)
def test_the_scorecards_show_what_kpiboard_evaluate_gives_for_an_export(
    client_as: Any, exported: Path, period: Period
) -> None:
    """Every summary, breakdown, transition and table row equals the JSON of ``kpiboard
    evaluate`` run on the exported data folder, for the committee, the directorate or the whole
    organisation."""
    client = client_as("reader")
    query = f"?period={period.label}"  # a label works as well as a slug

    everyone = cli_evaluate(exported, period)
    doc = page(client, f"/scorecard/{query}")
    assert summary_of(doc) == expected_summary(everyone)
    assert transitions_of(doc) == expected_transitions(everyone)
    assert sum(count for _, count, _ in summary_of(doc)) == len(everyone["indicators"]) == 20

    folder_dataset = read_dataset(exported)
    for code in ("snp", "fin", "asc"):
        by_directorate = evaluation_to_json(evaluate(folder_dataset, period, directorate=code))
        expected = {
            row["status"]: (row["count"], row["percent"]) for row in by_directorate["summary"]
        }
        line = breakdown_of(doc, "directorate")[code]
        assert {s: line[s] for s in expected} == expected, code
        scope = page(client, f"/scorecard/directorate/{code}/{query}")
        assert summary_of(scope) == expected_summary(by_directorate), code
        assert transitions_of(scope) == expected_transitions(by_directorate), code
        exact = evaluate(folder_dataset, period, directorate=code)
        check_rows(table_of(scope), by_directorate, exact)

    for code in ("srp", "ahc"):
        committee = cli_evaluate(exported, period, code)
        expected = {row["status"]: (row["count"], row["percent"]) for row in committee["summary"]}
        line = breakdown_of(doc, "committee")[code]
        assert {s: line[s] for s in expected} == expected, code
        scope = page(client, f"/scorecard/committee/{code}/{query}")
        assert summary_of(scope) == expected_summary(committee)
        assert transitions_of(scope) == expected_transitions(committee)
        check_rows(table_of(scope), committee, evaluate(folder_dataset, period, code))


def test_the_demo_committee_has_the_statuses_of_its_report(client_as: Any) -> None:
    """The Strategy, Resources and Performance Committee in 2024/25 Q2: Red 1, Amber 1, Green
    10, Baseline 1 of 13, so 8%, 8%, 77% and 8% (each rounded on its own, semantics.md 10)."""
    doc = page(client_as("reader"), "/scorecard/committee/srp/?period=2024-25-q2")
    counts = {status: (count, percent) for status, count, percent in summary_of(doc)}
    assert counts["red"] == (1, 8)
    assert counts["amber"] == (1, 8)
    assert counts["green"] == (10, 77)
    assert counts["baseline"] == (1, 8)
    assert sum(percent for _, _, percent in summary_of(doc)) == 101  # hence the footnote


@pytest.mark.parametrize("period", [Q2, Q1], ids=str)
def test_the_indicator_page_shows_the_engines_figures(
    client_as: Any, exported: Path, period: Period
) -> None:
    client = client_as("reader")
    committee = cli_evaluate(exported, period, "srp")
    exact = {r.ref: r for r in evaluate(read_dataset(exported), period, "srp").indicators}
    for entry in committee["indicators"]:
        doc = page(client, f"/indicators/{entry['ref']}/?period={period.label}")
        status = select(doc, '#current-figures dd[data-fact="status"]')[0]
        assert status.get("data-status") == entry["status"], entry["ref"]
        previous = select(doc, '#current-figures dd[data-fact="previous-status"]')[0]
        assert previous.get("data-status") == entry["previous_status"], entry["ref"]
        current = text(select(doc, '#current-figures dd[data-fact="current-performance"]')[0])
        result = exact[entry["ref"]]
        value = result.value.value if result.value else None
        unit, decimals = result.indicator.unit, result.indicator.decimals
        assert current.startswith(format_value(value, unit, decimals)), entry["ref"]


def test_one_indicator_evaluates_as_it_does_among_all_of_them() -> None:
    """The indicator page reads one indicator's rows (web.dashboards.selectors.
    indicator_dataset); for every demo indicator and two periods the result is the JSON of the
    organisation's evaluation."""
    org = organisation()
    rows = list(models.Indicator.objects.select_related("directorate"))
    assert len(rows) == 20
    for period in (Q1, Q2):
        everyone = {
            entry["ref"]: entry
            for entry in evaluation_to_json(evaluate_period(period))["indicators"]
        }
        for row in rows:
            alone = evaluation_to_json(evaluate(indicator_dataset(row.ref, org), period))
            (entry,) = alone["indicators"]
            assert entry == everyone[row.ref], (row.ref, str(period))


def test_the_indicator_page_embeds_the_reports_chart_spec(client_as: Any) -> None:
    """The page embeds the Vega-Lite spec the report packs draw, built from the organisation's
    evaluation, with its data table and text alternative; the chart's scripts are served from
    the site (no CDN)."""
    response = client_as("reader").get("/indicators/182/?period=2024-25-q2")
    doc = lxml.html.fromstring(response.content.decode())
    embedded = json.loads(select(doc, "script#history-chart-spec")[0].text)
    result = evaluate_period(Q2).result("182")
    assert embedded == json.loads(json.dumps(history_chart(result, result.targets, Q2)))
    assert select(doc, "#history-chart")[0].get("data-vega-spec") == "history-chart-spec"
    scripts = [script.get("src") for script in select(doc, "script[src]")]
    assert "/static/kpiboard/vega/vega-embed.min.js" in scripts
    assert all(src.startswith("/static/") for src in scripts)
    table_periods = [text(select(row, "th")[0]) for row in select(doc, "#chart-data tbody tr")]
    assert table_periods[0] == "2022-04"
    assert "2024-09" in table_periods
    assert table_periods[-1] == "2025-03"  # the trend projected to the year end
    assert "Line chart of" in text(select(doc, "#chart-caption")[0])


def test_the_indicator_page_lists_neighbours_for_the_latest_comparable_period(
    client_as: Any,
) -> None:
    """ASC1 (Oflog, real neighbours' values): the council and each neighbour with a value, best
    first, the council's rank as the engine's, and the neighbours' median."""
    result = evaluate_period(Q2).result("ASC1")
    found = result.neighbours
    assert found is not None
    doc = page(client_as("reader"), "/indicators/ASC1/?period=2024-25-q2")
    assert text(select(doc, "#neighbours")[0]) == f"Statistical neighbours, {found.period}"
    areas = neighbour_areas(result, organisation().name)
    rows = select(doc, "#neighbour-values tbody tr")
    assert [text(select(row, "td")[1]) for row in rows] == [
        f"{area.name} (this council)" if area.council else area.name for area in areas
    ]
    council = select(doc, "#council-row")[0]
    assert text(select(council, "td")[0]) == str(found.rank)
    unit, decimals = result.indicator.unit, result.indicator.decimals
    assert text(select(council, "td")[2]) == format_value(found.council_value, unit, decimals)
    assert text(select(doc, "#neighbour-median")[0]) == format_value(found.median, unit, decimals)


def test_commentary_is_shown_for_every_period_sanitised(client_as: Any) -> None:
    """Approved commentary for each period up to the one shown, newest first, as formatted
    Markdown with no script; submitted (unapproved) commentary is not shown."""
    indicator = models.Indicator.objects.get(ref="182")
    approved = Return.objects.get(indicator=indicator, period="2024-09")
    approved.commentary = "**Better** <script>alert(1)</script> [x](javascript:alert(1))"
    approved.save()
    october = parse_period("2024-10")
    Return.objects.create(
        indicator=indicator,
        period=october.label,
        period_start=october.start,
        value=Decimal(50),
        commentary="Not yet approved.",
        state=ReturnState.SUBMITTED,
    )
    doc = page(client_as("reader"), "/indicators/182/?period=2024-25-q3")
    entries = select(doc, ".kpiboard-commentary-entry")
    periods = [entry.get("data-period") for entry in entries]
    # Newest first; a quarter's own commentary before its last month's, as the report picks it.
    assert periods[:2] == ["2024/25 Q2", "2024-09"]
    assert "2024/25 Q1" in periods
    assert "2024-10" not in periods
    newest = select(entries[1], ".kpiboard-commentary")[0]
    assert select(newest, "strong")[0].text == "Better"
    assert not select(newest, "script")
    assert "<script>alert(1)</script>" in text(newest)
    assert not [a for a in select(newest, "a") if "javascript" in (a.get("href") or "")]


def test_remedial_actions_raised_by_the_period_are_listed(client_as: Any, people: Any) -> None:
    indicator = models.Indicator.objects.get(ref="182")
    for period, what in (("2024/25 Q1", "Weekly overdue list"), ("2024/25 Q3", "Extra officer")):
        models.RemedialAction.objects.create(
            indicator=indicator, period=period, what=what, who="FOI team", due="2025-01-31"
        )
    client = client_as("reader")
    q2 = text(select(page(client, "/indicators/182/?period=2024-25-q2"), "#action-list")[0])
    assert "Weekly overdue list" in q2
    assert "Extra officer" not in q2
    q3 = text(select(page(client, "/indicators/182/?period=2024-25-q3"), "#action-list")[0])
    assert "Extra officer" in q3


@pytest.mark.parametrize(
    ("role", "sees_history"),
    [("reader", False), ("owner", True), ("performance", True), ("other_owner", False)],
)
def test_the_history_link_is_shown_only_to_those_who_may_see_it(
    client_as: Any, role: str, sees_history: bool
) -> None:
    doc = page(client_as(role), "/indicators/182/")
    assert select(doc, "#register-link")[0].get("href").startswith("/register/182/")
    links = select(doc, "#history-link")
    assert bool(links) == sees_history
    if links:
        assert client_as(role).get(links[0].get("href")).status_code == 200


# -- any period --------------------------------------------------------------------------------
def test_the_default_period_is_the_quarter_being_collected(client_as: Any) -> None:
    """The demo collects 2024/25 Q3 (organisation.toml), so the scorecards open on Q3, as every
    page does (tests/web/test_periods.py); Q2 is one choice away."""
    assert default_period(organisation()) == parse_period("2024/25 Q3")
    doc = page(client_as("reader"), "/scorecard/")
    assert select(doc, "#period option[selected]")[0].get("value") == "2024-25-q3"
    assert "2024/25 Q3" in text(select(doc, "#status-summary caption")[0])
    assert "2024-25-q2" in [o.get("value") for o in select(doc, "#period option")]


def test_any_period_shows_what_was_known_then(client_as: Any) -> None:
    """Q1 shows Q1's statuses (190 Amber, 212 Red) and figures up to June; a figure approved for
    October does not change Q2; the indicator page's history stops at the period's end."""
    client = client_as("reader")
    october = parse_period("2024-10")
    Return.objects.create(
        indicator=models.Indicator.objects.get(ref="182"),
        period=october.label,
        period_start=october.start,
        numerator=Decimal(10),
        denominator=Decimal(100),
        state=ReturnState.APPROVED,
    )
    q1 = {
        row["ref"]: row
        for row in table_of(page(client, "/scorecard/committee/srp/?period=2024-25-q1"))
    }
    assert q1["190"]["status_value"] == "amber"
    assert q1["212"]["status_value"] == "red"
    q2 = {
        row["ref"]: row
        for row in table_of(page(client, "/scorecard/committee/srp/?period=2024-25-q2"))
    }
    assert q2["190"]["status_value"] == "green"
    assert q2["182"]["value"] == "81.0%"  # October's 10% is not in Q2
    q3 = {
        row["ref"]: row
        for row in table_of(page(client, "/scorecard/committee/srp/?period=2024-25-q3"))
    }
    assert q3["182"]["value"] == "10.0% (incomplete)"

    doc = page(client, "/indicators/182/?period=2024-25-q1")
    periods = [text(select(row, "th")[0]) for row in select(doc, "#chart-data tbody tr")]
    figures = [text(select(row, "td")[0]) for row in select(doc, "#chart-data tbody tr")]
    last_figure = max(p for p, figure in zip(periods, figures, strict=True) if figure)
    assert last_figure == "2024-06"
    current = select(doc, '#current-figures dd[data-fact="current-performance"]')[0]
    assert text(current) == "74.0% for 2024/25 Q1 (April to June 2024)"
    commentary = [entry.get("data-period") for entry in select(doc, ".kpiboard-commentary-entry")]
    assert "2024/25 Q2" not in commentary
    assert commentary[0] == "2024/25 Q1"


def test_a_period_that_is_not_one_is_explained_and_the_default_shown(client_as: Any) -> None:
    doc = page(client_as("reader"), "/scorecard/committee/srp/?period=next+tuesday")
    summary = text(select(doc, ".govuk-error-summary")[0])
    assert "'next tuesday' is not a reporting period" in summary
    assert select(doc, "#period")[0].get("aria-describedby") == "period-error"
    assert "2024/25 Q3" in text(select(doc, "#status-summary caption")[0])


# -- filter and sort ---------------------------------------------------------------------------
def test_filters_and_sorts_not_understood_are_left_out_and_said_so(client_as: Any) -> None:
    doc = page(client_as("reader"), "/scorecard/committee/srp/?status=purple&sort=colour")
    assert len(table_of(doc)) == 13
    ignored = text(select(doc, "#table-ignored")[0])
    assert "'purple' is not a status" in ignored
    assert "'colour' is not a column to sort by" in ignored


def test_the_table_filters_by_status_without_javascript(client_as: Any) -> None:
    doc = page(
        client_as("reader"), "/scorecard/committee/srp/?period=2024-25-q2&status=red&status=amber"
    )
    rows = table_of(doc)
    assert sorted(row["ref"] for row in rows) == ["182", "188"]
    assert {row["status_value"] for row in rows} == {"red", "amber"}
    assert text(select(doc, "#table-description")[0]) == "Showing 2 of 13 indicators: Red or Amber."
    checked = [box.get("value") for box in select(doc, "#filter-form input[name=status][checked]")]
    assert checked == ["red", "amber"]
    # The filter form is a plain GET form that keeps the period, and the summary is the scope's.
    form = select(doc, "#filter-form")[0]
    assert form.get("method") == "get"
    assert select(form, "input[name=period]")[0].get("value") == "2024-25-q2"
    assert sum(count for _, count, _ in summary_of(doc)) == 13


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_the_table_sorts_by_value_with_empty_values_last(client_as: Any, order: str) -> None:
    client = client_as("reader")
    doc = page(client, f"/scorecard/directorate/asc/?period=2024-25-q2&sort=value&order={order}")
    results = {r.ref: r for r in evaluate_period(Q2, directorate="asc").indicators}
    refs = [row["ref"] for row in table_of(doc)]
    numbers = [found.value for ref in refs if (found := results[ref].value) is not None]
    assert numbers == sorted(numbers, reverse=order == "desc")
    missing = [ref for ref in refs if results[ref].value is None]
    assert refs[len(refs) - len(missing) :] == missing
    header = select(doc, '#indicators th[data-column="value"]')[0]
    assert header.get("aria-sort") == ("ascending" if order == "asc" else "descending")
    link = select(header, "a")[0].get("href")
    assert "order=" + ("desc" if order == "asc" else "asc") in link
    assert "period=2024-25-q2" in link


@pytest.mark.parametrize("column", [column.key for column in scorecards.COLUMNS])
def test_every_column_sorts(client_as: Any, column: str) -> None:
    """Ascending then descending give the same rows, and reversed where every row has a
    different value to sort by."""
    client = client_as("reader")
    base = "/scorecard/committee/srp/?period=2024-25-q2&sort=" + column
    up = [row["ref"] for row in table_of(page(client, base + "&order=asc"))]
    down = [row["ref"] for row in table_of(page(client, base + "&order=desc"))]
    assert sorted(up) == sorted(down)
    assert len(up) == 13
    if column in ("ref", "name"):
        assert down == list(reversed(up))


def test_htmx_gets_the_table_alone_and_the_history_a_whole_page(client_as: Any) -> None:
    client = client_as("reader")
    url = "/scorecard/committee/srp/?period=2024-25-q2&status=green&sort=name&order=asc"
    partial = client.get(url, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body
    assert "HX-Request" in partial["Vary"]
    fragment = lxml.html.fragment_fromstring(body, create_parent="div")
    assert select(fragment, "#table-status")[0].get("hx-swap-oob") == "innerHTML"
    names = [text(select(row, "td")[1]) for row in select(fragment, "#indicators tbody tr")]
    assert len(names) == 10
    assert names == sorted(names, key=str.casefold)
    # The sort links and the filter form ask htmx for the same URLs a browser without it follows.
    link = select(fragment, "#sort-value")[0]
    assert link.get("hx-get") == link.get("href")
    assert select(fragment, "#filter-form")[0].get("hx-get") == "/scorecard/committee/srp/"
    restored = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restored.content.decode()
    whole = client.get(url)
    assert "<html" in whole.content.decode()
    assert "HX-Request" in whole["Vary"]


@pytest.mark.parametrize(
    ("query", "statuses", "sort", "order", "problems"),
    [
        ("", (), None, "asc", 0),
        ("status=green&status=red&status=green", (Status.RED, Status.GREEN), None, "asc", 0),
        ("status=purple", (), None, "asc", 1),
        ("sort=value&order=desc", (), "value", "desc", 0),
        ("sort=colour&order=sideways", (), None, "asc", 2),
    ],
)
def test_table_queries_read_from_the_url(
    query: str, statuses: tuple[Status, ...], sort: str | None, order: str, problems: int
) -> None:
    parsed = scorecards.TableQuery.from_query(QueryDict(query))
    assert parsed.statuses == statuses
    assert parsed.sort == sort
    assert parsed.order == order
    assert len(parsed.problems) == problems
    assert scorecards.TableQuery.from_query(QueryDict(parsed.query_string()[1:])) == parsed


# -- the organisation scorecard ----------------------------------------------------------------
def test_the_organisation_scorecard_counts_the_returns_outstanding(client_as: Any) -> None:
    """Q2 (shown) and Q3 (being collected): every return due, and how many are still to come."""
    client = client_as("performance")
    before = page(client, "/scorecard/?period=2024-25-q2")
    rows = select(before, "#returns tbody tr")
    assert [row.get("data-period") for row in rows] == ["2024/25 Q2", "2024/25 Q3"]
    q3 = rows[1]
    outstanding = int(select(q3, "[data-outstanding]")[0].get("data-outstanding"))
    assert outstanding > 0
    october = parse_period("2024-10")
    Return.objects.create(
        indicator=models.Indicator.objects.get(ref="182"),
        period=october.label,
        period_start=october.start,
        value=Decimal(80),
        state=ReturnState.SUBMITTED,
    )
    after = select(page(client, "/scorecard/?period=2024-25-q2"), "#returns tbody tr")[1]
    assert int(select(after, "[data-outstanding]")[0].get("data-outstanding")) == outstanding - 1
    assert select(rows[0], "a")[0].get("href") == "/review/outstanding/?period=2024-25-q2"


def test_every_indicator_is_in_exactly_one_transition_group(client_as: Any) -> None:
    doc = page(client_as("reader"), "/scorecard/?period=2024-25-q2")
    groups = transitions_of(doc)
    members = [ref for refs in groups.values() for ref in refs]
    assert len(members) == len(set(members)) == 20
    assert groups["improved"] == ["190", "212"]
    for item in select(doc, "#transition-improved li"):
        assert select(item, "a")[0].get("href").startswith(f"/indicators/{item.get('data-ref')}/")


def test_the_committee_scorecard_uses_the_engines_groups_words_and_footnote(
    client_as: Any,
) -> None:
    """semantics.md 10 and 11 on the demo's srp committee, 2024/25 Q2: by hand from the
    evaluate table, 190 and 212 improved, 187 is Baseline in both quarters (not rated), the
    other 10 kept a RAGB status; Red 1, Amber 1, Green 10, Baseline 1 of 13 round on their own
    to 8, 8, 77, 8, which add to 101: the footnote, and a total of 100%."""
    doc = page(client_as("reader"), "/scorecard/committee/srp/?period=2024-25-q2")
    groups = transitions_of(doc)
    assert {group: len(refs) for group, refs in groups.items()} == {
        "improved": 2,
        "deteriorated": 0,
        "unchanged": 10,
        "not_rated": 1,
        "changed_category": 0,
    }
    assert groups["not_rated"] == ["187"]
    headings = [text(h) for h in select(doc, ".kpiboard-transition h3")]
    assert headings == [
        "Improved: 2 indicators",
        "Deteriorated: 0 indicators",
        "Unchanged: 10 indicators",
        "Not rated: 1 indicator",
        "Changed category: 0 indicators",
    ]
    assert [percent for _, _, percent in summary_of(doc) if percent] == [8, 8, 77, 8]
    assert text(select(doc, "#status-summary [data-percent-total]")[0]) == "100%"
    assert ROUNDING_FOOTNOTE in text(doc)


# -- queries -----------------------------------------------------------------------------------
def add_indicators(count: int) -> None:
    """``count`` more monthly percentages in Strategy and Partnerships and the SRP committee,
    each with a target and approved figures for April to September 2024."""
    directorate = models.Directorate.objects.get(code="snp")
    committee = models.Committee.objects.get(code="srp")
    start = models.Indicator.objects.count()
    created = models.Indicator.objects.bulk_create(
        models.Indicator(
            ref=f"X{number:03d}",
            name=f"Generated indicator {number}",
            unit="percent",
            decimals=1,
            direction="higher",
            frequency="month",
            category="targeted",
            directorate=directorate,
            position=start + number,
        )
        for number in range(count)
    )
    models.Indicator.committees.through.objects.bulk_create(
        models.Indicator.committees.through(indicator_id=row.pk, committee_id=committee.pk)
        for row in created
    )
    models.Target.objects.bulk_create(
        models.Target(indicator=row, start="2024/25 Q1", period_start=Q1.start, value=Decimal(80))
        for row in created
    )
    months = [Period.month(2024, month) for month in range(4, 10)]
    Return.objects.bulk_create(
        Return(
            indicator=row,
            period=month.label,
            period_start=month.start,
            value=Decimal(70 + number % 20),
            state=ReturnState.APPROVED,
        )
        for number, row in enumerate(created)
        for month in months
    )
    models.DataVersion.bump()  # bulk writes send no signals


def queries_for(client: Client, url: str) -> int:
    client.get(url)  # warms the evaluation cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_a_pages_queries_do_not_grow_with_the_number_of_indicators(client_as: Any) -> None:
    client = client_as("reader")
    urls = [*PAGES, "/scorecard/committee/srp/?status=green&sort=value&order=desc"]
    before = {url: queries_for(client, url) for url in urls}
    add_indicators(40)
    after = {url: queries_for(client, url) for url in urls}
    assert after == before
    table = table_of(page(client, "/scorecard/committee/srp/"))
    assert len(table) == 13 + 40
    assert sum(count for _, count, _ in summary_of(page(client, "/scorecard/"))) == 60


def _red_count(page: str) -> int:
    row = page.split('data-status="red"', 1)[1]
    return int(row.split('data-count="', 1)[1].split('"', 1)[0])


def test_cached_content_follows_a_change_of_the_data(client_as: Any) -> None:
    """The scorecard's content is kept between requests; a figure approved since must show.

    182 is Red in 2024/25 Q2 at exactly 81% against 90 (10% off). With every September request
    answered in time its quarter is above 81%, so no longer Red: one Red fewer."""
    from kpiboard.web.collection.models import Return as Figure

    client = client_as("reader")
    first = client.get("/scorecard/?period=2024-25-q2").content.decode()
    again = client.get("/scorecard/?period=2024-25-q2").content.decode()

    def content(page: str) -> str:  # each response has a nonce of its own (test_headers.py)
        return re.sub(r'nonce="[^"]*"', "", page.split('id="main-content"')[1])

    assert content(again) == content(first)
    september = Figure.objects.get(indicator__ref="182", period="2024-09")
    assert september.numerator is not None
    assert september.denominator is not None
    assert september.numerator < september.denominator
    september.numerator = september.denominator
    september.save()
    changed = client.get("/scorecard/?period=2024-25-q2").content.decode()
    assert _red_count(changed) == _red_count(first) - 1


def test_the_indicator_page_has_the_control_chart_and_the_neighbour_chart(client_as: Any) -> None:
    """182 has monthly figures since April 2022, enough for a control chart; ASC1 (annual, Oflog)
    has too few points but has neighbours, so its page draws the neighbour chart instead."""
    from kpiboard.reports.charts import spc_caption
    from kpiboard.web.evaluation import evaluate_period

    q2 = parse_period("2024/25 Q2")
    client = client_as("reader")
    page = client.get("/indicators/182/?period=2024-25-q2").content.decode()
    result = evaluate_period(q2).result("182")
    assert result.spc is not None
    assert html.escape(spc_caption(result) or "", quote=False) in page
    spec = json.loads(
        page.split('id="spc-chart-spec" type="application/json">', 1)[1].split("</script>", 1)[0]
    )
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    table = page.split('id="spc-data"', 1)[1].split("</table>", 1)[0]
    assert table.count('<th scope="row"') == len(result.spc.point_types)
    annual = client.get("/indicators/ASC1/?period=2024-25-q2").content.decode()
    assert 'id="no-spc"' in annual
    assert "Fewer than 13 points" in annual
    assert 'id="neighbour-chart-spec"' in annual
