"""The control charts in the report model: the summary's variation and assurance counts, and
each card's variation, assurance and recent trend in words."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from kpiboard.analysis.evaluate import Evaluation
from kpiboard.analysis.model import PercentRounding
from kpiboard.analysis.serialise import evaluation_to_json
from kpiboard.analysis.status import Status
from kpiboard.analysis.summary import ROUNDING_FOOTNOTE
from kpiboard.reports.count_tables import CountTable
from kpiboard.reports.icons import assurance_label, assurance_text
from kpiboard.reports.model import Paragraph, Report, build_report
from report_stubs import spc_kinds_report

#: Which row of the summary each variation icon of the JSON belongs to, written out here.
VARIATION_ROWS = {
    "improvement_high": "improvement",
    "improvement_low": "improvement",
    "concern_high": "concern",
    "concern_low": "concern",
    "neutral_high": "neutral",
    "neutral_low": "neutral",
    "common_cause": "common_cause",
}
ASSURANCE_ROWS = {"pass": "pass", "inconsistent": "hit_and_miss", "fail": "fail"}


def counted(table: CountTable) -> dict[str, int]:
    return {line.key: line.count for line in table.lines}


def independent_counts(json: dict[str, Any]) -> tuple[Counter[str], Counter[str]]:
    """Variation and assurance rows counted from ``kpiboard evaluate``'s JSON of the indicators."""
    variation: Counter[str] = Counter()
    assurance: Counter[str] = Counter()
    for indicator in json["indicators"]:
        spc = indicator["spc"]
        if spc is None:
            variation["too_few_points"] += 1
            assurance["too_few_points"] += 1
        else:
            variation[VARIATION_ROWS[spc["variation"]]] += 1
            if spc["assurance"] is not None and spc["stability"] == "changed":
                assurance["process_changed"] += 1  # the limits of a changed process judge nothing
            else:
                assurance[ASSURANCE_ROWS.get(spc["assurance"], "not_assessed")] += 1
    return variation, assurance


def test_the_demo_counts_are_those_of_the_evaluation(
    demo_evaluation: Evaluation, demo_json: dict[str, Any]
) -> None:
    """Counted from the JSON, each indicator once; by hand, from the evaluate table with the
    demo's rebases (185, 186, 188, 189, 213 and 214): 182, 183, 188, 190 improving high and 186,
    191, 213, 214 improving low; 184, 185, 189 common cause; 187 (3 yearly figures) and 212
    (10 quarters) too short. Assurance: 182, 183, 186, 191, 213, 214 have changed since their
    limits were set; of the stable ones 184, 185, 189, 190 are hit and miss and 188 fails."""
    summary = build_report(demo_evaluation).spc_summary
    variation, assurance = independent_counts(demo_json)
    assert counted(summary.variation) == {
        key: variation[key] for key in ("improvement", "concern", "common_cause", "too_few_points")
    }
    assert counted(summary.variation) == {
        "improvement": 8,
        "concern": 0,
        "common_cause": 3,
        "too_few_points": 2,
    }
    assert counted(summary.assurance) == {
        "pass": 0,
        "hit_and_miss": 4,
        "fail": 1,
        "process_changed": 6,
        "too_few_points": 2,
    }
    assert counted(summary.assurance) == {k: assurance[k] for k in counted(summary.assurance)}
    for table in (summary.variation, summary.assurance):
        assert table.total == sum(counted(table).values()) == len(demo_json["indicators"]) == 13


def test_percentages_are_rounded_as_the_status_summary(demo_evaluation: Evaluation) -> None:
    """The demo rounds each percentage on its own (semantics.md 10). 13 indicators split
    8/0/3/2: 61.5, 0, 23.1, 15.4 -> 62, 0, 23, 15. Split 0/4/1/6/2: 0, 30.8, 7.7, 46.2, 15.4
    -> 0, 31, 8, 46, 15. Both add to 100: no footnote."""
    assert demo_evaluation.organisation.settings.percent_rounding is PercentRounding.INDEPENDENT
    summary = build_report(demo_evaluation).spc_summary
    assert [line.percent for line in summary.variation.lines] == [62, 0, 23, 15]
    assert [line.percent for line in summary.assurance.lines] == [0, 31, 8, 46, 15]
    assert summary.variation.footnote is None
    assert summary.assurance.footnote is None


def test_largest_remainder_rounding_adds_to_100(demo_evaluation: Evaluation) -> None:
    """0/4/1/6/2 of 13: floors 0, 30, 7, 46, 15 leave two points, for the largest remainders
    .77 (hit and miss) and .69 (fail): 0, 31, 8, 46, 15."""
    organisation = demo_evaluation.organisation
    settings = replace(organisation.settings, percent_rounding=PercentRounding.LARGEST_REMAINDER)
    evaluation = replace(demo_evaluation, organisation=replace(organisation, settings=settings))
    summary = build_report(evaluation).spc_summary
    assert [line.percent for line in summary.assurance.lines] == [0, 31, 8, 46, 15]
    assert summary.assurance.footnote is None


@pytest.fixture(scope="module")
def kinds() -> Report:
    return spc_kinds_report()


def test_every_kind_is_counted_in_its_row(kinds: Report) -> None:
    """The six indicators of spc_kinds_report, one of each kind (worked there by hand)."""
    variation, assurance = kinds.spc_summary.variation, kinds.spc_summary.assurance
    assert [(line.label, line.count) for line in variation.lines] == [
        ("Special cause improvement", 1),
        ("Special cause concern", 1),
        ("Special cause variation, neither improvement nor concern", 1),
        ("Common cause variation", 2),
        ("Too few points for a control chart", 1),
    ]
    assert [(line.label, line.count) for line in assurance.lines] == [
        ("Will consistently pass the target", 0),
        ("Hit and miss: will sometimes meet the target", 0),
        ("Will consistently fail the target", 1),
        ("Not judged: the process has changed since its limits were set", 2),
        ("Not assessed: no target, or no direction of improvement", 2),
        ("Too few points for a control chart", 1),
    ]
    # Each rounded on its own: 1/6 = 16.67 -> 17 four times and 2/6 = 33.33 -> 33 add to 101,
    # so the variation table has the footnote (and its total row says 100%); the assurance
    # table's 0, 0, 17, 33, 33, 17 add to 100 and need none.
    assert [line.percent for line in variation.lines] == [17, 17, 17, 33, 17]
    assert variation.footnote == ROUNDING_FOOTNOTE
    assert variation.total_percent == "100%"
    assert [line.percent for line in assurance.lines] == [0, 0, 17, 33, 33, 17]
    assert assurance.footnote is None
    variation_json, assurance_json = independent_counts(evaluation_to_json(kinds.evaluation))
    assert counted(variation) == dict(variation_json)
    assert {key: count for key, count in counted(assurance).items() if count} == dict(
        assurance_json
    )


def test_the_tables_are_in_main_issues_after_the_status_summary(kinds: Report) -> None:
    main = next(section for section in kinds.sections if section.heading == "Main issues")
    kinds_of_block = [block.kind for block in main.blocks]
    at = next(i for i, block in enumerate(main.blocks) if block is kinds.summary)
    assert kinds.summary.of_statuses
    assert not kinds.spc_summary.variation.of_statuses
    assert kinds_of_block[at + 1 : at + 4] == ["paragraph", "counts", "counts"]
    assert main.blocks[at + 2] is kinds.spc_summary.variation
    assert main.blocks[at + 3] is kinds.spc_summary.assurance
    intro = main.blocks[at + 1]
    assert isinstance(intro, Paragraph)
    assert intro.text.endswith("A control chart needs at least 13 figures.")


def facts(report: Report, ref: str) -> dict[str, str]:
    card = next(card for card in report.cards if card.ref == ref)
    return {fact.label: fact.text for fact in card.facts}


@pytest.mark.parametrize(
    ("ref", "variation", "assurance"),
    [
        (
            "up",
            "Special cause improvement (high): the latest figure is significantly higher, "
            "which is better",
            # RISING from July 2023: 1-5 are below the lower limit (5.34), so the run that ends
            # at 15 starts at 6, December 2023: 10 points, each higher than the one before.
            "The process has changed since December 2023 (a run of 10 points each higher than the "
            "one before); its limits describe the old process, so assurance "
            "against the target is not judged until the limits are recalculated from that point.",
        ),
        (
            "down",
            "Special cause concern (high): the latest figure is significantly higher, which "
            "is worse",
            "The process has changed since December 2023 (a run of 10 points each higher than the "
            "one before); its limits describe the old process, so assurance "
            "against the target is not judged until the limits are recalculated from that point.",
        ),
        (
            "none",
            "Special cause variation (high): the latest figure is significantly higher; "
            "neither better nor worse, as this indicator has no direction of improvement",
            "Not assessed: no direction of improvement. "
            "The process has changed since December 2023 (a run of 10 points each higher than the "
            "one before); its limits describe the old process until they "
            "are recalculated from that point.",
        ),
        (
            "flat",
            "Common cause variation: no significant change",
            "Will consistently fail the target: the process limits are both on the worse side "
            "of the target",
        ),
        ("free", "Common cause variation: no significant change", "Not assessed: no target"),
        (
            "new",
            "Fewer than 13 points: no control chart yet (10 so far).",
            "Not assessed: fewer than 13 points",
        ),
    ],
)
def test_each_card_says_what_its_icons_mean(
    kinds: Report, ref: str, variation: str, assurance: str
) -> None:
    found = facts(kinds, ref)
    assert found["Variation (control chart)"] == variation
    assert found["Assurance (control chart)"] == assurance
    card = next(card for card in kinds.cards if card.ref == ref)
    assert (card.no_control_chart is None) == (ref != "new")


def test_the_recent_trend_in_words(demo_evaluation: Evaluation) -> None:
    """Fingertips' words from the evaluation: 182 has counts and no significant change; 184's
    last five are not all usable; 185 has neither counts nor limits."""
    report = build_report(demo_evaluation)
    assert facts(report, "182")["Recent trend"] == "No significant change (last 5 points)"
    assert facts(report, "184")["Recent trend"] == "Cannot be calculated from the last 5 figures"
    assert facts(report, "185")["Recent trend"] == (
        "Not calculated: the figures have no counts or confidence limits"
    )


@pytest.mark.parametrize(
    ("result", "judgement", "words"),
    [
        ("increasing", "getting better", "Increasing and getting better (last 5 points)"),
        ("decreasing", "getting worse", "Decreasing and getting worse (last 5 points)"),
        ("increasing", None, "Increasing (last 5 points)"),
    ],
)
def test_a_significant_trend_says_which_way_and_whether_better(
    demo_evaluation: Evaluation, result: str, judgement: str | None, words: str
) -> None:
    from kpiboard.analysis.recent_trend import RecentTrend
    from kpiboard.reports.icons import recent_trend_text

    indicator = replace(demo_evaluation.result("182"), recent_trend=RecentTrend(result, judgement))
    assert recent_trend_text(indicator) == words


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (
            Status.GREEN,
            "The current figure met the target (Green), but the process limits say it will not "
            "meet it consistently",
        ),
        (
            Status.BLUE,
            "The current figure met the target (Blue), but the process limits say it will not "
            "meet it consistently",
        ),
        (Status.RED, None),
        (Status.AMBER, None),
    ],
)
def test_a_status_the_assurance_icon_contradicts_is_explained(
    kinds: Report, status: Status, words: str | None
) -> None:
    """ "flat" is a stable process whose limits (5.61 to 16.25) are all below its target of 30:
    "Will consistently fail the target". Beside Red or Amber that needs no words; beside Green
    or Blue (a figure that met the target) the card says why both are true."""
    card = next(card for card in kinds.cards if card.ref == "flat")
    assert card.result.spc is not None
    assert card.result.spc.change is None
    result = replace(card.result, status=status)
    text = assurance_text(result, 13)
    assert text.startswith("Will consistently fail the target")
    if words is None:
        assert "current figure" not in text
        assert assurance_label(result, 13) == "Will consistently fail the target"
    else:
        assert words in text
        assert assurance_label(result, 13) == text
