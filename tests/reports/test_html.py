"""The HTML report: figures and lists from the evaluation, sanitised text, headings in order."""

from __future__ import annotations

import re
from functools import partial
from html import escape, unescape
from html.parser import HTMLParser
from typing import Any

from syrupy.assertion import SnapshotAssertion

from kpiboard.analysis.evaluate import Evaluation
from kpiboard.reports.formatting import format_value
from kpiboard.reports.html import render_html
from kpiboard.reports.model import build_report
from kpiboard.reports.pack import PackResult


class Outline(HTMLParser):
    """Collects headings, script elements and the text of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.scripts = 0
        self.text: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "script":
            self.scripts += 1
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.handlers += [
            f"{name}={value}"
            for name, value in attrs
            if value and value.strip().lower().startswith("javascript:")
        ]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def _section(html: str, number: str) -> str:
    start = html.index(f'id="section-{number}"')
    end = html.index("</section>", start)
    return html[start:end]


def test_the_summary_table_is_the_evaluations(
    demo_pack: PackResult, demo_json: dict[str, Any]
) -> None:
    html = demo_pack.files["html"].read_text(encoding="utf-8")
    table = html[html.index('<table class="summary-table">') :]
    table = table[: table.index("</table>")]
    rows = re.findall(
        r'status--(\w+)">[^<]+</strong></th><td class="number">(\d+)</td>'
        r'<td class="number">(\d+)%</td>',
        table,
    )
    expected = [
        (row["status"], str(row["count"]), str(row["percent"])) for row in demo_json["summary"]
    ]
    assert rows == expected
    assert '<td class="number">13</td><td class="number">100%</td>' in table


def test_every_red_and_every_highlight_is_named_in_main_issues(
    demo_pack: PackResult, demo_json: dict[str, Any]
) -> None:
    main = _section(demo_pack.files["html"].read_text(encoding="utf-8"), "3")
    # The demo's narrative (examples/demo-council/reports/) highlights the seed paper's two.
    chosen = {"190", "214"}
    for indicator in demo_json["indicators"]:
        named = f"Indicator {indicator['ref']}:" in main
        expected = indicator["status"] == "red" or indicator["ref"] in chosen
        assert named == expected, indicator["ref"]
    greens = sum(1 for i in demo_json["indicators"] if i["status"] in ("green", "blue"))
    assert (
        f"There are {greens} Green or Blue indicators this period. Below are 2 highlights; the "
        "others are in Appendix 1." in main
    )
    assert "There is 1 red indicator for commentary this period." in main


def test_the_conclusion_lists_every_indicator_once(
    demo_pack: PackResult, demo_json: dict[str, Any]
) -> None:
    conclusion = _section(demo_pack.files["html"].read_text(encoding="utf-8"), "4")
    items = re.findall(r"<li>Indicator (\w+):", conclusion)
    assert sorted(items) == sorted(i["ref"] for i in demo_json["indicators"])
    assert "has gone from Amber to Green" in conclusion
    assert "has gone from Red to Green" in conclusion
    # semantics.md 11's groups and words, each count the length of the list that follows it: by
    # hand from the evaluate table, 190 and 212 improved, 187 is Baseline in both quarters, and
    # the other 10 kept their RAGB status.
    group_and_list = r"(\w[\w ]*): (\d+|no) indicators?\.</p>\s*(<ul[^>]*>.*?</ul>)?"
    found = re.findall(group_and_list, conclusion, re.S)
    groups = {
        words: (0 if count == "no" else int(count), listed.count("<li>"))
        for words, count, listed in found
    }
    assert groups == {
        "Improved": (2, 2),
        "Deteriorated": (0, 0),
        "Unchanged": (10, 10),
        "Not rated": (1, 1),
        "Changed category": (0, 0),
    }
    assert "Indicator 187: " + next(
        i["name"] for i in demo_json["indicators"] if i["ref"] == "187"
    ) + " (Baseline)" in unescape(conclusion)
    assert "kept the same status" not in conclusion
    assert "baseline:" not in conclusion


def test_one_self_contained_file_with_headings_in_order(demo_pack: PackResult) -> None:
    html = demo_pack.files["html"].read_text(encoding="utf-8")
    outline = _outline(html)
    assert outline.headings[0] == 1
    assert outline.headings.count(1) == 1
    for before, after in zip(outline.headings, outline.headings[1:], strict=False):
        assert after <= before + 1, "a heading level is skipped"
    assert outline.scripts == 0
    assert "<link" not in html
    assert 'src="http' not in html
    assert "<svg" in html
    assert '<html lang="en-GB">' in html


def test_the_criteria_are_printed_from_the_settings(demo_pack: PackResult) -> None:
    background = _section(demo_pack.files["html"].read_text(encoding="utf-8"), "2")
    assert "Red – current performance is 10% or more from target." in background
    assert "Blue – current performance is better than target by more than 5%." in background


def test_hostile_text_is_rendered_harmless(demo_evaluation: Evaluation) -> None:
    """Markup in names and commentary is shown as text; scripts and handlers never survive."""
    from dataclasses import replace

    from kpiboard.analysis.model import Commentary

    first = demo_evaluation.indicators[0]
    hostile = replace(
        first,
        indicator=replace(first.indicator, name='<script>alert("name")</script> Café ñ — Ŵ'),
        commentary=Commentary(
            ref=first.ref,
            period=demo_evaluation.period,
            text="<img src=x onerror=alert(1)> [click](javascript:alert(1)) <b>raw</b> "
            '=HYPERLINK("http://x","y") ' + "long " * 4000,
        ),
    )
    evaluation = replace(demo_evaluation, indicators=(hostile, *demo_evaluation.indicators[1:]))
    report = build_report(evaluation)
    html = render_html(report, charts={card.ref: () for card in report.cards})
    outline = _outline(html)
    assert outline.scripts == 0
    assert outline.handlers == []
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt; Café ñ — Ŵ" in html
    assert "<b>raw</b>" not in html
    assert '=HYPERLINK("http://x","y")' in "".join(outline.text)


def test_snapshot_of_the_summary_table(
    demo_evaluation: Evaluation, snapshot: SnapshotAssertion
) -> None:
    """The summary table's markup, checked by eye when it was recorded."""
    report = build_report(demo_evaluation)
    html = render_html(report, charts={card.ref: () for card in report.cards})
    start = html.index('<table class="summary-table">')
    assert html[start : html.index("</table>", start) + len("</table>")] == snapshot


# -- control charts and the summary of them --------------------------------------------------
POINT_WORDS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Improvement",
    "special_cause_concern": "Concern",
}


def _card(html: str, ref: str) -> str:
    start = html.index(f'<article class="card" id="indicator-{ref}"')
    return html[start : html.index("</article>", start)]


def _table_rows(table: str) -> list[list[str]]:
    """Each body row's cells (the row header first), unescaped."""
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [
        [unescape(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)
    ]


def test_the_control_chart_summary_is_counted_from_the_evaluation(
    demo_pack: PackResult, demo_json: dict[str, Any]
) -> None:
    """The two tables after the status summary, against counts made here from the JSON."""
    main = _section(demo_pack.files["html"].read_text(encoding="utf-8"), "3")
    tables = re.findall(r'<table class="summary-table counts-table">.*?</table>', main, re.S)
    assert len(tables) == 2
    spc = [i["spc"] for i in demo_json["indicators"]]

    def stable(s: dict[str, Any]) -> bool:
        return bool(s["stability"] == "stable")

    variation = [
        [
            "Special cause improvement",
            sum(bool(s) and s["variation"].startswith("improvement") for s in spc),
        ],
        [
            "Special cause concern",
            sum(bool(s) and s["variation"].startswith("concern") for s in spc),
        ],
        ["Common cause variation", sum(bool(s) and s["variation"] == "common_cause" for s in spc)],
        ["Too few points for a control chart", sum(s is None for s in spc)],
    ]
    assurance = [
        [
            "Will consistently pass the target",
            sum(bool(s) and stable(s) and s["assurance"] == "pass" for s in spc),
        ],
        [
            "Hit and miss: will sometimes meet the target",
            sum(bool(s) and stable(s) and s["assurance"] == "inconsistent" for s in spc),
        ],
        [
            "Will consistently fail the target",
            sum(bool(s) and stable(s) and s["assurance"] == "fail" for s in spc),
        ],
        [
            "Not judged: the process has changed since its limits were set",
            sum(bool(s) and not stable(s) and s["assurance"] is not None for s in spc),
        ],
        ["Too few points for a control chart", sum(s is None for s in spc)],
    ]
    for table, expected in zip(tables, (variation, assurance), strict=True):
        rows = _table_rows(table)
        assert [[label, int(count)] for label, count, _ in rows] == expected
        assert sum(count for _, count in expected) == len(demo_json["indicators"])
        assert sum(int(percent.rstrip("%")) for _, _, percent in rows) == 100
        assert '<td class="number">13</td><td class="number">100%</td>' in table
    # By hand from the demo's 2024/25 Q2 (the rebases of examples/build_demo_council.py): hit
    # and miss 184, 185, 189, 190; fail 188; changed 182, 183, 186, 191, 213, 214; 187 and 212
    # too short. 4/13 = 30.8, 1/13 = 7.7, 6/13 = 46.2, 2/13 = 15.4.
    assert [row[2] for row in _table_rows(tables[1])] == ["0%", "31%", "8%", "46%", "15%"]


def test_every_card_with_spc_has_a_control_chart_with_its_figures(
    demo_pack: PackResult, demo_evaluation: Evaluation, demo_json: dict[str, Any]
) -> None:
    """Heading, SVG labelled with its caption, the caption, and a data table whose rows are the
    engine's points, and the mean and limits in force at each (they step where a series is
    rebased)."""
    html = demo_pack.files["html"].read_text(encoding="utf-8")
    with_spc = 0
    for indicator in demo_json["indicators"]:
        ref, spc = indicator["ref"], indicator["spc"]
        card = _card(html, ref)
        if spc is None:
            assert "chart-panel--spc chart-panel--missing" in card
            assert "<h4>Control chart</h4>" in card
            continue
        with_spc += 1
        result = demo_evaluation.result(ref)
        panel = card[card.index('<div class="chart-panel chart-panel--spc">') :]
        panel = panel[: panel.index("</details>")]
        assert "<h4>Control chart</h4>" in panel
        caption = unescape(re.search(r"<figcaption>(.*?)</figcaption>", panel, re.S)[1])  # type: ignore[index]
        assert caption.startswith(f"Statistical process control chart of {indicator['name']}:")
        assert f'aria-label="{escape(caption)}"' in panel
        assert f"<caption>Control chart data for indicator {ref}</caption>" in panel

        show = partial(format_value, unit=result.indicator.unit, decimals=result.indicator.decimals)
        assert result.spc is not None
        rows = _table_rows(panel)
        assert [[row[0], row[1], row[2], *row[4:]] for row in rows] == [
            [str(o.period), show(o.value), POINT_WORDS[kind], *map(show, (at.mean, at.lpl, at.upl))]
            for o, kind, at in zip(
                result.history, spc["point_types"], result.spc.point_limits, strict=True
            )
        ]
        # The last point has the latest limits, as the JSON gives them.
        assert rows[-1][4:] == [show(spc["mean"]), show(spc["lpl"]), show(spc["upl"])]
    assert with_spc == 11


def test_a_card_without_enough_points_says_why(demo_pack: PackResult) -> None:
    """212 has ten quarters: fewer than the 13 a control chart needs."""
    card = _card(demo_pack.files["html"].read_text(encoding="utf-8"), "212")
    assert (
        "<h4>Control chart</h4>\n<p>Fewer than 13 points: no control chart yet (10 so far).</p>"
        in card
    )
    assert 'chart-panel--spc"' not in card


def test_snapshot_of_the_control_chart_summary(
    demo_evaluation: Evaluation, snapshot: SnapshotAssertion
) -> None:
    """The two count tables' markup, checked by eye when it was recorded."""
    report = build_report(demo_evaluation)
    html = render_html(report, charts={card.ref: () for card in report.cards})
    tables = re.findall(r'<table class="summary-table counts-table">.*?</table>', html, re.S)
    assert tables == snapshot
