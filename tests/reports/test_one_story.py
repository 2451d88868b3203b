"""One story in every output (issue 11): each pack read back as a person would read it.

For the demo council (the srp committee and the whole organisation) and a generated council with
every status, category and transition group and a control chart whose process has changed, the
pack is written once, its HTML, PDF text, Word document and workbook are read back
(tests/reading.py), and what they say is compared with each other and with the evaluation's JSON.
Expected words come from the specification (semantics.md 4, 8, 10, 11 and issue 11), worked out
here from the JSON and the data folder, never from the report model's own formatting.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.periods import parse_period
from kpiboard.analysis.serialise import evaluation_to_json
from kpiboard.datafiles import read_dataset
from kpiboard.reports.pack import write_pack
from reading import (
    GROUP_WORDS,
    STATUS_WORDS,
    Card,
    Reading,
    items,
    number_text,
    numbered_sections,
    period_label,
    read_pack,
    squash,
    value_text,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo-council"
PERIOD = "2024/25 Q2"
OUTPUTS = ("html", "pdf", "docx", "xlsx")
COUNCILS = ("demo-srp", "demo-organisation", "generated")
FOOTNOTE = "Figures may not add to 100 due to rounding."
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
VERDICTS = ("consistently pass", "consistently fail", "hit and miss", "sometimes pass")


@dataclass
class Story:
    """A pack read back, with the JSON of the same evaluation and the data folder's
    indicators.csv (for each indicator's display decimals, unit and frequency)."""

    payload: dict[str, Any]
    indicators: dict[str, dict[str, str]]
    readings: dict[str, Reading]


def _story(folder: Path, out: Path, committee: str | None) -> Story:
    evaluation = evaluate(read_dataset(folder), parse_period(PERIOD), committee)
    result = write_pack(evaluation, out)
    with (folder / "indicators.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["ref"]: row for row in csv.DictReader(handle)}
    return Story(evaluation_to_json(evaluation), rows, read_pack(dict(result.files)))


# -- a generated council with every status, category and transition -----------------------------

MONTHLY = [f"{2022 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}" for i in range(30)]  # 2022-04..2024-09

HEADER = ("ref", "name", "unit", "decimals", "direction", "frequency", "aggregation", "category")

#: ref: (unit, decimals, direction, frequency, aggregation, category), with the statuses and the
#: transition each is built to have (checked by the last test of this module).
GENERATED = {
    "RP": ("percent", 1, "higher", "month", "latest", "targeted"),  # blue -> red, stable, pass
    "AM": ("percent", 0, "higher", "month", "mean", "targeted"),  # amber -> amber
    "GC": ("percent", 1, "higher", "month", "mean", "targeted"),  # green, process changed
    "GF": ("percent", 1, "higher", "month", "latest", "targeted"),  # red -> green, stable, fail
    "BL": ("days", 2, "lower", "quarter", "latest", "targeted"),  # blue -> blue
    "BA": ("percent", 1, "higher", "month", "mean", "baseline"),
    "CO": ("number", 0, "none", "month", "sum", "contextual"),
    "DV": ("number", 0, "higher", "month", "sum", "in_development"),
    "SU": ("percent", 1, "higher", "month", "mean", "suspended"),
    "NT": ("number", 0, "higher", "month", "sum", "targeted"),  # no target in force
    "ND": ("percent", 1, "higher", "month", "mean", "targeted"),  # green -> no data
}


def _observations() -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    alternate = [0, 2] * 15
    # RP: 29 points alternating 60/62 (limits about 55 to 66) then 40: a stable process whose
    # limits are all above the target of 50 ("consistently pass") with a Red figure.
    rows += [("RP", m, str(60 + alternate[i])) for i, m in enumerate(MONTHLY[:-1])]
    rows.append(("RP", MONTHLY[-1], "40"))
    # GF: 29 points alternating 40/42 (limits about 36 to 47) then 51 against a target of 50:
    # Green, stable, "consistently fail".
    rows += [("GF", m, str(40 + alternate[i])) for i, m in enumerate(MONTHLY[:-1])]
    rows.append(("GF", MONTHLY[-1], "51"))
    # GC: 21 points alternating 70/72, then 9 alternating 84/86: a shift at the end of a long
    # series; the old limits (about 70 to 80.5) sit below its target of 82; Q2's mean is 84.7.
    rows += [("GC", m, str(70 + alternate[i])) for i, m in enumerate(MONTHLY[:21])]
    rows += [("GC", m, str(84 + alternate[i])) for i, m in enumerate(MONTHLY[21:])]
    rows += [
        ("AM", m, v)
        for m, v in zip(MONTHLY[-6:], ["85", "86", "84", "86", "87", "88"], strict=True)
    ]
    quarters = ["2023/24 Q1", "2023/24 Q2", "2023/24 Q3", "2023/24 Q4", "2024/25 Q1", PERIOD]
    rows += [
        ("BL", q, v)
        for q, v in zip(quarters, ["9.5", "9.2", "9.1", "9.05", "9", "8.9"], strict=True)
    ]
    rows += [("BA", m, str(50 + i)) for i, m in enumerate(MONTHLY[-6:])]
    rows += [("CO", m, str(100 + i)) for i, m in enumerate(MONTHLY[-6:])]
    rows += [("SU", m, "70") for m in MONTHLY[-6:]]
    rows += [("NT", m, str(10 + i)) for i, m in enumerate(MONTHLY[-6:])]
    rows += [("ND", m, "93") for m in MONTHLY[-6:-3]]
    return rows


def _generated_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "organisation.toml").write_text(
        'name = "Generated Council"\narea_code = "E10000099"\nyear_start_month = 4\n\n'
        '[[committees]]\nid = "c"\nname = "Generated Committee"\n\n'
        '[[directorates]]\nid = "d"\nname = "Generated Directorate"\n',
        encoding="utf-8",
    )
    with (folder / "indicators.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow([*HEADER, "committees", "directorate"])
        for ref, fields in GENERATED.items():
            out.writerow([ref, f"Indicator {ref}", *fields, "c", "d"])
    targets = {"RP": 50, "AM": 90, "GC": 82, "GF": 50, "BL": 10, "DV": 5, "SU": 60, "ND": 90}
    with (folder / "targets.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["ref", "from", "target"])
        out.writerows(
            [ref, "2022-04" if ref != "BL" else "2023/24 Q1", t] for ref, t in targets.items()
        )
    with (folder / "observations.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["ref", "period", "value"])
        out.writerows(_observations())
    return folder


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Story]:
    """Each council's pack, written and read once for the module."""
    root = tmp_path_factory.mktemp("one-story")
    generated = _generated_folder(root / "generated-data")
    return {
        "demo-srp": _story(DEMO, root / "srp", "srp"),
        "demo-organisation": _story(DEMO, root / "organisation", None),
        "generated": _story(generated, root / "generated", "c"),
    }


# -- what the JSON and the specification say each card must read --------------------------------


def _indicator(story: Story, ref: str) -> dict[str, Any]:
    return next(i for i in story.payload["indicators"] if i["ref"] == ref)


def _value_period(story: Story, item: dict[str, Any]) -> str:
    """The period a value belongs to: the reporting period for an indicator measured as often
    or more often (a quarter's months combine into it); its own period for a coarser one."""
    if story.indicators[item["ref"]]["frequency"] == "year":
        return period_label(item["as_of"])
    return period_label(story.payload["period"])


def _expected_value(story: Story, item: dict[str, Any]) -> str:
    row = story.indicators[item["ref"]]
    return value_text(item["value"], row["unit"], int(row.get("decimals") or 1))


def _expected_variation(item: dict[str, Any]) -> str | None:
    spc = item["spc"]
    if spc is None:
        return None
    variation = spc["variation"]
    if variation == "common_cause":
        return "Common cause"
    if variation.startswith("improvement"):
        return "Special cause improvement"
    if variation.startswith("concern"):
        return "Special cause concern"
    return "Special cause variation"


def _contradiction(card: Card, item: dict[str, Any]) -> str | None:
    """Why a card's words contradict its status or its process (semantics.md 8), or None."""
    text = card.text.lower()
    status, spc = item["status"], item["spc"]
    if spc is not None and spc["stability"] == "changed":
        stated = [verdict for verdict in VERDICTS if verdict in text]
        if stated:
            return f"states {stated} of a process that changed since {spc['changed_since']}"
        return None
    clash = (status in ("green", "blue") and "consistently fail" in text) or (
        status in ("red", "amber") and "consistently pass" in text
    )
    if not clash:
        return None
    assurance = (card.row("Assurance") or "").lower()
    word = STATUS_WORDS[status].lower()
    if not re.search(r"\b(but|although|though|however|whereas|yet)\b", assurance) or (
        word not in assurance
    ):
        return f"{STATUS_WORDS[status]} beside {card.row('Assurance')!r} without saying why"
    return None


def _problems(story: Story, output: str, check: Any) -> list[str]:
    reading = story.readings[output]
    found = []
    for item in story.payload["indicators"]:
        card = reading.cards.get(item["ref"])
        if card is None:
            found.append(f"{item['ref']}: no card")
            continue
        problem = check(story, item, card, output)
        if problem:
            found.append(f"{item['ref']}: {problem}")
    return found


@pytest.fixture(params=COUNCILS)
def council(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=OUTPUTS)
def output(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=OUTPUTS[:3])
def text_output(request: pytest.FixtureRequest) -> str:
    """The outputs with report text (the workbook has figures and tables only)."""
    return str(request.param)


# -- 1. each indicator's value, period, status and control chart verdict ------------------------


def test_every_indicator_has_one_card_in_every_output(
    stories: dict[str, Story], council: str, output: str
) -> None:
    story = stories[council]
    refs = [item["ref"] for item in story.payload["indicators"]]
    assert list(story.readings[output].cards) == refs


def _value_check(story: Story, item: dict[str, Any], card: Card, output: str) -> str | None:
    if item["value"] is None:
        return None
    row = story.indicators[item["ref"]]
    shown = card.row("Current performance") or ""
    period = _value_period(story, item)
    if output == "xlsx":
        number = number_text(item["value"], int(row.get("decimals") or 1))
        sign_ok = row["unit"] not in ("percent", "days") or card.row("Unit") in (
            "Per cent",
            "Days",
        )
        if shown != number or period not in card.rows.values() or not sign_ok:
            unit = card.row("Unit")
            return f"shows {shown!r} (unit {unit!r}), expected {number!r} and {period!r} in its row"
        return None
    expected = _expected_value(story, item)
    if not re.search(rf"(?<![\d.,]){re.escape(expected)}(?![\d])", shown) or period not in shown:
        return f"current performance {shown!r}, expected {expected!r} labelled {period!r}"
    return None


def test_each_value_is_shown_at_its_decimals_with_its_unit_and_its_period(
    stories: dict[str, Story], council: str, output: str
) -> None:
    """81.0% labelled "2024/25 Q2 (July to September 2024)": the quarter the value belongs to,
    never its last month (issue 11)."""
    problems = _problems(stories[council], output, _value_check)
    assert not problems, "\n".join(problems)


def _status_check(story: Story, item: dict[str, Any], card: Card, output: str) -> str | None:
    shown = card.row("Status")
    expected = STATUS_WORDS[item["status"]]
    return None if shown == expected else f"status {shown!r}, expected {expected!r}"


def test_each_status_is_the_jsons_in_words(
    stories: dict[str, Story], council: str, output: str
) -> None:
    problems = _problems(stories[council], output, _status_check)
    assert not problems, "\n".join(problems)


def _spc_check(story: Story, item: dict[str, Any], card: Card, output: str) -> str | None:
    variation = card.row("Variation") or ""
    assurance = card.row("Assurance") or ""
    expected = _expected_variation(item)
    spc = item["spc"]
    if expected is None:
        if "special cause" in variation.lower() or "common cause" in variation.lower():
            return f"variation {variation!r} without a control chart"
        return None
    if not variation.startswith(expected):
        return f"variation {variation!r}, expected {expected!r}"
    if spc["stability"] == "changed":
        since = period_label(spc["changed_since"])
        if f"changed since {since}" not in assurance:
            return f"assurance {assurance!r}, expected 'changed since {since}'"
        return None
    words = {
        "pass": "consistently pass",
        "fail": "consistently fail",
        "inconsistent": "hit and miss",
        None: "not assessed",
    }[spc["assurance"]]
    if words not in assurance.lower():
        return f"assurance {assurance!r}, expected {words!r}"
    return None


def test_each_control_chart_verdict_is_the_jsons_in_words(
    stories: dict[str, Story], council: str, output: str
) -> None:
    """The variation icon's words, and the assurance icon's verdict or, for a changed process,
    since when it changed (semantics.md 8)."""
    problems = _problems(stories[council], output, _spc_check)
    assert not problems, "\n".join(problems)


def test_each_indicator_reads_the_same_in_all_four_outputs(
    stories: dict[str, Story], council: str
) -> None:
    """The HTML, the PDF and the Word document give each row the same words; the workbook's
    column is the same words or their first part (the icon's name without its meaning)."""
    story = stories[council]
    problems = []
    for item in story.payload["indicators"]:
        html = story.readings["html"].cards.get(item["ref"])
        if html is None:
            continue
        for label in ("Current performance", "Status", "Variation", "Assurance"):
            seen = {
                name: (r.cards[item["ref"]].row(label) if item["ref"] in r.cards else None)
                for name, r in story.readings.items()
            }
            base = seen["html"] or ""
            for name in ("pdf", "docx"):
                if seen[name] != base:
                    problems.append(f"{item['ref']} {label}: html {base!r}, {name} {seen[name]!r}")
            if label != "Current performance":
                excel = seen["xlsx"] or ""
                few = "fewer than" in base.lower() and "fewer than" in excel.lower()
                if not (excel and (base.startswith(excel) or few)):
                    problems.append(f"{item['ref']} {label}: html {base!r}, xlsx {excel!r}")
    assert not problems, "\n".join(problems)


def _headline_check(story: Story, item: dict[str, Any], card: Card, output: str) -> str | None:
    """A figure called "latest" in a card is the judged value, or names its month."""
    if item["value"] is None or output == "xlsx":
        return None
    expected = _expected_value(story, item)
    for sentence in re.split(r"(?<=[.;])\s", card.text):
        for found in re.finditer(
            r"\blatest (?:figure |value )?(£?-?[\d,]+(?:\.\d+)?(?:%| days)?)", sentence
        ):
            if found[1] != expected and not re.search(rf"\b({MONTHS}) \d{{4}}\b", sentence):
                return f"says 'latest {found[1]}' beside the judged {expected}: {sentence!r}"
    return None


def test_no_card_calls_a_different_figure_latest_without_its_month(
    stories: dict[str, Story], council: str, output: str
) -> None:
    problems = _problems(stories[council], output, _headline_check)
    assert not problems, "\n".join(problems)


# -- 2. no verdict that contradicts the status or describes a process that has changed ----------


def test_no_card_contradicts_its_status_or_judges_a_changed_process(
    stories: dict[str, Story], council: str, output: str
) -> None:
    def check(story: Story, item: dict[str, Any], card: Card, output: str) -> str | None:
        return _contradiction(card, item)

    problems = _problems(stories[council], output, check)
    assert not problems, "\n".join(problems)


def test_the_status_beside_each_indicator_in_the_report_text_is_its_status(
    stories: dict[str, Story], council: str, text_output: str
) -> None:
    """The highlights' "Status: Green" and the transition lists' "(Green)" and "has gone from
    Amber to Green" agree with the JSON."""
    story = stories[council]
    payload = {item["ref"]: item for item in story.payload["indicators"]}
    lines = story.readings[text_output].lines
    problems = []
    for i, line in enumerate(lines[:-1]):
        found = re.match(r"^Indicator ([^\s:]+): ", line)
        status = re.match(r"^Status: (.+)$", lines[i + 1])
        if found and status and found[1] in payload:
            expected = STATUS_WORDS[payload[found[1]]["status"]]
            if status[1] != expected:
                problems.append(f"{found[1]}: 'Status: {status[1]}', expected {expected}")
    group_sentence = re.compile("|".join(GROUP_WORDS.values()))
    for sentence, after in numbered_sections(lines):
        if not group_sentence.match(sentence):
            continue
        for entry in items(after):
            ref = entry.split(":")[0].removeprefix("Indicator ")
            if ref not in payload:
                continue
            now = STATUS_WORDS[payload[ref]["status"]]
            before = STATUS_WORDS.get(payload[ref]["previous_status"] or "", "")
            moved = re.search(r"from (.+?) to (.+?)\.?$", entry)
            if moved and (moved[1], moved[2]) != (before, now):
                problems.append(f"{ref}: {entry!r}, expected from {before} to {now}")
            bracket = re.search(r"\(([^()]+)\)$", entry)
            if not moved and bracket and bracket[1] in STATUS_WORDS.values() and bracket[1] != now:
                problems.append(f"{ref}: {entry!r}, expected ({now})")
    assert not problems, "\n".join(problems)


# -- 3. every count equals the list it introduces; the transition groups ------------------------


def test_every_count_in_a_sentence_equals_the_list_it_introduces(
    stories: dict[str, Story], council: str, text_output: str
) -> None:
    """ "Improved: 2 indicators." followed by 2 entries ("no indicators" by none); "There are
    10 Green or Blue indicators" is the JSON's count of Green and Blue, and "Below are 2
    highlights" followed by 2; "the 13 indicators in this report" is the number in the JSON."""
    story = stories[council]
    good = sum(1 for i in story.payload["indicators"] if i["status"] in ("green", "blue"))
    problems = []
    for sentence, after in numbered_sections(story.readings[text_output].lines):
        counted = r"\b(\d+|no) ((?:[A-Za-z/-]+ ){0,4}?)(indicators?|highlights?)\b"
        for found in re.finditer(counted, sentence):
            count = 0 if found[1] == "no" else int(found[1])
            if "in this report" in sentence[found.start() :]:
                expected = len(story.payload["indicators"])
            elif found[2] == "Green or Blue ":
                expected = good
            else:
                expected = len(items(after))
            if count != expected:
                problems.append(f"{sentence!r} introduces {expected}")
    assert not problems, "\n".join(problems)


def test_the_transition_groups_are_the_jsons_in_every_output(
    stories: dict[str, Story], council: str, output: str
) -> None:
    """Every group in the specification's words, its count the length of its list and the
    JSON's, its list the JSON's (semantics.md 11)."""
    story = stories[council]
    groups = story.readings[output].groups
    expected = {
        group: (len(story.payload["transitions"][group]), story.payload["transitions"][group])
        for group in GROUP_WORDS
    }
    assert groups == expected


# -- 4. the status summary and its footnote ------------------------------------------------------


def _expected_summary(payload: dict[str, Any]) -> tuple[list[tuple[str, str, str]], str | None]:
    """The summary rows from the JSON's counts, each percentage rounded half-up on its own
    (semantics.md 10), the total 100%, and the footnote when the rows do not add to 100."""
    total = sum(row["count"] for row in payload["summary"])
    rows, points = [], 0
    for row in payload["summary"]:
        share = (Decimal(100 * row["count"]) / total).quantize(Decimal(1), ROUND_HALF_UP)
        points += int(share)
        rows.append((STATUS_WORDS[row["status"]], str(row["count"]), f"{share}%"))
    rows.append(("Total", str(total), "100%"))
    return rows, FOOTNOTE if points != 100 else None


def test_the_status_summary_and_its_footnote_are_the_same_in_every_output(
    stories: dict[str, Story], council: str, output: str
) -> None:
    story = stories[council]
    rows, footnote = _expected_summary(story.payload)
    reading = story.readings[output]
    assert reading.summary == rows
    assert story.payload["summary_footnote"] == footnote
    if footnote is None:
        assert FOOTNOTE not in reading.after_summary
    else:
        assert squash(reading.after_summary) == footnote


# -- the councils are what they claim to be ------------------------------------------------------


def test_the_demo_reads_as_issue_11_says(stories: dict[str, Story], output: str) -> None:
    """Red 1 (8%), Amber 1 (8%), Green 10 (77%), Baseline 1 (8%) with the footnote; 2 improved,
    10 unchanged, 1 not rated."""
    story = stories["demo-srp"]
    reading = story.readings[output]
    shown = {words: (count, percent) for words, count, percent in reading.summary}
    assert shown["Red"] == ("1", "8%")
    assert shown["Amber"] == ("1", "8%")
    assert shown["Green"] == ("10", "77%")
    assert shown["Baseline"] == ("1", "8%")
    assert shown["Total"] == ("13", "100%")
    assert squash(reading.after_summary) == FOOTNOTE
    counts = {group: count for group, (count, _) in reading.groups.items()}
    assert counts == {
        "improved": 2,
        "deteriorated": 0,
        "unchanged": 10,
        "not_rated": 1,
        "changed_category": 0,
    }


def test_the_generated_council_has_every_status_group_and_a_changed_process(
    stories: dict[str, Story],
) -> None:
    """The statuses, groups and control charts worked out by hand in GENERATED's comments."""
    payload = stories["generated"].payload
    status = {item["ref"]: item["status"] for item in payload["indicators"]}
    assert status == {
        "RP": "red",
        "AM": "amber",
        "GC": "green",
        "GF": "green",
        "BL": "blue",
        "BA": "baseline",
        "CO": "contextual",
        "DV": "in_development",
        "SU": "suspended",
        "NT": "no_target",
        "ND": "no_data",
    }
    transitions = {g: payload["transitions"][g] for g in GROUP_WORDS}
    assert transitions == {
        "improved": ["GF"],
        "deteriorated": ["RP"],
        "unchanged": ["AM", "GC", "BL"],
        "not_rated": ["BA", "CO", "DV", "SU", "NT"],
        "changed_category": ["ND"],
    }
    spc = {item["ref"]: item["spc"] for item in payload["indicators"] if item["spc"]}
    assert (spc["GC"]["stability"], spc["GC"]["assurance"]) == ("changed", "fail")
    assert (spc["GF"]["stability"], spc["GF"]["assurance"]) == ("stable", "fail")
    assert (spc["RP"]["stability"], spc["RP"]["assurance"]) == ("stable", "pass")
